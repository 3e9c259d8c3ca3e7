"""Vaults: `vaults/<key>.yaml` is a `vaults.create` body plus its `credentials`.

A vault is updated in place and pinned by id; agents' sessions and deployments name it
by key (`vaults: [github]`), which resolves to its pinned id. Its credentials are
separate server objects, read with the vault and written as steps after it (see
kinds.credentials): their secret values come from the environment or from files
outside the repository, and are read only to fingerprint them (plan) and to send them
(apply).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError
from agentform.kinds import credentials, secrets
from agentform.kinds.base import Kind, ManifestFile, Parts, Step
from agentform.kinds.shape import drop_none_dict, server_fields, user_metadata
from agentform.manifests.schemas import KEY_MARKER
from agentform.manifests.yamlsrc import Source


class VaultKind(Kind):
    name = "vault"
    plural = "vaults"
    id_prefix = "vlt_"
    schema = "vault"
    referable = True
    name_field = "display_name"
    reads_parts = True
    fields = ("display_name", "metadata")

    def read_files(
        self, data: dict[str, Any], source: Source, root: Path, errors: list[ManifestError]
    ) -> tuple[dict[str, Any], tuple[ManifestFile, ...]]:
        return {**data, "credentials": credentials.load(data, source, root, errors)}, ()

    def reference(self, object_id: Any, version: Any) -> Any:
        return object_id

    def desired(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return drop_none_dict(
            {"display_name": spec.get("display_name"), "metadata": dict(spec.get("metadata") or {})}
        )

    def actual(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return drop_none_dict(server_fields(data, self.fields))

    def create_body(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return {"display_name": spec["display_name"]}

    def update_body(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return {"display_name": spec["display_name"]}

    def steps(self, spec: Mapping[str, Any], data: Mapping[str, Any] | None, prune: bool) -> Parts:
        vault = str(spec.get("display_name"))
        return credentials.plan(spec.get("credentials") or {}, data, prune, vault)

    def resource(self, client: Any) -> Any:
        return client.beta.vaults

    def read_parts(
        self, client: Any, data: Mapping[str, Any], scope: Mapping[str, Any], *, detail: bool
    ) -> dict[str, Any]:
        listed = client.beta.vaults.credentials.list(data["id"], limit=100, **scope)
        return {"credentials": [item.to_dict(mode="json") for item in listed]}

    def run_step(self, client: Any, object_id: str, step: Step, scope: Mapping[str, Any]) -> None:
        api = client.beta.vaults.credentials
        args = step.args
        if step.op in ("archive_credential", "replace_credential"):
            api.archive(args["credential_id"], vault_id=object_id, **scope)
        if step.op in ("create_credential", "replace_credential"):
            api.create(object_id, **_with_secrets(args["body"], step.summary), **scope)
        elif step.op == "update_credential":
            body = _with_secrets(args["body"], step.summary)
            api.update(args["credential_id"], vault_id=object_id, **body, **scope)

    def status_lines(self, data: Mapping[str, Any]) -> list[str]:
        listed = [c for c in data.get("credentials") or [] if not c.get("archived_at")]
        ours = sorted(
            f"{c['metadata'][KEY_MARKER]} ({c['auth']['type']})"
            for c in listed
            if KEY_MARKER in (c.get("metadata") or {})
        )
        line = f"credentials: {', '.join(ours) or 'none'}"
        others = len(listed) - len(ours)
        return [line + (f"; {others} not managed by agentform" if others else "")]

    def to_manifest(
        self, data: Mapping[str, Any], key: str
    ) -> tuple[dict[str, Any], dict[str, str]]:
        # Credentials are not imported: their secrets cannot be read back. The ones the
        # vault holds stay as they are (agentform never touches an unmarked credential).
        spec: dict[str, Any] = {"display_name": data["display_name"]}
        metadata = user_metadata(data.get("metadata") or {})
        if metadata:
            spec["metadata"] = metadata
        return spec, {}


VAULT = VaultKind()


def _with_secrets(body: Mapping[str, Any], what: str) -> dict[str, Any]:
    """The request body with its secrets read and their new fingerprint in its metadata."""
    filled, found = secrets.fill(dict(body), what)
    filled["metadata"] = {**filled.get("metadata", {}), secrets.MARKER: secrets.fingerprint(found)}
    return dict(filled)
