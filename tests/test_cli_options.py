"""Options where people type them, and errors found offline before the SDK is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentform.cli import main
from tests.cli_helpers import agentform
from tests.estate import copy_example, write

HEAVY = ("anthropic", "fastapi", "uvicorn")


def test_global_options_after_the_command(estate: Path, emulator_url: str, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = CliRunner().invoke(
        main, ["plan", "--dir", str(estate), "--format", "json", "--local"], env={"NO_COLOR": "1"}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["create"] == 2
    assert (estate / ".agentform" / "emulator.db").exists()  # --dir decided where --local lives


def test_late_dir_decides_the_default_pins_file(estate: Path) -> None:
    (estate / "pins.yaml").write_text("not: [valid", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--dir", str(estate)])
    assert result.exit_code == 1
    assert f"{estate / 'pins.yaml'}:2:1: invalid YAML" in result.output


def test_global_options_after_a_subcommand_of_a_group(estate: Path) -> None:
    result = CliRunner().invoke(main, ["pins", "check", "--offline", "--dir", str(estate)])
    assert result.exit_code == 0, result.output
    assert f"{estate / 'pins.yaml'} checked offline" in result.output


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("-auto-approve", "--auto-approve"), ("-local", "--local"), ("-target=x", "--target")],
)
def test_single_dash_long_options_get_a_did_you_mean(typed: str, meant: str) -> None:
    result = CliRunner().invoke(main, ["apply", typed])
    assert result.exit_code == 1
    assert f"No such option: {typed.split('=')[0]} (long options take two dashes)" in result.output
    assert f"did you mean {meant}?" in result.output


def test_an_unknown_single_dash_word_keeps_click_s_message() -> None:
    result = CliRunner().invoke(main, ["apply", "-zzz"])
    assert result.exit_code == 1
    assert "No such option '-z'" in result.output and "did you mean" not in result.output


def _run_reporting_modules(
    argv: list[str], cwd: Path, env: dict[str, str]
) -> tuple[int, str, set[str]]:
    code = (
        "import sys, json, atexit\n"
        "atexit.register(lambda: print('\\nMODULES ' + json.dumps(sorted(sys.modules)), file=sys.stderr))\n"
        "from agentform.cli import main\n"
        f"main({argv!r})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )
    report, _, modules = done.stderr.rpartition("\nMODULES ")
    return done.returncode, report, set(json.loads(modules))


def _offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["ANTHROPIC_CONFIG_DIR"] = ""  # an empty value: as if unset
    env["HOME"] = "/nonexistent-home-for-agentform-tests"
    return env


@pytest.mark.slow
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plan", "--no-such-option"], "No such option '--no-such-option'"),
        (["apply", "-auto-approve"], "did you mean --auto-approve?"),
        (["plan"], "no credentials: set ANTHROPIC_API_KEY"),
        (["status"], "no credentials: set ANTHROPIC_API_KEY"),
        (["eval", "triage"], "no credentials: set ANTHROPIC_API_KEY"),
        (["promote", "triage"], "no credentials: set ANTHROPIC_API_KEY"),
        (["pin", "triage", "1"], "no credentials: set ANTHROPIC_API_KEY"),
        (["apply", "--refresh-only"], "no credentials: set ANTHROPIC_API_KEY"),
        (["forget", "triage"], "no credentials: set ANTHROPIC_API_KEY"),
        (["--local", "plan", "--target", "nope"], "agents/broken.yaml"),
        (["plan"], "agents/broken.yaml"),
        (["eval", "triage", "--local"], "agents/broken.yaml"),
    ],
)
def test_errors_found_offline_are_reported_before_the_sdk_is_imported(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    estate = copy_example(tmp_path / "estate")
    if "agents/broken.yaml" in message:
        write(estate, "agents/broken.yaml", "name: broken\nmodel: claude-sonnet-4-6\n")
    code, stderr, modules = _run_reporting_modules(argv, estate, _offline_env())
    assert code == 1, stderr
    assert message in stderr
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []


def test_credentials_check_is_conservative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentform.remote.credentials import may_have_credentials

    monkeypatch.setenv("HOME", str(tmp_path))
    assert not may_have_credentials({})
    assert may_have_credentials({"ANTHROPIC_API_KEY": "x"})
    assert may_have_credentials({"ANTHROPIC_PROFILE": "work"})
    (tmp_path / ".config" / "anthropic").mkdir(parents=True)
    assert may_have_credentials({})  # a profile on disk: the SDK decides


def test_plan_with_local_does_not_read_the_responder_rules(estate: Path, emulator_url: str) -> None:
    write(estate, "evals/responder.yaml", "rules: [{when: {nonsense: 1}}]\n")
    result = CliRunner().invoke(main, ["--dir", str(estate), "--local", "plan"])
    assert result.exit_code == 0, result.output
    assert "2 to create" in result.output
    failing = agentform(estate, emulator_url, "validate")
    assert failing.exit_code == 1
