"""Environment `config`: the full response shape, and its patch semantics on update.

Omitted (or null) fields default on create and keep their stored value on update, at
every level: `networking`, `packages`, each `limited` flag and each package manager's
list. The response always carries all six package lists and every `limited` field.
"""

from __future__ import annotations

from typing import Any

from agentform.emulator.errors import invalid_request
from agentform.emulator.wire import Json

PACKAGE_MANAGERS = ("apt", "cargo", "gem", "go", "npm", "pip")
_LIMITED_FIELDS = ("allowed_hosts", "allow_mcp_servers", "allow_package_managers")


def default_config() -> Json:
    return {
        "type": "cloud",
        "networking": {"type": "unrestricted"},
        "packages": _packages(None, None),
    }


def materialize_config(param: Json | None) -> Json:
    """The stored config for a create request (omitted or null: cloud, unrestricted)."""
    if param is None:
        return default_config()
    if param["type"] == "self_hosted":
        return {"type": "self_hosted"}
    return _cloud(param, None)


def update_config(stored: Json, param: Json | None) -> Json:
    """The stored config after an update: a patch over `stored` (null changes nothing)."""
    if param is None:
        return stored
    if param["type"] != stored["type"]:
        raise invalid_request(
            f"config.type: cannot change an environment from {stored['type']!r} to "
            f"{param['type']!r}; create a new environment instead",
            error_code="invalid_config_type_change",
        )
    if param["type"] == "self_hosted":
        return stored
    return _cloud(param, stored)


def _cloud(param: Json, stored: Json | None) -> Json:
    networking = _networking(param.get("networking"), stored["networking"] if stored else None)
    packages = _packages(param.get("packages"), stored["packages"] if stored else None)
    limited = networking["type"] == "limited"
    if (
        limited
        and any(packages[m] for m in PACKAGE_MANAGERS)
        and not networking["allow_package_managers"]
    ):
        raise invalid_request(
            "config.packages: under limited networking, packages require "
            "networking.allow_package_managers to be true"
        )
    return {"type": "cloud", "networking": networking, "packages": packages}


def _networking(param: Json | None, stored: Json | None) -> Json:
    if param is None:
        return stored or {"type": "unrestricted"}
    if param["type"] == "unrestricted":
        return {"type": "unrestricted"}
    base: dict[str, Any] = {"type": "limited", "allowed_hosts": [], "allow_mcp_servers": False}
    base["allow_package_managers"] = False
    if stored is not None and stored["type"] == "limited":
        base.update(stored)
    for key in _LIMITED_FIELDS:
        if param.get(key) is not None:
            base[key] = list(param[key]) if key == "allowed_hosts" else param[key]
    return base


def _packages(param: Json | None, stored: Json | None) -> Json:
    packages: Json = {"type": "packages"}
    for manager in PACKAGE_MANAGERS:
        sent = (param or {}).get(manager)
        packages[manager] = (
            list(sent) if sent is not None else list((stored or {}).get(manager, []))
        )
    return packages
