"""What an eval suite says, as value objects (loading and checking are in suite.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from agentform.evals.costs import Price
from agentform.evals.stats import Settings

Method = Literal["json", "exact", "contains", "regex"]
GraderType = Literal[
    "json",
    "equals",
    "contains",
    "regex",
    "json_schema",
    "python",
    "tool_called",
    "tool_not_called",
    "rubric",
]
GRADER_TYPES: tuple[str, ...] = GraderType.__args__  # type: ignore[attr-defined]
# Graders that fall back to the case's `expected` when they give no value of their own.
USES_EXPECTED = {"json": "expected", "equals": "value", "contains": "value", "regex": "pattern"}
DEFAULT_JUDGE_MODEL = "claude-haiku-4-5"


@dataclass(frozen=True)
class Scoring:
    method: Method
    fields: tuple[str, ...] = ()  # json: the fields compared; empty means every expected field
    ignore_case: bool = False


@dataclass(frozen=True, eq=False)
class GraderSpec:
    type: GraderType
    options: Mapping[str, Any] = field(default_factory=dict)  # as written, `type` left out

    @property
    def name(self) -> str:
        """How reports name it: the type, and the tool or function it is about."""
        subject = self.options.get("name") or self.options.get("function")
        return f"{self.type}({subject})" if subject else self.type


@dataclass(frozen=True)
class Case:
    id: str
    label: str
    input: Mapping[str, str]
    expected: Any = None  # a mapping for json scoring, else a string; None: not given
    graders: tuple[GraderSpec, ...] = ()  # this case's own, beside the suite's


@dataclass(frozen=True)
class Judge:
    """The LLM judge of `rubric` graders: a fixed model, its own repeats (majority vote)."""

    model: str = DEFAULT_JUDGE_MODEL
    repeats: int = 1
    max_tokens: int = 512
    batch: Literal["auto", "always", "never"] = "auto"
    batch_threshold: int = 200  # `auto` uses the Batches API above this many judge calls


@dataclass(frozen=True)
class Budgets:
    max_cost_increase: float | None = None  # a fraction: 0.2 allows +20% cost per run
    max_latency_p95: float | None = None  # seconds


@dataclass(frozen=True)
class Suite:
    name: str
    path: Path
    agent: str
    environment: str
    prompt: str
    scoring: Scoring | None
    cases: tuple[Case, ...]
    repeats: int = 1
    timeout_seconds: float = 120.0
    graders: tuple[GraderSpec, ...] = ()  # every case's, after `scoring`
    judge: Judge = field(default_factory=Judge)
    min_accuracy: Mapping[str, float] = field(default_factory=dict)  # label or overall
    budgets: Budgets = field(default_factory=Budgets)
    statistics: Settings = field(default_factory=Settings)
    prices: Mapping[str, Price] = field(default_factory=dict)
    vaults: tuple[str, ...] = ()  # vault keys whose credentials the sessions use

    def message(self, case: Case) -> str:
        """The user message for one case: the prompt with its placeholders filled."""
        return self.prompt.format_map(case.input)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted({case.label for case in self.cases}))

    @property
    def root(self) -> Path:
        """The estate the suite belongs to (`module:function` graders live under it)."""
        return self.path.parent.parent

    def graders_for(self, case: Case) -> tuple[GraderSpec, ...]:
        """Every grader of a case: `scoring` first, then the suite's, then its own."""
        classic: tuple[GraderSpec, ...] = ()
        if self.scoring is not None:
            kind: GraderType = "equals" if self.scoring.method == "exact" else self.scoring.method
            key = USES_EXPECTED[kind]
            options: dict[str, Any] = {key: case.expected, "ignore_case": self.scoring.ignore_case}
            if self.scoring.fields:
                options["fields"] = list(self.scoring.fields)
            classic = (GraderSpec(kind, options),)
        return (*classic, *self.graders, *case.graders)


def case_digest(suite: Suite, case: Case) -> str:
    """What the session sees of a case: its message (results are cached under it)."""
    return hashlib.sha256(suite.message(case).encode()).hexdigest()[:24]


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
