"""The fast reader of pins.yaml reads what YAML reads, or gives up so YAML reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agentform import pins
from agentform.catalog import CATALOG
from agentform.errors import PinsError
from agentform.pins.model import Pending, Pin, Pins
from agentform.pins.scan import scan

DIGEST = "sha256:" + "ab" * 32


def _estate_pins() -> Pins:
    evidence = {
        "suite": "triage",
        "evaluated_at": "2026-12-01T10:00:00Z",
        "tolerance": 0.05,
        "repeats": 3,
        "candidate": {"version": 4, "accuracy": 0.9, "labels": {"billing": 1.0}},
        "baseline": {"version": 3, "accuracy": 0.85, "labels": {"billing": 0.5}},
    }
    return Pins(
        {
            "agents": {
                "triage": Pin("agent_011ABC", 4, DIGEST, evidence),
                "true": Pin("agent_011DEF", 12, DIGEST),  # a key YAML could misread
                "0-1": Pin("agent_011GHI", 1, DIGEST),
            },
            "environments": {"default": Pin("env_011XYZ"), "null": Pin("env_011QQQ")},
            **{  # a kind whose versions are ids, not numbers
                e.plural: {"lookup": Pin(f"{e.id_prefix}011S", f"{e.version_prefix}011V", DIGEST)}
                for e in CATALOG
                if e.version_prefix
            },
        },
        workspace_id="wrkspc_011W",
        pending={"agents": {"triage": Pending(4, DIGEST)}},
    )


def test_the_written_file_is_read_by_the_fast_reader_as_yaml_reads_it() -> None:
    text = pins.dumps(_estate_pins())
    fast = scan(text)
    assert fast is not None, "the writer's own output must take the fast path"
    assert fast == yaml.safe_load(text)
    assert pins.loads(text) == pins.loads(text)  # and it round-trips through the reader
    assert pins.dumps(pins.loads(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "schema_version: 1\nagents: {}\nenvironments:\n  e: {id: env_1}\n",  # flow mapping
        "schema_version: 1\nagents: {}\nenvironments: {}  # trailing comment\n",
        "schema_version: 1\nagents:\n  - a\nenvironments: {}\n",  # a list
        "schema_version: 1\nagents: {}\nagents: {}\nenvironments: {}\n",  # duplicate key
        "schema_version: 1\r\nagents: {}\r\nenvironments: {}\r\n",
        "schema_version: 1\nagents: {}\nenvironments:\n\te: x\n",
        "schema_version: 0x1\nagents: {}\nenvironments: {}\n",  # YAML reads an int
        "schema_version: 1\nworkspace_id: yes\nagents: {}\nenvironments: {}\n",  # a bool
        "schema_version: 1\nworkspace_id: 'single'\nagents: {}\nenvironments: {}\n",
        'schema_version: 1\nworkspace_id: "a\\x41"\nagents: {}\nenvironments: {}\n',
        "schema_version: 1\nagents: {}\nenvironments: {}\n<<<<<<< HEAD\n",
        "---\nschema_version: 1\nagents: {}\nenvironments: {}\n",
        "schema_version: 1\nagents:\n  t:\n      id: a\n    version: 1\n",  # bad indent
        "schema_version: 1\n1: x\nagents: {}\nenvironments: {}\n",  # an int key
    ],
)
def test_anything_outside_the_fixed_format_falls_back_to_yaml(text: str) -> None:
    assert scan(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "# a comment\n\nschema_version: 1\n  # indented comment\nagents:\nenvironments: {}\n",
        'schema_version: 1\nworkspace_id: "quoted: text"\nagents: {}\nenvironments: {}\n',
        "schema_version: 1\nagents:\n  t:\n    id: agent_1\n    version: 007\nenvironments:\n",
        "schema_version: 1\nagents:\n  t:\n    id: agent_1\n    version: 1.5\nenvironments:\n",
        "schema_version: 1\nagents:\n  t:\n    id: agent_1\n    version: ~\nenvironments:\n",
        "schema_version: 1\nagents:\n  t:\n    id: x:y\nenvironments:\n",
    ],
)
def test_what_the_fast_reader_accepts_is_exactly_what_yaml_reads(text: str) -> None:
    fast = scan(text)
    if fast is not None:
        assert fast == yaml.safe_load(text)


def test_a_wrong_pin_read_fast_is_still_reported_at_its_line() -> None:
    text = pins.dumps(_estate_pins()).replace("version: 12", "version: 0")
    assert scan(text) is not None  # the fast path reads it; the reader refuses it
    with pytest.raises(PinsError) as raised:
        pins.loads(text, path=Path("pins.yaml"))
    line = text.splitlines().index("    version: 0") + 1
    assert raised.value.line == line
    assert "expected a version number >= 1" in str(raised.value)


def test_a_hand_edited_file_reads_the_same_as_the_written_one() -> None:
    written = pins.dumps(_estate_pins())
    edited = written.replace("environments:\n", "# reviewed by ops\nenvironments:  # ok\n")
    assert scan(edited) is None
    assert pins.loads(edited) == pins.loads(written)
