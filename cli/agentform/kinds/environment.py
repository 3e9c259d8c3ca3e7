"""Environments: `environments/<key>.yaml` is an `environments.create` body.

No versions: an update changes the environment in place, and the pin is its id. A
change of `config.type` cannot be made in place: it plans as a replacement (a new
environment, re-pinned; the old one archived only with --prune).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from agentform.errors import ManifestError
from agentform.kinds.base import Kind
from agentform.kinds.shape import WILDCARD, drop_none_dict, server_fields, user_metadata
from agentform.manifests.yamlsrc import Source

PACKAGE_MANAGERS = ("apt", "cargo", "gem", "go", "npm", "pip")


class EnvironmentKind(Kind):
    name = "environment"
    plural = "environments"
    id_prefix = "env_"
    schema = "environment"
    referable = True  # a deployment's `environment: <key>`
    fields = ("name", "description", "config", "metadata", "scope")
    layout = fields

    def check(self, data: dict[str, Any], source: Source) -> list[ManifestError]:
        return list(_packages_need_package_managers(data, source))

    def reference(self, object_id: Any, version: Any) -> Any:
        return object_id

    def desired(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return drop_none_dict(
            {
                "name": spec.get("name"),
                "description": spec.get("description"),
                "config": config(spec.get("config")),
                "metadata": dict(spec.get("metadata") or {}),
                "scope": spec.get("scope") or WILDCARD,
            }
        )

    def actual(self, data: Mapping[str, Any]) -> dict[str, Any]:
        spec = server_fields(data, self.fields)
        spec["config"] = config(spec.get("config"))
        return drop_none_dict(spec)

    def replacement(self, desired: Mapping[str, Any], actual: Mapping[str, Any]) -> str | None:
        before, after = _config_type(actual), _config_type(desired)
        return None if before == after else f"config.type {before} -> {after} needs a new one"

    def update_body(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        # On update, omitted config sub-fields keep their old values: send them all.
        body = {
            "name": spec["name"],
            "description": spec.get("description"),
            "config": config(spec.get("config")),
        }
        if spec.get("scope") is not None:
            body["scope"] = spec["scope"]
        return body

    def resource(self, client: Any) -> Any:
        return client.beta.environments

    def to_manifest(
        self, data: Mapping[str, Any], key: str
    ) -> tuple[dict[str, Any], dict[str, str]]:
        spec: dict[str, Any] = {"name": data["name"]}
        if data.get("description") is not None:
            spec["description"] = data["description"]
        spec["config"] = _minimal_config(data.get("config") or {"type": "cloud"})
        metadata = user_metadata(data.get("metadata") or {})
        if metadata:
            spec["metadata"] = metadata
        if data.get("scope"):
            spec["scope"] = data["scope"]
        return spec, {}


ENVIRONMENT = EnvironmentKind()


def config(value: Any) -> dict[str, Any]:
    """An environment config with every documented default written out."""
    given = value if isinstance(value, Mapping) else {"type": "cloud"}
    if given.get("type") != "cloud":
        return dict(given)
    return {
        "type": "cloud",
        "networking": _networking(given.get("networking")),
        "packages": _packages(given.get("packages")),
    }


def _networking(networking: Any) -> dict[str, Any]:
    if not isinstance(networking, dict) or networking.get("type") != "limited":
        return {"type": "unrestricted"}
    return {
        "type": "limited",
        "allowed_hosts": list(networking.get("allowed_hosts") or []),
        "allow_mcp_servers": bool(networking.get("allow_mcp_servers")),
        "allow_package_managers": bool(networking.get("allow_package_managers")),
    }


def _packages(packages: Any) -> dict[str, Any]:
    given = packages if isinstance(packages, dict) else {}
    lists = {m: sorted(given.get(m) or []) for m in PACKAGE_MANAGERS}
    return {"type": "packages", **lists}


def _config_type(spec: Mapping[str, Any]) -> str:
    return str((spec.get("config") or {}).get("type", "cloud"))


def _minimal_config(value: Mapping[str, Any]) -> dict[str, Any]:
    """A server config as a manifest writes it: defaults left out."""
    if value.get("type") != "cloud":
        return {"type": value.get("type")}
    result: dict[str, Any] = {"type": "cloud"}
    networking = value.get("networking") or {}
    if networking.get("type") == "limited":
        result["networking"] = {k: v for k, v in networking.items() if v not in (None, [], False)}
    else:
        result["networking"] = {"type": "unrestricted"}
    packages = {m: v for m, v in (value.get("packages") or {}).items() if m != "type" and v}
    if packages:
        result["packages"] = packages
    return result


def _packages_need_package_managers(
    data: dict[str, Any], source: Source
) -> Iterator[ManifestError]:
    config_ = data.get("config")
    if not isinstance(config_, dict):
        return
    networking, packages = config_.get("networking"), config_.get("packages")
    if not isinstance(networking, dict) or networking.get("type") != "limited":
        return
    wanted = isinstance(packages, dict) and any(packages.get(m) for m in PACKAGE_MANAGERS)
    if wanted and networking.get("allow_package_managers") is not True:
        yield source.error(
            ("config", "networking", "allow_package_managers"),
            "packages under limited networking need `allow_package_managers: true`",
        )
