"""YAML that remembers where everything came from, and refuses what PyYAML lets through."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from agentform.errors import ManifestError
from agentform.manifests.yamlsrc import Position, load_yaml, read_text

REPO = Path(__file__).resolve().parent.parent
FILE = Path("m.yaml")


def test_keys_and_values_are_located_at_their_line_and_column() -> None:
    text = "name: a\ntools:\n  - type: custom\n    name: t\nmetadata: {team: x}\n"
    data, source = load_yaml(FILE, text)
    assert data == {
        "name": "a",
        "tools": [{"type": "custom", "name": "t"}],
        "metadata": {"team": "x"},
    }
    assert source.keys[("tools", 0, "name")] == Position(4, 5)
    assert source.values[("tools", 0, "name")] == Position(4, 11)
    assert source.values[("tools", 0)] == Position(3, 5)
    assert source.keys[("metadata", "team")] == Position(5, 12)
    assert ("metadata", "team") in source.keys and ("metadata", "x") not in source.keys
    assert source.locate(("tools", 0, "description")) == Position(3, 5)  # the parent
    error = source.error(("metadata", "team"), "bad")
    assert (error.line, error.column, error.field) == (5, 12, "metadata.team")


def test_scalars_are_typed_as_yaml_says_and_integer_keys_become_strings() -> None:
    text = "a: 1\nb: 1.5\nc: true\nd: null\ne: '1'\nf: 2026-01-01\ng: ~\n1: x\n"
    data, _ = load_yaml(FILE, text)
    assert data == {
        "a": 1, "b": 1.5, "c": True, "d": None, "e": "1",
        "f": datetime.date(2026, 1, 1), "g": None, "1": "x",
    }  # fmt: skip
    assert [type(v) for v in data.values()][:3] == [int, float, bool]


def test_anchors_aliases_and_merge_keys_resolve() -> None:
    text = "base: &b {x: 1, y: [2]}\ncopy: *b\nmerged:\n  <<: *b\n  z: 3\n"
    data, source = load_yaml(FILE, text)
    assert data["copy"] == {"x": 1, "y": [2]} and data["copy"] is not data["base"]
    assert data["merged"] == {"x": 1, "y": [2], "z": 3}
    assert source.keys[("merged", "z")] == Position(5, 3)


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("name: a\nmodel: m\nname: b\n", 3, 1, "name: duplicate key (first defined on line 1)"),
        ("m:\n  k: 1\n  k: 2\n", 3, 3, "m.k: duplicate key (first defined on line 2)"),
        ("true: 1\n", 1, 1, "mapping key True is not a string; quote it"),
        ("a:\n  null: 1\n", 2, 3, "a: mapping key None is not a string; quote it"),
        ("1.5: x\n", 1, 1, "mapping key 1.5 is not a string; quote it"),
        ("? [a]\n: x\n", 1, 3, "mapping key ['a'] is not a string; quote it"),
        ("a: 1\n<<<<<<< HEAD\n", 2, 1, "unresolved git merge-conflict marker"),
        ("a: [1\n", 2, 1, "invalid YAML: did not find expected ',' or ']'"),
        ("a: *nowhere\n", 1, 4, "invalid YAML: found undefined alias"),
        (
            "a: !!python/object:os.system x\n",
            1,
            4,
            "invalid YAML: could not determine a constructor",
        ),
    ],
)
def test_what_plain_pyyaml_would_accept_or_crash_on_is_refused_at_its_line(
    text: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(ManifestError) as caught:
        load_yaml(FILE, text)
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert message in str(error)


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    rows += [
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    text = "\n".join(rows) + "\n"
    assert len(text) < 500  # 10**9 strings once expanded
    with pytest.raises(ManifestError, match="aliases expand this file beyond any sensible size"):
        load_yaml(FILE, text)
    data, _ = load_yaml(FILE, "\n".join(rows[:3]) + "\n")  # 100 strings: fine
    assert len(data["c"]) == 10 and data["c"][0] == data["b"]


def test_an_empty_document_is_none() -> None:
    assert load_yaml(FILE, "# nothing\n")[0] is None


def test_every_yaml_file_in_the_repository_loads_as_pyyaml_loads_it() -> None:
    paths = [p for p in sorted(REPO.rglob("*.yaml")) if not _hidden(p)]
    assert len(paths) >= 15
    for path in paths:
        text = path.read_text(encoding="utf-8")
        try:
            expected = yaml.safe_load(text)
        except yaml.YAMLError:  # a template's {{placeholder}}
            with pytest.raises(ManifestError):
                load_yaml(path, text)
            continue
        assert load_yaml(path, text)[0] == expected, path


def _hidden(path: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(REPO).parts)


@pytest.mark.parametrize(
    "raw", [b"a: 1\r\nb: x\r\n", b"a: 1\rb: x\r", b"a: 1\nb: x\n", b"\xef\xbb\xbfa: 1\r\n"]
)
def test_files_are_read_as_path_read_text_reads_them(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(raw)
    assert read_text(path) == path.read_text(encoding="utf-8")


def test_unreadable_files_are_manifest_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ManifestError, match="not UTF-8 text \\(invalid byte at offset 9\\)"):
        read_text(tmp_path / "bad.yaml")
    with pytest.raises(ManifestError, match="cannot read: No such file or directory"):
        read_text(tmp_path / "gone.yaml")
    with pytest.raises(ManifestError, match="cannot read: Is a directory"):
        read_text(tmp_path)
