"""Checks a JSON Schema cannot express: cross-field rules the API enforces.

Each check reads the raw manifest defensively (the schema check runs beside it and
reports wrong types), so one pass reports every problem in a file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError
from agentform.manifests.schemas import known_models
from agentform.manifests.yamlsrc import Source

MAX_SYSTEM_CHARS = 100_000
WEB_TOOLS = ("web_fetch", "web_search")
PACKAGE_MANAGERS = ("apt", "cargo", "gem", "go", "npm", "pip")


def check_agent(data: dict[str, Any], source: Source) -> list[ManifestError]:
    return [
        *_system_choice(data, source),
        *_mcp_references(data, source),
        *_web_domains(data, source),
    ]


def model_warnings(data: dict[str, Any], source: Source) -> list[ManifestError]:
    """A model id the SDK does not know: allowed (models ship faster than SDKs), but a
    typo would become a pinned version, so say so, with a did-you-mean."""
    model = data.get("model")
    at: tuple[str, ...] = ("model",)
    if isinstance(model, dict):
        model, at = model.get("id"), ("model", "id")
    known = known_models()
    if not isinstance(model, str) or not known or model in known:
        return []
    close = difflib.get_close_matches(model, known, n=1, cutoff=0.8)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return [
        source.error(
            at,
            f"unknown model {model!r}{hint} (the anthropic SDK knows {len(known)} models; "
            "a newer one is allowed, `validate --strict` refuses it)",
        )
    ]


def check_environment(data: dict[str, Any], source: Source) -> list[ManifestError]:
    return list(_packages_need_package_managers(data, source))


def resolve_system_file(
    data: dict[str, Any], source: Source, errors: list[ManifestError]
) -> tuple[Path | None, str | None]:
    """Read `system_file` (relative to the manifest); append any problem to `errors`."""
    relative = data.get("system_file")
    if not isinstance(relative, str) or not relative:
        return None, None
    path = (source.path.parent / relative).resolve()
    at = ("system_file",)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        errors.append(source.error(at, f"prompt file {relative} not found (looked in {path})"))
        return path, None
    except IsADirectoryError:
        errors.append(source.error(at, f"{relative} is a directory, not a prompt file"))
        return path, None
    except UnicodeDecodeError as exc:
        errors.append(source.error(at, f"{relative} is not UTF-8 (bad byte at offset {exc.start})"))
        return path, None
    except OSError as exc:
        errors.append(source.error(at, f"cannot read {relative}: {exc.strerror}"))
        return path, None
    if len(text) > MAX_SYSTEM_CHARS:
        errors.append(
            source.error(
                at,
                f"{relative} is {len(text):,} characters long; the API allows at most "
                f"{MAX_SYSTEM_CHARS:,}",
            )
        )
    return path, text


def _system_choice(data: dict[str, Any], source: Source) -> Iterator[ManifestError]:
    if "system" in data and "system_file" in data:
        yield source.error(("system_file",), "give either `system` or `system_file`, not both")
    elif "system" not in data and "system_file" not in data:
        yield source.error((), "no system prompt: add `system:` or `system_file:`")


def _mcp_references(data: dict[str, Any], source: Source) -> Iterator[ManifestError]:
    servers = _dicts(data.get("mcp_servers"))
    toolsets = [(i, t) for i, t in _dicts(data.get("tools")) if t.get("type") == "mcp_toolset"]
    used = {t.get("mcp_server_name") for _, t in toolsets}
    defined: dict[Any, int] = {}
    for index, server in servers:
        name = server.get("name")
        at = ("mcp_servers", index, "name")
        if name in defined:
            yield source.error(
                at, f"duplicate MCP server name {name!r} (also mcp_servers[{defined[name]}])"
            )
            continue
        defined[name] = index
        if name not in used:
            yield source.error(
                at,
                f"MCP server {name!r} is not used by any mcp_toolset in tools; the API "
                f"rejects unreferenced servers (add a tool `type: mcp_toolset, "
                f"mcp_server_name: {name}` or remove the server)",
            )
    for index, toolset in toolsets:
        name = toolset.get("mcp_server_name")
        if isinstance(name, str) and name not in defined:
            known = ", ".join(repr(n) for n in defined) or "none"
            yield source.error(
                ("tools", index, "mcp_server_name"),
                f"no MCP server named {name!r} in mcp_servers (defined: {known})",
            )


def _web_domains(data: dict[str, Any], source: Source) -> Iterator[ManifestError]:
    for index, tool in _dicts(data.get("tools")):
        if tool.get("type") != "agent_toolset_20260401":
            continue
        for position, config in _dicts(tool.get("configs")):
            if config.get("name") not in WEB_TOOLS:
                continue
            at = ("tools", index, "configs", position)
            if (
                config.get("allowed_domains") is not None
                and config.get("blocked_domains") is not None
            ):
                yield source.error(
                    (*at, "blocked_domains"), "give allowed_domains or blocked_domains, not both"
                )
            for name in ("allowed_domains", "blocked_domains"):
                if config.get(name) == []:
                    yield source.error((*at, name), "must not be empty; omit it instead")


def _packages_need_package_managers(
    data: dict[str, Any], source: Source
) -> Iterator[ManifestError]:
    config = data.get("config")
    if not isinstance(config, dict):
        return
    networking, packages = config.get("networking"), config.get("packages")
    if not isinstance(networking, dict) or networking.get("type") != "limited":
        return
    wanted = isinstance(packages, dict) and any(packages.get(m) for m in PACKAGE_MANAGERS)
    if wanted and networking.get("allow_package_managers") is not True:
        yield source.error(
            ("config", "networking", "allow_package_managers"),
            "packages under limited networking need `allow_package_managers: true`",
        )


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]
