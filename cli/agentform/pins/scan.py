"""A reader for the pins file's own fixed format, ~15 times faster than a YAML parser.

Every command and every service start reads pins.yaml; at 5,000 pins a general YAML
parser (which also records every position, for error messages) costs ~200 ms. The
file agentform writes is a small subset of YAML: block mappings of `key: value` lines,
plain or JSON-quoted strings, integers and `{}`. `scan` reads exactly that subset and
gives up (None) on anything else — a list, a flow mapping, an anchor, a tab, a
trailing comment, a key seen twice, a value YAML would read as something other than a
string or an integer — so the caller falls back to the full parser, which reads the
file the same way and explains any error with its line. The `evidence:` block under a
pin (written by `promote`, floats and quoted timestamps) is read by the
position-tracking loader alone.
"""

from __future__ import annotations

import json
import re
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from agentform.errors import ManifestError
from agentform.manifests.yamlsrc import load_yaml

_LINE = re.compile(r'( *)([A-Za-z0-9_][A-Za-z0-9_.-]*|"[^"\\]*"):(?: +(.*))?')
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]*")
_DECIMAL = re.compile(r"[1-9][0-9]*|0")
_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_GIVE_UP = object()
# the first characters of a plain scalar YAML may read as something other than a string
_TYPED_STARTS = frozenset(c for c in _RESOLVER.yaml_implicit_resolvers if c)


def scan(text: str) -> dict[str, Any] | None:
    """The file's data, as a YAML parser would read it; None: not in the fixed format."""
    if "\t" in text or "\r" in text:
        return None
    root: dict[str, Any] = {}
    stack: list[tuple[int, dict[str, Any]]] = [(0, root)]  # (indent of its keys, mapping)
    opened: tuple[int, dict[str, Any], str] | None = None  # a key whose value is a block
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        match = _LINE.fullmatch(line)
        if match is None:
            if line.lstrip(" ")[:1] in ("", "#"):
                continue  # a blank line or a comment
            return None
        spaces, key, value = match.groups()
        indent = len(spaces)
        if opened is not None:
            parent_indent, parent, parent_key = opened
            opened = None
            if indent > parent_indent:
                child: dict[str, Any] = {}
                parent[parent_key] = child
                stack.append((indent, child))
            else:
                parent[parent_key] = None
        while stack[-1][0] > indent:
            stack.pop()
        mapping_indent, mapping = stack[-1]
        if key[0] == '"':
            key = key[1:-1]  # `"true":`, as the writer quotes a key YAML would misread
        elif key[0] in _TYPED_STARTS and _value(key) != key:
            return None  # `true:`, `1:`: YAML reads these keys as a bool, an integer
        if mapping_indent != indent or key in mapping:
            return None
        if value is None:
            if key == "evidence":
                block, index = _block(lines, index, indent)
                if block is _GIVE_UP:
                    return None
                mapping[key] = block
            else:
                opened = (indent, mapping, key)
            continue
        if value[0] not in _TYPED_STARTS and _PLAIN.fullmatch(value):
            mapping[key] = value  # ids, digests: YAML can only read these as strings
            continue
        parsed = _value(value)
        if parsed is _GIVE_UP:
            return None
        mapping[key] = parsed
    if opened is not None:
        opened[1][opened[2]] = None
    return root


def _value(text: str) -> Any:
    """A scalar as YAML reads it, if it is a string, an integer or `{}`; else _GIVE_UP."""
    if text == "{}":
        return {}
    if text.startswith('"'):
        try:
            value = json.loads(text)
        except ValueError:
            return _GIVE_UP
        return value if isinstance(value, str) and "\\" not in text else _GIVE_UP
    if not _PLAIN.fullmatch(text):
        return _GIVE_UP
    if text[0] not in _TYPED_STARTS:  # ids, digests, keys: YAML can only read a string
        return text
    tag = _implicit_tag(text)
    if tag == _STR:
        return text
    if tag == _INT and _DECIMAL.fullmatch(text):
        return int(text)
    return _GIVE_UP


@cache
def _implicit_tag(text: str) -> str:
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


def _block(lines: list[str], index: int, indent: int) -> tuple[Any, int]:
    """The mapping indented under line `index - 1`, read by PyYAML; and the next line."""
    end = index
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > indent
    ):
        end += 1
    try:  # the position-tracking loader: it refuses duplicate keys as the full read does
        block, _ = load_yaml(Path("evidence"), textwrap.dedent("\n".join(lines[index:end])))
    except ManifestError:
        return _GIVE_UP, end
    return (block if isinstance(block, dict) else _GIVE_UP), end
