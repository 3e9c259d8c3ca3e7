"""Eval suites: the format, its schema, and `validate` reporting every problem with its line."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from agentform.cli import main
from agentform.evals.suite import load_suites
from agentform.manifests.schemas import load_schema
from tests.estate import REPO, copy_example, write

SUITE = """
    agent: triage
    environment: default
    prompt: "Ticket: {ticket}"
    scoring: {method: json, fields: [team]}
    cases:
      - id: one
        label: billing
        input: {ticket: "My invoice is wrong"}
        expected: {team: billing}
"""


def validate(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--dir", str(root), "validate"])
    return result.exit_code, result.output


def test_the_example_suite_loads_names_its_schema_and_satisfies_it() -> None:
    path = REPO / "evals" / "triage.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../schemas/eval.schema.json"
    Draft202012Validator(load_schema("eval")).validate(yaml.safe_load(text))
    suite = load_suites(REPO, {"triage": 1}, {"default": 1})["triage"]
    assert (suite.agent, suite.environment, suite.repeats) == ("triage", "default", 1)
    assert len(suite.cases) == 20 and suite.labels == (
        "api-platform",
        "auth",
        "billing",
        "dashboard",
    )
    assert all(sum(c.label == label for c in suite.cases) == 5 for label in suite.labels)
    first = suite.cases[0]
    assert suite.message(first) == f"Support ticket:\n\n{first.input['ticket']}\n"


def test_validate_lists_suites_and_skips_the_responder_rules(tmp_path: Path) -> None:
    estate = copy_example(tmp_path)
    write(estate, "evals/responder.yaml", "rules: []\n")  # not a suite: no schema applies
    code, output = validate(estate)
    assert code == 0, output
    assert "ok  eval        triage               " in output and "(20 cases)" in output
    assert "eval        responder" not in output  # checked as responder rules instead
    assert "responder.yaml (0 rules)" in output


def test_validate_reports_every_suite_problem_with_its_line(tmp_path: Path) -> None:
    estate = copy_example(tmp_path)
    write(
        estate,
        "evals/broken.yaml",
        """
        agent: triag
        environment: default
        prompt: "Ticket {ticket} from {customer"
        scoring: {method: regex, fields: [team]}
        cases:
          - {id: a, label: x, input: {ticket: t}, expected: "("}
          - {id: a, label: x, expected: {team: billing}}
        """,
    )
    write(
        estate,
        "evals/shape.yaml",
        """
        agent: triage
        environment: nowhere
        prompt: "{ticket}"
        scoring: {method: json}
        repeats: 0
        cases:
          - {id: a, label: x, input: {ticket: t}, expected: billing, extra: 1}
          - {id: b, label: overall, input: {ticket: t}, expected: {team: auth}}
        """,
    )
    code, output = validate(estate)
    assert code == 1
    broken, shape = estate / "evals" / "broken.yaml", estate / "evals" / "shape.yaml"
    assert output.splitlines() == [
        f"{broken}:1:1: agent: no agent manifest 'triag' (agents/triag.yaml; known: triage)",
        # the schema's errors do not hide the semantic ones: one pass reports everything
        f"{broken}:3:1: prompt: invalid template: expected '}}' before end of string; "
        "write {{ and }} for literal braces",
        f"{broken}:4:26: scoring.fields: only used with method: json",
        f"{broken}:6:43: cases[0].expected: invalid regular expression: "
        "missing ), unterminated subpattern at position 0",
        f"{broken}:7:6: cases[1].id: duplicate case id 'a' (first on line 6)",
        f"{broken}:7:23: cases[1].expected: expected a string, got an object",
        f"{shape}:2:1: environment: no environment manifest 'nowhere' "
        "(environments/nowhere.yaml; known: default)",
        f"{shape}:5:1: repeats: 0 is less than the minimum of 1",
        f"{shape}:7:43: cases[0].expected: expected an object, got a string",
        f"{shape}:7:62: cases[0].extra: unknown field; expected one of: expected, graders, id, input, label",
        f"{shape}:8:13: cases[1].label: is not allowed ('overall' names the report's total row)",
        "Error: 11 problems found",
    ]


def test_semantic_checks_once_the_shape_is_right(tmp_path: Path) -> None:
    estate = copy_example(tmp_path)
    write(
        estate,
        "evals/broken.yaml",
        """
        agent: triage
        environment: default
        prompt: "Ticket {ticket} from {customer"
        scoring: {method: regex, fields: [team]}
        cases:
          - {id: a, label: x, input: {ticket: t}, expected: "("}
          - {id: a, label: x, expected: ok}
        """,
    )
    write(
        estate,
        "evals/fields.yaml",
        """
        agent: triage
        environment: default
        prompt: "{ticket} {0}"
        scoring: {method: json, fields: [team]}
        cases:
          - {id: a, label: x, input: {ticket: t}, expected: {priority: P1}}
        """,
    )
    code, output = validate(estate)
    broken, fields = estate / "evals" / "broken.yaml", estate / "evals" / "fields.yaml"
    assert code == 1
    assert output.splitlines() == [
        f"{broken}:3:1: prompt: invalid template: expected '}}' before end of string; "
        "write {{ and }} for literal braces",
        f"{broken}:4:26: scoring.fields: only used with method: json",
        f"{broken}:6:43: cases[0].expected: invalid regular expression: "
        "missing ), unterminated subpattern at position 0",
        f"{broken}:7:6: cases[1].id: duplicate case id 'a' (first on line 6)",
        f"{fields}:3:1: prompt: placeholder {{0}} must be a plain {{name}} (letters, digits, _)",
        f"{fields}:6:23: cases[0].input: missing input '0': the prompt uses {{0}}",
        f"{fields}:6:43: cases[0].expected: missing field 'team' named in scoring.fields",
        "Error: 7 problems found",
    ]


def test_a_suite_for_an_unknown_agent_key_stops_plan_before_any_server_call(tmp_path: Path) -> None:
    estate = copy_example(tmp_path)
    write(estate, "evals/other.yaml", SUITE.replace("agent: triage", "agent: billing-bot"))
    result = CliRunner().invoke(
        main,
        ["--dir", str(estate), "plan"],
        env={"ANTHROPIC_BASE_URL": "http://127.0.0.1:9", "ANTHROPIC_API_KEY": "k"},
    )
    assert result.exit_code == 1
    assert "other.yaml:1:1: agent: no agent manifest 'billing-bot'" in result.output


def test_scalars_in_inputs_become_text_and_fill_the_template(tmp_path: Path) -> None:
    estate = copy_example(tmp_path)
    write(
        estate,
        "evals/mini.yaml",
        SUITE.replace('"My invoice is wrong"', "42, vip: true")
        .replace("{ticket}", "{ticket} {vip} {{literal}}")
        .replace("fields: [team]", "fields: [team], ignore_case: true"),
    )
    suite = load_suites(estate, None, None)["mini"]
    assert suite.message(suite.cases[0]) == "Ticket: 42 true {literal}"
    assert suite.scoring.ignore_case and suite.timeout_seconds == 120.0


def test_promote_without_eval_needs_exactly_one_suite_for_the_agent(tmp_path: Path) -> None:
    estate = copy_example(tmp_path)
    from click.testing import CliRunner

    from agentform.cli import main

    def promote() -> str:
        result = CliRunner().invoke(main, ["--dir", str(estate), "promote", "triage"])
        assert result.exit_code == 1
        return result.output

    suite = (estate / "evals" / "triage.yaml").read_text(encoding="utf-8")
    (estate / "evals" / "second.yaml").write_text(suite, encoding="utf-8")
    assert "agent 'triage' has 2 eval suites (second, triage); pick one with --eval SUITE" in (
        promote()
    )
    for name in ("second", "triage"):
        (estate / "evals" / f"{name}.yaml").unlink()
    assert "no eval suite in" in promote() and "scores agent 'triage'; pass --eval" in promote()
