"""Score one reply against one case's expected value. Pure functions.

A reply that cannot be scored (not JSON, a field missing) is a wrong answer, not an
error: errors are for runs that produced no reply at all (timeouts, API failures).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from agentform.evals.suite_model import Scoring

_FENCE = re.compile(r"^```[A-Za-z0-9_-]*\n(.*)\n```$", re.S)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    detail: str = ""  # why it failed, for the report


def score(scoring: Scoring, expected: Any, reply: str) -> Verdict:
    methods: dict[str, Callable[[Scoring, Any, str], Verdict]] = {
        "json": _json,
        "exact": _exact,
        "contains": _contains,
        "regex": _regex,
    }
    return methods[scoring.method](scoring, expected, reply)


def _exact(scoring: Scoring, expected: str, reply: str) -> Verdict:
    if _fold(reply.strip(), scoring) == _fold(expected.strip(), scoring):
        return Verdict(True)
    return Verdict(False, f"expected {clip(expected)}, got {clip(reply.strip())}")


def _contains(scoring: Scoring, expected: str, reply: str) -> Verdict:
    if _fold(expected, scoring) in _fold(reply, scoring):
        return Verdict(True)
    return Verdict(False, f"{clip(expected)} not in {clip(reply.strip())}")


def _regex(scoring: Scoring, expected: str, reply: str) -> Verdict:
    flags = re.IGNORECASE if scoring.ignore_case else 0
    if re.search(expected, reply, flags):
        return Verdict(True)
    return Verdict(False, f"/{expected}/ not found in {clip(reply.strip())}")


def _json(scoring: Scoring, expected: Mapping[str, Any], reply: str) -> Verdict:
    parsed = parse_json_reply(reply)
    if not isinstance(parsed, dict):
        return Verdict(False, f"not a JSON object: {clip(reply.strip())}")
    wrong = []
    for name in scoring.fields or tuple(expected):
        if name not in parsed:
            wrong.append(f"{name}: missing")
        elif not _same(parsed[name], expected[name], scoring):
            wrong.append(f"{name}: expected {expected[name]!r}, got {parsed[name]!r}")
    return Verdict(not wrong, "; ".join(wrong))


def parse_json_reply(reply: str) -> Any:
    """The reply as JSON (a reply wrapped in one Markdown code fence counts); None if not JSON."""
    text = reply.strip()
    fenced = _FENCE.match(text)
    try:
        return json.loads(fenced.group(1) if fenced else text)
    except ValueError:
        return None


def _same(actual: Any, expected: Any, scoring: Scoring) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        return _fold(actual, scoring) == _fold(expected, scoring)
    return bool(type(actual) is type(expected) and actual == expected) or (
        _number(actual) and _number(expected) and actual == expected
    )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fold(text: str, scoring: Scoring) -> str:
    return text.casefold() if scoring.ignore_case else text


def clip(text: str, limit: int = 80) -> str:
    """`text` quoted, shortened to `limit` characters for a report line."""
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"
