"""`agentform fmt`: one canonical layout, comments kept, meaning never changed."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from agentform.cli import main
from agentform.manifests.fmt import format_file
from tests.estate import write

MESSY = """\
# yaml-language-server: $schema=../schemas/agent.schema.json
# A messy manifest.

metadata:
   team: "support"   # who owns it
   version: "2"
# The prompt, inline.
system: "You help.\\nBe brief."
tools:
-   type: "agent_toolset_20260401"
    default_config: {enabled: true, permission_policy: {type: "always_allow"}}
    configs:
    - {name: web_fetch, enabled: false}
model:   'claude-sonnet-4-6'
name: "helper"   # the name
description: 'It says: "hi", and more'
"""

FORMATTED = """\
# yaml-language-server: $schema=../schemas/agent.schema.json
# A messy manifest.

name: helper     # the name
model: claude-sonnet-4-6
description: 'It says: "hi", and more'
# The prompt, inline.
system: "You help.\\nBe brief."
tools:
  - type: agent_toolset_20260401
    default_config: {enabled: true, permission_policy: {type: always_allow}}
    configs:
      - {name: web_fetch, enabled: false}
metadata:
  team: support      # who owns it
  version: '2'
"""


def fmt(estate: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--dir", str(estate), "fmt", *args])


def _comments(text: str) -> list[str]:
    return sorted(m.group(0) for m in re.finditer(r"#.*", text))


def test_check_fails_on_a_misformatted_manifest_writes_nothing_and_passes_after_fmt(
    estate: Path,
) -> None:
    path = write(estate, "agents/messy.yaml", MESSY)
    stat = path.stat()
    check = fmt(estate, "--check")
    assert check.exit_code == 1
    assert f"would reformat {path}" in check.output
    assert "Error: 1 of 4 files need `agentform fmt`" in check.output
    assert path.read_text(encoding="utf-8") == MESSY
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    done = fmt(estate)
    assert done.exit_code == 0, done.output
    assert f"reformatted {path}" in done.output
    assert path.read_text(encoding="utf-8") == FORMATTED
    assert fmt(estate, "--check").exit_code == 0


def test_formatting_keeps_the_data_and_every_comment(estate: Path) -> None:
    path = write(estate, "agents/messy.yaml", MESSY)
    assert fmt(estate).exit_code == 0
    after = path.read_text(encoding="utf-8")
    assert yaml.safe_load(after) == yaml.safe_load(MESSY)
    assert _comments(after) == _comments(MESSY)


def test_the_example_estate_is_formatted(estate: Path) -> None:
    result = fmt(estate, "--check")
    assert result.exit_code == 0, result.output
    assert "3 files already formatted" in result.output


def test_eval_suites_are_formatted_too(estate: Path) -> None:
    path = estate / "evals" / "triage.yaml"
    text = path.read_text(encoding="utf-8")
    moved = text.replace("repeats: 1\n", "") + "repeats: 1\n"
    path.write_text(moved, encoding="utf-8")
    assert fmt(estate, "--check").exit_code == 1
    assert fmt(estate).exit_code == 0
    assert path.read_text(encoding="utf-8") == text


def test_diff_shows_the_change(estate: Path) -> None:
    write(estate, "environments/extra.yaml", "name:   'extra'\nconfig: {type: cloud}\n")
    result = fmt(estate, "--check", "--diff")
    assert "-name:   'extra'\n+name: extra\n" in result.output


def test_a_field_that_would_change_meaning_when_moved_stays_put(tmp_path: Path) -> None:
    # `|+` keeps trailing blank lines: moving the field would drop them.
    text = "system: |+\n  Hi.\n\nname:    x\nmodel: claude-sonnet-4-6\n"
    path = write(tmp_path, "agents/keep.yaml", text)
    result = format_file(path, "agent")
    assert result.error is None
    assert yaml.safe_load(result.text) == yaml.safe_load(text)
    assert result.text == "system: |+\n  Hi.\n\nname: x\nmodel: claude-sonnet-4-6\n"


def test_unreadable_files_are_reported_and_left_alone(estate: Path) -> None:
    path = write(estate, "agents/broken.yaml", "name: [unclosed\n")
    result = fmt(estate)
    assert result.exit_code == 1
    assert f"{path}:2:1: invalid YAML" in result.output
    assert path.read_text(encoding="utf-8") == "name: [unclosed\n"
