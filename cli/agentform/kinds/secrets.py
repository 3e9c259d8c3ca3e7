"""Secret values a manifest names but never holds: `value_from: {env: NAME}` or `{file: PATH}`.

A manifest writes a secret field (a vault credential's token, client secret, secret
value) as `{value_from: {env: GITHUB_TOKEN}}` or `{value_from: {file: ~/.secrets/gh}}`
(a file outside the repository, so it cannot be committed). Loading turns it into a
placeholder, `{"$secret": {"env": "GITHUB_TOKEN"}}` (a file's path made absolute), which
is what specs, plans, saved plans and request bodies carry until the very request that
sends it: `fill` reads the values then, and only then.

The server never returns a secret, so to see that one changed agentform keeps a salted
fingerprint of the values it sent in the object's metadata (`agentform.secret`:
`<salt>:<sha256(salt, values)>`, the salt random per write). Plan reads the values to
compare their fingerprint with that one: "rotated" when they differ. The value itself
is never printed, saved, or written anywhere but in the request.
"""

from __future__ import annotations

import hashlib
import os
import secrets as random
import stat
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from agentform.errors import UserError

SECRET = "$secret"
MARKER = "agentform.secret"  # metadata key of the salted fingerprint
MAX_FILE_BYTES = 64 * 1024
Path_ = tuple[str | int, ...]


class SecretError(UserError):
    """A secret cannot be read (an unset variable, a missing file): before any write."""


def placeholder(source: Mapping[str, str]) -> dict[str, Any]:
    return {SECRET: dict(source)}


def is_placeholder(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {SECRET}


def describe(value: Any) -> str:
    """How a placeholder reads in a plan: `(secret from env GITHUB_TOKEN)`."""
    ((how, where),) = value[SECRET].items()
    return f"(secret from {how} {where})"


def find(value: Any, at: Path_ = ()) -> Iterator[tuple[Path_, Mapping[str, str]]]:
    """Every placeholder in `value`, with its path, in a stable order."""
    if is_placeholder(value):
        yield at, value[SECRET]
    elif isinstance(value, dict):
        for name in sorted(value):
            yield from find(value[name], (*at, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from find(item, (*at, index))


def replace(value: Any, with_: Callable[[Mapping[str, str]], Any]) -> Any:
    """`value` with each placeholder replaced by `with_(its source)`."""
    if is_placeholder(value):
        return with_(value[SECRET])
    if isinstance(value, dict):
        return {name: replace(item, with_) for name, item in value.items()}
    if isinstance(value, list):
        return [replace(item, with_) for item in value]
    return value


def read(source: Mapping[str, str], what: str = "a secret") -> str:
    """The value a source names; SecretError saying which variable or file is missing."""
    if "env" in source:
        value = os.environ.get(source["env"])
        if value is None:
            raise SecretError(
                f"{what} comes from the environment variable {source['env']}, which is not set; "
                "set it (nothing was sent to the server)"
            )
        return value
    return _read_file(Path(source["file"]), what)


def values(value: Any, what: str = "a secret") -> list[str]:
    """Every secret value `value` names, in `find` order (read now)."""
    return [read(source, what) for _, source in find(value)]


def fill(value: Any, what: str = "a secret") -> tuple[Any, list[str]]:
    """`value` with each placeholder replaced by the secret it names (for the request
    only), and the values in `find` order (for their fingerprint): each read once."""
    read_once: dict[tuple[tuple[str, str], ...], str] = {}

    def value_of(source: Mapping[str, str]) -> str:
        token = tuple(sorted(source.items()))
        if token not in read_once:
            read_once[token] = read(source, what)
        return read_once[token]

    filled = replace(value, value_of)
    return filled, [value_of(source) for _, source in find(value)]


def fingerprint(found: list[str], salt: str | None = None) -> str:
    """`<salt>:<hex>`: shows that the values changed, useless to recover them."""
    salt = salt or random.token_hex(8)
    digest = hashlib.sha256(salt.encode("ascii"))
    for item in found:
        digest.update(b"\0" + item.encode("utf-8"))
    return f"{salt}:{digest.hexdigest()}"


def matches(stored: str | None, found: list[str]) -> bool:
    """Whether `found` are the values whose fingerprint is `stored`."""
    if not stored or ":" not in stored:
        return False
    salt = stored.split(":", 1)[0]
    return bool(salt) and random.compare_digest(fingerprint(found, salt), stored)


def source_of(raw: Any, base: Path, repository: Path) -> tuple[dict[str, str] | None, str | None]:
    """A manifest's `{value_from: {env|file: ...}}` as a placeholder source, or why not.

    A file's path is relative to the manifest (`~` expands) and must lie outside the
    repository; whether it exists is checked when it is read, not here.
    """
    given = raw.get("value_from") if isinstance(raw, dict) else None
    if not isinstance(given, dict) or len(given) != 1:
        return None, "write a secret as {value_from: {env: NAME}} or {value_from: {file: PATH}}"
    ((how, where),) = given.items()
    if how == "env" and isinstance(where, str) and where:
        return {"env": where}, None
    if how != "file" or not isinstance(where, str) or not where:
        return None, "value_from takes env: NAME or file: PATH"
    path = (base / Path(where).expanduser()).resolve()
    if path.is_relative_to(repository.resolve()):
        return None, (
            f"{where} is inside the repository ({repository}); keep secret files outside it, "
            "so that they cannot be committed"
        )
    return {"file": str(path)}, None


def repository_of(root: Path) -> Path:
    """The git work tree holding the estate `root` (the estate itself outside git)."""
    here = root.resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return here


def _read_file(path: Path, what: str) -> str:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            raise SecretError(
                f"{what} comes from {path}, which is not a regular file of at most "
                f"{MAX_FILE_BYTES:,} bytes"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SecretError(f"{what} comes from {path}, which does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"{what} comes from {path}, which cannot be read: {exc}") from None
    return text.removesuffix("\n").removesuffix("\r")
