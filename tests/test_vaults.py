"""Vaults and their credentials: secrets by source, fingerprints, updates, replacements,
prunes, and credentials agentform did not make."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentform.kinds import secrets
from tests.cli_helpers import agentform, plan_json
from tests.deployment_estate import pinned
from tests.estate import write

VAULT = """
    display_name: Tools
    metadata: {team: support}
    credentials:
      github:
        display_name: GitHub MCP
        auth:
          type: static_bearer
          mcp_server_url: https://api.githubcopilot.com/mcp/
          token: {value_from: {env: AGENTFORM_TEST_TOKEN}}
      stripe:
        auth:
          type: environment_variable
          secret_name: STRIPE_KEY
          secret_value: {value_from: {file: SECRET_FILE}}
          networking: {type: limited, allowed_hosts: [api.stripe.com]}
      linear:
        auth:
          type: mcp_oauth
          mcp_server_url: https://mcp.linear.app/mcp
          access_token: {value_from: {env: AGENTFORM_TEST_TOKEN}}
          refresh:
            client_id: agentform
            refresh_token: {value_from: {env: AGENTFORM_TEST_REFRESH}}
            token_endpoint: https://linear.app/oauth/token
            token_endpoint_auth:
              type: client_secret_post
              client_secret: {value_from: {env: AGENTFORM_TEST_REFRESH}}
            scope: read
"""


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AGENTFORM_TEST_TOKEN", "token-one")
    monkeypatch.setenv("AGENTFORM_TEST_REFRESH", "refresh-one")
    secret_file = tmp_path / "outside" / "stripe.key"
    secret_file.parent.mkdir()
    secret_file.write_text("sk_live_from_a_file\n", encoding="utf-8")
    estate = tmp_path / "estate"
    write(estate, "vaults/tools.yaml", VAULT.replace("SECRET_FILE", str(secret_file)))
    write(estate, "pins.yaml", "schema_version: 1\nagents: {}\nenvironments: {}\n")
    return estate


def applied(estate: Path, url: str, *args: str) -> str:
    result = agentform(estate, url, "apply", "--auto-approve", *args)
    assert result.exit_code == 0, result.output
    return result.output


def credentials(client: Any, estate: Path) -> dict[str, Any]:
    vault = pinned(estate).get("vaults", "tools").id
    listed = client.beta.vaults.credentials.list(vault)
    return {c.metadata.get("agentform.key", c.id): c for c in listed}


def edit(estate: Path, old: str, new: str) -> None:
    path = estate / "vaults" / "tools.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_every_credential_type_is_created_and_then_plans_no_change(
    estate: Path, emulator_url: str, client: Any
) -> None:
    output = applied(estate, emulator_url)
    assert all(f"credential {key} created" in output for key in ("github", "stripe", "linear"))
    made = credentials(client, estate)
    assert sorted(made) == ["github", "linear", "stripe"]
    assert made["stripe"].auth.networking.allowed_hosts == ["api.stripe.com"]
    assert made["linear"].auth.refresh.scope == "read"
    # the file's value, without its trailing newline, is what was fingerprinted
    assert secrets.matches(made["stripe"].metadata[secrets.MARKER], ["sk_live_from_a_file"])
    found = ["token-one", "refresh-one", "refresh-one"]
    assert secrets.matches(made["linear"].metadata[secrets.MARKER], found)
    vault = client.beta.vaults.retrieve(pinned(estate).get("vaults", "tools").id)
    assert vault.display_name == "Tools" and vault.metadata["team"] == "support"
    assert vault.metadata["agentform.key"] == "tools"
    assert plan_json(estate, emulator_url)["has_changes"] is False


def test_a_changed_setting_updates_the_credential_in_place(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    before = credentials(client, estate)
    edit(estate, "display_name: GitHub MCP", "display_name: GitHub (read only)")
    edit(estate, "scope: read", "scope: read write")
    changes = {c["key"]: c for c in plan_json(estate, emulator_url)["changes"]}
    fields = {f["path"]: (f.get("before"), f.get("after")) for f in changes["tools"]["fields"]}
    assert fields == {
        "credentials.github.display_name": ("GitHub MCP", "GitHub (read only)"),
        "credentials.linear.auth.refresh": (
            {"client_id": "agentform", "token_endpoint": "https://linear.app/oauth/token",
             "token_endpoint_auth": {"type": "client_secret_post"}, "scope": "read"},
            {"client_id": "agentform", "token_endpoint": "https://linear.app/oauth/token",
             "token_endpoint_auth": {"type": "client_secret_post"}, "scope": "read write"},
        ),
    }  # fmt: skip
    assert changes["tools"]["reason"] == "credential github updated; credential linear updated"
    applied(estate, emulator_url)
    after = credentials(client, estate)
    assert after["github"].id == before["github"].id
    assert after["github"].display_name == "GitHub (read only)"
    assert after["linear"].auth.refresh.scope == "read write"
    assert plan_json(estate, emulator_url)["has_changes"] is False


def test_what_cannot_change_in_place_replaces_the_credential(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    old = credentials(client, estate)["github"]
    edit(estate, "https://api.githubcopilot.com/mcp/", "https://api.githubcopilot.com/mcp/x/")
    change = next(c for c in plan_json(estate, emulator_url)["changes"] if c["key"] == "tools")
    assert change["reason"] == "credential github replaced (mcp_server_url cannot change in place)"
    applied(estate, emulator_url)
    new = credentials(client, estate)["github"]
    assert new.id != old.id and new.auth.mcp_server_url.endswith("/mcp/x/")
    vault = pinned(estate).get("vaults", "tools").id
    assert client.beta.vaults.credentials.retrieve(old.id, vault_id=vault).archived_at is not None
    assert plan_json(estate, emulator_url)["has_changes"] is False


def test_a_removed_credential_is_archived_only_with_prune(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    text = (estate / "vaults" / "tools.yaml").read_text(encoding="utf-8")
    before, rest = text.split("  stripe:\n")
    (estate / "vaults" / "tools.yaml").write_text(before + "  linear:" + rest.split("  linear:")[1])
    plan = plan_json(estate, emulator_url)
    assert plan["has_changes"] is False
    assert [n["message"] for n in plan["notes"]] == [
        "credential stripe is no longer in the manifest; `apply --prune` archives it"
    ]
    assert "stripe" in credentials(client, estate)
    output = applied(estate, emulator_url, "--prune")
    assert "credential stripe archived" in output
    assert "stripe" not in credentials(client, estate)
    assert plan_json(estate, emulator_url)["notes"] == []


def test_a_credential_agentform_did_not_make_is_never_touched(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    vault = pinned(estate).get("vaults", "tools").id
    theirs = client.beta.vaults.credentials.create(
        vault, auth={"type": "static_bearer", "mcp_server_url": "https://x.example/mcp",
                     "token": "not-ours"},
    )  # fmt: skip
    assert plan_json(estate, emulator_url, "--prune")["has_changes"] is False
    applied(estate, emulator_url, "--prune")
    assert client.beta.vaults.credentials.retrieve(theirs.id, vault_id=vault).archived_at is None
    rows = json.loads(agentform(estate, emulator_url, "status", "--format", "json").stdout)
    assert rows[0]["lines"] == [
        "credentials: github (static_bearer), linear (mcp_oauth), stripe (environment_variable)"
        "; 1 not managed by agentform"
    ]


def test_a_secret_written_in_the_manifest_is_refused(estate: Path, emulator_url: str) -> None:
    edit(estate, "token: {value_from: {env: AGENTFORM_TEST_TOKEN}}", "token: ghp_literal")
    result = agentform(estate, emulator_url, "validate")
    assert result.exit_code == 1
    assert (
        "vaults/tools.yaml:9:7: credentials.github.auth.token: write a secret as" in result.output
    )
    assert "a secret value never goes in a manifest" in result.output


def test_a_secret_file_inside_the_repository_is_refused(estate: Path, emulator_url: str) -> None:
    write(estate, "secrets/stripe.key", "sk_live\n")
    text = (estate / "vaults" / "tools.yaml").read_text(encoding="utf-8")
    path = text.split("file: ")[1].split("}")[0]
    edit(estate, path, "../secrets/stripe.key")
    result = agentform(estate, emulator_url, "validate")
    assert result.exit_code == 1
    assert "is inside the repository" in result.output


def test_a_missing_secret_file_fails_before_any_write(
    estate: Path, emulator_url: str, tmp_path: Path
) -> None:
    (tmp_path / "outside" / "stripe.key").unlink()
    result = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert result.exit_code == 1
    assert "stripe.key, which does not exist" in result.output
    assert "id:" not in (estate / "pins.yaml").read_text(encoding="utf-8")
