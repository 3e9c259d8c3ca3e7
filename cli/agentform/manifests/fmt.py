"""`agentform fmt`: manifests and eval suites in one canonical layout, comments kept.

Formatting only, never meaning: two-space indentation with list items indented under
their key, no quotes where YAML needs none (needed quotes are kept), and the top-level
fields in each kind's order (see ORDER; unknown fields keep their place at the end).
Comments travel with the field they precede. Flow style (`{a: 1}`) is kept.

Safety: the result is parsed again and must hold exactly the data the file held (with
agentform's own loader); a file that would change meaning is left alone and reported.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError
from agentform.kinds import KINDS
from agentform.kinds.base import SUFFIXES
from agentform.manifests.yamlsrc import load_yaml

# The top-level fields in the order `fmt` writes them: each kind's own (`Kind.layout`),
# and the eval suites'.
EVAL_LAYOUT = (
    "description",
    "agent",
    "environment",
    "prompt",
    "scoring",
    "graders",
    "judge",
    "repeats",
    "timeout_seconds",
    "statistics",
    "min_accuracy",
    "budgets",
    "prices",
    "cases",
)
ORDER = {**{k.name: k.layout for k in KINDS if k.layout}, "eval": EVAL_LAYOUT}
_TOP_KEY = re.compile(r"""^(?:"[^"]*"|'[^']*'|[^\s#:'"\-?][^:#]*?)\s*:(?:\s|$)""")


@dataclass(frozen=True)
class Formatted:
    path: Path
    changed: bool
    text: str  # the formatted text (the original when unchanged or not formattable)
    error: ManifestError | None = None


def estate_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(kind, path) of every manifest and eval suite under `root` (not the responder rules)."""
    from agentform.evals.suite import suite_paths

    for kind in KINDS:
        for path in kind.discover(root):
            if path.suffix in SUFFIXES:  # YAML files only (not a manifest in Markdown)
                yield kind.name, path
    for _, path in suite_paths(root):
        yield "eval", path


def format_file(path: Path, kind: str) -> Formatted:
    try:
        original = path.read_text(encoding="utf-8")
        before, _ = load_yaml(path, original)
    except (ManifestError, OSError, UnicodeDecodeError) as exc:
        error = (
            exc if isinstance(exc, ManifestError) else ManifestError(path=path, message=str(exc))
        )
        return Formatted(path, False, "", error)
    text = format_text(original, kind)
    if _data(path, text) != before:
        text = format_text(original, None)  # without moving fields, if that is what broke
        if _data(path, text) != before:
            message = "formatting would change what the file means; left as it is"
            return Formatted(path, False, original, ManifestError(path=path, message=message))
    return Formatted(path, text != original, text)


def format_text(text: str, kind: str | None) -> str:
    """`text` formatted; `kind` None keeps the top-level field order."""
    yaml = round_trip_yaml()
    data = yaml.load(text)
    if data is None:
        return text
    _unquote(data)
    out = io.StringIO()
    yaml.dump(data, out)
    formatted = out.getvalue()
    if kind in ORDER and isinstance(data, dict):
        formatted = reorder(formatted, ORDER[kind])
    return formatted


def reorder(text: str, order: tuple[str, ...]) -> str:
    """The top-level fields of a block mapping in `order`, each with the comments above it."""
    header, blocks, footer = _blocks(text.splitlines(keepends=True))
    if not blocks:
        return text
    rank = {name: i for i, name in enumerate(order)}
    ranked = sorted(enumerate(blocks), key=lambda item: (rank.get(item[1][0], len(order)), item[0]))
    body = [line for _, (_, lines) in ranked for line in lines]
    if body and not body[-1].endswith("\n"):
        body[-1] += "\n"
    return "".join(header + body + footer)


def _blocks(lines: list[str]) -> tuple[list[str], list[tuple[str, list[str]]], list[str]]:
    """Header lines, (key, lines) per top-level field (its comments first), footer lines."""
    starts = [i for i, line in enumerate(lines) if _TOP_KEY.match(line)]
    if not starts:
        return lines, [], []
    cut = _header_end(lines, starts[0])
    header, blocks, pending = lines[:cut], [], lines[cut : starts[0]]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        own, lead = _split_trailing(lines[start:end], last=n + 1 == len(starts))
        key = _TOP_KEY.match(lines[start]).group(0).split(":")[0].strip().strip("\"'")  # type: ignore[union-attr]
        blocks.append((key, pending + own))
        pending = lead
    return header, blocks, pending


def _header_end(lines: list[str], first_key: int) -> int:
    """The header is the leading comments up to the last blank line before the first key
    (all of them when there is none): it stays at the top whatever comes first."""
    blanks = [i for i in range(first_key) if not lines[i].strip()]
    return blanks[-1] + 1 if blanks else first_key


def _split_trailing(lines: list[str], *, last: bool) -> tuple[list[str], list[str]]:
    """A field's lines, and the column-0 comments and blank lines after it, which belong
    to the next field (or, after the last one, to the end of the file)."""
    cut = len(lines)
    while cut > 1 and (not lines[cut - 1].strip() or lines[cut - 1].startswith("#")):
        cut -= 1
    return lines[:cut], lines[cut:]


def round_trip_yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never re-wrap a line
    return yaml


def _unquote(node: Any) -> None:
    """Quoted strings become plain ones: the emitter quotes again only where YAML needs it."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.compat import ordereddict
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    quoted = (SingleQuotedScalarString, DoubleQuotedScalarString)
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if isinstance(value, quoted):
                # CommentedMap.__setitem__ would keep the quoted type; its base does not.
                base = ordereddict if isinstance(node, CommentedMap) else dict
                base.__setitem__(node, key, str(value))
            else:
                _unquote(value)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, quoted):
                list.__setitem__(node, index, str(value))
            else:
                _unquote(value)


def _data(path: Path, text: str) -> Any:
    try:
        return load_yaml(path, text)[0]
    except ManifestError:
        return _Unreadable()


class _Unreadable:
    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]


def write_formatted(result: Formatted) -> None:
    """Replace the file with its formatted text (temp file + rename, same mode)."""
    temp = result.path.with_name(f".{result.path.name}.fmt.tmp")
    temp.write_text(result.text, encoding="utf-8")
    temp.chmod(result.path.stat().st_mode & 0o777)
    temp.replace(result.path)
