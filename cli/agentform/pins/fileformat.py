"""The pins.yaml file format: a fixed, deterministic text, and a strict reader.

    # Written by `agentform apply`, `pin` and `promote`. ...
    schema_version: 1
    agents:
      triage:
        id: agent_011...
        version: 2
        digest: sha256:...
    environments:
      default:
        id: env_011...
    pending:            # only while (or after an interrupted) apply: see Pending
      agents:
        triage:
          base: 2
          digest: sha256:...

Written with a hand-made emitter (sorted keys, fixed field order; PyYAML's resolver
decides quoting) and read back by `scan`, a reader of exactly that format; a file it
does not recognise (edited by hand) or that is wrong is read again through the
position-tracking YAML loader, so every error names its line. Imports only PyYAML:
the caller API depends on it.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from agentform.catalog import CATALOG
from agentform.errors import ManifestError, PinsError
from agentform.manifests.yamlsrc import Source, load_yaml
from agentform.pins.evidence import check_evidence, dump_evidence
from agentform.pins.model import (
    ALWAYS,
    SECTIONS,
    VERSION_PREFIXES,
    VERSIONED,
    Pending,
    Pin,
    Pins,
    Version,
)
from agentform.pins.scan import scan

SCHEMA_VERSION = 1
HEADER = (
    "# Written by `agentform apply`, `pin` and `promote`. Callers read it to create sessions.\n"
    "# Review changes to it like code; revert a change to roll it back.\n"
)
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]*$")
_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_ID = re.compile(r"^[a-z]+_[A-Za-z0-9]+$")
_ID_PREFIX = {e.plural: e.id_prefix for e in CATALOG}
_VERSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


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
    data = scan(text)
    if data is not None:  # the fixed format: no positions needed unless it is wrong
        try:
            return _Reader(Source(path)).pins(data)
        except PinsError:
            pass  # read it again with positions, to say on which line
    try:
        data, source = load_yaml(path, text)
    except ManifestError as exc:
        raise PinsError(
            path=exc.path, line=exc.line, column=exc.column, message=exc.message
        ) from None
    return _Reader(source).pins(data)


def dumps(pins: Pins) -> str:
    """The file text: header, then sorted keys with a fixed field order."""
    return assemble(pins, entry_text)


def assemble(pins: Pins, entry: Any) -> str:
    """The file text, each pin entry rendered by `entry(key, pin)` (a cache may serve it)."""
    out = [HEADER, f"schema_version: {SCHEMA_VERSION}\n"]
    if pins.workspace_id is not None:
        out.append(f"workspace_id: {_scalar(pins.workspace_id)}\n")
    for name in SECTIONS:
        section = pins.section(name)
        if section or name in ALWAYS:
            out.append(f"{name}:\n" if section else f"{name}: {{}}\n")
        out.extend(entry(key, section[key]) for key in sorted(section))
    if pins.pending:
        out.append("pending:\n")
        for name, intents in pins.pending.items():
            out.append(f"  {name}:\n")
            for key in sorted(intents):
                intent = intents[key]
                out.append(
                    f"    {_scalar(key)}:\n      base: {_version(intent.base)}\n"
                    f"      digest: {_scalar(intent.digest)}\n"
                )
                if intent.cause != "apply":
                    out.append(f"      cause: {_scalar(intent.cause)}\n")
    return "".join(out)


def entry_text(key: str, pin: Pin) -> str:
    text = f"  {_scalar(key)}:\n    id: {_scalar(pin.id)}\n"
    if pin.version is not None:
        text += f"    version: {_version(pin.version)}\n"
    if pin.digest is not None:
        text += f"    digest: {_scalar(pin.digest)}\n"
    if pin.evidence is not None:
        text += dump_evidence(pin.evidence, indent=4)
    return text


def _version(version: Version) -> str:
    return str(version) if isinstance(version, int) else _scalar(version)


def _scalar(text: str) -> str:
    """Plain when YAML would read it back as this same string, else double-quoted."""
    if _PLAIN.match(text) and _implicit_tag(text) == _STR:
        return text
    return json.dumps(text)


@cache
def _implicit_tag(text: str) -> str:
    """The type YAML gives this unquoted text ('true' is a bool, '123' an int)."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


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
            optional=("workspace_id", *SECTIONS[len(ALWAYS) :], "pending"),
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
        pending = self._pending(data.get("pending"))
        return Pins(sections, workspace_id=workspace, pending=pending, path=self.source.path)

    def _pending(self, data: Any) -> dict[str, dict[str, Pending]]:
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise self.fail(("pending",), "expected a mapping of section -> key -> intent")
        found: dict[str, dict[str, Pending]] = {}
        for section, intents in data.items():
            at = ("pending", section)
            if section not in VERSIONED or not isinstance(intents, dict):
                raise self.fail(
                    at, f"expected one of {', '.join(sorted(VERSIONED))}: key -> intent"
                )
            found[section] = {k: self._intent(section, (*at, k), v) for k, v in intents.items()}
        return found

    def _intent(self, section: str, at: tuple[str | int, ...], entry: Any) -> Pending:
        self._fields(entry, at, required=("base", "digest"), optional=("cause",))
        base = self._version(section, entry["base"], (*at, "base"))
        self._match(entry["digest"], _DIGEST, (*at, "digest"), "sha256:<64 hex digits>")
        cause = entry.get("cause", "apply")
        if cause not in ("apply", "follows"):
            raise self.fail((*at, "cause"), f"expected apply or follows, got {cause!r}")
        return Pending(base, entry["digest"], cause)

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
        version = self._version(section, entry["version"], (*at, "version"))
        self._match(entry["digest"], _DIGEST, (*at, "digest"), "sha256:<64 hex digits>")
        evidence = entry.get("evidence")
        if evidence is not None:
            evidence = check_evidence(evidence, (*at, "evidence"), self.fail)
        return Pin(entry["id"], version, entry["digest"], evidence)

    def _version(self, section: str, version: Any, at: tuple[str | int, ...]) -> Version:
        """A number >= 1, or a version id for a kind whose versions are ids."""
        prefix = VERSION_PREFIXES.get(section)
        if prefix is not None:
            if not isinstance(version, str) or not _VERSION_ID.match(version):
                raise self.fail(at, f"expected a version id ({prefix}...), got {version!r}")
            return version
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail(at, f"expected a version number >= 1, got {version!r}")
        return version

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
