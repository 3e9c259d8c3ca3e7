"""What apply tells a person and a CI step: the summary line, --format json, progress."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentform.cli import main
from agentform.cli.app import App
from agentform.cli.progress import Progress
from agentform.render.applied import SUMMARY_PATTERN
from tests.cli_helpers import agentform, cli_env
from tests.estate import edit_prompt


def test_the_summary_line_has_every_count_and_parses(estate: Path, emulator_url: str) -> None:
    first = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert first.exit_code == 0, first.output
    line = first.output.strip().splitlines()[-1]
    match = re.match(SUMMARY_PATTERN, line)
    assert match is not None, line
    counts = ("2", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0")  # created ... not started
    assert match.groups()[:12] == ("complete", *counts)
    assert match.group(14) == "updated"
    edit_prompt(estate, "Be brief.\n")
    second = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert re.match(SUMMARY_PATTERN, second.output.strip().splitlines()[-1]).groups()[:3] == (  # type: ignore[union-attr]
        "complete", "0", "1"
    )  # fmt: skip
    nothing = agentform(estate, emulator_url, "apply", "--auto-approve")
    last = nothing.output.strip().splitlines()[-1]
    assert last.startswith("Apply complete: 0 created, 0 updated,") and last.endswith("unchanged.")


def test_apply_json_is_the_only_thing_on_stdout(estate: Path, emulator_url: str) -> None:
    result = agentform(estate, emulator_url, "apply", "--auto-approve", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "complete" and data["pins_changed"] is True
    assert data["summary"]["created"] == 2
    outcomes = {o["key"]: o for o in data["outcomes"]}
    assert outcomes["triage"]["status"] == "done"
    assert outcomes["triage"]["pinned_id"].startswith("agent_")
    assert outcomes["triage"]["pinned_version"] == 1
    assert data["plan"]["summary"]["create"] == 2
    assert "agentform will perform these actions" in result.stderr
    assert "Apply complete: 2 created" in result.stderr


def test_progress_is_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()
    app = App(Path(), Path("pins.yaml"), None, local=False, debug=False)
    with Progress.start(app, "Applying", 2, stream=stream, delay=0) as progress:
        progress.advance()
    assert stream.getvalue() == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_a_live_line_on_a_terminal_and_erases_it() -> None:
    stream = _Terminal()
    app = App(Path(), Path("pins.yaml"), None, local=False, debug=False)
    with Progress.start(app, "Applying", 2, stream=stream, delay=0) as progress:
        progress.advance()
        for _ in range(3):  # a line drawn before the advance, then one after it
            progress.drawn.clear()
            assert progress.drawn.wait(30)
    text = stream.getvalue()
    assert "\r\033[KApplying 1/2 " in text
    assert text.endswith("\r\033[K")  # nothing is left behind


def test_apply_in_a_pipe_shows_no_progress(estate: Path, emulator_url: str) -> None:
    result = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert "Applying" not in result.output and "\r" not in result.output


def test_no_colour_in_a_pipe_even_without_no_color() -> None:
    result = CliRunner().invoke(main, ["--dir", "/nonexistent", "validate"])
    assert "\033[" not in result.output


def test_colour_on_a_terminal_unless_no_color_or_the_flag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = _Terminal()
    app = App(Path(), Path("pins.yaml"), None, local=False, debug=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert app.color_on(terminal) and not app.color_on(io.StringIO())
    flagged = App(Path(), Path("pins.yaml"), None, local=False, debug=False, no_color=True)
    assert not flagged.color_on(terminal)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not app.color_on(terminal)


def test_errors_validate_and_status_share_the_palette(
    estate: Path, emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentform.cli import root

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(App, "color_on", lambda self, stream: not self.no_color)
    app = App(Path(), Path("pins.yaml"), None, local=False, debug=False)
    assert root._paint_errors("a.yaml:1:1: x\nError: 1 problem found", app) == (
        "a.yaml:1:1: x\n\033[31;1mError:\033[0m 1 problem found"
    )
    ok = CliRunner().invoke(main, ["--dir", str(estate), "validate"], color=True)
    assert "\033[32mok \033[0m agent" in ok.output
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    env = {**cli_env(emulator_url), "NO_COLOR": ""}
    status = CliRunner().invoke(main, ["--dir", str(estate), "status"], env=env, color=True)
    assert "\033[32msynced\033[0m" in status.output
    plain = CliRunner().invoke(main, ["--dir", str(estate), "validate", "--no-color"], color=True)
    assert "\033[" not in plain.output
