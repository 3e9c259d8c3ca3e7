"""Vault credentials through the real SDK (strict): auth types, write-only secrets, rules."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from tests.emulator.kinds import pages

MCP = "https://mcp.example.com/mcp"
SECRETS = ("tok-SECRET", "access-SECRET", "refresh-SECRET", "client-SECRET", "value-SECRET")
OAUTH = {
    "type": "mcp_oauth",
    "access_token": "access-SECRET",
    "mcp_server_url": MCP,
    "expires_at": "2099-01-01T00:00:00Z",
    "refresh": {
        "client_id": "cid",
        "refresh_token": "refresh-SECRET",
        "token_endpoint": "https://auth.example.com/token",
        "token_endpoint_auth": {"type": "client_secret_post", "client_secret": "client-SECRET"},
        "scope": "read",
    },
}
ENV_VAR = {
    "type": "environment_variable",
    "secret_name": "GITHUB_TOKEN",
    "secret_value": "value-SECRET",
    "networking": {"type": "limited", "allowed_hosts": ["api.github.com", "*.github.com"]},
}


@pytest.fixture
def vault(client: Any) -> Any:
    return client.beta.vaults.create(display_name="Alice")


def raw_text(response: Any) -> str:
    return str(response.http_response.text)


def test_each_auth_type_round_trips_without_its_secrets(client: Any, vault: Any) -> None:
    credentials = client.beta.vaults.credentials
    bearer = {"type": "static_bearer", "token": "tok-SECRET", "mcp_server_url": MCP + "/other"}
    texts = []
    for auth in (bearer, OAUTH, {**ENV_VAR}):
        raw = credentials.with_raw_response.create(vault.id, auth=auth, display_name="c")
        texts.append(raw_text(raw))
        created = raw.parse()
        assert created.id.startswith("vcrd_011C") and created.vault_id == vault.id
        assert created.auth.type == auth["type"] and created.type == "vault_credential"
    texts.append(raw_text(credentials.with_raw_response.list(vault.id)))
    assert not [s for s in SECRETS for text in texts if s in text]
    oauth = credentials.list(vault.id).data[1].auth
    assert oauth.refresh.client_id == "cid" and oauth.refresh.scope == "read"
    assert oauth.refresh.token_endpoint_auth.type == "client_secret_post"
    assert oauth.expires_at.year == 2099
    env = credentials.list(vault.id).data[2].auth
    assert env.secret_name == "GITHUB_TOKEN" and env.networking.allowed_hosts[1] == "*.github.com"
    assert (env.injection_location.body, env.injection_location.header) == (False, True)


def test_updates_replace_secrets_without_echoing_them(client: Any, vault: Any) -> None:
    created = client.beta.vaults.credentials.create(vault.id, auth=OAUTH)
    raw = client.beta.vaults.credentials.with_raw_response.update(
        created.id,
        vault_id=vault.id,
        auth={"type": "mcp_oauth", "access_token": "new-access-SECRET", "expires_at": None,
              "refresh": {"scope": "", "token_endpoint_auth": {"type": "client_secret_basic",
                                                               "client_secret": "c2-SECRET"}}},
        metadata={"rotated": "yes"},
    )  # fmt: skip
    assert "SECRET" not in raw_text(raw)
    updated = raw.parse()
    assert updated.updated_at > created.updated_at and updated.metadata == {"rotated": "yes"}
    assert updated.auth.expires_at is None and updated.auth.refresh.scope is None
    # The token endpoint keeps its authentication type; only the secret changed.
    assert updated.auth.refresh.token_endpoint_auth.type == "client_secret_post"
    same = client.beta.vaults.credentials.update(created.id, vault_id=vault.id, metadata={})
    assert same.updated_at == updated.updated_at


def test_the_auth_type_cannot_change(client: Any, vault: Any) -> None:
    created = client.beta.vaults.credentials.create(vault.id, auth=ENV_VAR)
    with pytest.raises(anthropic.BadRequestError, match="cannot become"):
        client.beta.vaults.credentials.update(
            created.id, vault_id=vault.id, auth={"type": "static_bearer", "token": "t"}
        )
    with pytest.raises(anthropic.BadRequestError, match="at least one location"):
        client.beta.vaults.credentials.update(
            created.id,
            vault_id=vault.id,
            auth={"type": "environment_variable", "injection_location": {"header": False}},
        )
    moved = client.beta.vaults.credentials.update(
        created.id,
        vault_id=vault.id,
        auth={"type": "environment_variable", "injection_location": {"body": True},
              "networking": {"type": "unrestricted"}},
    )  # fmt: skip
    assert moved.auth.injection_location.body and moved.auth.injection_location.header
    assert moved.auth.networking.type == "unrestricted"


def test_one_active_credential_per_server_or_name(client: Any, vault: Any) -> None:
    first = client.beta.vaults.credentials.create(vault.id, auth=OAUTH)
    bearer = {"type": "static_bearer", "token": "t", "mcp_server_url": MCP}
    with pytest.raises(anthropic.ConflictError, match="already has an active credential"):
        client.beta.vaults.credentials.create(vault.id, auth=bearer)
    client.beta.vaults.credentials.create(vault.id, auth=ENV_VAR)
    with pytest.raises(anthropic.ConflictError):
        client.beta.vaults.credentials.create(vault.id, auth=ENV_VAR)
    archived = client.beta.vaults.credentials.archive(first.id, vault_id=vault.id)
    assert archived.archived_at is not None
    assert client.beta.vaults.credentials.create(vault.id, auth=bearer).auth.type == "static_bearer"
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        client.beta.vaults.credentials.update(first.id, vault_id=vault.id, display_name="x")


@pytest.mark.parametrize(
    ("auth", "problem"),
    [
        ({**OAUTH, "expires_at": "2001-01-01T00:00:00Z"}, "in the future"),
        ({**OAUTH, "mcp_server_url": "ftp://x"}, "http"),
        ({**ENV_VAR, "secret_name": "1BAD"}, "environment variable name"),
        (
            {**ENV_VAR, "networking": {"type": "limited", "allowed_hosts": ["https://a.com"]}},
            "bare hostname",
        ),
        (
            {**ENV_VAR, "networking": {"type": "limited", "allowed_hosts": ["a.com:443"]}},
            "bare hostname",
        ),
        ({**ENV_VAR, "networking": {"type": "limited", "allowed_hosts": []}}, "empty"),
        (
            {**ENV_VAR, "networking": {"type": "limited", "allowed_hosts": ["h.io"] * 17}},
            "at most 16",
        ),
        ({**ENV_VAR, "injection_location": {"header": False}}, "at least one location"),
        ({"type": "static_bearer", "token": "", "mcp_server_url": MCP}, "auth.token"),
    ],
)
def test_invalid_auth_is_a_400(client: Any, vault: Any, auth: Any, problem: str) -> None:
    with pytest.raises(anthropic.BadRequestError, match=problem):
        client.beta.vaults.credentials.create(vault.id, auth=auth)
    assert list(client.beta.vaults.credentials.list(vault.id)) == []


def test_refresh_changes_need_a_refresh_configuration(client: Any, vault: Any) -> None:
    bare = {key: value for key, value in OAUTH.items() if key != "refresh"}
    created = client.beta.vaults.credentials.create(vault.id, auth=bare)
    assert created.auth.refresh is None
    with pytest.raises(anthropic.BadRequestError, match="no refresh configuration"):
        client.beta.vaults.credentials.update(
            created.id, vault_id=vault.id, auth={"type": "mcp_oauth", "refresh": {"scope": "x"}}
        )


def test_mcp_oauth_validate_is_a_stub_that_reports_unknown(client: Any, vault: Any) -> None:
    oauth = client.beta.vaults.credentials.create(vault.id, auth=OAUTH)
    result = client.beta.vaults.credentials.mcp_oauth_validate(oauth.id, vault_id=vault.id)
    assert (result.type, result.status) == ("vault_credential_validation", "unknown")
    assert (result.credential_id, result.vault_id) == (oauth.id, vault.id)
    assert result.has_refresh_token is True and result.mcp_probe is None and result.refresh is None
    env = client.beta.vaults.credentials.create(vault.id, auth=ENV_VAR)
    with pytest.raises(anthropic.BadRequestError, match="not mcp_oauth"):
        client.beta.vaults.credentials.mcp_oauth_validate(env.id, vault_id=vault.id)


def test_list_pages_and_scopes_to_the_vault(client: Any, vault: Any) -> None:
    urls = [f"https://mcp{i}.example.com" for i in range(3)]
    ids = [
        client.beta.vaults.credentials.create(
            vault.id, auth={"type": "static_bearer", "token": "t", "mcp_server_url": url}
        ).id
        for url in urls
    ]
    listed = pages(client.beta.vaults.credentials.list(vault.id, limit=2))
    assert [[c.id for c in page] for page in listed] == [ids[:2], ids[2:]]
    other = client.beta.vaults.create(display_name="Bob")
    assert list(client.beta.vaults.credentials.list(other.id)) == []
    with pytest.raises(anthropic.NotFoundError):
        client.beta.vaults.credentials.retrieve(ids[0], vault_id=other.id)
    deleted = client.beta.vaults.credentials.delete(ids[0], vault_id=vault.id)
    assert (deleted.id, deleted.type) == (ids[0], "vault_credential_deleted")
    assert [c.id for c in client.beta.vaults.credentials.list(vault.id)] == ids[1:]
