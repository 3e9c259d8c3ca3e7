"""Issue 12's acceptance: deployments follow pins.yaml, vault secrets stay secret.

Against the session emulator with strict clients (the CLI runs with strict response
validation, so every response the emulator sends here parses strictly).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentform.emulator import admin
from tests.cli_helpers import agentform, plan_json
from tests.deployment_estate import TOKEN_VARIABLE, deployment, git, lay_out, pinned
from tests.estate import edit_prompt, write

SECRET = "ghp_first-secret-value-4f1c"
ROTATED = "ghp_second-secret-value-9a7e"


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(TOKEN_VARIABLE, SECRET)
    return lay_out(tmp_path / "estate")


def applied(estate: Path, url: str, *args: str) -> str:
    result = agentform(estate, url, "apply", "--auto-approve", *args)
    assert result.exit_code == 0, result.output
    return result.output


def test_apply_creates_everything_in_dependency_order_and_plan_is_empty_after(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    found = pinned(estate)
    triage = found.agents["triage"]
    nightly = deployment(client, estate, "nightly")
    assert nightly.agent.model_dump() == {"type": "agent", "id": triage.id, "version": 1}
    assert nightly.environment_id == found.environments["default"].id
    assert nightly.vault_ids == [found.get("vaults", "github").id]
    assert nightly.resources[0].memory_store_id == found.get("memory_stores", "notes").id
    assert nightly.schedule is not None and nightly.schedule.expression == "0 2 * * *"
    assert nightly.initial_events[0].content[0].text == (
        "Triage every ticket that came in overnight.\n"
    )
    manual = deployment(client, estate, "manual")
    assert manual.schedule is None and manual.agent.version == 1
    # each deployment was created after what it uses
    used = [
        client.beta.agents.retrieve(triage.id).created_at,
        client.beta.vaults.retrieve(nightly.vault_ids[0]).created_at,
        client.beta.memory_stores.retrieve(nightly.resources[0].memory_store_id).created_at,
    ]
    assert nightly.created_at > max(used)
    store = found.get("memory_stores", "notes").id
    paths = sorted(m.path for m in client.beta.memory_stores.memories.list(store))
    assert paths == ["/rules.md", "/team/oncall.md"]
    credential = next(iter(client.beta.vaults.credentials.list(nightly.vault_ids[0])))
    assert credential.metadata["agentform.key"] == "github"
    after = agentform(estate, emulator_url, "plan", "--detailed-exitcode")
    assert after.exit_code == 0, after.output
    assert "No changes. The server matches the manifests (7 resources)." in after.output


def test_a_prompt_change_and_its_revert_move_both_deployments(
    estate: Path, emulator_url: str, client: Any
) -> None:
    git(estate, "init", "-q")
    applied(estate, emulator_url)
    git(estate, "add", "-A")
    git(estate, "commit", "-qm", "first apply")
    edit_prompt(estate, "Be brief.\n")
    git(estate, "commit", "-qam", "a shorter triage prompt")

    changes = {c["key"]: c for c in plan_json(estate, emulator_url)["changes"]}
    assert changes["triage"]["action"] == "update"
    for key in ("nightly", "manual"):
        assert changes[key]["action"] == "update"
        assert changes[key]["reason"] == "agent triage v1 -> a new version (follows pins)"
    applied(estate, emulator_url)
    assert pinned(estate).agents["triage"].version == 2
    assert [deployment(client, estate, k).agent.version for k in ("nightly", "manual")] == [2, 2]
    git(estate, "commit", "-qam", "pins: triage v2")

    git(estate, "revert", "--no-edit", "HEAD")  # the rollback: pins.yaml only
    assert pinned(estate).agents["triage"].version == 1
    shown = agentform(estate, emulator_url, "plan").output
    assert (
        "~ deployment nightly (nightly-triage) "
        f"{pinned(estate).get('deployments', 'nightly').id}: update in place: "
        "agent triage v2 -> v1 (follows pins)"
    ) in shown
    assert "agent triage: held: rolled back to v1" in shown
    applied(estate, emulator_url)
    assert [deployment(client, estate, k).agent.version for k in ("nightly", "manual")] == [1, 1]
    assert pinned(estate).agents["triage"].version == 1  # the rollback stays
    assert "Plan: 0 to create, 0 to update" not in agentform(estate, emulator_url, "plan").output
    assert plan_json(estate, emulator_url)["has_changes"] is False


def test_a_rotated_secret_plans_rotated_and_is_never_written_anywhere(
    estate: Path, emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = [applied(estate, emulator_url)]
    monkeypatch.setenv(TOKEN_VARIABLE, ROTATED)
    shown = agentform(estate, emulator_url, "plan")
    assert "update in place: credential github rotated" in shown.output
    assert '~ credentials.github.secret: "(stored)" -> "(rotated)"' in shown.output
    outputs.append(shown.output)
    for fmt in ("json", "markdown"):
        outputs.append(agentform(estate, emulator_url, "plan", "--format", fmt).output)
    saved = agentform(estate, emulator_url, "plan", "--out", str(estate / "plan.json"))
    outputs.append(saved.output)
    outputs.append(agentform(estate, emulator_url, "show", str(estate / "plan.json")).output)
    done = agentform(estate, emulator_url, "apply", str(estate / "plan.json"))
    assert done.exit_code == 0, done.output
    assert "credential github rotated" in done.output
    outputs.append(done.output)
    outputs.append(agentform(estate, emulator_url, "status").output)
    again = agentform(estate, emulator_url, "apply", "--auto-approve", "--format", "json")
    outputs.append(again.output)
    assert "No changes" in agentform(estate, emulator_url, "plan").output

    for value in (SECRET, ROTATED):
        assert not [text for text in outputs if value in text]
        written = [p for p in estate.rglob("*") if p.is_file() and value.encode() in p.read_bytes()]
        assert written == []


def test_the_fingerprint_in_metadata_is_salted_and_follows_the_value(
    estate: Path, emulator_url: str, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied(estate, emulator_url)
    vault = pinned(estate).get("vaults", "github").id
    first = next(iter(client.beta.vaults.credentials.list(vault))).metadata["agentform.secret"]
    salt, digest = first.split(":")
    assert len(salt) == 16 and len(digest) == 64 and SECRET not in first
    monkeypatch.setenv(TOKEN_VARIABLE, ROTATED)
    applied(estate, emulator_url)
    second = next(iter(client.beta.vaults.credentials.list(vault))).metadata["agentform.secret"]
    assert second != first and second.split(":")[0] != salt  # a new salt on every write


def test_an_unset_secret_fails_before_any_server_write(
    estate: Path, emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_VARIABLE)
    for command in (["plan"], ["apply", "--auto-approve"]):
        result = agentform(estate, emulator_url, *command)
        assert result.exit_code == 1
        assert f"the environment variable {TOKEN_VARIABLE}, which is not set" in result.output
    requests = admin.counters(emulator_url)
    assert requests and all(name.startswith("GET ") for name in requests)
    assert not (estate / "pins.yaml").read_text(encoding="utf-8").count("id:")


@pytest.mark.parametrize(
    ("line", "field", "wanted"),
    [
        ("agent: ghost", "agent", "no agent manifest 'ghost' (known: summary, triage)"),
        ("environment: nowhere", "environment", "no environment manifest 'nowhere'"),
        ("vaults: [github, nope]", "vaults[1]", "no vault manifest 'nope' (known: github)"),
    ],
)
def test_an_unknown_key_is_a_path_line_error_from_validate(
    estate: Path, emulator_url: str, line: str, field: str, wanted: str
) -> None:
    name = line.split(":")[0]
    text = (estate / "deployments" / "nightly.yaml").read_text(encoding="utf-8")
    lines = [line if row.startswith(f"{name}:") else row for row in text.splitlines()]
    (estate / "deployments" / "nightly.yaml").write_text("\n".join(lines) + "\n")
    number = next(i for i, row in enumerate(lines, 1) if row.startswith(f"{name}:"))
    result = agentform(estate, emulator_url, "validate", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["line"], p["field"]) for p in problems] == [(number, field)]
    assert problems[0]["path"].endswith("deployments/nightly.yaml")
    assert wanted in problems[0]["message"]
    assert admin.counters(emulator_url) == {}


def test_a_memory_store_reference_by_key_must_exist(estate: Path, emulator_url: str) -> None:
    write(estate, "deployments/manual.yaml", """
        name: manual-triage
        agent: triage
        environment: default
        resources: [{type: memory_store, memory_store_id: {memory_store: gone}}]
        initial_events: [{type: user.message, text: hi}]
    """)  # fmt: skip
    result = agentform(estate, emulator_url, "validate")
    assert result.exit_code == 1
    assert "deployments/manual.yaml:4:" in result.output
    assert "no memory_store manifest 'gone' (known: notes)" in result.output
