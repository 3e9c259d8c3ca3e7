"""A vault credential's `auth`: the public part the API returns and the write-only secrets.

Every secret (`token`, `access_token`, `refresh_token`, `client_secret`, `secret_value`)
is split off on the way in, kept in its own column and never returned. The public part
follows the SDK's response models exactly: `static_bearer` -> `{type, mcp_server_url}`;
`mcp_oauth` -> `{type, mcp_server_url, expires_at, refresh: {client_id, token_endpoint,
token_endpoint_auth: {type}, resource, scope} | null}`; `environment_variable` ->
`{type, secret_name, networking, injection_location: {body, header}}`.
"""

from __future__ import annotations

import re
from typing import Any

from agentform.emulator.errors import invalid_request
from agentform.emulator.ids import format_ms, parse_rfc3339_us
from agentform.emulator.limits import check_length
from agentform.emulator.wire import Json

Secrets = dict[str, str]
MISSING: Any = object()
DEFAULT_INJECTION = {"body": False, "header": True}
_HOST = re.compile(
    r"^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def create_auth(param: Json, now_ms: int) -> tuple[Json, Secrets]:
    """(public auth, secrets) for a new credential; 400 naming the bad field."""
    kind = param["type"]
    if kind == "static_bearer":
        _check_url(param["mcp_server_url"])
        _check_secret(param["token"], "auth.token")
        return {"type": kind, "mcp_server_url": param["mcp_server_url"]}, {"token": param["token"]}
    if kind == "mcp_oauth":
        return _create_oauth(param, now_ms)
    return _create_env_var(param)


def update_auth(public: Json, secrets: Secrets, param: Json, now_ms: int) -> tuple[Json, Secrets]:
    """Apply an `auth` update: same type only; omitted (or null) secrets are kept."""
    if param["type"] != public["type"]:
        raise invalid_request(
            f"auth.type: a {public['type']} credential cannot become {param['type']!r}"
        )
    public, secrets = dict(public), dict(secrets)
    if param["type"] == "static_bearer":
        _replace_secret(secrets, "token", param.get("token"), "auth.token")
    elif param["type"] == "mcp_oauth":
        _update_oauth(public, secrets, param, now_ms)
    else:
        _update_env_var(public, secrets, param)
    return public, secrets


def _create_oauth(param: Json, now_ms: int) -> tuple[Json, Secrets]:
    _check_url(param["mcp_server_url"])
    _check_secret(param["access_token"], "auth.access_token")
    secrets = {"access_token": param["access_token"]}
    refresh = param.get("refresh")
    public: Json = {
        "type": "mcp_oauth",
        "mcp_server_url": param["mcp_server_url"],
        "expires_at": _expiry(param.get("expires_at"), now_ms),
        "refresh": None if refresh is None else _refresh(refresh, secrets),
    }
    return public, secrets


def _refresh(param: Json, secrets: Secrets) -> Json:
    _check_url(param["token_endpoint"], "auth.refresh.token_endpoint")
    _check_secret(param["refresh_token"], "auth.refresh.refresh_token")
    secrets["refresh_token"] = param["refresh_token"]
    endpoint_auth = param["token_endpoint_auth"]
    if endpoint_auth["type"] != "none":
        _check_secret(
            endpoint_auth["client_secret"], "auth.refresh.token_endpoint_auth.client_secret"
        )
        secrets["client_secret"] = endpoint_auth["client_secret"]
    return {
        "client_id": param["client_id"],
        "token_endpoint": param["token_endpoint"],
        "token_endpoint_auth": {"type": endpoint_auth["type"]},
        "resource": param.get("resource"),
        "scope": param.get("scope") or None,
    }


def _update_oauth(public: Json, secrets: Secrets, param: Json, now_ms: int) -> None:
    _replace_secret(secrets, "access_token", param.get("access_token"), "auth.access_token")
    if "expires_at" in param:
        public["expires_at"] = _expiry(param["expires_at"], now_ms)
    if "refresh" not in param:
        return
    change = param["refresh"]
    if change is None:
        public["refresh"] = None
        secrets.pop("refresh_token", None)
        secrets.pop("client_secret", None)
        return
    if public["refresh"] is None:
        raise invalid_request(
            "auth.refresh: this credential has no refresh configuration to update; "
            "create a new credential with one"
        )
    public["refresh"] = _updated_refresh(public["refresh"], secrets, change)


def _updated_refresh(refresh: Json, secrets: Secrets, change: Json) -> Json:
    refresh = dict(refresh)
    _replace_secret(
        secrets, "refresh_token", change.get("refresh_token"), "auth.refresh.refresh_token"
    )
    if "scope" in change and change["scope"] is not None:
        refresh["scope"] = change["scope"] or None
    endpoint_auth = change.get("token_endpoint_auth")
    if endpoint_auth is not None:
        if refresh["token_endpoint_auth"]["type"] == "none":
            raise invalid_request(
                "auth.refresh.token_endpoint_auth: the credential's token endpoint uses no "
                "client authentication, so it has no client secret to replace"
            )
        field = "auth.refresh.token_endpoint_auth.client_secret"
        _replace_secret(secrets, "client_secret", endpoint_auth.get("client_secret"), field)
    return refresh


def _create_env_var(param: Json) -> tuple[Json, Secrets]:
    name = param["secret_name"]
    if not _ENV_NAME.match(name) or len(name) > 256:
        raise invalid_request(
            "auth.secret_name: must be an environment variable name "
            "(letters, digits and '_', not starting with a digit)"
        )
    _check_secret(param["secret_value"], "auth.secret_value")
    injection = {**DEFAULT_INJECTION, **(param.get("injection_location") or {})}
    public: Json = {
        "type": "environment_variable",
        "secret_name": name,
        "networking": _networking(param["networking"]),
        "injection_location": _checked_injection(injection),
    }
    return public, {"secret_value": param["secret_value"]}


def _update_env_var(public: Json, secrets: Secrets, param: Json) -> None:
    _replace_secret(secrets, "secret_value", param.get("secret_value"), "auth.secret_value")
    if param.get("networking") is not None:
        public["networking"] = _networking(param["networking"])
    if "injection_location" in param:
        merged = {**public["injection_location"], **param["injection_location"]}
        public["injection_location"] = _checked_injection(merged)


def _networking(param: Json) -> Json:
    if param["type"] == "unrestricted":
        return {"type": "unrestricted"}
    hosts = list(param["allowed_hosts"])
    check_length(hosts, "auth.networking.allowed_hosts", minimum=1, maximum=16)
    for index, host in enumerate(hosts):
        if not _HOST.match(host) or ".." in host:
            raise invalid_request(
                f"auth.networking.allowed_hosts.{index}: {host!r} must be a bare hostname, an "
                "IPv4 address or a '*.' wildcard (no scheme, port, path or IPv6)"
            )
    return {"type": "limited", "allowed_hosts": hosts}


def _checked_injection(injection: Json) -> Json:
    if not (injection["body"] or injection["header"]):
        raise invalid_request("auth.injection_location: at least one location must be enabled")
    return {"body": bool(injection["body"]), "header": bool(injection["header"])}


def _expiry(value: Any, now_ms: int) -> str | None:
    if value is None:
        return None
    try:
        micros = parse_rfc3339_us(str(value))
    except ValueError:
        raise invalid_request("auth.expires_at: Input should be an RFC 3339 timestamp") from None
    if micros <= now_ms * 1000:
        raise invalid_request("auth.expires_at: must be in the future")
    return format_ms(micros // 1000)


def _replace_secret(secrets: Secrets, key: str, value: str | None, field: str) -> None:
    if value is not None:
        _check_secret(value, field)
        secrets[key] = value


def _check_secret(value: str, field: str) -> None:
    check_length(value, field, minimum=1, maximum=65_536)


def _check_url(url: str, field: str = "auth.mcp_server_url") -> None:
    check_length(url, field, minimum=1, maximum=2048)
    if not url.startswith(("https://", "http://")):
        raise invalid_request(f"{field}: must be an http(s) URL")
