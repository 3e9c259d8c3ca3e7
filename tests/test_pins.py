"""pins.yaml: the exact format, atomic writes, the caller API and its errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentform import pins
from agentform.errors import LookupKeyError, PinsError
from agentform.pins.model import AgentPin, EnvironmentPin, Pins

DIGEST = "sha256:" + "ab" * 32
EXPECTED = f"""\
# Written by `agentform apply`, `pin` and `promote`. Callers read it to create sessions.
# Review changes to it like code; revert a change to roll it back.
schema_version: 1
agents:
  research:
    id: agent_011CZkYpogX7uDKUyvBTophQ
    version: 7
    digest: {DIGEST}
  triage:
    id: agent_011CZkYpogX7uDKUyvBTophP
    version: 2
    digest: {DIGEST}
environments:
  default:
    id: env_011CZkZ9X2dpNyB7HsEFoRfW
"""


def sample() -> Pins:
    # Inserted out of order on purpose: the writer sorts.
    return Pins(
        agents={
            "triage": AgentPin("agent_011CZkYpogX7uDKUyvBTophP", 2, DIGEST),
            "research": AgentPin("agent_011CZkYpogX7uDKUyvBTophQ", 7, DIGEST),
        },
        environments={"default": EnvironmentPin("env_011CZkZ9X2dpNyB7HsEFoRfW")},
    )


def test_dumps_is_exactly_the_documented_format() -> None:
    assert pins.dumps(sample()) == EXPECTED


def test_round_trip_is_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "pins.yaml"
    path.write_text(EXPECTED, encoding="utf-8")
    loaded = pins.load(path)
    assert loaded == sample()
    assert pins.dumps(loaded) == EXPECTED
    assert pins.write(path, loaded) is False  # nothing changed, nothing written


def test_keys_that_look_like_other_yaml_types_survive_a_round_trip() -> None:
    tricky = Pins(
        environments={key: EnvironmentPin("env_1") for key in ("true", "123", "null", "no")}
    )
    assert set(pins.loads(pins.dumps(tricky)).environments) == {"true", "123", "null", "no"}


def test_workspace_is_recorded_and_read_back() -> None:
    text = pins.dumps(Pins(workspace_id="wrkspc_01abc"))
    assert "workspace_id: wrkspc_01abc\n" in text
    assert pins.loads(text).workspace_id == "wrkspc_01abc"


def test_write_is_atomic_keeps_mode_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "pins.yaml"
    assert pins.write(path, Pins()) is True
    path.chmod(0o640)
    before = path.stat().st_ino
    assert pins.write(path, sample()) is True
    assert path.read_text(encoding="utf-8") == EXPECTED
    assert path.stat().st_ino != before  # replaced by rename, not rewritten in place
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [".agentform", "pins.yaml"]  # its lock


def test_write_only_on_change_leaves_the_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "pins.yaml"
    pins.write(path, sample())
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert pins.write(path, sample()) is False
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_a_failed_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pins.yaml"
    pins.write(path, Pins())
    original = path.read_text(encoding="utf-8")

    def crash(self: Path, target: Path) -> Path:
        raise OSError("disk on fire")

    monkeypatch.setattr(Path, "replace", crash)
    with pytest.raises(OSError):
        pins.write(path, sample())
    assert path.read_text(encoding="utf-8") == original
    assert sorted(p.name for p in tmp_path.iterdir()) == [".agentform", "pins.yaml"]  # no temp


def test_session_params_are_ready_for_sessions_create(tmp_path: Path) -> None:
    path = tmp_path / "pins.yaml"
    path.write_text(EXPECTED, encoding="utf-8")
    params = pins.load(path).session_params("triage")
    assert params == {
        "agent": {"type": "agent", "id": "agent_011CZkYpogX7uDKUyvBTophP", "version": 2},
        "environment_id": "env_011CZkZ9X2dpNyB7HsEFoRfW",
    }


def test_session_params_need_an_environment_when_there_are_several() -> None:
    two = sample().with_environment("gpu", EnvironmentPin("env_2"))
    with pytest.raises(
        PinsError, match=r"pass environment=KEY: the pins hold 2 environments \(default, gpu\)"
    ):
        two.session_params("triage")
    assert two.session_params("triage", environment="gpu")["environment_id"] == "env_2"


def test_unknown_key_lists_what_exists() -> None:
    with pytest.raises(
        LookupKeyError, match=r"no agent 'triag' in pins.yaml \(known: research, triage\)"
    ):
        sample().session_params("triag")


def test_missing_file_says_who_writes_it(tmp_path: Path) -> None:
    with pytest.raises(PinsError, match="no pins file here; `agentform apply` writes it"):
        pins.load(tmp_path / "pins.yaml")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "schema_version: 2\nagents: {}\nenvironments: {}\n",
            1,
            "newer than this agentform understands",
        ),
        ("schema_version: 1\nagents: {}\n<<<<<<< HEAD\n", 3, "merge-conflict marker"),
        (
            "schema_version: 1\nagents: [x]\nenvironments: {}\n",
            2,
            "expected a mapping of key -> pin",
        ),
        ("schema_version: 1\nagents: {}\n", 1, "environments: required field is missing"),
        (
            "schema_version: 1\nagents:\n  t: {id: agent_1, version: 0, digest: x}\nenvironments: {}\n",
            3,
            "version: expected a version number >= 1",
        ),
        (
            f"schema_version: 1\nagents:\n  t: {{id: env_1, version: 1, digest: {DIGEST}}}\nenvironments: {{}}\n",
            3,
            "id: expected an agent id",
        ),
        (
            f"schema_version: 1\nagents:\n  t: {{id: agent_1, version: 1, digest: {DIGEST}, extra: 1}}\nenvironments: {{}}\n",
            3,
            "extra: unknown field",
        ),
        (
            "schema_version: 1\nagents: {}\nenvironments:\n  e: {id: env_1}\n  e: {id: env_2}\n",
            5,
            "duplicate key",
        ),
        ("just a string\n", 1, "expected a mapping"),
        ("schema_version: [1\n", 2, "invalid YAML"),
    ],
)
def test_malformed_pins_name_the_line_and_problem(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "pins.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PinsError) as caught:
        pins.load(path)
    assert caught.value.line == line, caught.value
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}:")


def test_loader_and_json_schema_agree() -> None:
    """The hand-written loader (fast path) accepts exactly what schemas/pins.schema.json accepts."""
    import yaml
    from jsonschema import Draft202012Validator

    from agentform.manifests.schemas import load_schema

    validator = Draft202012Validator(load_schema("pins"))
    good = [EXPECTED, pins.dumps(Pins()), pins.dumps(Pins(workspace_id="wrkspc_1"))]
    bad = [
        "schema_version: 1\nagents: {}\n",
        "schema_version: 1\nagents: {Bad: {id: agent_1, version: 1, digest: x}}\nenvironments: {}\n",
        "schema_version: 1\nagents: {t: {id: agent_1, version: 1}}\nenvironments: {}\n",
        f"schema_version: 1\nagents: {{t: {{id: agent_1, version: 1, digest: {DIGEST}}}}}\nenvironments: {{e: {{id: agent_2}}}}\n",
        "schema_version: 1\nagents: {}\nenvironments: {}\nextra: 1\n",
    ]
    for text in good:
        assert validator.is_valid(yaml.safe_load(text))
        pins.loads(text)
    for text in bad:
        assert not validator.is_valid(yaml.safe_load(text)), text
        with pytest.raises(PinsError):
            pins.loads(text)


def test_caller_api_does_not_import_anything_heavy() -> None:
    code = (
        "import sys; from agentform import pins; pins.loads(pins.dumps(pins.Pins())); "
        "heavy = [m for m in ('anthropic', 'fastapi', 'jsonschema', 'pydantic', 'click', 'deepdiff') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_committed_example_pins_file_is_valid_and_canonical() -> None:
    path = Path(__file__).resolve().parent.parent / "pins.yaml"
    assert pins.dumps(pins.load(path)) == path.read_text(encoding="utf-8")


EVIDENCE_TEXT = f"""\
# Written by `agentform apply`, `pin` and `promote`. Callers read it to create sessions.
# Review changes to it like code; revert a change to roll it back.
schema_version: 1
agents:
  triage:
    id: agent_011CZkYpogX7uDKUyvBTophP
    version: 3
    digest: {DIGEST}
    evidence:
      baseline:
        accuracy: 0.85
        labels:
          auth: 1.0
          billing: 0.4
          'yes': 1.0
        version: 1
      candidate:
        accuracy: 1.0
        labels:
          auth: 1.0
          billing: 1.0
          'yes': 1.0
        version: 3
      evaluated_at: '2026-11-21T10:04:05Z'
      repeats: 1
      suite: triage
      tolerance: 0.0
environments:
  default:
    id: env_011CZkZ9X2dpNyB7HsEFoRfW
"""
EVIDENCE = {
    "suite": "triage",
    "evaluated_at": "2026-11-21T10:04:05Z",
    "tolerance": 0.0,
    "repeats": 1,
    "candidate": {
        "version": 3,
        "accuracy": 1.0,
        "labels": {"billing": 1.0, "auth": 1.0, "yes": 1.0},
    },
    "baseline": {
        "version": 1,
        "accuracy": 0.85,
        "labels": {"billing": 0.4, "auth": 1.0, "yes": 1.0},
    },
}


def test_evidence_is_written_deterministically_and_round_trips_byte_identical(
    tmp_path: Path,
) -> None:
    with_evidence = Pins(
        agents={"triage": AgentPin("agent_011CZkYpogX7uDKUyvBTophP", 3, DIGEST, EVIDENCE)},
        environments={"default": EnvironmentPin("env_011CZkZ9X2dpNyB7HsEFoRfW")},
    )
    assert pins.dumps(with_evidence) == EVIDENCE_TEXT
    path = tmp_path / "pins.yaml"
    path.write_text(EVIDENCE_TEXT, encoding="utf-8")
    loaded = pins.load(path)
    assert loaded == with_evidence and loaded.agents["triage"].evidence == EVIDENCE
    assert pins.dumps(loaded) == EVIDENCE_TEXT
    assert pins.write(path, loaded) is False
    # Any other move of the pin (apply, pin) writes a pin without evidence.
    moved = loaded.with_agent("triage", AgentPin("agent_011CZkYpogX7uDKUyvBTophP", 4, DIGEST))
    assert "evidence" not in pins.dumps(moved)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("      suite: triage\n", "      suite: Triage\n", 26, "suite: expected a suite name"),
        ("      repeats: 1\n", "", 9, "evidence.repeats: required field is missing"),
        (
            "        accuracy: 0.85\n",
            "        accuracy: 85\n",
            11,
            "accuracy: expected a number from 0 to 1",
        ),
        (
            "          billing: 0.4\n",
            "          billing: high\n",
            14,
            "labels.billing: expected a number",
        ),
        (
            "      tolerance: 0.0\n",
            "      tolerance: 0.0\n      when: now\n",
            28,
            "when: unknown field",
        ),
        (
            "      evaluated_at: '2026-11-21T10:04:05Z'\n",
            "      evaluated_at: 2026-11-21\n",
            24,
            "quoted timestamp",
        ),
        (
            "        version: 3\n",
            "        version: 0\n",
            23,
            "candidate.version: expected a version number",
        ),
    ],
)
def test_malformed_evidence_names_the_line(old: str, new: str, line: int, message: str) -> None:
    text = EVIDENCE_TEXT.replace(old, new, 1)
    assert text != EVIDENCE_TEXT
    with pytest.raises(PinsError) as caught:
        pins.loads(text)
    assert caught.value.line == line, caught.value
    assert message in str(caught.value)


def test_loader_and_json_schema_agree_on_evidence() -> None:
    import yaml
    from jsonschema import Draft202012Validator

    from agentform.manifests.schemas import load_schema

    validator = Draft202012Validator(load_schema("pins"))
    assert validator.is_valid(yaml.safe_load(EVIDENCE_TEXT))
    pins.loads(EVIDENCE_TEXT)
    bad = [
        EVIDENCE_TEXT.replace("      suite: triage\n", ""),
        EVIDENCE_TEXT.replace("accuracy: 0.85", "accuracy: 1.5"),
        EVIDENCE_TEXT.replace("          billing: 0.4\n", "          billing: true\n"),
        EVIDENCE_TEXT.replace("      repeats: 1\n", "      repeats: 0\n"),
        EVIDENCE_TEXT.replace("      tolerance: 0.0\n", "      tolerance: 0.0\n      extra: 1\n"),
        EVIDENCE_TEXT.replace("        version: 1\n", "        version: 1\n        extra: 1\n"),
    ]
    for text in bad:
        assert text != EVIDENCE_TEXT
        assert not validator.is_valid(yaml.safe_load(text)), text
        with pytest.raises(PinsError):
            pins.loads(text)


def test_a_rename_moves_one_entry_only_if_nobody_moved_it(tmp_path: Path) -> None:
    from agentform.pins.model import Pending
    from agentform.pins.store import PinChange, PinStore

    path = tmp_path / "pins.yaml"
    path.write_text(EXPECTED, encoding="utf-8")
    store = PinStore(path)
    triage = AgentPin("agent_011CZkYpogX7uDKUyvBTophP", 2)
    store.change([PinChange("agents", "triage", intent=Pending(2, DIGEST))])
    stale, taken = store.change(
        [
            PinChange("agents", "triage", expect=AgentPin(triage.id, 1), moved_to="support"),
            PinChange("agents", "triage", expect=triage, moved_to="research"),
        ]
    )
    assert (stale, taken) == (False, False)  # not the version it had; a key in use
    assert store.change([PinChange("agents", "triage", expect=triage, moved_to="support")])
    assert path.read_text(encoding="utf-8") == EXPECTED.replace("  triage:", "  support:") + (
        f"pending:\n  agents:\n    support:\n      base: 2\n      digest: {DIGEST}\n"
    )  # the same entry and its intent, under the new key (which sorts where triage was)
