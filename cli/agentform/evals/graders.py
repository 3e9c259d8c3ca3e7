"""Graders: what decides that a reply passed. Deterministic ones run here; `rubric` (an LLM
judge) runs in judge.py. A run passes when every grader that applies to its case passes.

    scoring: {method: json, fields: [team]}   # the classic one, against the case's expected
    graders:                                  # suite-wide, added to every case's
      - {type: equals, value: "OK"}           # the reply, trimmed, equals value
      - {type: contains, value: refund, ignore_case: true}
      - {type: regex, pattern: "P[123]"}
      - {type: json, fields: [team]}          # JSON fields against `expected` (or the case's)
      - {type: json_schema, schema: {type: object, required: [team]}}
      - {type: python, function: "evals.checks:no_apology"}   # evals/checks.py in the estate
      - {type: tool_called, name: lookup, input: {id: 7}}     # input: a subset of the call's
      - {type: tool_not_called, name: bash}
      - {type: rubric, rubric: "Names exactly one team and says why."}

`equals`, `contains`, `regex` and `json` without their value use the case's `expected`.
A Python grader is called as `function(reply, context)`; `context` has the case's `id`,
`label`, `input`, `expected`, the `message` sent, the `tool_uses` (name and input) and the
`usage`. It returns a bool, `(bool, reason)` or `{"pass": bool, "reason": str}`; if it
raises, the run is an error (a broken grader is not a wrong answer).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from agentform.evals.results import Grade
from agentform.evals.scoring import Verdict, clip, parse_json_reply, score
from agentform.evals.suite_model import Case, GraderSpec, Scoring

__all__ = ["GraderError", "ToolCall", "grade", "grader_digest", "load_function"]


class GraderError(Exception):
    """A grader could not run (a Python grader raised, its module is missing...)."""


@dataclass(frozen=True)
class ToolCall:
    name: str
    input: Mapping[str, Any]


@dataclass(frozen=True)
class Reply:
    """What graders look at: the reply, the message sent, the tool calls, the usage."""

    text: str
    message: str
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Mapping[str, int] | None = None


def grade(spec: GraderSpec, case: Case, reply: Reply, root: Path) -> Grade:
    """A deterministic grader's verdict (`rubric` is judge.py's)."""
    check = _CHECKS[spec.type]
    verdict = check(spec.options, case, reply, root)
    return Grade(spec.name, verdict.passed, verdict.detail)


def _classic(method: str) -> Callable[[Mapping[str, Any], Case, Reply, Path], Verdict]:
    def check(options: Mapping[str, Any], case: Case, reply: Reply, root: Path) -> Verdict:
        key = "pattern" if method == "regex" else "value" if method != "json" else "expected"
        expected = options.get(key, case.expected)
        scoring = Scoring(
            method,  # type: ignore[arg-type]
            tuple(options.get("fields") or ()),
            bool(options.get("ignore_case", False)),
        )
        return score(scoring, expected, reply.text)

    return check


def _json_schema(options: Mapping[str, Any], case: Case, reply: Reply, root: Path) -> Verdict:
    import jsonschema

    parsed = parse_json_reply(reply.text)
    if parsed is None:
        return Verdict(False, f"not JSON: {clip(reply.text.strip())}")
    validator = jsonschema.Draft202012Validator(options["schema"])
    found = sorted(validator.iter_errors(parsed), key=lambda e: list(e.absolute_path))
    if not found:
        return Verdict(True)
    where = "/".join(str(p) for p in found[0].absolute_path) or "(the reply)"
    return Verdict(False, f"schema: {where}: {found[0].message}")


def _tool_called(options: Mapping[str, Any], case: Case, reply: Reply, root: Path) -> Verdict:
    wanted = _matching(options, reply.tool_calls)
    if wanted:
        return Verdict(True)
    called = ", ".join(c.name for c in reply.tool_calls) or "no tool"
    args = f" with {json.dumps(options['input'], sort_keys=True)}" if options.get("input") else ""
    return Verdict(False, f"expected a call to {options['name']}{args}; called {called}")


def _tool_not_called(options: Mapping[str, Any], case: Case, reply: Reply, root: Path) -> Verdict:
    found = _matching(options, reply.tool_calls)
    if not found:
        return Verdict(True)
    shown = json.dumps(dict(found[0].input), sort_keys=True)
    return Verdict(False, f"{options['name']} was called ({len(found)}x), first with {shown}")


def _matching(options: Mapping[str, Any], calls: Sequence[ToolCall]) -> list[ToolCall]:
    subset = options.get("input") or {}
    return [
        call
        for call in calls
        if call.name == options["name"]
        and all(call.input.get(key, _MISSING) == value for key, value in subset.items())
    ]


_MISSING = object()


def _python(options: Mapping[str, Any], case: Case, reply: Reply, root: Path) -> Verdict:
    function = load_function(root, options["function"])
    context = {
        "id": case.id,
        "label": case.label,
        "input": dict(case.input),
        "expected": case.expected,
        "message": reply.message,
        "tool_uses": [{"name": c.name, "input": dict(c.input)} for c in reply.tool_calls],
        "usage": dict(reply.usage or {}),
    }
    try:
        outcome = function(reply.text, context)
    except Exception as exc:
        raise GraderError(f"{options['function']} raised {type(exc).__name__}: {exc}") from exc
    return _outcome(outcome, options["function"])


def _outcome(value: Any, where: str) -> Verdict:
    if isinstance(value, bool):
        return Verdict(value, "" if value else f"{where} returned False")
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], bool):
        return Verdict(value[0], "" if value[0] else str(value[1]))
    if isinstance(value, dict) and isinstance(value.get("pass"), bool):
        return Verdict(value["pass"], "" if value["pass"] else str(value.get("reason", "")))
    raise GraderError(
        f"{where} returned {value!r}: expected a bool, (bool, reason) or {{'pass': bool}}"
    )


def load_function(root: Path, target: str) -> Callable[..., Any]:
    """`module:function`, the module a dotted path of a .py file under the estate `root`."""
    module_name, _, name = target.partition(":")
    path = root.joinpath(*module_name.split(".")).with_suffix(".py")
    module = _load_module(path)
    function = getattr(module, name, None)
    if not callable(function):
        raise GraderError(f"{path} has no function {name!r}")
    return function  # type: ignore[no-any-return]


_MODULES: dict[tuple[Path, bytes], ModuleType] = {}


def _load_module(path: Path) -> ModuleType:
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise GraderError(f"cannot read the grader module {path}: {exc.strerror}") from None
    key = (path, source)
    if key not in _MODULES:
        spec = importlib.util.spec_from_file_location(f"agentform_grader_{path.stem}", path)
        if spec is None or spec.loader is None:
            raise GraderError(f"cannot load {path} as a Python module")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise GraderError(f"{path}: {type(exc).__name__}: {exc}") from exc
        _MODULES[key] = module
    return _MODULES[key]


def grader_digest(spec: GraderSpec, root: Path) -> str:
    """Changes when the grader would judge differently: its options, a Python grader's
    source file."""
    material = json.dumps({"type": spec.type, **spec.options}, sort_keys=True, default=str)
    if spec.type == "python":
        module_name = str(spec.options["function"]).partition(":")[0]
        path = root.joinpath(*module_name.split(".")).with_suffix(".py")
        try:
            material += hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            material += "missing"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


_CHECKS: dict[str, Callable[[Mapping[str, Any], Case, Reply, Path], Verdict]] = {
    "json": _classic("json"),
    "equals": _classic("exact"),
    "contains": _classic("contains"),
    "regex": _classic("regex"),
    "json_schema": _json_schema,
    "tool_called": _tool_called,
    "tool_not_called": _tool_not_called,
    "python": _python,
}
