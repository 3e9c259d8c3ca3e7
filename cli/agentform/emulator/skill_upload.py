"""A skill upload: the multipart form, its files, SKILL.md's frontmatter, the zip archive.

The SDK sends `multipart/form-data` with one `files[]` part per file, named by its path
(`my-skill/SKILL.md`, `my-skill/scripts/run.py`), and an optional `display_name` field.
Every file must sit under one top-level directory with a `SKILL.md` at its root; the
frontmatter of that file gives the skill's `name` (else the directory's name) and
`description`. The emulator keeps the files as a zip archive, the form the download
endpoint returns, built deterministically so equal uploads give equal bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import yaml

from agentform.emulator.errors import invalid_request

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_NAME = 64
MAX_DESCRIPTION = 1024
_FILE_FIELDS = ("files", "files[]")
_PARAM = re.compile(r';\s*(name|filename)="((?:[^"\\]|\\.)*)"')
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Upload:
    name: str  # the skill's kebab-case slug
    description: str
    directory: str
    display_name: str | None  # the form field, when sent
    archive: bytes  # the files as a zip, paths as uploaded


def parse_upload(content_type: str, body: bytes) -> Upload:
    """Validate a skill upload form; 400 `invalid_request_error` naming what is wrong."""
    fields, files = _parse_form(content_type, body)
    unknown = sorted(set(fields) - {"display_name"})
    if unknown:
        raise invalid_request(f"{unknown[0]}: Extra inputs are not permitted")
    directory = _directory(files)
    name, description = _frontmatter(files[f"{directory}/SKILL.md"], directory)
    return Upload(
        name=name,
        description=description,
        directory=directory,
        display_name=_display_name(fields.get("display_name")),
        archive=_zip(files),
    )


def _parse_form(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.lower().startswith("multipart/form-data") or match is None:
        raise invalid_request("files: the request must be multipart/form-data")
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for head, content in _parts(body, match.group(1).encode("latin-1")):
        params = dict(_PARAM.findall(head))
        if "filename" not in params:
            fields[params.get("name", "")] = content.decode("utf-8", errors="replace")
        elif params.get("name") in _FILE_FIELDS:
            path = params["filename"].replace('\\"', '"')
            if path in files:
                raise invalid_request(f"files: {path!r} is uploaded twice")
            files[path] = content
        else:
            raise invalid_request(f"{params.get('name')}: Extra inputs are not permitted")
    if sum(len(c) for c in files.values()) > MAX_UPLOAD_BYTES:
        raise invalid_request(f"files: the upload exceeds {MAX_UPLOAD_BYTES} bytes")
    return fields, files


def _parts(body: bytes, boundary: bytes) -> list[tuple[str, bytes]]:
    """(header text, content) of each part of a multipart body."""
    parts = []
    for chunk in body.split(b"--" + boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        parts.append((head.decode("utf-8", errors="replace"), content.removesuffix(b"\r\n")))
    return parts


def _directory(files: dict[str, bytes]) -> str:
    if not files:
        raise invalid_request("files: at least one file is required")
    tops = set()
    for path in files:
        segments = path.split("/")
        if len(segments) < 2 or any(s in ("", ".", "..") for s in segments):
            raise invalid_request(
                f"files: {path!r} must be a relative path inside the skill's top-level directory"
            )
        tops.add(segments[0])
    if len(tops) > 1:
        raise invalid_request(
            f"files: all files must be in the same top-level directory (got {sorted(tops)})"
        )
    directory = tops.pop()
    if f"{directory}/SKILL.md" not in files:
        raise invalid_request(f"files: a SKILL.md file is required at {directory}/SKILL.md")
    return directory


def _frontmatter(skill_md: bytes, directory: str) -> tuple[str, str]:
    text = skill_md.decode("utf-8", errors="replace").replace("\r\n", "\n")
    head, separator, _ = text.removeprefix("---\n").partition("\n---")
    if not text.startswith("---\n") or not separator:
        raise invalid_request("SKILL.md: must start with YAML frontmatter between '---' lines")
    try:
        meta = yaml.safe_load(head) or {}
    except yaml.YAMLError:
        raise invalid_request("SKILL.md: the frontmatter is not valid YAML") from None
    if not isinstance(meta, dict):
        raise invalid_request("SKILL.md: the frontmatter must be a mapping")
    name = meta.get("name")
    if name is None:
        name = re.sub(r"[^a-z0-9]+", "-", directory.lower()).strip("-")
    if not isinstance(name, str) or len(name) > MAX_NAME or not _SLUG.match(name):
        raise invalid_request(
            f"SKILL.md: name {name!r} must be 1-{MAX_NAME} lowercase letters, digits and hyphens"
        )
    description = meta.get("description")
    if not isinstance(description, str) or not 1 <= len(description) <= MAX_DESCRIPTION:
        raise invalid_request(
            f"SKILL.md: description is required (a string of 1-{MAX_DESCRIPTION} characters)"
        )
    return name, description


def _display_name(value: str | None) -> str | None:
    if value is not None and (not value or len(value) > 255 or "\n" in value or "\r" in value):
        raise invalid_request("display_name: must be a single line of 1-255 characters")
    return value


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            archive.writestr(zipfile.ZipInfo(path, date_time=_ZIP_TIME), files[path])
    return buffer.getvalue()


def builtin_archive(name: str, description: str) -> bytes:
    """The archive an Anthropic-provided skill serves: just its SKILL.md."""
    skill_md = f"---\nname: {name}\ndescription: {description}\n---\n\n# {name}\n"
    return _zip({f"{name}/SKILL.md": skill_md.encode()})
