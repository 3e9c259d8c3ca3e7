"""The Skills API in the shape agentform's remote code reads and writes every kind.

`remote.client.Remote` calls a kind's resource as `list`, `retrieve(id, version=)`,
`versions.list`, `create(**body)`, `update(id, **body)` and `archive(id)`, each item
with `to_dict()`. Skills differ from agents in ways this adapter absorbs, so the
generic code has no `if kind == "skill"`:

- a skill's content is a set of files, not JSON: it is uploaded as multipart (`upload`,
  added to the body at apply time by `SkillKind.attach`) and read back as a zip, and a
  listing leaves it out (`SkillKind.complete`);
- a version is `skills.versions.create`, and a version id is a string (`skillver_...`);
- there is no metadata, so no `agentform.key` marker: a version's item reports the
  digest of its content where agents carry `agentform.digest` (it *is* the digest of
  the manifest that made it), and identity comes from pins.yaml;
- no compare-and-swap on a new version: `update` checks that the latest version is the
  one planned against just before it uploads (a 409 otherwise), a narrow window;
- no archive: `archive` deletes the skill (its older versions first).

Nothing here imports the SDK: the client is passed in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from agentform.kinds.shape import digest
from agentform.kinds.skill_files import content_spec, unzip
from agentform.manifests.schemas import DIGEST_MARKER

PAGE = 100
Upload = Sequence[tuple[str, bytes, str]]  # (`<key>/<path>`, content, MIME type)


class Item(dict[str, Any]):
    """A server object as the SDK's models give it: `to_dict()`."""

    def to_dict(self, mode: str = "json") -> dict[str, Any]:
        return dict(self)


class SkillResource:
    def __init__(self, skills: Any) -> None:
        self.skills = skills
        self.versions = _Versions(skills)

    def list(self, *, limit: int = PAGE, **scope: Any) -> Iterator[Item]:
        """Custom skills (the Anthropic ones are referenced by id, never managed)."""
        for skill in self.skills.list(limit=limit, source="custom", **scope):
            yield Item(_listed(skill.to_dict(mode="json")))

    def retrieve(self, skill_id: str, *, version: str | None = None, **scope: Any) -> Item:
        """One version with its files (the latest when `version` is None)."""
        if version is None:
            version = self.skills.retrieve(skill_id, **scope).latest_version_id
        meta = self.skills.versions.retrieve(version, skill_id=skill_id, **scope)
        archive = self.skills.versions.download(version, skill_id=skill_id, **scope).read()
        return Item(_version(meta.to_dict(mode="json"), unzip(archive)))

    def create(self, *, name: str, upload: Upload, **body: Any) -> Item:
        scope = _scope(body)
        skill = self.skills.create(files=list(upload), **scope)
        meta = {
            "skill_id": skill.id,
            "id": skill.latest_version_id,
            "name": name,
            "created_at": _text(skill.created_at),
        }
        return Item(_version(meta, _content(upload)))

    def update(
        self, skill_id: str, *, upload: Upload, version: str | None = None, **body: Any
    ) -> Item:
        scope = _scope(body)
        if version is not None:
            latest = self.skills.retrieve(skill_id, **scope).latest_version_id
            if latest != version:
                from agentform.remote.client import ConflictError

                raise ConflictError(
                    f"new version of skill {skill_id}: it changed on the server since the plan "
                    f"(planned against {version}, now {latest})",
                    status=409,
                )
        made = self.skills.versions.create(skill_id, files=list(upload), **scope)
        return Item(_version(made.to_dict(mode="json"), _content(upload)))

    def archive(self, skill_id: str, **scope: Any) -> Item:
        """Delete the skill: its older versions, then itself (it always keeps one)."""
        latest = self.skills.retrieve(skill_id, **scope).latest_version_id
        older = [
            v.id for v in self.skills.versions.list(skill_id, limit=PAGE, **scope) if v.id != latest
        ]
        for version in older:
            self.skills.versions.delete(version, skill_id=skill_id, **scope)
        self.skills.delete(skill_id, **scope)
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Item({"id": skill_id, "archived_at": now})


class _Versions:
    def __init__(self, skills: Any) -> None:
        self.skills = skills

    def list(self, skill_id: str, *, limit: int = PAGE, **scope: Any) -> Iterator[Item]:
        """Every version, without its files."""
        for version in self.skills.versions.list(skill_id, limit=limit, **scope):
            data = version.to_dict(mode="json")
            yield Item({**_identity(data), "description": data.get("description")})


def _listed(skill: dict[str, Any]) -> dict[str, Any]:
    """A listed skill: its latest version's id, no files (`SkillKind.complete` is False)."""
    return {
        "type": "skill",
        "id": skill["id"],
        "version": skill["latest_version_id"],
        "name": skill.get("display_name"),
        "display_name": skill.get("display_name"),
        "source": (skill.get("source") or {}).get("type"),
        "created_at": skill.get("created_at"),
        "updated_at": skill.get("updated_at"),
    }


def _version(meta: dict[str, Any], content: dict[str, bytes]) -> dict[str, Any]:
    """One version with its files; its content digest stands in for agentform's marker."""
    spec = content_spec(meta.get("name"), content)
    return {**_identity(meta), "content": content, "metadata": {DIGEST_MARKER: digest(spec)}}


def _identity(meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "skill_version",
        "id": meta["skill_id"],
        "version": meta["id"],
        "name": meta.get("name"),
        "created_at": _text(meta.get("created_at")),
    }


def _content(upload: Upload) -> dict[str, bytes]:
    return {name.split("/", 1)[1]: data for name, data, _ in upload}


def _scope(body: dict[str, Any]) -> dict[str, Any]:
    """What of a body the SDK takes besides the files: the workspace. The rest (the file
    digests, agentform's markers) is for agentform's own checks."""
    return {k: v for k, v in body.items() if k == "workspace_id"}


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
