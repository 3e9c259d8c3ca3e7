"""pins.yaml: which agent version and environment every caller uses.

The caller API::

    import anthropic
    from agentform import pins

    client = anthropic.Anthropic()
    session = client.beta.sessions.create(**pins.load().session_params("triage"), title="...")

This module imports only PyYAML: services load pins at start-up. The file is written by
`agentform apply` / `agentform pin`, deterministically (sorted keys, fixed field order)
and atomically (temp file + rename), and only when its content changes. Reverting a
change to it is a rollback.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from agentform.errors import LookupKeyError, ManifestError, PinsError
from agentform.manifests.yamlsrc import Source, load_yaml
from agentform.pins.evidence import check_evidence, dump_evidence

SCHEMA_VERSION = 1
HEADER = (
    "# Written by `agentform apply`, `pin` and `promote`. Callers read it to create sessions.\n"
    "# Review changes to it like code; revert a change to roll it back.\n"
)
# One section per resource kind, in file order. Versioned kinds pin `id, version, digest`;
# the others pin `id`. agents and environments are always written (callers expect them).
SECTIONS = ("agents", "environments", "skills", "deployments", "vaults", "memory_stores")
VERSIONED = frozenset({"agents", "skills"})
ALWAYS = ("agents", "environments")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]*$")
_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_ID = re.compile(r"^[a-z]+_[A-Za-z0-9]+$")
_ID_PREFIX = {"agents": "agent_", "environments": "env_"}


@dataclass(frozen=True)
class Pin:
    """What callers use of one resource: its id, and for versioned kinds the version (and
    the digest of the spec that version holds on the server)."""

    id: str
    version: int | None = None
    digest: str | None = None
    evidence: Mapping[str, Any] | None = None  # what `promote` measured (see pins.evidence)


AgentPin = Pin  # the names callers and older code use
EnvironmentPin = Pin


@dataclass(frozen=True, init=False)
class Pins:
    """Every pin, by section (`agents`, `environments`, ...) and key."""

    sections: Mapping[str, Mapping[str, Pin]]
    workspace_id: str | None = None
    path: Path | None = field(default=None, compare=False)

    def __init__(
        self,
        sections: Mapping[str, Mapping[str, Pin]] | None = None,
        *,
        workspace_id: str | None = None,
        path: Path | None = None,
        **by_section: Mapping[str, Pin],
    ) -> None:
        merged = {**(sections or {}), **by_section}
        unknown = set(merged) - set(SECTIONS)
        if unknown:
            raise ValueError(f"unknown pins sections: {', '.join(sorted(unknown))}")
        cleaned = {name: dict(merged[name]) for name in SECTIONS if merged.get(name)}
        object.__setattr__(self, "sections", cleaned)
        object.__setattr__(self, "workspace_id", workspace_id)
        object.__setattr__(self, "path", path)

    @property
    def agents(self) -> Mapping[str, Pin]:
        return self.section("agents")

    @property
    def environments(self) -> Mapping[str, Pin]:
        return self.section("environments")

    def section(self, name: str) -> Mapping[str, Pin]:
        return self.sections.get(name, {})

    def get(self, section: str, key: str) -> Pin | None:
        return self.section(section).get(key)

    def __len__(self) -> int:
        return sum(len(pins) for pins in self.sections.values())

    def describe(self) -> str:
        """`1 agent, 1 environment pins`: agents and environments, and any other section."""
        shown = [s for s in SECTIONS if s in ALWAYS or self.section(s)]
        parts = [f"{len(self.section(s))} {s.removesuffix('s').replace('_', ' ')}" for s in shown]
        return ", ".join(parts) + " pins"

    def session_params(self, agent: str, environment: str | None = None) -> dict[str, Any]:
        """Keyword arguments for `client.beta.sessions.create(**...)`.

        `environment` may be omitted when the pins hold exactly one environment.
        """
        pin = self.agent(agent)
        return {
            "agent": {"type": "agent", "id": pin.id, "version": pin.version},
            "environment_id": self._environment_for_session(environment).id,
        }

    def agent(self, key: str) -> Pin:
        if key not in self.agents:
            raise LookupKeyError(kind="agent", key=key, known=list(self.agents), where=self._where)
        return self.agents[key]

    def environment(self, key: str) -> Pin:
        if key not in self.environments:
            raise LookupKeyError(
                kind="environment", key=key, known=list(self.environments), where=self._where
            )
        return self.environments[key]

    def with_pin(self, section: str, key: str, pin: Pin | None) -> Pins:
        """A copy with one pin set (or removed when `pin` is None)."""
        entries = {k: v for k, v in self.section(section).items() if k != key}
        if pin is not None:
            entries[key] = pin
        return replace(self, sections={**self.sections, section: entries})

    def with_agent(self, key: str, pin: Pin | None) -> Pins:
        return self.with_pin("agents", key, pin)

    def with_environment(self, key: str, pin: Pin | None) -> Pins:
        return self.with_pin("environments", key, pin)

    def _environment_for_session(self, key: str | None) -> Pin:
        if key is not None:
            return self.environment(key)
        if len(self.environments) == 1:
            return next(iter(self.environments.values()))
        known = ", ".join(sorted(self.environments)) or "none"
        raise PinsError(
            path=self.path or "pins.yaml",
            message=f"pass environment=KEY: the pins hold {len(self.environments)} "
            f"environments ({known}), not exactly one",
        )

    @property
    def _where(self) -> str:
        return str(self.path or "pins.yaml")


def load(path: str | os.PathLike[str] = "pins.yaml") -> Pins:
    """Read and validate a pins file; raise PinsError naming the problem and line."""
    path = Path(path)
    if not path.exists():
        raise PinsError(path=path, message="no pins file here; `agentform apply` writes it")
    return loads(path.read_text(encoding="utf-8"), path=path)


def load_or_empty(path: Path) -> Pins:
    """For the writers: a missing file is an empty set of pins."""
    return load(path) if path.exists() else Pins(path=path)


def loads(text: str, *, path: Path = Path("pins.yaml")) -> Pins:
    try:
        data, source = load_yaml(path, text)
    except ManifestError as exc:
        raise PinsError(
            path=exc.path, line=exc.line, column=exc.column, message=exc.message
        ) from None
    return _Reader(source).pins(data)


def dumps(pins: Pins) -> str:
    """The file text: header, then sorted keys with a fixed field order.

    Emitted directly rather than through yaml.safe_dump, which made writing the file
    after every success of a 1,000-agent apply quadratic in practice (~100 ms a write).
    """
    out = [HEADER, f"schema_version: {SCHEMA_VERSION}\n"]
    if pins.workspace_id is not None:
        out.append(f"workspace_id: {_scalar(pins.workspace_id)}\n")
    for name in SECTIONS:
        section = pins.section(name)
        if section or name in ALWAYS:
            out.append(f"{name}:\n" if section else f"{name}: {{}}\n")
        for key, pin in sorted(section.items()):
            out.append(_entry(key, pin))
    return "".join(out)


def _entry(key: str, pin: Pin) -> str:
    text = f"  {_scalar(key)}:\n    id: {_scalar(pin.id)}\n"
    if pin.version is not None:
        text += f"    version: {pin.version}\n"
    if pin.digest is not None:
        text += f"    digest: {_scalar(pin.digest)}\n"
    if pin.evidence is not None:
        text += dump_evidence(pin.evidence, indent=4)
    return text


def _scalar(text: str) -> str:
    """Plain when YAML would read it back as this same string, else double-quoted."""
    if _PLAIN.match(text) and _implicit_tag(text) == _STR:
        return text
    return json.dumps(text)


def _implicit_tag(text: str) -> str:
    """The type YAML gives this unquoted text ('true' is a bool, '123' an int)."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


def write(path: Path, pins: Pins) -> bool:
    """Atomically replace `path` with `pins`; return False (and touch nothing) if unchanged."""
    text = dumps(pins)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    _atomic_write(path, text)
    return True


def _atomic_write(path: Path, text: str) -> None:
    """Write a sibling temp file, fsync it, rename it over `path` (same mode as before)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # 0o666 filtered by the umask, as for any new file; an existing file keeps its mode.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            temp.chmod(path.stat().st_mode & 0o777)
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class _Reader:
    """Validates the parsed file by hand (no jsonschema: this is the caller's fast path)."""

    def __init__(self, source: Source) -> None:
        self.source = source

    def fail(self, at: tuple[str | int, ...], message: str) -> PinsError:
        error = self.source.error(at, message)
        return PinsError(
            path=error.path,
            line=error.line,
            column=error.column,
            field=error.field,
            message=message,
        )

    def pins(self, data: Any) -> Pins:
        if not isinstance(data, dict):
            raise self.fail((), "expected a mapping with schema_version, agents and environments")
        self._fields(
            data,
            (),
            required=("schema_version", *ALWAYS),
            optional=("workspace_id", *SECTIONS[len(ALWAYS) :]),
        )
        self._schema_version(data["schema_version"])
        workspace = data.get("workspace_id")
        if workspace is not None and not isinstance(workspace, str):
            raise self.fail(("workspace_id",), "expected a string")
        sections = {
            name: {k: self._pin(name, k, v) for k, v in self._section(data, name).items()}
            for name in SECTIONS
            if name in data
        }
        return Pins(sections, workspace_id=workspace, path=self.source.path)

    def _schema_version(self, version: Any) -> None:
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail(("schema_version",), f"expected a positive integer, got {version!r}")
        if version > SCHEMA_VERSION:
            raise self.fail(
                ("schema_version",),
                f"schema_version {version} is newer than this agentform understands "
                f"({SCHEMA_VERSION}); upgrade agentform",
            )

    def _section(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        section = data[name]
        if section is None:
            return {}
        if not isinstance(section, dict):
            raise self.fail((name,), "expected a mapping of key -> pin (use {} for none)")
        for key in section:
            if not _KEY.match(key):
                raise self.fail((name, key), f"{key!r} is not a valid key")
        return section

    def _pin(self, section: str, key: str, entry: Any) -> Pin:
        at = (section, key)
        if section not in VERSIONED:
            self._fields(entry, at, required=("id",))
            self._id(entry["id"], section, (*at, "id"))
            return Pin(entry["id"])
        self._fields(entry, at, required=("id", "version", "digest"), optional=("evidence",))
        self._id(entry["id"], section, (*at, "id"))
        version = entry["version"]
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail((*at, "version"), f"expected a version number >= 1, got {version!r}")
        self._match(entry["digest"], _DIGEST, (*at, "digest"), "sha256:<64 hex digits>")
        evidence = entry.get("evidence")
        if evidence is not None:
            evidence = check_evidence(evidence, (*at, "evidence"), self.fail)
        return Pin(entry["id"], version, entry["digest"], evidence)

    def _id(self, value: Any, section: str, at: tuple[str | int, ...]) -> None:
        prefix = _ID_PREFIX.get(section)
        ok = isinstance(value, str) and _ID.match(value) and value.startswith(prefix or "")
        if not ok:
            what = f"an {section.removesuffix('s')} id ({prefix}...)" if prefix else "an id"
            raise self.fail(at, f"expected {what}, got {value!r}")

    def _fields(
        self,
        entry: Any,
        at: tuple[str | int, ...],
        *,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> None:
        if not isinstance(entry, dict):
            raise self.fail(at, f"expected a mapping with {', '.join(required)}")
        for name in required:
            if name not in entry:
                raise self.fail((*at, name), "required field is missing")
        for name in entry:
            if name not in required and name not in optional:
                raise self.fail(
                    (*at, name), f"unknown field; expected {', '.join(required + optional)}"
                )

    def _match(
        self, value: Any, pattern: re.Pattern[str], at: tuple[str | int, ...], what: str
    ) -> None:
        if not isinstance(value, str) or not pattern.match(value):
            raise self.fail(at, f"expected {what}, got {value!r}")
