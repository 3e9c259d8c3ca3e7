"""A memory store's seeded memories: files under `memory_stores/<key>/`, one per memory.

`memory_stores/notes/team/oncall.md` seeds the memory at `/team/oncall.md` of the store
`notes`. Memories have no metadata, so a memory is identified by its path; who wrote
its current version (`created_by` of that memory version) tells agentform's seeds
(written through the API) from what the agent wrote in a session:

- a seed file with no memory at its path: created;
- a seed file whose memory differs (by `content_sha256`): updated, on condition that the
  content is still what the plan saw (a precondition: a write meanwhile is a conflict);
- a memory written through the API with no seed file: deleted, only with `--prune`;
- a memory whose current version an agent wrote (a session): never touched, whether a
  seed file names its path or not; `status` lists them apart.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError
from agentform.kinds.base import Parts, Step
from agentform.kinds.files import FileProblem, read_estate_file
from agentform.manifests.yamlsrc import Source

MAX_BYTES = 102_400  # the API's limit on a memory's content
MAX_SEEDS = 2_000
MAX_PATH_BYTES = 1_024
MAX_SEGMENTS = 20
API_AUTHORS = frozenset({"api_actor", "user_actor", "service_account_actor"})


def seeds(
    source: Source, key: str, root: Path, errors: list[ManifestError]
) -> tuple[dict[str, str], list[tuple[Path, str]]]:
    """{memory path: content} from the store's seed directory, and the files read."""
    directory = source.path.parent / key
    found: dict[str, str] = {}
    files: list[tuple[Path, str]] = []
    for path in _seed_files(directory):
        memory_path = "/" + path.relative_to(directory).as_posix()
        problem = _path_problem(memory_path)
        if problem is None and len(found) >= MAX_SEEDS:
            problem = f"more than {MAX_SEEDS:,} seed files; seed the rest another way"
        if problem is None:
            problem = _read(root, directory, path, found, files)
        if problem is not None:
            errors.append(source.error(("memories",), f"{path}: {problem}"))
    return found, files


def plan(wanted: Mapping[str, str], data: Mapping[str, Any] | None, prune: bool) -> Parts:
    server = {m["path"]: m for m in (data or {}).get("memories") or []}
    steps: list[Step] = []
    notes: list[tuple[str, str]] = []
    for path, content in sorted(wanted.items()):
        memory = server.get(path)
        if memory is None:
            steps.append(_create(path, content))
        elif not by_api(memory):
            notes.append(
                (
                    "agent",
                    f"memory {path} was last written by {_author(memory)}; "
                    "its seed file is not applied (what an agent wrote is never touched)",
                )
            )
        elif memory.get("content_sha256") != sha256(content):
            steps.append(_update(memory, content))
    for path, memory in sorted(server.items()):
        if path in wanted or not by_api(memory):
            continue
        if prune:
            steps.append(_delete(memory))
        else:
            notes.append(
                ("memory", f"memory {path} has no seed file any more; `apply --prune` deletes it")
            )
    return Parts(tuple(steps), tuple(notes))


def by_api(memory: Mapping[str, Any]) -> bool:
    """Written through the API (agentform's seeds), not by an agent in a session."""
    return (memory.get("created_by") or {}).get("type") in API_AUTHORS


def agent_written(data: Mapping[str, Any]) -> list[str]:
    """`/path (session sesn_...)` for every memory an agent wrote last."""
    return [
        f"{m['path']} ({_author(m)})"
        for m in sorted(data.get("memories") or [], key=lambda m: str(m["path"]))
        if not by_api(m)
    ]


def sha256(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def read(client: Any, store_id: str, scope: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every memory of a store (no content), with who wrote its current version."""
    api = client.beta.memory_stores
    listed = [m.to_dict(mode="json") for m in api.memories.list(store_id, limit=100, **scope)]
    memories = [m for m in listed if m.get("type") == "memory"]
    authors = _authors(api, store_id, {m["memory_version_id"] for m in memories}, scope)
    return [{**m, "created_by": authors.get(m["memory_version_id"])} for m in memories]


def _authors(api: Any, store_id: str, wanted: set[str], scope: Mapping[str, Any]) -> dict[str, Any]:
    """The author of each version in `wanted`: versions list newest first, so the current
    ones come early and the listing stops as soon as each is found."""
    found: dict[str, Any] = {}
    if not wanted:
        return found
    for version in api.memory_versions.list(store_id, limit=100, **scope):
        if version.id in wanted:
            author = version.created_by
            found[version.id] = author.to_dict(mode="json") if author is not None else None
            if len(found) == len(wanted):
                break
    return found


def _create(path: str, content: str) -> Step:
    shows = ({"path": f"memories.{path}", "after": content},)
    return Step(
        "create_memory", f"memory {path} created", {"path": path, "content": content}, shows
    )


def _update(memory: Mapping[str, Any], content: str) -> Step:
    path = memory["path"]
    before = _digest(str(memory.get("content_sha256")), memory.get("content_size_bytes"))
    after = _digest(sha256(content), len(content.encode("utf-8")))
    args = {"memory_id": memory["id"], "content": content, "expected": memory["content_sha256"]}
    shows = ({"path": f"memories.{path}", "before": before, "after": after},)
    return Step("update_memory", f"memory {path} updated", args, shows)


def _digest(sha: str, size: Any) -> str:
    return f"sha256:{sha[:12]} ({size} bytes)"


def _delete(memory: Mapping[str, Any]) -> Step:
    path = memory["path"]
    args = {"memory_id": memory["id"], "expected": memory["content_sha256"]}
    shows = ({"path": f"memories.{path}", "before": f"({memory.get('content_size_bytes')} bytes)"},)
    return Step("delete_memory", f"memory {path} deleted", args, shows)


def _author(memory: Mapping[str, Any]) -> str:
    author = memory.get("created_by") or {}
    if author.get("type") == "session_actor":
        return f"an agent in session {author.get('session_id')}"
    return "an unknown author" if not author else str(author.get("type"))


def _seed_files(directory: Path) -> Iterator[Path]:
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(directory).parts)
        if not hidden and not path.is_dir():
            yield path


def _path_problem(path: str) -> str | None:
    segments = path.strip("/").split("/")
    if len(path.encode("utf-8")) > MAX_PATH_BYTES:
        return f"the memory path is longer than {MAX_PATH_BYTES:,} bytes"
    if len(segments) > MAX_SEGMENTS:
        return f"the memory path has more than {MAX_SEGMENTS} segments"
    if unicodedata.normalize("NFC", path) != path:
        return "the memory path is not in Unicode Normalization Form C"
    if any(unicodedata.category(c) in ("Cc", "Cf") or c in "\u2028\u2029" for c in path):
        return "the memory path has a control or format character"
    return None


def _read(
    root: Path, directory: Path, path: Path, found: dict[str, str], files: list[tuple[Path, str]]
) -> str | None:
    name = path.relative_to(directory).as_posix()
    try:
        read_path, text = read_estate_file(root, directory, name, limit=MAX_BYTES, what="seed file")
    except FileProblem as exc:
        return str(exc)
    found["/" + name] = text
    files.append((read_path, text))
    return None
