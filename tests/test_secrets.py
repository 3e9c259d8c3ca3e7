"""kinds.secrets: placeholders, reading at the last moment, salted fingerprints."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentform.kinds import secrets


def test_fill_reads_each_source_once_and_returns_the_values_in_a_stable_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AGENTFORM_TEST_A", "alpha")
    (tmp_path / "b").write_text("beta\n", encoding="utf-8")
    body = {
        "z": secrets.placeholder({"env": "AGENTFORM_TEST_A"}),
        "a": {"b": secrets.placeholder({"file": str(tmp_path / "b")})},
        "plain": "kept",
    }
    filled, found = secrets.fill(body)
    assert filled == {"z": "alpha", "a": {"b": "beta"}, "plain": "kept"}
    assert found == ["beta", "alpha"]  # by path: a.b before z
    assert body["z"] == {"$secret": {"env": "AGENTFORM_TEST_A"}}  # the spec keeps no value


def test_a_fingerprint_is_salted_and_matches_only_its_values() -> None:
    first, second = secrets.fingerprint(["v"]), secrets.fingerprint(["v"])
    assert first != second  # a new salt each time
    assert secrets.matches(first, ["v"]) and secrets.matches(second, ["v"])
    assert not secrets.matches(first, ["w"]) and not secrets.matches(first, ["v", ""])
    assert not secrets.matches(None, ["v"]) and not secrets.matches("nonsense", ["v"])
    salt, digest = first.split(":")
    assert len(salt) == 16 and len(digest) == 64


def test_a_missing_variable_or_file_says_which(tmp_path: Path) -> None:
    with pytest.raises(secrets.SecretError, match="AGENTFORM_TEST_UNSET, which is not set"):
        secrets.read({"env": "AGENTFORM_TEST_UNSET"}, "the token")
    with pytest.raises(secrets.SecretError, match="which does not exist"):
        secrets.read({"file": str(tmp_path / "nope")})
    (tmp_path / "dir").mkdir()
    with pytest.raises(secrets.SecretError, match="not a regular file"):
        secrets.read({"file": str(tmp_path / "dir")})


def test_a_source_must_be_a_value_from_and_a_file_must_be_outside_the_repository(
    tmp_path: Path,
) -> None:
    repository = tmp_path / "repo"
    base = repository / "vaults"
    assert secrets.source_of({"value_from": {"env": "X"}}, base, repository) == ({"env": "X"}, None)
    found, problem = secrets.source_of({"value_from": {"file": "../../k"}}, base, repository)
    assert found == {"file": str((tmp_path / "k").resolve())} and problem is None
    inside, problem = secrets.source_of({"value_from": {"file": "k"}}, base, repository)
    assert inside is None and "inside the repository" in str(problem)
    literal, problem = secrets.source_of("ghp_literal", base, repository)
    assert literal is None and "value_from" in str(problem)


def test_the_repository_is_the_git_work_tree_around_the_estate(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "estate").mkdir()
    assert secrets.repository_of(tmp_path / "estate") == tmp_path.resolve()
