"""Skill manifests before any server call: SKILL.md's frontmatter, the files beside it,
references by key, pins.yaml's skills section; and apply refusing files that changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentform import pins
from agentform.apply.run import ApplyOptions
from agentform.emulator import admin
from agentform.kinds import skill_files
from agentform.manifests.project import load_project
from agentform.pins.fileformat import dumps, loads
from agentform.remote.client import Remote
from agentform.workflow import make_plan, run_apply
from tests.cli_helpers import agentform
from tests.estate import MINIMAL_AGENT, write

SKILL_MD = """
    ---
    name: lookup
    description: Looks things up.
    ---
    Body.
"""


def validate(estate: Path) -> Any:
    return agentform(estate, "http://127.0.0.1:9", "validate")  # never called


def test_a_valid_skill_is_keyed_by_its_directory(tmp_path: Path) -> None:
    write(tmp_path, "skills/ticket-lookup/SKILL.md", SKILL_MD)
    write(tmp_path, "skills/ticket-lookup/scripts/run.py", "print(1)\n")
    result = validate(tmp_path)
    assert result.exit_code == 0, result.output
    assert "ok  skill       ticket-lookup" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no frontmatter\n", "SKILL.md:1: SKILL.md must start with YAML frontmatter"),
        (
            "---\nname: Not A Slug\ndescription: x\n---\n",
            "SKILL.md:2:1: name: 'Not A Slug' does not match",
        ),
        ("---\nname: ok\n---\n", "SKILL.md:2:1: description: required field is missing"),
        (
            "---\nname: ok\ndescription: x\ndescripton: y\n---\n",
            "SKILL.md:4:1: descripton: unknown field",
        ),
        ("---\nname: [\n---\n", "SKILL.md:3:1: invalid YAML"),
    ],
)
def test_frontmatter_problems_name_their_line(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "skills/lookup").mkdir(parents=True)
    (tmp_path / "skills/lookup/SKILL.md").write_text(text)
    result = validate(tmp_path)
    assert result.exit_code == 1
    assert expected in result.output


def test_files_outside_the_estate_and_too_many_bytes_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    estate = tmp_path / "estate"
    write(estate, "skills/lookup/SKILL.md", SKILL_MD)
    write(tmp_path, "secret.txt", "not yours\n")
    (estate / "skills/lookup/leak.txt").symlink_to(tmp_path / "secret.txt")
    (estate / "skills/lookup/everything").symlink_to(tmp_path)
    result = validate(estate)
    assert result.exit_code == 1
    assert "leak.txt: skill file leak.txt resolves to" in result.output
    assert "outside the estate" in result.output
    assert "everything: a link to a directory" in result.output

    (estate / "skills/lookup/leak.txt").unlink()
    (estate / "skills/lookup/everything").unlink()
    monkeypatch.setattr(skill_files, "MAX_BYTES", 64)
    write(estate, "skills/lookup/big.txt", "x" * 60)
    too_big = validate(estate)
    assert too_big.exit_code == 1 and "one upload takes at most 64" in too_big.output


def test_an_unknown_skill_key_is_a_line_error(tmp_path: Path) -> None:
    write(tmp_path, "skills/lookup/SKILL.md", SKILL_MD)
    agent = MINIMAL_AGENT + "    skills:\n      - skill: lookup\n      - skill: lokup\n"
    write(tmp_path, "agents/helper.yaml", agent)
    result = validate(tmp_path)
    assert result.exit_code == 1
    assert "helper.yaml:6:5: skills[1].skill: no skill manifest 'lokup' (known: lookup)" in (
        result.output
    )


def test_fmt_leaves_skill_md_alone(tmp_path: Path) -> None:
    write(tmp_path, "skills/lookup/SKILL.md", SKILL_MD)
    before = (tmp_path / "skills/lookup/SKILL.md").read_text()
    result = agentform(tmp_path, "http://127.0.0.1:9", "fmt")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "skills/lookup/SKILL.md").read_text() == before


PINS = """\
# Written by `agentform apply`, `pin` and `promote`. Callers read it to create sessions.
# Review changes to it like code; revert a change to roll it back.
schema_version: 1
agents: {}
environments: {}
skills:
  lookup:
    id: skill_011CAbc
    version: skillver_011CDef
    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
  numeric:
    id: skill_011CAbd
    version: "1759178010641129"
    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
pending:
  skills:
    lookup:
      base: skillver_011CDef
      digest: sha256:1111111111111111111111111111111111111111111111111111111111111111
"""


def test_skill_pins_hold_version_ids_and_round_trip() -> None:
    loaded = loads(PINS)
    assert loaded.get("skills", "numeric").version == "1759178010641129"
    assert loaded.intent("skills", "lookup").base == "skillver_011CDef"
    assert dumps(loaded) == PINS


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("version: skillver_011CDef", "version: 3", "skills.lookup.version: expected a version id"),
        ("agents: {}", "agents: {a: {id: agent_1, version: v1, digest: x}}", "version number"),
    ],
)
def test_versions_are_ids_for_skills_and_numbers_for_agents(
    old: str, new: str, expected: str
) -> None:
    with pytest.raises(Exception, match=expected):
        loads(PINS.replace(old, new, 1))


def test_apply_refuses_skill_files_changed_since_the_plan(
    tmp_path: Path, emulator_url: str, client: Any
) -> None:
    write(tmp_path, "skills/lookup/SKILL.md", SKILL_MD)
    remote = Remote(client)
    planned = make_plan(load_project(tmp_path, tmp_path / "pins.yaml"), remote)
    write(tmp_path, "skills/lookup/SKILL.md", SKILL_MD + "    Changed after the plan.\n")
    result = run_apply(planned, remote, ApplyOptions(), lambda outcome: None)
    [outcome] = result.outcomes
    assert outcome.status == "failed"
    assert "its files changed since the plan (SKILL.md)" in outcome.message
    assert "POST /v1/skills" not in admin.counters(emulator_url)  # nothing was uploaded
    assert pins.load(tmp_path / "pins.yaml").get("skills", "lookup") is None  # not pinned


def test_a_saved_plan_is_stale_when_a_skill_file_changed(tmp_path: Path, emulator_url: str) -> None:
    write(tmp_path, "skills/lookup/SKILL.md", SKILL_MD)
    write(tmp_path, "skills/lookup/run.py", "print(1)\n")
    saved = tmp_path / "plan.json"
    assert agentform(tmp_path, emulator_url, "plan", "--out", str(saved)).exit_code == 0
    assert "sha256:" in saved.read_text() and "print(1)" not in saved.read_text()
    write(tmp_path, "skills/lookup/run.py", "print(2)\n")
    result = agentform(tmp_path, emulator_url, "apply", str(saved))
    assert result.exit_code == 1
    assert "saved plan is stale" in result.output and "run.py changed" in result.output


def test_a_skill_file_named_like_a_kind_is_not_a_reference(tmp_path: Path) -> None:
    long = SKILL_MD + "    " + "x" * skill_files.TEXT_LIMIT + "\n"  # too long to show as text
    write(tmp_path, "skills/lookup/SKILL.md", long)
    write(tmp_path, "skills/lookup/agent", "not a key\n")  # the only text: {agent: ...}
    result = validate(tmp_path)
    assert result.exit_code == 0, result.output
