"""A vault's credentials: loaded from the vault manifest, compared, and planned as steps.

Each credential is an entry of the manifest's `credentials` mapping; its key is its
identity on the server (the credential's metadata `agentform.key`). Credentials in the
vault without that marker were made by someone else and are never touched.

Secret fields (static bearer `token`; OAuth `access_token`, `refresh.refresh_token`,
`refresh.token_endpoint_auth.client_secret`; an environment variable's `secret_value`)
take only `{value_from: ...}` (see kinds.secrets). The server never returns them; the
fingerprint of the values agentform sent is kept in the credential's metadata
(`agentform.secret`), so a changed value plans "credential <key> rotated".

What the API cannot change on a credential (its auth type, MCP server URL, secret
name, OAuth client, token endpoint) is a replacement: the old one archived, then a new
one created (a vault holds one active credential per URL or secret name).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError
from agentform.kinds import secrets
from agentform.kinds.base import Parts, Step
from agentform.kinds.shape import WILDCARD, drop_none, resolve_wildcards, user_metadata
from agentform.manifests.schemas import KEY_MARKER
from agentform.manifests.yamlsrc import Source

SECRET_FIELDS = {
    "static_bearer": (("token",),),
    "mcp_oauth": (
        ("access_token",),
        ("refresh", "refresh_token"),
        ("refresh", "token_endpoint_auth", "client_secret"),
    ),
    "environment_variable": (("secret_value",),),
}
# What an update cannot change: a different value needs a new credential.
FIXED = (
    "type",
    "mcp_server_url",
    "secret_name",
    "refresh.client_id",
    "refresh.token_endpoint",
    "refresh.resource",
    "refresh.token_endpoint_auth.type",
)


def load(
    data: Mapping[str, Any], source: Source, root: Path, errors: list[ManifestError]
) -> dict[str, Any]:
    """The manifest's credentials with each secret written as a placeholder."""
    repository = secrets.repository_of(root)
    loaded = {}
    for key, credential in (data.get("credentials") or {}).items():
        if not isinstance(credential, dict) or not isinstance(credential.get("auth"), dict):
            continue
        auth = dict(credential["auth"])
        for path in SECRET_FIELDS.get(str(auth.get("type")), ()):
            at = ("credentials", key, "auth", *path)
            _set_secret(auth, path, source, at, source.path.parent, repository, errors)
        loaded[key] = {**credential, "auth": auth}
    return loaded


def plan(
    wanted: Mapping[str, Any], data: Mapping[str, Any] | None, prune: bool, vault: str
) -> Parts:
    """Steps that make the vault's credentials match the manifest's."""
    ours = {c["metadata"][KEY_MARKER]: c for c in _listed(data) if KEY_MARKER in c["metadata"]}
    steps: list[Step] = []
    for key, credential in wanted.items():
        what = f"credential {key} of vault {vault}"
        found = secrets.values(credential["auth"], what)  # an unset variable stops here
        steps += _one(key, credential, ours.get(key), found)
    notes = []
    for key, server in sorted(ours.items()):
        if key in wanted:
            continue
        if prune:
            shows = ({"path": f"credentials.{key}", "before": public(server)},)
            steps.append(
                Step(
                    "archive_credential",
                    f"credential {key} archived",
                    {"credential_id": server["id"]},
                    shows,
                )
            )
        else:
            notes.append(
                (
                    "credential",
                    f"credential {key} is no longer in the manifest; `apply --prune` archives it",
                )
            )
    return Parts(tuple(steps), tuple(notes))


def public(credential: Mapping[str, Any]) -> dict[str, Any]:
    """A credential as compared: no secrets, no expiry (the server refreshes it)."""
    auth = drop_none(secrets.replace(dict(credential.get("auth") or {}), lambda source: None))
    auth.pop("expires_at", None)
    shown = {
        "display_name": credential.get("display_name"),
        "auth": auth,
        "metadata": user_metadata(credential.get("metadata") or {}),
    }
    return dict(drop_none(shown))


def create_body(key: str, credential: Mapping[str, Any]) -> dict[str, Any]:
    body = {
        "display_name": credential.get("display_name"),
        "auth": dict(credential["auth"]),
        "metadata": {**dict(credential.get("metadata") or {}), KEY_MARKER: key},
    }
    return {k: v for k, v in body.items() if v is not None}


def update_body(
    key: str, credential: Mapping[str, Any], server: Mapping[str, Any]
) -> dict[str, Any]:
    """Every field an update may change, the secrets included (sent again, re-fingerprinted)."""
    auth = credential["auth"]
    sent = {name: auth[name] for name in _UPDATABLE[auth["type"]] if auth.get(name) is not None}
    refresh = auth.get("refresh")
    if auth["type"] == "mcp_oauth" and isinstance(refresh, dict):
        sent["refresh"] = _refresh_update(refresh)
    wanted = {**dict(credential.get("metadata") or {}), KEY_MARKER: key}
    stale = {k: None for k in server.get("metadata") or {} if k not in wanted}
    stale.pop(secrets.MARKER, None)  # written with the new fingerprint when sent
    return {
        "display_name": credential.get("display_name"),
        "auth": {"type": auth["type"], **sent},
        "metadata": {**wanted, **stale},
    }


_UPDATABLE = {
    "static_bearer": ("token",),
    "mcp_oauth": ("access_token", "expires_at"),
    "environment_variable": ("secret_value", "networking", "injection_location"),
}


def _refresh_update(refresh: Mapping[str, Any]) -> dict[str, Any]:
    sent: dict[str, Any] = {"refresh_token": refresh["refresh_token"]}
    if refresh.get("scope") is not None:
        sent["scope"] = refresh["scope"]
    endpoint = refresh.get("token_endpoint_auth") or {}
    if endpoint.get("type") in ("client_secret_basic", "client_secret_post"):
        sent["token_endpoint_auth"] = dict(endpoint)
    return sent


def _one(
    key: str, credential: Mapping[str, Any], server: Mapping[str, Any] | None, found: list[str]
) -> list[Step]:
    if server is None:
        shows = ({"path": f"credentials.{key}", "after": _shown(credential)},)
        body = {"body": create_body(key, credential)}
        return [Step("create_credential", f"credential {key} created", body, shows)]
    have = public(server)
    wanted = resolve_wildcards(_comparable(credential), have)
    differences = list(_differences(key, have, wanted))
    fixed = _fixed(have["auth"], wanted["auth"])
    if fixed:
        args = {"credential_id": server["id"], "body": create_body(key, credential)}
        summary = f"credential {key} replaced ({fixed[0]} cannot change in place)"
        return [Step("replace_credential", summary, args, tuple(differences))]
    rotated = not secrets.matches(server["metadata"].get(secrets.MARKER), found)
    if rotated:
        differences.append(
            {"path": f"credentials.{key}.secret", "before": "(stored)", "after": "(rotated)"}
        )
    if not differences:
        return []
    args = {"credential_id": server["id"], "body": update_body(key, credential, server)}
    summary = f"credential {key} {'rotated' if rotated else 'updated'}"
    return [Step("update_credential", summary, args, tuple(differences))]


def _fixed(have: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """What differs that an update cannot change (refresh added or removed included)."""
    found = [name for name in FIXED if _at(have, name) != _at(wanted, name)]
    if bool(have.get("refresh")) != bool(wanted.get("refresh")):
        found.append("refresh")
    return found


def _comparable(credential: Mapping[str, Any]) -> dict[str, Any]:
    shown = public(credential)
    auth = shown["auth"]
    if auth.get("type") == "environment_variable":
        auth.setdefault("injection_location", WILDCARD)  # the server's default
    refresh = auth.get("refresh")
    if isinstance(refresh, dict):
        for name in ("resource", "scope"):
            refresh.setdefault(name, WILDCARD)
    return shown


def _differences(
    key: str, have: Mapping[str, Any], wanted: Mapping[str, Any]
) -> Iterator[dict[str, Any]]:
    for name in ("display_name", "metadata", "auth"):
        before, after = have.get(name), wanted.get(name)
        if name == "auth" and isinstance(before, dict) and isinstance(after, dict):
            for field in sorted(before.keys() | after.keys()):
                if before.get(field) != after.get(field):
                    yield _shown_change(
                        f"credentials.{key}.auth.{field}", before.get(field), after.get(field)
                    )
        elif before != after:
            yield _shown_change(f"credentials.{key}.{name}", before, after)


def _shown_change(path: str, before: Any, after: Any) -> dict[str, Any]:
    change: dict[str, Any] = {"path": path}
    if before is not None:
        change["before"] = before
    if after is not None:
        change["after"] = after
    return change


def _shown(credential: Mapping[str, Any]) -> dict[str, Any]:
    """A new credential as the plan shows it: each secret as where it comes from."""
    auth = secrets.replace(
        drop_none(dict(credential["auth"])),
        lambda source: secrets.describe(secrets.placeholder(source)),
    )
    return dict(drop_none({**public(credential), "auth": auth}))


def _at(value: Mapping[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)  # type: ignore[assignment]
    return value


def _listed(data: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    listed = (data or {}).get("credentials") or []
    return [c for c in listed if not c.get("archived_at")]


def _set_secret(
    auth: dict[str, Any],
    path: tuple[str, ...],
    source: Source,
    at: tuple[str | int, ...],
    base: Path,
    repository: Path,
    errors: list[ManifestError],
) -> None:
    holder: Any = auth
    for part in path[:-1]:
        if not isinstance(holder.get(part), dict):
            return
        holder[part] = dict(holder[part])
        holder = holder[part]
    if path[-1] not in holder:
        return
    found, problem = secrets.source_of(holder[path[-1]], base, repository)
    if found is None:
        errors.append(source.error(at, f"{problem}; a secret value never goes in a manifest"))
        return
    holder[path[-1]] = secrets.placeholder(found)
