"""Custom skills: `skills/<key>/SKILL.md` plus every file beside it is one skill.

The key is the directory's name. SKILL.md's YAML frontmatter (`name`, `description`,
the Agent Skills fields) is the part a schema checks, with path:line errors; the rest
of SKILL.md and every other file under the directory is content, uploaded as it is
(`skills.create`, then `skills.versions.create` for each change).

What a plan compares is the skill's `name` and a map of relative path -> sha256 of the
bytes; its digest is the pin's digest. A skill's versions are immutable and named by
ids (`skillver_...`): a content change plans as a new version, shown file by file
(added / removed / changed, with a unified diff of a changed text file: the old text is
downloaded from the pinned version, only for skills whose digest changed). The name is
fixed when a skill is created: changing it plans a replacement (a new skill).

Skills carry no metadata, so there is no `agentform.key` marker: identity is the pin.
A create whose response was lost is found again by its name and content digest
(`find_created`); `import skill ID` adopts an existing one by downloading its files.
Agents name a skill `{skill: <key>}`, which becomes the pinned
`{type: custom, skill_id, version}`. Anthropic skills are referenced by their id and
version (`{type: anthropic, skill_id: xlsx}`), never managed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError, UserError
from agentform.kinds import skill_files
from agentform.kinds.base import Kind, ManifestFile
from agentform.kinds.shape import digest
from agentform.manifests.schemas import DIGEST_MARKER
from agentform.manifests.yamlsrc import Source
from agentform.plan.fielddiff import ABSENT, FieldChange
from agentform.plan.secrets import redact


class ChangedSinceThePlanError(UserError):
    """A skill's files changed between the plan and the upload."""


class SkillKind(Kind):
    name = "skill"
    plural = "skills"
    id_prefix = "skill_"
    versioned = True
    schema = "skill"
    referable = True
    marked = False
    fields = ("name", "files")

    # -- manifests -----------------------------------------------------------------------

    def discover(self, root: Path) -> Iterator[Path]:
        directory = root / self.plural
        if directory.is_dir():
            for each in sorted(p for p in directory.iterdir() if p.is_dir()):
                yield each / skill_files.SKILL_MD

    def key_of(self, path: Path) -> str:
        return path.parent.name

    def manifest_path(self, root: Path, key: str) -> Path:
        return root / self.plural / key / skill_files.SKILL_MD

    def key_paths(self, path: Path) -> tuple[Path, ...]:
        return (path.parent,)  # the skill's directory, every file in it

    def document(self, path: Path) -> str:
        return skill_files.frontmatter(path)

    def read_files(
        self, data: dict[str, Any], source: Source, root: Path, errors: list[ManifestError]
    ) -> tuple[dict[str, Any], tuple[ManifestFile, ...]]:
        directory = source.path.parent
        files, problems = skill_files.read_directory(root, directory)
        errors.extend(problems)
        spec = {
            "name": data.get("name"),
            "description": data.get("description"),
            "files": {f.path: f.digest for f in files},
            "texts": {f.path: f.text for f in files if f.text is not None},
        }
        pulled = tuple(
            ManifestFile(directory / f.path, f.text or "")
            for f in files
            if f.path != skill_files.SKILL_MD
        )
        return spec, pulled

    # -- comparison ----------------------------------------------------------------------

    def desired(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return {"name": spec.get("name"), "files": dict(spec.get("files") or {})}

    def actual(self, data: Mapping[str, Any]) -> dict[str, Any]:
        if not self.complete(data):
            return {"name": data.get("name")}
        return skill_files.content_spec(data.get("name"), data["content"])

    def complete(self, data: Mapping[str, Any]) -> bool:
        return "content" in data  # a listed skill has no files; a read version has

    def replacement(self, desired: Mapping[str, Any], actual: Mapping[str, Any]) -> str | None:
        before, after = actual.get("name"), desired.get("name")
        if before is None or before == after:
            return None
        return f"SKILL.md name {before} -> {after}: a skill's name is fixed when it is created"

    def explain(
        self, fields: tuple[FieldChange, ...], spec: Mapping[str, Any], data: Mapping[str, Any]
    ) -> tuple[FieldChange, ...]:
        """A changed file as its text (a unified diff in the plan), when both sides are
        small UTF-8 text; else as its digest."""
        old: Mapping[str, bytes] = data.get("content") or {}
        new: Mapping[str, str] = spec.get("texts") or {}
        return tuple(_readable(f, old, new) for f in fields)

    # -- requests ------------------------------------------------------------------------

    def create_body(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """The file digests: apply reads the files again (`attach`) and uploads those."""
        return {"name": spec["name"], "files": dict(spec["files"])}

    def update_body(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return self.create_body(spec)

    def attach(self, key: str, body: Mapping[str, Any], root: Path | None) -> dict[str, Any]:
        if root is None:
            raise UserError(f"skill {key}: no estate to read its files from")
        directory = self.manifest_path(root, key).parent
        files, problems = skill_files.read_directory(root, directory)
        found = {f.path: f.digest for f in files}
        if problems or found != body["files"]:
            changed = sorted(set(found.items()) ^ set(body["files"].items()))
            names = ", ".join(dict.fromkeys(path for path, _ in changed)) or str(problems[0])
            raise ChangedSinceThePlanError(
                f"skill {key}: its files changed since the plan ({names}); nothing was "
                "uploaded: run `agentform plan` again"
            )
        upload = [(f"{key}/{f.path}", f.data, skill_files.mime_type(f.path)) for f in files]
        return {**body, "upload": upload}

    # -- the server ----------------------------------------------------------------------

    def resource(self, client: Any) -> Any:
        from agentform.kinds.skill_api import SkillResource

        return SkillResource(client.beta.skills)

    def reference(self, object_id: Any, version: Any) -> dict[str, Any]:
        return {"type": "custom", "skill_id": object_id, "version": version}

    def find_created(self, remote: Any, body: Mapping[str, Any]) -> Any:
        """A skill named like this one whose latest version holds exactly these files.
        (With no marker, that is the best evidence there is; a skill made outside
        agentform with this very content would be adopted, which changes nothing.)"""
        wanted = digest({"name": body["name"], "files": dict(body["files"])})
        for listed in remote.objects(self.name):
            if listed.data.get("display_name") != body["name"]:
                continue
            latest = remote.retrieve(self.name, listed.id)
            if latest.metadata.get(DIGEST_MARKER) == wanted:
                return latest
        return None

    # -- import --------------------------------------------------------------------------

    def import_files(
        self, data: Mapping[str, Any], key: str, root: Path
    ) -> dict[Path, str | bytes] | None:
        directory = self.manifest_path(root, key).parent
        return {directory / path: content for path, content in sorted(data["content"].items())}


SKILL = SkillKind()


def _readable(field: FieldChange, old: Mapping[str, bytes], new: Mapping[str, str]) -> FieldChange:
    path = field.path.removeprefix("files.")
    if path == field.path:
        return field
    before: Any = field.before
    if before is not ABSENT and path in old:
        before = skill_files.text_of(old[path]) or before
    after: Any = field.after if field.after is ABSENT else new.get(path, field.after)
    return FieldChange(field.path, redact(before), redact(after))
