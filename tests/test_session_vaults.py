"""Sessions use vaults by key, as pinned: `run --vault`, an eval suite's `vaults:`, and
the caller API's `session_params(..., vaults=[...])`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentform import pins
from agentform.errors import LookupKeyError
from agentform.pins.model import Pin, Pins
from tests.cli_helpers import agentform
from tests.deployment_estate import TOKEN_VARIABLE, VAULT, pinned
from tests.estate import copy_example, write

DIGEST = "sha256:" + "0" * 64


@pytest.fixture
def url(responder_url: str) -> str:
    return responder_url


@pytest.fixture
def client(url: str, make_client: Any) -> Any:
    return make_client(url)


@pytest.fixture
def estate(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(TOKEN_VARIABLE, "ghp_not_a_real_token")
    estate = copy_example(tmp_path / "estate")
    write(estate, "vaults/github.yaml", VAULT)
    applied = agentform(estate, url, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    return estate


def test_the_caller_api_names_pinned_vaults_by_key() -> None:
    held = Pins(
        agents={"triage": Pin("agent_011A", 3, DIGEST)},
        environments={"default": Pin("env_011E")},
        vaults={"github": Pin("vlt_011G"), "jira": Pin("vlt_011J")},
    )
    params = held.session_params("triage", vaults=["jira", "github"])
    assert params["vault_ids"] == ["vlt_011J", "vlt_011G"]
    assert "vault_ids" not in held.session_params("triage")
    with pytest.raises(LookupKeyError, match="'slack'"):
        held.session_params("triage", vaults=["slack"])


def test_run_with_a_vault_starts_a_session_that_uses_it(
    estate: Path, url: str, client: Any
) -> None:
    result = agentform(
        estate, url, "run", "triage", "I was charged twice.", "--vault", "github", "--keep"
    )
    assert result.exit_code == 0, result.output
    session = client.beta.sessions.list(limit=10).data[0]
    assert session.vault_ids == [pinned(estate).get("vaults", "github").id]
    unknown = agentform(estate, url, "run", "triage", "hi", "--vault", "nope")
    assert unknown.exit_code == 1 and "'nope'" in unknown.output


def test_an_eval_suite_s_sessions_use_its_vaults(estate: Path, url: str, client: Any) -> None:
    suite = estate / "evals" / "triage.yaml"
    suite.write_text(
        suite.read_text().replace(
            "environment: default\n", "environment: default\nvaults: [github]\n"
        )
    )
    result = agentform(estate, url, "eval", "triage", "--no-cache")
    assert result.exit_code == 0, result.output
    vault = pins.load(estate / "pins.yaml").get("vaults", "github")
    assert vault is not None
    sessions = [
        s
        for s in client.beta.sessions.list(limit=100, include_archived=True).data
        if (s.metadata or {}).get("agentform.suite") == "triage"
    ]
    assert len(sessions) == 20  # one per case, every one with the pinned vault
    assert {tuple(s.vault_ids) for s in sessions} == {(vault.id,)}


def test_an_unknown_vault_in_a_suite_is_a_line_error(estate: Path, url: str) -> None:
    suite = estate / "evals" / "triage.yaml"
    text = suite.read_text().replace(
        "environment: default\n", "environment: default\nvaults: [nope]\n"
    )
    suite.write_text(text)
    result = agentform(estate, url, "validate")
    assert result.exit_code == 1
    line = text.splitlines().index("vaults: [nope]") + 1
    assert f"evals/triage.yaml:{line}:" in result.output
    assert "vaults[0]: no vault manifest 'nope' (vaults/nope.yaml; known: github)" in result.output
