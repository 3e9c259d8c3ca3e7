"""The command-line contract: exit codes, errors, speed of --help, generated docs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentform.cli import main
from agentform.cli.reference import render_reference
from tests.estate import copy_example, write

REPO = Path(__file__).resolve().parent.parent


def test_usage_errors_exit_1_not_click_s_2() -> None:
    for args in (["--no-such-option"], ["no-such-command"], ["schema", "a", "b"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, (args, result.output)


def test_help_and_version_exit_0() -> None:
    assert CliRunner().invoke(main, ["--help"]).exit_code == 0
    version = CliRunner().invoke(main, ["--version"])
    assert version.exit_code == 0 and "agentform" in version.output


def test_user_errors_have_no_traceback_unless_debug(tmp_path: Path) -> None:
    plain = CliRunner().invoke(main, ["--dir", str(tmp_path), "validate"])
    assert plain.exit_code == 1
    assert plain.output.startswith("Error: no manifests in")
    assert "Traceback" not in plain.output
    debug = CliRunner().invoke(main, ["--debug", "--dir", str(tmp_path), "validate"])
    assert debug.exit_code == 1 and "Traceback" in debug.output


def test_unexpected_errors_say_so_and_hint_at_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import agentform.manifests.project

    def explode(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(agentform.manifests.project, "load_estate", explode)
    result = CliRunner().invoke(main, ["--dir", str(tmp_path), "validate"])
    assert result.exit_code == 1
    assert "unexpected error: RuntimeError: boom" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output


def _imported_modules(*argv: str, cwd: Path) -> list[str]:
    code = (
        "import sys, json\n"
        "from agentform.cli import main\n"
        f"code = main({list(argv)!r}, standalone_mode=False)\n"
        "print(json.dumps([code, sorted(sys.modules)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, check=True
    )
    exit_code, modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert exit_code == 0, out
    return list(modules)


@pytest.mark.parametrize(
    "argv",
    [
        ("--help",),
        ("validate",),
        ("validate", "--format", "json"),
        ("schema", "agent"),
        ("init", "fresh"),
        ("new", "agent", "extra"),
        ("fmt", "--check"),
        ("pins", "check", "--offline"),
    ],
)
def test_fast_paths_do_not_import_the_sdk_or_the_server(
    tmp_path: Path, argv: tuple[str, ...]
) -> None:
    modules = _imported_modules(*argv, cwd=copy_example(tmp_path))
    heavy = [
        m
        for m in modules
        if m.split(".")[0] in ("anthropic", "fastapi", "uvicorn", "pydantic", "deepdiff")
    ]
    assert heavy == []


def test_cli_reference_is_current() -> None:
    committed = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render_reference(main), "docs/cli.md is stale: run `make docs`"


def test_every_command_help_has_an_example() -> None:
    reference = render_reference(main)
    sections = reference.split("\n## ")[1:]
    assert sections
    for section in sections:
        assert "Example:" in section, section.splitlines()[0]


def test_installed_console_script_validates_from_another_directory(tmp_path: Path) -> None:
    estate = copy_example(tmp_path / "estate")
    write(tmp_path, "elsewhere/.keep", "")
    script = Path(sys.executable).with_name("agentform")
    ok = subprocess.run(
        [str(script), "--dir", str(estate), "validate"],
        cwd=tmp_path / "elsewhere",
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    (estate / "agents" / "triage.prompt.md").unlink()
    bad = subprocess.run(
        [str(script), "--dir", str(estate), "validate"], capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "triage.yaml:6:1: system_file: prompt file triage.prompt.md not found" in bad.stderr


def test_python_dash_m_agentform_works() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "agentform", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "agentform" in out.stdout
