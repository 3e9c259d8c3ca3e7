"""apply's gate hook: asked after an agent's new version exists, before its pin moves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentform import pins
from agentform.apply.run import ApplyOptions, GateVerdict, apply_plan
from agentform.errors import UserError
from agentform.manifests.project import load_project
from agentform.pins.store import PinStore
from agentform.plan.build import build_plan
from agentform.remote.client import Remote
from tests.cli_helpers import agentform
from tests.estate import copy_example


@pytest.fixture
def estate(tmp_path: Path, emulator_url: str) -> Path:
    root = copy_example(tmp_path / "estate")
    assert agentform(root, emulator_url, "apply", "--auto-approve").exit_code == 0
    return root


def gated_apply(estate: Path, url: str, make_client: Any, gate: Any) -> tuple[Any, Remote]:
    """Edit the triage prompt, then apply with `gate` as the apply gate hook."""
    with (estate / "agents" / "triage.prompt.md").open("a", encoding="utf-8") as prompt:
        prompt.write("Be concise.\n")
    project = load_project(estate, estate / "pins.yaml")
    remote = Remote(make_client(url))
    plan = build_plan(project.estate, remote.read_state(), project.pins)
    store = PinStore(estate / "pins.yaml")
    result = apply_plan(plan, remote, store, ApplyOptions(gate=gate))
    return result, remote


def test_the_gate_hook_sees_the_new_version_before_its_pin(
    estate: Path, emulator_url: str, make_client: Any
) -> None:
    before = (estate / "pins.yaml").read_text(encoding="utf-8")
    asked: list[tuple[str, int | None]] = []

    def refuse(change: Any, created: Any) -> GateVerdict:
        asked.append((change.key, created.version))
        return GateVerdict(False, "no thanks")

    result, remote = gated_apply(estate, emulator_url, make_client, refuse)
    assert asked == [("triage", 2)]  # agents only, after the new version exists
    assert [(o.status, o.message) for o in result.outcomes] == [
        ("refused", "v2 created, not pinned: no thanks")
    ]
    assert (estate / "pins.yaml").read_text(encoding="utf-8") == before
    pin = pins.load(estate / "pins.yaml").agents["triage"]
    assert (pin.version, remote.retrieve("agent", pin.id).version) == (1, 2)


def test_a_gate_that_cannot_run_fails_the_change(
    estate: Path, emulator_url: str, make_client: Any
) -> None:
    def broken(change: Any, created: Any) -> GateVerdict:
        raise UserError("no environment pinned")

    result, _ = gated_apply(estate, emulator_url, make_client, broken)
    assert [(o.status, o.message) for o in result.outcomes] == [
        ("failed", "v2 created, not pinned: the eval gate could not run: no environment pinned")
    ]
    assert pins.load(estate / "pins.yaml").agents["triage"].version == 1
