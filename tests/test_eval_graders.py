"""Each grader passes a right reply and fails a wrong one (a grader that always passed, or
always failed, would fail here). The LLM judge's parsing is here; its calls are in
test_eval_judge.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentform.evals.graders import GraderError, Reply, ToolCall, grade
from agentform.evals.judge import decide
from agentform.evals.suite_model import Case, GraderSpec

CASE = Case("c1", "billing", {"ticket": "t"}, expected={"team": "billing"})
TEXT_CASE = Case("c2", "billing", {}, expected="billing")


def check(kind: str, reply: str, case: Case = CASE, root: Path = Path(), **options: Any) -> Any:
    calls = options.pop("calls", ())
    return grade(GraderSpec(kind, options), case, Reply(reply, "Ticket: t", calls), root)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "options", "right", "wrong", "why"),
    [
        ("equals", {"value": "OK"}, " OK\n", "OK!", "expected 'OK', got 'OK!'"),
        ("equals", {}, "billing", "auth", "expected 'billing', got 'auth'"),
        ("contains", {"value": "refund"}, "we refund", "no", "'refund' not in 'no'"),
        ("contains", {"value": "REFUND", "ignore_case": True}, "a refund", "none", "not in"),
        ("regex", {"pattern": r"\bP[12]\b"}, "P1 now", "P3", "/\\bP[12]\\b/ not found"),
        ("regex", {}, "billing team", "auth", "/billing/ not found"),
    ],
)
def test_text_graders(kind: str, options: dict[str, Any], right: str, wrong: str, why: str) -> None:
    assert check(kind, right, TEXT_CASE, **options).passed
    failed = check(kind, wrong, TEXT_CASE, **options)
    assert not failed.passed and why in failed.detail and failed.grader == kind


def test_json_grader_uses_its_own_expected_or_the_cases() -> None:
    assert check("json", '{"team": "billing", "priority": "P2"}', fields=["team"]).passed
    wrong = check("json", '{"team": "auth"}')
    assert (wrong.passed, wrong.detail) == (False, "team: expected 'billing', got 'auth'")
    own = check("json", '{"priority": "P1"}', expected={"priority": "P1"})
    assert (
        own.passed and not check("json", '{"priority": "P3"}', expected={"priority": "P1"}).passed
    )


def test_json_schema_grader() -> None:
    schema = {
        "type": "object",
        "required": ["team", "priority"],
        "properties": {"priority": {"enum": ["P1", "P2", "P3"]}},
    }
    assert check("json_schema", '{"team": "x", "priority": "P2"}', schema=schema).passed
    missing = check("json_schema", '{"team": "x"}', schema=schema)
    assert (missing.passed, missing.detail) == (
        False,
        "schema: (the reply): 'priority' is a required property",
    )
    bad = check("json_schema", '{"team": "x", "priority": "P9"}', schema=schema)
    assert not bad.passed and bad.detail.startswith("schema: priority: 'P9' is not one of")
    assert check("json_schema", "not json", schema=schema).detail == "not JSON: 'not json'"


def test_tool_graders_look_at_the_calls_and_their_input() -> None:
    calls = (ToolCall("lookup", {"id": 7, "deep": True}), ToolCall("bash", {"command": "ls"}))
    assert check("tool_called", "", name="lookup", calls=calls).passed
    assert check("tool_called", "", name="lookup", input={"id": 7}, calls=calls).passed
    other = check("tool_called", "", name="lookup", input={"id": 8}, calls=calls)
    assert (other.passed, other.detail) == (
        False,
        'expected a call to lookup with {"id": 8}; called lookup, bash',
    )
    assert not check("tool_called", "", name="search", calls=()).passed
    assert check("tool_not_called", "", name="search", calls=calls).passed
    assert check("tool_not_called", "", name="bash", input={"command": "rm"}, calls=calls).passed
    called = check("tool_not_called", "", name="bash", calls=calls)
    assert (called.passed, called.detail) == (
        False,
        'bash was called (1x), first with {"command": "ls"}',
    )


GRADERS_PY = """
def short(reply, context):
    return len(reply) < 10


def names_team(reply, context):
    team = context["expected"]["team"]
    return (team in reply, f"does not name {team}")


def as_dict(reply, context):
    return {"pass": context["tool_uses"] == [], "reason": "used a tool"}


def broken(reply, context):
    raise ValueError("boom")


def vague(reply, context):
    return "maybe"
"""


def test_python_graders_from_the_estate(tmp_path: Path) -> None:
    (tmp_path / "evals").mkdir()
    (tmp_path / "evals" / "checks.py").write_text(GRADERS_PY, encoding="utf-8")

    def run(function: str, reply: str, calls: tuple[ToolCall, ...] = ()) -> Any:
        return check(
            "python", reply, root=tmp_path, function=f"evals.checks:{function}", calls=calls
        )

    assert run("short", "ok").passed
    assert run("short", "far too long a reply").detail == "evals.checks:short returned False"
    assert run("names_team", "billing it is").passed
    assert run("names_team", "auth").detail == "does not name billing"
    assert run("as_dict", "x").passed
    assert run("as_dict", "x", (ToolCall("bash", {}),)).detail == "used a tool"
    with pytest.raises(GraderError, match="evals.checks:broken raised ValueError: boom"):
        run("broken", "x")
    with pytest.raises(GraderError, match="returned 'maybe': expected a bool"):
        run("vague", "x")
    with pytest.raises(GraderError, match="has no function 'missing'"):
        run("missing", "x")


def test_the_judges_majority_decides_and_an_unreadable_judge_is_an_error() -> None:
    spec = GraderSpec("rubric", {"rubric": "names one team"})
    yes, no = '{"pass": true, "reason": "ok"}', '{"pass": false, "reason": "two teams"}'
    assert decide(spec, [yes]).passed
    assert decide(spec, [yes, no, yes]).passed
    split = decide(spec, [yes, no])  # a tie fails
    assert (split.passed, split.detail) == (False, "two teams (1/2 judge calls passed)")
    assert decide(spec, ["```json\n" + no + "\n```", "garbage", no]).detail == (
        "two teams (0/2 judge calls passed)"
    )
    with pytest.raises(GraderError, match="responder rules have no `messages:` rule"):
        decide(spec, ["[emulator] claude-haiku-4-5 received: <rubric>"])
    with pytest.raises(GraderError, match="the judge gave no verdict"):
        decide(spec, ["I think it passes"])
