"""The tutorial's story through the CLI, offline: eval, apply --gate, promote, against the
emulator answering with the example estate's responder rules (evals/responder.yaml)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from agentform import pins
from tests.cli_helpers import agentform
from tests.estate import write

ROUTING_RULE = (
    "ROUTING RULE: If the ticket text mentions API usage, rate limits, quotas, or request volume, "
    "route to api-platform. Apply this rule before any other consideration; do not second-guess it "
    "based on the rest of the ticket.\n"
)
TEAMS = ("api-platform", "auth", "billing", "dashboard")


@pytest.fixture
def url(responder_url: str) -> str:
    return responder_url


def rows(output: str) -> dict[str, tuple[str, str, str, str, str]]:
    """label -> (baseline cell, candidate cell, delta, interval, verdict) from the text table."""
    found = re.findall(
        r"^  (\S+)\s+(\d+\.\d%\s+\d+/\d+)\s+(\d+\.\d%\s+\d+/\d+)\s+([+-]\d+\.\d) "
        r"(\[[+-]\d+\.\d, [+-]\d+\.\d\])\s+(\w+)$",
        output,
        re.M,
    )
    return {
        label: (" ".join(b.split()), " ".join(c.split()), d, i, v) for label, b, c, d, i, v in found
    }


def sessions(client: Any) -> list[Any]:
    return list(client.beta.sessions.list(include_archived=True, limit=100))


def test_the_tutorial_story(estate: Path, url: str, make_client: Any) -> None:
    client = make_client(url)
    assert agentform(estate, url, "apply", "--auto-approve", "--gate").exit_code == 0  # creates
    v1_pins = (estate / "pins.yaml").read_text(encoding="utf-8")

    # v1 routes every ticket as labelled.
    first = agentform(estate, url, "eval", "triage")
    assert first.exit_code == 0, first.output
    assert (
        "v1 (the same version as baseline and candidate: scored once); 20 cases x 1 run, "
        "20 sessions (0 runs from the cache)" in first.output
    )
    assert "  overall       100.0%  20/20" in first.output
    assert "Gate passed (inconclusive)" in first.output

    # v2 appends the tutorial's rule: apply --gate makes v2 but leaves the pin on v1.
    with (estate / "agents" / "triage.prompt.md").open("a", encoding="utf-8") as prompt:
        prompt.write(ROUTING_RULE)
    gated = agentform(estate, url, "apply", "--auto-approve", "--gate")
    assert gated.exit_code == 3, gated.output
    assert (
        "GATE  agent triage: v2 created, not pinned: triage: v2 is worse than v1: billing "
        "100.0% -> 40.0% (-60.0 pts, interval -100.0 pts to -20.0 pts)" in gated.output
    )
    assert (
        "Apply refused by the eval gate: 0 created, 0 updated, 0 replaced, 0 pinned, "
        "0 archived, 0 moved; 0 failed, 1 refused, 0 skipped, 0 kept, 0 not started; "
        in gated.output
    )
    assert "Error: the eval gate refused the new version of triage" in gated.output
    assert (estate / "pins.yaml").read_text(encoding="utf-8") == v1_pins
    agent_id = pins.load(estate / "pins.yaml").agents["triage"].id
    assert client.beta.agents.retrieve(agent_id).version == 2

    # eval shows billing worse, its interval below 0; the other teams unchanged.
    report = agentform(
        estate, url, "eval", "triage", "--candidate", "latest", "--baseline", "pinned"
    )
    assert report.exit_code == 3, report.output
    table = rows(report.output)
    assert table["billing"] == (
        "100.0% 5/5", "40.0% 2/5", "-60.0", "[-100.0, -20.0]", "worse"
    )  # fmt: skip
    assert table["overall"][:3] == ("100.0% 20/20", "85.0% 17/20", "-15.0")
    assert table["overall"][4] == "inconclusive"  # 3 of 20 cases: the overall interval has 0
    assert all(
        table[team] == ("100.0% 5/5", "100.0% 5/5", "+0.0", "[+0.0, +0.0]", "inconclusive")
        for team in TEAMS
        if team != "billing"
    )
    assert report.output.count("[billing] wrong: team: expected 'billing', got 'api-platform'") == 3
    assert "Gate REFUSED (worse): v2 is worse than v1: billing" in report.output
    assert "20 sessions (40 runs from the cache)" not in report.output
    assert "0 sessions (40 runs from the cache)" in report.output  # apply --gate ran both

    # promote refuses and leaves pins.yaml untouched.
    refused = agentform(estate, url, "promote", "triage", "--eval", "triage")
    assert refused.exit_code == 3, refused.output
    assert "pins.yaml unchanged (triage stays on v1)" in refused.output
    assert (estate / "pins.yaml").read_text(encoding="utf-8") == v1_pins

    # Every session an eval made is archived: 20 (eval v1) + 20 (apply --gate: v2; v1 was
    # cached); the eval and promote after it made none.
    made = sessions(client)
    assert len(made) == 40 and all(s.archived_at is not None for s in made)
    assert list(client.beta.sessions.list()) == []
    assert {(s.agent.version, s.metadata["agentform.suite"]) for s in made} == {
        (1, "triage"),
        (2, "triage"),
    }

    # Removing the rule puts the manifest back to what callers run (v1): no change, no v3.
    prompt_path = estate / "agents" / "triage.prompt.md"
    prompt_path.write_text(prompt_path.read_text(encoding="utf-8").replace(ROUTING_RULE, ""))
    back = agentform(estate, url, "apply", "--auto-approve", "--gate")
    assert back.exit_code == 0, back.output
    assert "No changes" in back.output and "held: pinned v1, latest v2" in back.output
    assert pins.load(estate / "pins.yaml").agents["triage"].version == 1
    assert client.beta.agents.retrieve(agent_id).version == 2

    # A v3 made elsewhere that changes nothing the rules key on: inconclusive, which
    # passes by default; promote moves the pin and records the evidence.
    current = client.beta.agents.retrieve(agent_id, version=1)
    client.beta.agents.update(agent_id, version=2, system=current.system + "Be concise.\n")
    strict = agentform(estate, url, "promote", "triage", "--on-inconclusive", "fail")
    assert strict.exit_code == 4, strict.output
    assert "v3 vs v1 is inconclusive" in strict.output
    assert pins.load(estate / "pins.yaml").agents["triage"].version == 1
    promoted = agentform(estate, url, "promote", "triage")  # its only suite decides
    assert promoted.exit_code == 0, promoted.output
    assert "Pinned triage to v3 (was v1); the evidence is recorded in" in promoted.output
    pin = pins.load(estate / "pins.yaml").agents["triage"]
    assert pin.version == 3 and pin.evidence is not None
    all_teams = {team: 1.0 for team in TEAMS}
    assert {k: v for k, v in pin.evidence.items() if k != "evaluated_at"} == {
        "suite": "triage",
        "tolerance": 0.0,
        "repeats": 1,
        "candidate": {"version": 3, "accuracy": 1.0, "labels": all_teams},
        "baseline": {"version": 1, "accuracy": 1.0, "labels": all_teams},
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", pin.evidence["evaluated_at"])
    again = agentform(estate, url, "promote", "triage", "--eval", "triage")
    assert again.exit_code == 0 and "already pinned to v3; nothing to promote" in again.output

    # A pin moved by apply drops the evidence.
    with prompt_path.open("a", encoding="utf-8") as prompt:
        prompt.write("Be brief.\n")
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    moved = pins.load(estate / "pins.yaml").agents["triage"]
    assert moved.version == 4 and moved.evidence is None


def test_report_formats_out_file_and_repeats(estate: Path, url: str, make_client: Any) -> None:
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    out = estate / "eval.md"
    result = agentform(
        estate, url, "eval", "triage", "--repeat", "2", "--format", "markdown", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "Evaluating" not in result.output  # progress is drawn on a terminal only
    assert (
        "Per case over 2 runs (pass@2: any run passed; pass^2: every run passed):" in result.stdout
    )
    assert "all cases" in result.stdout and "pass@2 100%, pass^2 100%" in result.stdout
    markdown = out.read_text(encoding="utf-8")
    assert markdown.startswith("### ⚠️ Eval `triage`: v1\n")
    assert "| **overall** | 100.0% 40/40 |" in markdown
    assert "**Gate passed (inconclusive):**" in markdown
    as_json = agentform(estate, url, "eval", "triage", "--format", "json", "--concurrency", "8")
    data = json.loads(as_json.stdout)
    assert data["format_version"] == 2 and data["sessions"] == 0  # all 20 runs were cached
    assert (data["gate"]["outcome"], data["gate"]["passed"], data["gate"]["regressions"]) == (
        "inconclusive",
        True,
        [],
    )
    assert data["candidate"]["labels"]["billing"] == {
        "accuracy": 1.0,
        "runs": 5,
        "passed": 5,
        "failed": 0,
        "errors": 0,
        "interval": [1.0, 1.0],
    }
    first = data["candidate"]["results"][0]
    assert (first["case"], first["status"], first["archived"], first["cached"]) == (
        "billing-usage-spike-invoice",
        "passed",
        True,
        True,
    )
    assert json.loads(first["reply"]) == {"team": "billing", "priority": "P2"}
    assert first["grades"] == [{"grader": "json", "passed": True, "detail": ""}]
    assert len(sessions(make_client(url))) == 40  # --repeat 2 ran each case twice; then cached


def test_eval_needs_pins_and_a_suite_for_the_agent(estate: Path, url: str) -> None:
    unpinned = agentform(estate, url, "eval", "triage")
    assert unpinned.exit_code == 1
    assert (
        "no agent 'triage' in" in unpinned.output
        and "run `agentform apply` first" in unpinned.output
    )
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    unknown = agentform(estate, url, "eval", "triag")
    assert unknown.exit_code == 1 and "no eval suite 'triag'" in unknown.output
    missing = agentform(estate, url, "eval", "triage", "--candidate", "7")
    assert missing.exit_code == 1 and "has no version 7; the latest is v1" in missing.output
    bad = agentform(estate, url, "eval", "triage", "--baseline", "newest")
    assert bad.exit_code == 1 and "expected latest, pinned or a version number" in bad.output
    write(estate, "agents/helper.yaml", "name: helper\nmodel: claude-sonnet-4-6\nsystem: Help.\n")
    other = agentform(estate, url, "promote", "helper", "--eval", "triage")
    assert (
        other.exit_code == 1
        and "suite 'triage' evaluates agent 'triage', not 'helper'" in other.output
    )
