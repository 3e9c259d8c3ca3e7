"""What a resource kind is: everything agentform knows about one kind of server object.

A kind is one module with one `Kind` subclass. Plan, apply, status, import and the
renderers are generic over kinds; they ask the kind:

- manifests: where its files are (`discover`, `key_of`, `manifest_path`; `key_paths`:
  what a rename moves), the YAML a
  file holds (`document`) and the order `fmt` writes its fields in (`layout`), what a
  schema cannot check (`check`,
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
- import: a manifest written from a server object (`to_manifest`, or `import_manifest`
  when it names other managed resources, which it writes by key), or the files written
  as they are (`import_files`: a skill's directory).

Some kinds keep more than one object on the server (a vault's credentials, a memory
store's memories) or change state through calls other than update (a deployment's
pause). For them (`reads_parts`):

- `read_parts` reads the sub-objects with the client when the state is read, merged into
  the object's data;
- `steps` plans the writes beyond the create or update body as `Step`s (plain data:
  saved plans carry them), and notes what it leaves alone;
- `run_step` makes one of them, right after the object's own create or update.

For people: `annotate` adds lines to a change in a plan (computed when shown, e.g. a
schedule's next fire times), `status_lines` to a resource's row in `status`.

Nothing here imports the SDK: `resource`, `read_parts` and `run_step` receive the client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from agentform.errors import ManifestError
from agentform.manifests.schemas import DIGEST_MARKER, KEY_MARKER
from agentform.manifests.yamlsrc import Source, read_text

if TYPE_CHECKING:
    from agentform.plan.fielddiff import FieldChange
    from agentform.remote.state import ServerObject

SUFFIXES = (".yaml", ".yml")
KeyOf = Callable[[str, str], "tuple[str, int | str | None] | None"]  # (kind, id) -> (key, version)


@dataclass(frozen=True)
class ManifestFile:
    """A file a manifest pulls in (a prompt, a skill's files), read and checked."""

    path: Path
    text: str


@dataclass(frozen=True)
class Step:
    """A write beyond an object's create or update body, run right after it.

    `op` is the kind's name for it (`run_step` dispatches on it), `summary` how plan and
    apply read it ("credential github rotated"), `args` what it needs (ids, bodies; a
    secret only as a `kinds.secrets` placeholder, never its value), `shows` the fields
    it changes as the plan lists them: `{"path", "before"?, "after"?}`.
    """

    op: str
    summary: str
    args: Mapping[str, Any] = field(default_factory=dict)
    shows: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Parts:
    """What `Kind.steps` plans: the steps, and notes `(code, message)` on what it leaves."""

    steps: tuple[Step, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()


class Kind:
    """One resource kind. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]  # "agent": plan output, --target, messages
    plural: ClassVar[str]  # "agents": the manifest directory and the pins.yaml section
    id_prefix: ClassVar[str]  # "agent_": how its ids look (pins.yaml checks)
    versioned: ClassVar[bool] = False  # every update makes a new immutable version
    fields: ClassVar[tuple[str, ...]]  # the fields compared, in display order
    layout: ClassVar[tuple[str, ...]] = ()  # `fmt`'s order of its top-level fields, if any
    schema: ClassVar[str | None] = None  # JSON Schema name, when it has one
    referable: ClassVar[bool] = False  # other manifests may name it: `{<name>: <key>}`
    marked: ClassVar[bool] = True  # its objects carry metadata (`agentform.key`, ...)
    name_field: ClassVar[str] = "name"  # the field that names it for people
    reads_parts: ClassVar[bool] = False  # has sub-objects or state read apart (read_parts)

    # -- manifests -----------------------------------------------------------------------

    def discover(self, root: Path) -> Iterator[Path]:
        """Its manifest files under the estate `root` (the file stem is the key)."""
        directory = root / self.plural
        if directory.is_dir():
            found = (p for p in directory.iterdir() if p.suffix in SUFFIXES)
            yield from sorted(found, key=lambda p: p.name)  # names: 10 times cheaper to sort

    def key_of(self, path: Path) -> str:
        """The key of the manifest at `path` (a path `discover` gave)."""
        return path.stem

    def manifest_path(self, root: Path, key: str) -> Path:
        """Where the manifest of `key` lives (`import` writes it there)."""
        return root / self.plural / f"{key}.yaml"

    def key_paths(self, path: Path) -> tuple[Path, ...]:
        """What is named after the key of the manifest at `path`, which a rename
        (`agentform mv`) moves: the manifest, and what else the kind finds by the key.
        Each name starts with the key."""
        return (path,)

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

    def reference(self, object_id: Any, version: Any) -> Any:
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

    def steps(self, spec: Mapping[str, Any], data: Mapping[str, Any] | None, prune: bool) -> Parts:
        """The writes beyond the create or update body that make the server object (`data`,
        with its parts; None when it is to be created) match `spec`. `prune`: removing
        sub-objects no manifest wants is allowed."""
        return Parts()

    def annotate(self, body: Mapping[str, Any]) -> list[str]:
        """Lines a plan shows under a create or update with this request body."""
        return []

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

    def read_parts(
        self, client: Any, data: Mapping[str, Any], scope: Mapping[str, Any], *, detail: bool
    ) -> dict[str, Any]:
        """Keys to add to a managed object's data: its sub-objects (for `steps`), and with
        `detail` what only `status` shows. `scope` selects the workspace."""
        return {}

    def run_step(self, client: Any, object_id: str, step: Step, scope: Mapping[str, Any]) -> None:
        """Make one planned step on the object `object_id`."""
        raise NotImplementedError(f"{self.name} has no step {step.op!r}")

    def status_lines(self, data: Mapping[str, Any]) -> list[str]:
        """Lines `status` shows under the resource's row (e.g. a deployment's next run)."""
        return []

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

    def import_manifest(
        self, data: Mapping[str, Any], key: str, key_of: KeyOf
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """`to_manifest`, for a kind whose manifests name other managed resources by key:
        `key_of(kind, id)` is (the key agentform manages that object under, its pinned
        version), or None."""
        return self.to_manifest(data, key)

    def __repr__(self) -> str:
        return f"<kind {self.name}>"
