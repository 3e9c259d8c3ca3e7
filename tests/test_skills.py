"""Custom skills end to end, through the CLI against the emulator (issue 11).

The story first, as the issue checks it: the multi-agent example estate (a coordinator,
two sub-agents by key, one custom skill) is created in dependency order and pinned; an
edit of SKILL.md plans a new skill version plus new versions of exactly the agents that
use it; reverting pins.yaml rolls them all back, and the next apply keeps it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentform import pins
from agentform.apply.run import ApplyOptions
from agentform.emulator import admin
from agentform.kinds.shape import digest
from agentform.kinds.skill import SKILL
from agentform.manifests.project import load_project
from agentform.pins.model import Pending
from agentform.pins.store import PinChange, PinStore
from agentform.remote.client import Remote
from agentform.workflow import make_plan, run_apply
from tests.cli_helpers import actions, agentform, apply, assert_no_changes, plan_json
from tests.estate import multiagent, write

SKILL_MD = Path("skills") / "ticket-lookup" / "SKILL.md"


def test_the_multiagent_story(tmp_path: Path, emulator_url: str, client: Any) -> None:
    estate = multiagent(tmp_path)
    apply(estate, emulator_url)
    first = pins.load(estate / "pins.yaml")
    skill = first.get("skills", "ticket-lookup")
    assert skill is not None and str(skill.version).startswith("skillver_")
    # Each agent was created with its dependencies' pins: they had to exist first.
    researcher = client.beta.agents.retrieve(first.agents["researcher"].id)
    assert [s.to_dict() for s in researcher.skills] == [
        {"type": "custom", "skill_id": skill.id, "version": skill.version}
    ]
    coordinator = client.beta.agents.retrieve(first.agents["coordinator"].id)
    roster = [(a.id, a.version) for a in coordinator.multiagent.agents]
    assert roster == [(first.agents[k].id, 1) for k in ("researcher", "writer")]
    assert_no_changes(estate, emulator_url)
    before = (estate / "pins.yaml").read_text(encoding="utf-8")

    with (estate / SKILL_MD).open("a", encoding="utf-8") as skill_md:
        skill_md.write("- Say when each ticket was last updated.\n")
    plan = plan_json(estate, emulator_url)
    assert actions(plan) == {
        ("agent", "coordinator"): "update",
        ("agent", "researcher"): "update",
        ("agent", "writer"): "noop",
        ("environment", "default"): "noop",
        ("skill", "ticket-lookup"): "update",
    }
    [skill_change] = [c for c in plan["changes"] if c["kind"] == "skill"]
    [field] = skill_change["fields"]
    assert field["path"] == "files.SKILL.md"
    assert field["after"].endswith("- Say when each ticket was last updated.\n")
    assert field["after"].startswith(field["before"])  # the text, for a unified diff

    apply(estate, emulator_url)
    second = pins.load(estate / "pins.yaml")
    moved = second.get("skills", "ticket-lookup")
    assert moved is not None and moved.id == skill.id and moved.version != skill.version
    assert {k: p.version for k, p in second.agents.items()} == {
        "coordinator": 2,
        "researcher": 2,
        "writer": 1,
    }
    assert_no_changes(estate, emulator_url)

    (estate / "pins.yaml").write_text(before, encoding="utf-8")  # git revert
    plan = assert_no_changes(estate, emulator_url)
    held = {(n["kind"], n["key"]) for n in plan["notes"] if n["code"] == "held"}
    assert held == {("skill", "ticket-lookup"), ("agent", "researcher"), ("agent", "coordinator")}
    apply(estate, emulator_url)
    assert (estate / "pins.yaml").read_text(encoding="utf-8") == before  # the rollback holds
    assert_no_changes(estate, emulator_url)


def skill_estate(tmp_path: Path) -> Path:
    estate = tmp_path / "estate"
    write(
        estate,
        "skills/lookup/SKILL.md",
        """
        ---
        name: lookup
        description: Looks things up.
        ---
        Run the script.
        """,
    )
    write(estate, "skills/lookup/scripts/run.py", "print('hello')\n")
    (estate / "skills/lookup/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    return estate


def test_a_plan_shows_files_added_removed_and_changed(tmp_path: Path, emulator_url: str) -> None:
    estate = skill_estate(tmp_path)
    apply(estate, emulator_url)
    (estate / "skills/lookup/scripts/run.py").unlink()
    write(estate, "skills/lookup/notes.txt", "new notes\n")
    (estate / "skills/lookup/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x01\xfe")
    [change] = plan_json(estate, emulator_url)["changes"]
    fields = {f["path"]: f for f in change["fields"]}
    assert fields["files.notes.txt"] == {
        "path": "files.notes.txt",
        "change": "added",
        "after": "new notes\n",
    }
    assert fields["files.scripts/run.py"]["change"] == "removed"
    assert fields["files.scripts/run.py"]["before"] == "print('hello')\n"
    logo = fields["files.logo.png"]  # binary: shown by digest
    assert logo["change"] == "changed" and logo["before"].startswith("sha256:")
    text = agentform(estate, emulator_url, "plan").output
    assert "update skillver_" in text and "+ files.notes.txt" in text

    apply(estate, emulator_url)
    assert_no_changes(estate, emulator_url)


def test_a_new_name_is_a_new_skill(tmp_path: Path, emulator_url: str) -> None:
    estate = skill_estate(tmp_path)
    apply(estate, emulator_url)
    skill_md = estate / "skills/lookup/SKILL.md"
    skill_md.write_text(skill_md.read_text().replace("name: lookup", "name: finder"))
    [change] = plan_json(estate, emulator_url)["changes"]
    assert change["action"] == "replace"
    assert "a skill's name is fixed when it is created" in change["reason"]


def test_pin_skill_moves_to_a_version_that_exists(tmp_path: Path, emulator_url: str) -> None:
    estate = skill_estate(tmp_path)
    apply(estate, emulator_url)
    first = pins.load(estate / "pins.yaml").get("skills", "lookup")
    write(estate, "skills/lookup/notes.txt", "more\n")
    apply(estate, emulator_url)
    assert first is not None

    back = agentform(estate, emulator_url, "pin", "skill", "lookup", str(first.version))
    assert back.exit_code == 0, back.output
    assert f"-> {first.version}; latest is skillver_" in back.output
    assert pins.load(estate / "pins.yaml").get("skills", "lookup") == first
    plan = assert_no_changes(estate, emulator_url)  # held: apply does not undo it
    assert [n["code"] for n in plan["notes"]] == ["held"]

    missing = agentform(estate, emulator_url, "pin", "skill", "lookup", "skillver_nope")
    assert missing.exit_code == 1
    assert f"has no version skillver_nope; it has {first.version}, skillver_" in missing.output
    unqualified = agentform(estate, emulator_url, "pin", "lookup", "skillver_x")
    assert unqualified.exit_code == 1
    assert "(a skill's: `agentform pin skill lookup skillver_x`)" in unqualified.output
    forward = agentform(estate, emulator_url, "pin", "skill", "lookup", "--latest")
    assert forward.exit_code == 0 and "; latest is" not in forward.output
    assert "held" not in agentform(estate, emulator_url, "status").output


def test_import_skill_downloads_its_files(tmp_path: Path, emulator_url: str, client: Any) -> None:
    logo = b"\x89PNG\r\n\x1a\n\x00\xff"
    made = client.beta.skills.create(
        files=[
            ("whatever/SKILL.md", b"---\nname: report\ndescription: Reports.\n---\nBody\n"),
            ("whatever/img/logo.png", logo),
        ]
    )
    estate = tmp_path / "estate"
    estate.mkdir()
    result = agentform(estate, emulator_url, "import", "skill", made.id, "--key", "reports")
    assert result.exit_code == 0, result.output
    assert (estate / "skills/reports/img/logo.png").read_bytes() == logo
    assert (estate / "skills/reports/SKILL.md").read_text().endswith("---\nBody\n")
    pin = pins.load(estate / "pins.yaml").get("skills", "reports")
    assert pin is not None and (pin.id, pin.version) == (made.id, made.latest_version_id)
    assert_no_changes(estate, emulator_url)


def test_a_lost_create_response_is_found_again(
    tmp_path: Path, emulator_url: str, client: Any
) -> None:
    estate = skill_estate(tmp_path)
    admin.inject_fault(emulator_url, method="POST", path="/v1/skills", lost="500")
    apply(estate, emulator_url)
    assert admin.faults_fired(emulator_url) == 1
    assert admin.counters(emulator_url)["POST /v1/skills"] == 1  # found it; no second one
    [skill] = list(client.beta.skills.list(source="custom"))
    assert pins.load(estate / "pins.yaml").get("skills", "lookup").id == skill.id
    assert_no_changes(estate, emulator_url)


def test_pins_check_reads_the_pinned_files(tmp_path: Path, emulator_url: str) -> None:
    estate = skill_estate(tmp_path)
    apply(estate, emulator_url)
    assert agentform(estate, emulator_url, "pins", "check").exit_code == 0
    text = (estate / "pins.yaml").read_text()
    pinned = pins.load(estate / "pins.yaml").get("skills", "lookup")
    assert pinned is not None and pinned.digest is not None
    (estate / "pins.yaml").write_text(text.replace(pinned.digest, "sha256:" + "0" * 64))
    checked = agentform(estate, emulator_url, "pins", "check")
    assert checked.exit_code == 1
    assert "does not match skillver_" in checked.output
    assert "agentform pin skill lookup skillver_" in checked.output


def test_a_version_an_interrupted_apply_made_is_pinned_not_made_again(
    tmp_path: Path, emulator_url: str, client: Any
) -> None:
    estate = skill_estate(tmp_path)
    apply(estate, emulator_url)
    first = pins.load(estate / "pins.yaml").get("skills", "lookup")
    assert first is not None and first.version is not None
    write(estate, "skills/lookup/notes.txt", "new notes\n")
    files = sorted(p for p in (estate / "skills/lookup").rglob("*") if p.is_file())
    base = estate / "skills/lookup"
    upload = [(f"lookup/{p.relative_to(base).as_posix()}", p.read_bytes()) for p in files]
    made = client.beta.skills.versions.create(first.id, files=upload)  # the upload that landed

    held = plan_json(estate, emulator_url)  # no intent recorded: someone else made it
    assert not held["has_changes"] and [n["code"] for n in held["notes"]] == ["held"]

    project = load_project(estate, estate / "pins.yaml")
    marker = digest(SKILL.desired(project.estate.of_kind("skill")["lookup"].spec))
    intent = Pending(first.version, marker)  # what apply records before it uploads
    PinStore(estate / "pins.yaml").change([PinChange("skills", "lookup", intent=intent)])
    plan = plan_json(estate, emulator_url)
    assert actions(plan) == {("skill", "lookup"): "pin"}
    assert [n["code"] for n in plan["notes"]] == ["unfinished"]
    apply(estate, emulator_url)
    assert pins.load(estate / "pins.yaml").get("skills", "lookup").version == made.id
    assert_no_changes(estate, emulator_url)


def test_a_version_made_since_the_plan_stops_the_upload(
    tmp_path: Path, emulator_url: str, client: Any
) -> None:
    estate = skill_estate(tmp_path)
    apply(estate, emulator_url)
    write(estate, "skills/lookup/notes.txt", "mine\n")
    remote = Remote(client)
    planned = make_plan(load_project(estate, estate / "pins.yaml"), remote)
    skill_id = pins.load(estate / "pins.yaml").get("skills", "lookup").id
    theirs = b"---\nname: lookup\ndescription: Someone else's.\n---\n"
    client.beta.skills.versions.create(skill_id, files=[("lookup/SKILL.md", theirs)])
    result = run_apply(planned, remote, ApplyOptions(), lambda outcome: None)
    [outcome] = result.outcomes
    assert outcome.status == "failed"
    assert "changed on the server since the plan" in outcome.message
    assert admin.counters(emulator_url)["POST /v1/skills/{skill_id}/versions"] == 1  # theirs


def test_mv_a_skill_renames_its_directory_and_who_uses_it(
    tmp_path: Path, emulator_url: str
) -> None:
    estate = multiagent(tmp_path)
    apply(estate, emulator_url)
    skill = pins.load(estate / "pins.yaml").get("skills", "ticket-lookup")
    admin.reset(emulator_url)  # count what mv sends

    moved = agentform(estate, emulator_url, "mv", "skill/ticket-lookup", "lookup")
    assert moved.exit_code == 0, moved.output
    output = moved.output
    assert "skills.ticket-lookup -> skills.lookup" in output
    assert (estate / "skills/lookup/SKILL.md").exists()
    assert (estate / "skills/lookup/scripts/lookup.py").exists()
    assert not (estate / "skills/ticket-lookup").exists()
    researcher = (estate / "agents/researcher.yaml").read_text(encoding="utf-8")
    assert "  - skill: lookup\n" in researcher
    assert pins.load(estate / "pins.yaml").get("skills", "lookup") == skill
    writes = {route for route in admin.counters(emulator_url) if not route.startswith("GET")}
    assert writes == set()  # a skill has no marker: nothing to write on the server
    assert_no_changes(estate, emulator_url)
