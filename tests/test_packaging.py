"""A built wheel, installed into a fresh virtualenv, works from any directory."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.estate import copy_example
from tests.tools import uv

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding only the wheel; dependencies come from this venv via a .pth."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(root / "dist"),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((root / "dist").glob("agentform-*.whl"))
    env = root / "venv"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(
        [uv(), "pip", "install", "--python", str(python), "--no-deps", "--offline", str(wheel)],
        check=True,
        capture_output=True,
    )
    # Dependencies only: a .pth line adds a directory but does not run the .pth files in it,
    # so this checkout's editable install of agentform stays invisible.
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return env


def run(env: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(env / "bin" / argv[0]), *argv[1:]], cwd=cwd, capture_output=True, text=True
    )


def test_wheel_contains_the_package_and_the_schemas(installed: Path, tmp_path: Path) -> None:
    out = run(
        installed,
        "python",
        "-c",
        "import agentform, json; print(json.dumps(agentform.__file__))",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout).startswith(str(installed))
    schema = run(installed, "python", "-m", "agentform", "schema", "agent", cwd=tmp_path)
    assert schema.returncode == 0, schema.stderr
    assert json.loads(schema.stdout)["title"].startswith("agentform agent manifest")


def test_console_script_validates_an_estate_from_elsewhere(installed: Path, tmp_path: Path) -> None:
    estate = copy_example(tmp_path / "estate")
    (tmp_path / "elsewhere").mkdir()
    out = run(installed, "agentform", "--dir", str(estate), "validate", cwd=tmp_path / "elsewhere")
    assert out.returncode == 0, out.stderr
    assert "triage" in out.stdout


def test_init_from_the_wheel_writes_the_templates_schemas_and_ci(
    installed: Path, tmp_path: Path
) -> None:
    out = run(installed, "agentform", "init", "fresh", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    fresh = tmp_path / "fresh"
    assert (fresh / ".github" / "workflows" / "agentform-plan.yml").is_file()
    assert (fresh / "schemas" / "agent.schema.json").is_file()
    checked = run(installed, "agentform", "--dir", str(fresh), "validate", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
