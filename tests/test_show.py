"""`agentform show PLANFILE`: a saved plan rendered again, offline, in any format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from agentform.cli import main
from tests.cli_helpers import agentform
from tests.estate import edit_prompt


def _show(planfile: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["show", str(planfile), *args], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_show_renders_what_plan_rendered(estate: Path, emulator_url: str) -> None:
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    edit_prompt(estate, "Be brief.\n")
    planfile = estate / "plan.json"
    for fmt in ("markdown", "text", "json"):
        planned = agentform(estate, emulator_url, "plan", "--format", fmt, "--out", str(planfile))
        assert planned.exit_code == 0, planned.output
        assert _show(planfile, "--format", fmt) == planned.stdout
    assert "+Be brief." in _show(planfile)


def test_show_refuses_an_edited_plan(estate: Path, emulator_url: str) -> None:
    planfile = estate / "plan.json"
    assert agentform(estate, emulator_url, "plan", "--out", str(planfile)).exit_code == 0
    document = json.loads(planfile.read_text(encoding="utf-8"))
    document["plan"]["changes"][0]["name"] = "someone-else"
    planfile.write_text(json.dumps(document), encoding="utf-8")
    result = CliRunner().invoke(main, ["show", str(planfile)])
    assert result.exit_code == 1
    assert "checksum mismatch" in result.output


def test_show_needs_no_server_and_no_sdk(estate: Path, emulator_url: str) -> None:
    planfile = estate / "plan.json"
    assert agentform(estate, emulator_url, "plan", "--out", str(planfile)).exit_code == 0
    code = (
        "import sys, json\n"
        "from agentform.cli import main\n"
        f"code = main(['show', {str(planfile)!r}], standalone_mode=False)\n"
        "print(json.dumps([code, sorted(sys.modules)]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    exit_code, modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert exit_code == 0
    assert [m for m in modules if m.split(".")[0] in ("anthropic", "fastapi", "uvicorn")] == []
