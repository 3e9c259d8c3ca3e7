"""Skills and skill versions through the real SDK (strict): uploads, versions, download."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import anthropic
import pytest

from tests.emulator.kinds import pages, skill_files, upload_skill

LEGACY = ["skills-2025-10-02"]


def test_create_makes_version_one_from_the_upload(client: Any) -> None:
    skill = upload_skill(client, "lookup", display_name="Lookup tool")
    assert skill.id.startswith("skill_011C") and skill.type == "skill"
    assert skill.source.type == "custom" and skill.display_name == "Lookup tool"
    assert skill.created_at == skill.updated_at
    version = client.beta.skills.versions.retrieve(skill.latest_version_id, skill_id=skill.id)
    assert version.type == "skill_version" and version.skill_id == skill.id
    assert (version.name, version.description) == ("lookup", "Looks things up")
    assert client.beta.skills.retrieve(skill.id) == skill


def test_display_name_defaults_to_the_frontmatter_name(client: Any) -> None:
    files = skill_files("report-writer", directory="Report Writer")
    skill = client.beta.skills.create(files=files)
    assert skill.display_name == "report-writer"
    version = client.beta.skills.versions.retrieve("latest", skill_id=skill.id)
    assert version.name == "report-writer"


def test_a_new_version_becomes_latest_and_versions_stay_retrievable(client: Any) -> None:
    skill = upload_skill(client)
    second = client.beta.skills.versions.create(skill.id, files=skill_files(description="v2"))
    assert second.id != skill.latest_version_id and second.description == "v2"
    current = client.beta.skills.retrieve(skill.id)
    assert current.latest_version_id == second.id and current.updated_at > skill.updated_at
    assert client.beta.skills.versions.retrieve("latest", skill_id=skill.id).id == second.id
    first = client.beta.skills.versions.retrieve(skill.latest_version_id, skill_id=skill.id)
    assert first.description == "Looks things up"
    listed = [v.id for v in client.beta.skills.versions.list(skill.id)]
    assert listed == [skill.latest_version_id, second.id]


def test_a_version_must_keep_the_skill_name(client: Any) -> None:
    skill = upload_skill(client, "lookup")
    with pytest.raises(anthropic.BadRequestError, match="must stay 'lookup'"):
        client.beta.skills.versions.create(skill.id, files=skill_files("renamed"))
    assert len(list(client.beta.skills.versions.list(skill.id))) == 1


def test_versions_by_epoch_only_with_the_legacy_beta(client: Any) -> None:
    skill = upload_skill(client)
    version = client.beta.skills.versions.retrieve(skill.latest_version_id, skill_id=skill.id)
    epoch = str(int(version.created_at.timestamp() * 1000) * 1000)
    legacy = client.beta.skills.versions.retrieve(epoch, skill_id=skill.id, betas=LEGACY)
    assert legacy.id == version.id
    with pytest.raises(anthropic.NotFoundError):
        client.beta.skills.versions.retrieve(epoch, skill_id=skill.id)


def test_download_returns_the_uploaded_files(client: Any) -> None:
    files = [*skill_files(), ("lookup/data.bin", b"\x00\r\n\xff binary")]
    skill = client.beta.skills.create(files=files)
    content = client.beta.skills.versions.download(skill.latest_version_id, skill_id=skill.id)
    archive = zipfile.ZipFile(io.BytesIO(content.read()))
    assert sorted(archive.namelist()) == sorted(path for path, _ in files)
    assert archive.read("lookup/data.bin") == b"\x00\r\n\xff binary"


def test_list_pages_include_anthropic_skills(client: Any) -> None:
    custom = [upload_skill(client, f"skill-{i}").id for i in range(3)]
    listed = pages(client.beta.skills.list(limit=2))
    assert [len(p) for p in listed] == [2, 2, 2, 1]
    ids = [s.id for page in listed for s in page]
    assert ids == ["docx", "pdf", "pptx", "xlsx", *custom]
    anthropic_only = list(client.beta.skills.list(source="anthropic"))
    assert {s.source.type for s in anthropic_only} == {"anthropic"} and len(anthropic_only) == 4
    assert [s.id for s in client.beta.skills.list(source="custom")] == custom
    xlsx = client.beta.skills.retrieve("xlsx")
    assert xlsx.latest_version_id == "20251013"
    assert client.beta.skills.versions.retrieve("20251013", skill_id="xlsx").name == "xlsx"


def test_anthropic_skills_are_read_only(client: Any) -> None:
    with pytest.raises(anthropic.BadRequestError, match="read-only"):
        client.beta.skills.delete("pdf")
    with pytest.raises(anthropic.BadRequestError, match="read-only"):
        client.beta.skills.versions.create("pdf", files=skill_files("pdf"))


def test_deleting_versions_keeps_at_least_one(client: Any) -> None:
    skill = upload_skill(client)
    second = client.beta.skills.versions.create(skill.id, files=skill_files())
    deleted = client.beta.skills.versions.delete(second.id, skill_id=skill.id)
    assert (deleted.id, deleted.type) == (second.id, "skill_version_deleted")
    assert client.beta.skills.retrieve(skill.id).latest_version_id == skill.latest_version_id
    with pytest.raises(anthropic.NotFoundError):
        client.beta.skills.versions.retrieve(second.id, skill_id=skill.id)
    with pytest.raises(anthropic.BadRequestError, match="delete the skill instead"):
        client.beta.skills.versions.delete(skill.latest_version_id, skill_id=skill.id)


def test_deleting_a_skill_deletes_its_versions(client: Any) -> None:
    skill = upload_skill(client)
    deleted = client.beta.skills.delete(skill.id)
    assert (deleted.id, deleted.type) == (skill.id, "skill_deleted")
    for call in (
        lambda: client.beta.skills.retrieve(skill.id),
        lambda: client.beta.skills.versions.list(skill.id),
        lambda: client.beta.skills.versions.retrieve(skill.latest_version_id, skill_id=skill.id),
    ):
        with pytest.raises(anthropic.NotFoundError):
            call()
    assert skill.id not in [s.id for s in client.beta.skills.list()]


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ([("lookup/README.md", b"x")], "SKILL.md file is required"),
        ([("SKILL.md", b"---\nname: a\ndescription: d\n---\n")], "top-level directory"),
        ([*skill_files("a"), ("b/x.py", b"")], "same top-level directory"),
        ([("a/../SKILL.md", b"x")], "relative path"),
        ([("a/SKILL.md", b"# no frontmatter")], "frontmatter"),
        ([("a/SKILL.md", b"---\nname: a\n---\n")], "description is required"),
        ([("a/SKILL.md", b"---\nname: Not_Kebab\ndescription: d\n---\n")], "lowercase"),
        ([("a/SKILL.md", b"---\nname: [a\ndescription: d\n---\n")], "not valid YAML"),
    ],
)
def test_bad_uploads_are_400s(client: Any, files: list[tuple[str, bytes]], problem: str) -> None:
    with pytest.raises(anthropic.BadRequestError, match=problem) as caught:
        client.beta.skills.create(files=files)
    assert caught.value.type == "invalid_request_error"
    assert list(client.beta.skills.list(source="custom")) == []


def test_display_name_must_be_one_line(client: Any) -> None:
    with pytest.raises(anthropic.BadRequestError, match="display_name"):
        upload_skill(client, display_name="two\nlines")
