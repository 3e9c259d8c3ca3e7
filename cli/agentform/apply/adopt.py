"""`agentform import`: adopt agents and environments that exist on the server.

Writes a manifest per object (a long prompt to `<key>.prompt.md`), then marks the object
with `agentform.key` (import is the explicit consent to manage it; marking an agent makes
a new version with identical content), then pins it. The manifest is written so that
`plan` shows no changes for it. Existing files are never overwritten: every target is
checked before anything is written, and files written for an object whose marking
failed are removed again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agentform import pins as pinsfile
from agentform.apply.writes import RetryPolicy, update
from agentform.errors import UserError
from agentform.manifests.estate import DIRECTORIES, Manifest, load_manifest
from agentform.manifests.schemas import DIGEST_MARKER, KEY_MARKER, KEY_PATTERN, USER_METADATA_KEYS
from agentform.pins.model import AgentPin, EnvironmentPin, Pins
from agentform.plan.normalize import desired_spec, digest, drop_none, server_spec, user_metadata
from agentform.remote.client import Remote
from agentform.remote.state import Kind, ServerObject

INLINE_PROMPT = 200  # longer (or multi-line) prompts go to <key>.prompt.md


@dataclass(frozen=True)
class Imported:
    kind: Kind
    key: str
    id: str
    manifest: Path
    prompt: Path | None
    version: int | None


@dataclass(frozen=True)
class _Target:
    obj: ServerObject
    key: str
    manifest: Path
    prompt: Path | None
    files: dict[Path, str]


def unmarked(remote: Remote) -> list[ServerObject]:
    """Every live object agentform does not manage yet (for `import --all`)."""
    state = remote.read_state()
    return [o for o in (*state.agents, *state.environments) if o.key is None]


def import_objects(
    root: Path,
    pins_path: Path,
    pins: Pins,
    remote: Remote,
    objects: Iterable[tuple[ServerObject, str | None]],
) -> list[Imported]:
    targets = _targets(root, pins, list(objects))
    done = []
    for target in targets:
        done.append(_import_one(root, remote, target))
        pins = _pinned(pins, done[-1], target)
        pinsfile.write(pins_path, pins)
    return done


def _targets(
    root: Path, pins: Pins, objects: list[tuple[ServerObject, str | None]]
) -> list[_Target]:
    """Decide keys and files for every object, refusing before any write."""
    taken = _existing_keys(root, pins)
    targets = []
    for obj, key in objects:
        if obj.key is not None:
            raise UserError(
                f"{obj.kind} {obj.id} is already managed as {obj.key!r} (agentform.key)"
            )
        if obj.data.get("archived_at"):
            raise UserError(f"{obj.kind} {obj.id} is archived; there is nothing to manage")
        key = key or _unique(_slug(obj.name, obj.kind), obj.kind, taken)
        if not re.match(KEY_PATTERN, key):
            raise UserError(
                f"--key {key!r} is not a valid key: lowercase letters, digits, '-' and '_'"
            )
        if (obj.kind, key) in taken:
            raise UserError(
                f"{obj.kind} key {key!r} is taken ({taken[(obj.kind, key)]}); pass another --key"
            )
        taken[(obj.kind, key)] = obj.id
        targets.append(_target(root, obj, key))
    existing = [str(p) for t in targets for p in t.files if p.exists()]
    if existing:
        raise UserError(f"import never overwrites files; these exist: {', '.join(existing)}")
    _check_names(root, targets)
    return targets


def _check_names(root: Path, targets: list[_Target]) -> None:
    """Names must be unique per kind in an estate; the server does not insist on it."""
    owners: dict[tuple[Kind, str], str] = {}
    for kind, directory in DIRECTORIES.items():
        for path in sorted((root / directory).glob("*.y*ml")):
            name = _name_in(path)
            if name is not None:
                owners[(kind, name)] = str(path)
    for target in targets:
        slot = (target.obj.kind, target.obj.name)
        if slot in owners:
            raise UserError(
                f"{target.obj.kind} {target.obj.id} is named {target.obj.name!r}, like "
                f"{owners[slot]}; names must be unique per kind: rename one on the server first"
            )
        owners[slot] = target.obj.id


def _name_in(path: Path) -> str | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else None


def _existing_keys(root: Path, pins: Pins) -> dict[tuple[Kind, str], str]:
    """Keys already in use: a manifest file, or a pin."""
    taken: dict[tuple[Kind, str], str] = {}
    for kind, directory in DIRECTORIES.items():
        for path in (root / directory).glob("*.y*ml"):
            taken[(kind, path.stem)] = f"manifest {path}"
    for key in pins.agents:
        taken.setdefault(("agent", key), f"pinned in {pins.path}")
    for key in pins.environments:
        taken.setdefault(("environment", key), f"pinned in {pins.path}")
    return taken


def _target(root: Path, obj: ServerObject, key: str) -> _Target:
    directory = root / DIRECTORIES[obj.kind]
    manifest_path = directory / f"{key}.yaml"
    spec, prompt = (_agent(obj, key) if obj.kind == "agent" else _environment(obj)), None
    files = {manifest_path: _render(obj, spec, root)}
    if obj.kind == "agent" and isinstance(spec.get("system_file"), str):
        prompt = directory / spec["system_file"]
        files[prompt] = str(obj.data.get("system") or "")
    metadata = spec.get("metadata") or {}
    if len(metadata) > USER_METADATA_KEYS:
        raise UserError(
            f"{obj.kind} {obj.id} has {len(metadata)} metadata keys; agentform needs 2 of the "
            f"API's 16 for its markers, so remove {len(metadata) - USER_METADATA_KEYS} first"
        )
    return _Target(obj, key, manifest_path, prompt, files)


def _import_one(root: Path, remote: Remote, target: _Target) -> Imported:
    for path, text in target.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    try:
        manifest = _reload(root, target)
        marked = _mark(
            remote, target.obj, target.key, digest(desired_spec(target.obj.kind, manifest.spec))
        )
    except BaseException:
        for path in target.files:
            path.unlink(missing_ok=True)
        raise
    return Imported(
        target.obj.kind, target.key, marked.id, target.manifest, target.prompt, marked.version
    )


def _reload(root: Path, target: _Target) -> Manifest:
    """The manifest just written, through the normal loader (so it is valid as written)."""
    return load_manifest(target.obj.kind, target.manifest)


def _mark(remote: Remote, obj: ServerObject, key: str, marker: str) -> ServerObject:
    body: dict[str, Any] = {"metadata": {KEY_MARKER: key, DIGEST_MARKER: marker}}
    if obj.kind == "agent":
        body["version"] = obj.version  # never overwrite a concurrent change
    return update(remote, obj.kind, obj.id, body, RetryPolicy())


def _pinned(pins: Pins, done: Imported, target: _Target) -> Pins:
    if done.kind == "environment":
        return pins.with_environment(done.key, EnvironmentPin(done.id))
    assert done.version is not None
    spec = server_spec("agent", {**target.obj.data, "version": done.version})
    return pins.with_agent(done.key, AgentPin(done.id, done.version, digest(spec)))


def _agent(obj: ServerObject, key: str) -> dict[str, Any]:
    data = obj.data
    spec: dict[str, Any] = {"name": data["name"], "model": _model(data.get("model") or {})}
    if data.get("description"):
        spec["description"] = data["description"]
    system = str(data.get("system") or "")
    if len(system) > INLINE_PROMPT or "\n" in system:
        spec["system_file"] = f"{key}.prompt.md"
    else:
        spec["system"] = system
    for name in ("tools", "mcp_servers", "skills"):
        if data.get(name):
            spec[name] = drop_none(data[name])
    if "tools" in spec:
        spec["tools"] = [_tool(t) for t in spec["tools"]]
    _common(spec, data)
    if data.get("multiagent"):
        spec["multiagent"] = _multiagent(drop_none(data["multiagent"]), obj.id)
    if (data.get("execution_identity") or {}).get("type", "service_account") != "service_account":
        spec["execution_identity"] = drop_none(data["execution_identity"])
    return spec


def _model(model: Mapping[str, Any]) -> Any:
    effort = (model.get("effort") or {}).get("type")
    extra = {k: model[k] for k in ("inference_geo",) if model.get(k)}
    if model.get("speed") not in (None, "standard"):
        extra["speed"] = model["speed"]
    if effort is None and not extra:
        return model["id"]
    return {"id": model["id"], **({"effort": effort} if effort else {}), **extra}


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    if tool.get("type") != "agent_toolset_20260401":
        return tool
    configs = [
        {k: v for k, v in c.items() if not (k == "type" and v == c.get("name"))}
        for c in tool.get("configs", [])
    ]
    return {**tool, "configs": configs}


def _multiagent(multiagent: dict[str, Any], own_id: str) -> dict[str, Any]:
    if multiagent.get("type") != "coordinator":
        return multiagent
    roster = [
        {"type": "self"} if e.get("id") == own_id else e for e in multiagent.get("agents", [])
    ]
    return {**multiagent, "agents": roster}


def _environment(obj: ServerObject) -> dict[str, Any]:
    data = obj.data
    spec: dict[str, Any] = {"name": data["name"]}
    if data.get("description") is not None:
        spec["description"] = data["description"]
    spec["config"] = _config(data.get("config") or {"type": "cloud"})
    _common(spec, data)
    if data.get("scope"):
        spec["scope"] = data["scope"]
    return spec


def _config(config: Mapping[str, Any]) -> dict[str, Any]:
    if config.get("type") != "cloud":
        return {"type": config.get("type")}
    result: dict[str, Any] = {"type": "cloud"}
    networking = config.get("networking") or {}
    if networking.get("type") == "limited":
        result["networking"] = {k: v for k, v in networking.items() if v not in (None, [], False)}
    else:
        result["networking"] = {"type": "unrestricted"}
    packages = {m: v for m, v in (config.get("packages") or {}).items() if m != "type" and v}
    if packages:
        result["packages"] = packages
    return result


def _common(spec: dict[str, Any], data: Mapping[str, Any]) -> None:
    metadata = user_metadata(data.get("metadata") or {})
    if metadata:
        spec["metadata"] = metadata


def _render(obj: ServerObject, spec: dict[str, Any], root: Path) -> str:
    kind = obj.kind
    header = ""
    if (root / "schemas" / f"{kind}.schema.json").exists():
        header = f"# yaml-language-server: $schema=../schemas/{kind}.schema.json\n"
    header += f"# Imported from {kind} {obj.id} by `agentform import`.\n"
    return header + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100)


def _slug(name: str, kind: Kind) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
    return slug if slug and re.match(KEY_PATTERN, slug) else kind


def _unique(base: str, kind: Kind, taken: Mapping[tuple[Kind, str], str]) -> str:
    key, n = base, 2
    while (kind, key) in taken:
        key, n = f"{base}-{n}", n + 1
    return key
