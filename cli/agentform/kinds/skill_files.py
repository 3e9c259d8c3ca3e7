"""A skill's directory on disk and in a download: its files, safely read, and digests.

`skills/<key>/SKILL.md` plus every other file under `skills/<key>/` is one custom skill.
Each file is read the way every file a manifest names is (kinds.files: inside the
estate after symlinks, regular, bounded); the directory is walked without following
directory links. What a plan compares is the map of relative path -> sha256 of the
bytes; small UTF-8 files are also kept as text, so a plan can show a unified diff.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from agentform.errors import ManifestError, UserError
from agentform.kinds.files import FileProblem, read_estate_bytes, read_estate_file

SKILL_MD = "SKILL.md"
MAX_BYTES = 8 * 1024 * 1024  # one upload, every file together (the API's bound)
MAX_FILES = 1000  # agentform's own bound: a stray node_modules is an error, not an upload
TEXT_LIMIT = 64 * 1024  # text files up to this size show as a unified diff in a plan


@dataclass(frozen=True)
class SkillFile:
    path: str  # relative to the skill's directory, with '/' separators
    data: bytes

    @property
    def digest(self) -> str:
        return file_digest(self.data)

    @property
    def text(self) -> str | None:
        """The content as text, for a small UTF-8 file; None otherwise."""
        return text_of(self.data)


def file_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def text_of(data: bytes) -> str | None:
    if len(data) > TEXT_LIMIT:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def content_spec(name: object, content: Mapping[str, bytes]) -> dict[str, object]:
    """What a plan compares for a skill version: its name and path -> digest."""
    return {"name": name, "files": {path: file_digest(content[path]) for path in sorted(content)}}


def frontmatter(path: Path) -> str:
    """SKILL.md's YAML frontmatter, each line where it is in the file (the `---` lines
    and the body become nothing), so a YAML error or schema problem names its line."""
    root = path.parent.parent.parent  # <root>/skills/<key>/SKILL.md
    try:
        _, text = read_estate_file(root, path.parent, SKILL_MD, limit=MAX_BYTES, what="skill file")
    except FileProblem as exc:
        raise ManifestError(path=path, message=str(exc)) from None
    lines = text.replace("\r\n", "\n").split("\n")
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() == "---"), None)
    if lines[0].rstrip() != "---" or end is None:
        raise ManifestError(
            path=path,
            line=1,
            message="SKILL.md must start with YAML frontmatter: a '---' line, the fields "
            "(name, description), and a closing '---' line",
        )
    return "\n".join(["", *lines[1:end]]) + "\n"


def read_directory(root: Path, directory: Path) -> tuple[list[SkillFile], list[ManifestError]]:
    """Every file of the skill in `directory`, sorted by path, and every problem."""
    files: list[SkillFile] = []
    problems: list[ManifestError] = []
    for relative in _walk(directory, problems):
        try:
            _, data = read_estate_bytes(
                root, directory, relative, limit=MAX_BYTES, what="skill file"
            )
        except FileProblem as exc:
            problems.append(ManifestError(path=directory / relative, message=str(exc)))
            continue
        files.append(SkillFile(relative, data))
    total = sum(len(f.data) for f in files)
    if total > MAX_BYTES:
        problems.append(
            ManifestError(
                path=directory,
                message=f"the skill's files hold {total:,} bytes together; one upload takes "
                f"at most {MAX_BYTES:,}",
            )
        )
    return files, problems


def _walk(directory: Path, problems: list[ManifestError]) -> list[str]:
    found: list[str] = []
    for top, dirs, names in os.walk(directory, followlinks=False):
        here = Path(top)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                problems.append(
                    ManifestError(
                        path=here / name,
                        message="a link to a directory: skills do not follow directory links "
                        "(copy the files in)",
                    )
                )
        dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink())
        found += [(here / n).relative_to(directory).as_posix() for n in sorted(names)]
        if len(found) > MAX_FILES:
            problems.append(
                ManifestError(
                    path=directory, message=f"more than {MAX_FILES:,} files: is this the skill?"
                )
            )
            return []
    return sorted(found)


def mime_type(path: str) -> str:
    if path.endswith(".md"):
        return "text/markdown"
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def unzip(archive: bytes) -> dict[str, bytes]:
    """A downloaded version's files by path, its one top-level directory taken off."""
    found: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        entries = [e for e in opened.infolist() if not e.is_dir()]
        if sum(e.file_size for e in entries) > MAX_BYTES:
            raise UserError(f"the skill archive unpacks to more than {MAX_BYTES:,} bytes")
        for entry in entries:
            parts = PurePosixPath(entry.filename).parts
            if len(parts) < 2 or entry.filename.startswith("/") or ".." in parts:
                raise UserError(f"the skill archive holds an unexpected path {entry.filename!r}")
            found["/".join(parts[1:])] = opened.read(entry)
    return found
