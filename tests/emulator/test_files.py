"""The Files API and file resources on sessions, through the real SDK (strict)."""

from __future__ import annotations

from typing import Any

import anthropic
import httpx2
import pytest

from agentform.emulator import admin

PY = "text/x-python"


def upload(client: Any, name: str = "calc.py", data: bytes = b"x = 1\n", **options: Any) -> Any:
    return client.beta.files.upload(file=(name, data, PY), **options)


def test_upload_returns_metadata_that_retrieve_and_list_agree_on(
    client: Any, emulator_url: str
) -> None:
    uploaded = upload(client, data=b"def add(a, b):\n    return a - b\n")
    assert uploaded.id.startswith("file_011C") and uploaded.type == "file"
    assert (uploaded.filename, uploaded.mime_type, uploaded.size_bytes) == ("calc.py", PY, 32)
    assert uploaded.downloadable is False and uploaded.scope is None
    assert uploaded.expires_at is None and uploaded.created_at.tzinfo is not None
    assert client.beta.files.retrieve_metadata(uploaded.id) == uploaded
    assert [f.id for f in client.beta.files.list()] == [uploaded.id]
    # the SDK sends no anthropic-beta header for files: none is required
    assert admin.counters(emulator_url)["POST /v1/files"] == 1


def test_filenames_keep_their_last_component_and_expiry_is_bounded(client: Any) -> None:
    nested = client.beta.files.upload(file=("src/pkg/calc.py", b"x", PY))
    assert nested.filename == "calc.py"
    unnamed = client.beta.files.upload(file=("", b"{}", "application/json"))
    assert unnamed.filename == "unnamed.json"
    expiring = upload(client, expires_in_seconds=3600)
    assert (expiring.expires_at - expiring.created_at).total_seconds() == 3600
    with pytest.raises(anthropic.BadRequestError, match="expires_in_seconds"):
        upload(client, expires_in_seconds=60)


def test_uploaded_files_cannot_be_downloaded(client: Any) -> None:
    uploaded = upload(client)
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.beta.files.download(uploaded.id)
    assert caught.value.error_code == "file_not_downloadable"


def test_list_pages_newest_first_and_filters_by_ids(client: Any) -> None:
    ids = [upload(client, f"f{i}.py").id for i in range(5)]
    first = client.beta.files.list(limit=2)
    assert [f.id for f in first.data] == ids[::-1][:2] and first.next_page
    assert [f.id for f in client.beta.files.list(limit=2)] == ids[::-1]  # auto-paginates
    chosen = client.beta.files.list(ids=[ids[0], ids[3], "file_011Cunknown", ids[0]])
    assert [f.id for f in chosen.data] == [ids[3], ids[0]] and chosen.next_page is None
    with pytest.raises(anthropic.BadRequestError, match="ids"):
        client.beta.files.list(ids=[ids[0]], limit=5)


def test_delete_removes_the_file(client: Any) -> None:
    uploaded = upload(client)
    deleted = client.beta.files.delete(uploaded.id)
    assert (deleted.id, deleted.type) == (uploaded.id, "file_deleted")
    with pytest.raises(anthropic.NotFoundError):
        client.beta.files.retrieve_metadata(uploaded.id)
    assert client.beta.files.list().data == []


def test_files_are_partitioned_by_workspace(client: Any) -> None:
    uploaded = upload(client, workspace_id="wrkspc_staging")
    with pytest.raises(anthropic.NotFoundError):
        client.beta.files.retrieve_metadata(uploaded.id)
    assert client.beta.files.retrieve_metadata(uploaded.id, workspace_id="wrkspc_staging")


def test_upload_needs_a_multipart_file_part(emulator_url: str) -> None:
    headers = {"x-api-key": "k"}
    not_form = httpx2.post(f"{emulator_url}/v1/files", json={"file": "x"}, headers=headers)
    assert not_form.status_code == 400 and "multipart" in not_form.json()["error"]["message"]
    no_file = httpx2.post(f"{emulator_url}/v1/files", files={"other": ("a", b"x")}, headers=headers)
    assert (
        no_file.status_code == 400 and no_file.json()["error"]["message"] == "file: Field required"
    )


@pytest.fixture
def agent_and_env(client: Any) -> tuple[Any, Any]:
    agent = client.beta.agents.create(name="iterate", model="claude-sonnet-4-6")
    return agent, client.beta.environments.create(name="env")


def test_file_resources_resolve_mount_paths(client: Any, agent_and_env: Any) -> None:
    agent, env = agent_and_env
    calc, test = upload(client), upload(client, "test_calc.py")
    session = client.beta.sessions.create(
        agent=agent.id,
        environment_id=env.id,
        resources=[
            {"type": "file", "file_id": calc.id, "mount_path": "calc.py"},
            {"type": "file", "file_id": test.id, "mount_path": "/workspace/tests/./test_calc.py"},
            {"type": "file", "file_id": calc.id},
        ],
    )
    paths = [r.mount_path for r in session.resources]
    assert paths == [
        "/mnt/session/uploads/calc.py",
        "/workspace/tests/test_calc.py",
        f"/mnt/session/uploads/{calc.id}",
    ]
    assert client.beta.sessions.retrieve(session.id).resources == session.resources


def test_file_resources_must_exist_and_stay_inside_uploads(client: Any, agent_and_env: Any) -> None:
    agent, env = agent_and_env
    with pytest.raises(anthropic.NotFoundError, match="file_011Cmissing"):
        client.beta.sessions.create(
            agent=agent.id,
            environment_id=env.id,
            resources=[{"type": "file", "file_id": "file_011Cmissing"}],
        )
    calc = upload(client)
    with pytest.raises(anthropic.BadRequestError, match=r"resources\.0\.mount_path"):
        client.beta.sessions.create(
            agent=agent.id,
            environment_id=env.id,
            resources=[{"type": "file", "file_id": calc.id, "mount_path": "../../etc/passwd"}],
        )
    assert client.beta.sessions.list().data == []
