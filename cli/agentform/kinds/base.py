"""What a resource kind is: everything agentform knows about one kind of server object.

A kind is one module with one `Kind` subclass. Plan, apply, status, import and the
renderers are generic over kinds; they ask the kind:

- manifests: where its files are (`discover`, `key_of`, `manifest_path`), the YAML a
  file holds (`document`), what a schema cannot check (`check`,
  `warnings`), which files a manifest pulls in (`read_files`), what `{<kind>: <key>}`
  becomes when another manifest names it (`reference`, see kinds.refs), and rules
  about what it references (`check_graph`);
- comparison: the manifest with server defaults filled in (`desired`), a server object
  in the same shape (`actual`; `complete` says whether the data holds what `actual`
  compares: a listing of skills leaves their files out), when a change needs a new
  object (`replacement`), changed fields as people read them (`explain`);
- requests: the create and update bodies (`create_body`, `update_body`), without
  agentform's markers and compare-and-swap version, which `plan.requests` adds; the
  request as sent, with the files a body names by digest read again (`attach`);
- the server: its SDK resource (`resource`), whether its objects carry agentform's
  metadata markers (`marked`), how a create whose response was lost is found
  (`find_created`);
- pins: its section of pins.yaml is `plural`; versioned kinds pin `id, version, digest`,
  the others `id`;
- import: a manifest written from a server object (`to_manifest`), or the files written
  as they are (`import_files`: a skill's directory).

Nothing here imports the SDK: `resource` receives the client.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from agentform.errors import ManifestError
from agentform.manifests.schemas import DIGEST_MARKER, KEY_MARKER
from agentform.manifests.yamlsrc import Source, read_text

if TYPE_CHECKING:
    from agentform.plan.fielddiff import FieldChange
    from agentform.remote.state import ServerObject

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ManifestFile:
    """A file a manifest pulls in (a prompt, a skill's files), read and checked."""

    path: Path
    text: str


class Kind:
    """One resource kind. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]  # "agent": plan output, --target, messages
    plural: ClassVar[str]  # "agents": the manifest directory and the pins.yaml section
    id_prefix: ClassVar[str]  # "agent_": how its ids look (pins.yaml checks)
    versioned: ClassVar[bool] = False  # every update makes a new immutable version
    fields: ClassVar[tuple[str, ...]]  # the fields compared, in display order
    schema: ClassVar[str | None] = None  # JSON Schema name, when it has one
    referable: ClassVar[bool] = False  # other manifests may name it: `{<name>: <key>}`
    marked: ClassVar[bool] = True  # its objects carry metadata (`agentform.key`, ...)

    # -- manifests -----------------------------------------------------------------------

    def discover(self, root: Path) -> Iterator[Path]:
        """Its manifest files under the estate `root` (the file stem is the key)."""
        directory = root / self.plural
        if directory.is_dir():
            yield from sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES)

    def key_of(self, path: Path) -> str:
        """The key of the manifest at `path` (a path `discover` gave)."""
        return path.stem

    def manifest_path(self, root: Path, key: str) -> Path:
        """Where the manifest of `key` lives (`import` writes it there)."""
        return root / self.plural / f"{key}.yaml"

    def document(self, path: Path) -> str:
        """The YAML text of a manifest file, lines where they are in the file."""
        return read_text(path)

    def check(self, data: dict[str, Any], source: Source) -> list[ManifestError]:
        """Rules a JSON Schema cannot express; every problem, not only the first."""
        return []

    def warnings(self, data: dict[str, Any], source: Source) -> list[ManifestError]:
        """Allowed, but probably a mistake (`validate --strict` makes them errors)."""
        return []

    def read_files(
        self, data: dict[str, Any], source: Source, root: Path, errors: list[ManifestError]
    ) -> tuple[dict[str, Any], tuple[ManifestFile, ...]]:
        """The spec with the files the manifest names read in (safely: inside the estate
        `root`, regular, bounded; see kinds.files), and those files."""
        return dict(data), ()

    def reference(self, object_id: Any, version: Any) -> dict[str, Any]:
        """What `{<name>: <key>}` becomes in another manifest, given the key's pin."""
        raise NotImplementedError(f"{self.name} cannot be referenced by key")

    def check_graph(
        self, manifest: Any, manifests: Mapping[str, Mapping[str, Any]]
    ) -> list[ManifestError]:
        """Rules about what this manifest references (beyond: the key exists, no cycle)."""
        return []

    # -- comparison ----------------------------------------------------------------------

    def desired(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """The manifest with every documented server default filled in."""
        raise NotImplementedError

    def actual(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """A server object in the manifest's shape: no server-only fields, no markers."""
        raise NotImplementedError

    def complete(self, data: Mapping[str, Any]) -> bool:
        """Whether server data holds everything `actual` compares. When a listing leaves
        the content out, the planner reads it only where it may differ from the pin."""
        return True

    def replacement(self, desired: Mapping[str, Any], actual: Mapping[str, Any]) -> str | None:
        """Why this change cannot be made in place (a new object is needed), or None."""
        return None

    def explain(
        self, fields: tuple[FieldChange, ...], spec: Mapping[str, Any], data: Mapping[str, Any]
    ) -> tuple[FieldChange, ...]:
        """The changed fields as a plan shows them, given the manifest's `spec` and the
        server `data` they were compared with (a skill's files: their text)."""
        return fields

    # -- requests ------------------------------------------------------------------------

    def create_body(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return dict(spec)

    def update_body(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """Every field the manifest controls (an update that omits a field keeps it)."""
        raise NotImplementedError

    def attach(self, key: str, body: Mapping[str, Any], root: Path | None) -> dict[str, Any]:
        """The request as sent, at apply time: a body that names files by digest gets
        them read again from the estate `root`, refused if they changed since the plan."""
        return dict(body)

    # -- the server ----------------------------------------------------------------------

    def resource(self, client: Any) -> Any:
        """Its SDK resource on `client` (e.g. `client.beta.agents`)."""
        raise NotImplementedError

    def find_created(self, remote: Any, body: Mapping[str, Any]) -> ServerObject | None:
        """The object a create whose response was lost made, if it did: recognised by
        its key and digest markers. Lists every object of the kind (this only happens
        after a lost response): no `created_at` window, so a client clock that is off
        does not hide it. `remote` is an agentform.remote.client.Remote."""
        markers = body["metadata"]
        for obj in remote.objects(self.name):
            if obj.key == markers[KEY_MARKER] and obj.applied_digest == markers[DIGEST_MARKER]:
                return obj  # type: ignore[no-any-return]
        return None

    # -- import --------------------------------------------------------------------------

    def to_manifest(
        self, data: Mapping[str, Any], key: str
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """A manifest (and side files by name, e.g. a long prompt) for a server object."""
        raise NotImplementedError

    def import_files(
        self, data: Mapping[str, Any], key: str, root: Path
    ) -> dict[Path, str | bytes] | None:
        """The files `import` writes for a server object, when they are its content as
        it is (a skill's directory); None: a YAML manifest made by `to_manifest`."""
        return None

    def __repr__(self) -> str:
        return f"<kind {self.name}>"
