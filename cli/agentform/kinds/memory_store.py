"""Memory stores: `memory_stores/<key>.yaml` is a `memory_stores.create` body; the files
under `memory_stores/<key>/` seed its memories (see kinds.memories).

A store is updated in place and pinned by id; deployments mount it by key
(`memory_store_id: {memory_store: notes}` in `resources`). The memories are separate
server objects, read with the store and written as steps after it. The API versions
every memory write itself, so a changed seed file is an update of that memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError
from agentform.kinds import memories
from agentform.kinds.base import Kind, ManifestFile, Parts, Step
from agentform.kinds.shape import drop_none_dict, server_fields, user_metadata
from agentform.manifests.yamlsrc import Source


class MemoryStoreKind(Kind):
    name = "memory_store"
    plural = "memory_stores"
    id_prefix = "memstore_"
    schema = "memory_store"
    referable = True
    reads_parts = True
    fields = ("name", "description", "metadata")

    def key_paths(self, path: Path) -> tuple[Path, ...]:
        seeds = path.parent / path.stem  # memory_stores/<key>/: its seed files
        return (path, seeds) if seeds.is_dir() else (path,)

    def read_files(
        self, data: dict[str, Any], source: Source, root: Path, errors: list[ManifestError]
    ) -> tuple[dict[str, Any], tuple[ManifestFile, ...]]:
        seeded, files = memories.seeds(source, source.path.stem, root, errors)
        spec = {**data, "memories": seeded}
        return spec, tuple(ManifestFile(path, text) for path, text in files)

    def reference(self, object_id: Any, version: Any) -> Any:
        return object_id

    def desired(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return drop_none_dict(
            {
                "name": spec.get("name"),
                "description": spec.get("description") or "",
                "metadata": dict(spec.get("metadata") or {}),
            }
        )

    def actual(self, data: Mapping[str, Any]) -> dict[str, Any]:
        spec = server_fields(data, self.fields)
        spec["description"] = spec.get("description") or ""
        return drop_none_dict(spec)

    def create_body(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        body = {"name": spec["name"]}
        if spec.get("description"):
            body["description"] = spec["description"]
        return body

    def update_body(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return {"name": spec["name"], "description": spec.get("description") or ""}

    def steps(self, spec: Mapping[str, Any], data: Mapping[str, Any] | None, prune: bool) -> Parts:
        return memories.plan(spec.get("memories") or {}, data, prune)

    def resource(self, client: Any) -> Any:
        return client.beta.memory_stores

    def read_parts(
        self, client: Any, data: Mapping[str, Any], scope: Mapping[str, Any], *, detail: bool
    ) -> dict[str, Any]:
        return {"memories": memories.read(client, data["id"], scope)}

    def run_step(self, client: Any, object_id: str, step: Step, scope: Mapping[str, Any]) -> None:
        api = client.beta.memory_stores.memories
        args = step.args
        if step.op == "create_memory":
            api.create(object_id, path=args["path"], content=args["content"], **scope)
        elif step.op == "update_memory":
            precondition = {"type": "content_sha256", "content_sha256": args["expected"]}
            api.update(
                args["memory_id"],
                memory_store_id=object_id,
                content=args["content"],
                precondition=precondition,
                **scope,
            )
        elif step.op == "delete_memory":
            api.delete(
                args["memory_id"],
                memory_store_id=object_id,
                expected_content_sha256=args["expected"],
                **scope,
            )

    def status_lines(self, data: Mapping[str, Any]) -> list[str]:
        listed = data.get("memories") or []
        agent = memories.agent_written(data)
        seeded = len(listed) - len(agent)
        line = f"{seeded} {'memory' if seeded == 1 else 'memories'} seeded through the API"
        if not agent:
            return [line + "; none written by an agent"]
        return [line, f"written by an agent (never touched): {', '.join(agent)}"]

    def to_manifest(
        self, data: Mapping[str, Any], key: str
    ) -> tuple[dict[str, Any], dict[str, str]]:
        # Memories are not imported as seed files: they stay as they are, and plan notes
        # those written through the API as deleted only with --prune.
        spec: dict[str, Any] = {"name": data["name"]}
        if data.get("description"):
            spec["description"] = data["description"]
        metadata = user_metadata(data.get("metadata") or {})
        if metadata:
            spec["metadata"] = metadata
        return spec, {}


MEMORY_STORE = MemoryStoreKind()
