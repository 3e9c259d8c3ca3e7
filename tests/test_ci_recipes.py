"""The CI recipes in examples/ci/ work as shipped: their shell steps run against the emulator.

A small runner plays each workflow's steps the way GitHub Actions would: `run:` steps in
bash with the job's environment, `if:` conditions honoured (a failed step skips the rest
unless a step asks for `always()`), and `uses: agentform/agentform@...` replaced by
`action.yml`'s own steps (its install step by this checkout's console script, already
on PATH). Third-party actions (checkout, github-script, create-pull-request) are skipped
and reported. The estate is a git repository with a bare remote, so a recipe that
commits and pushes pins.yaml really does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentform.emulator import admin
from tests.cli_helpers import API_KEY
from tests.estate import copy_example

REPO = Path(__file__).resolve().parent.parent
RECIPES = REPO / "examples" / "ci"
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

pytestmark = pytest.mark.slow


@dataclass
class Job:
    """One job's run: what each step did, in order."""

    root: Path
    env: dict[str, str]
    failed: bool = False
    log: list[tuple[str, str]] = field(default_factory=list)  # (step, outcome)

    def outcome(self, name: str) -> str:
        return next(result for step, result in self.log if name in step)


def _evaluate(expression: str, scope: dict[str, Any]) -> Any:
    """The subset of GitHub's expression syntax the recipes use, as a Python expression."""
    python = expression.replace("&&", " and ").replace("||", " or ")
    python = re.sub(r"!(?!=)", " not ", python)
    python = python.replace("always()", "True").replace("cancelled()", "False")
    python = python.replace("success()", "(not failed)").replace("failure()", "failed")
    python = re.sub(r"\b(env|inputs|secrets|github)\.([\w-]+)", r"\1[\2!r]", python)
    python = re.sub(r"\[([\w-]+)!r\]", lambda m: f"[{m.group(1)!r}]", python)
    return eval(python, {}, scope)  # noqa: S307 - a test's own fixed recipes


def _substitute(text: str, scope: dict[str, Any]) -> str:
    return EXPRESSION.sub(lambda m: str(_evaluate(m.group(1), scope)), text)


def _should_run(step: dict[str, Any], job: Job, scope: dict[str, Any]) -> bool:
    condition = step.get("if")
    if condition is None:
        return not job.failed
    condition = EXPRESSION.sub(r"\1", str(condition))
    return bool(_evaluate(condition, {**scope, "failed": job.failed})) and (
        "always()" in condition or not job.failed
    )


def _bash(script: str, *, cwd: Path, env: dict[str, str]) -> int:
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd, env=env, capture_output=True, text=True,
    )  # fmt: skip
    sys.stdout.write(f"$ {script.strip()}\n{done.stdout}{done.stderr}")
    return done.returncode


def _run_action(inputs: dict[str, str], job: Job) -> int:
    """action.yml's steps, its install step replaced by the console script on PATH."""
    defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    scope = {"inputs": {**defaults, **inputs}, "github": {"action_path": str(REPO)}}
    for step in ACTION["runs"]["steps"]:
        if "uses" in step or step["name"].startswith("Install agentform"):
            continue
        if not _evaluate(str(step["if"]), scope):
            continue
        env = {k: _substitute(str(v), scope) for k, v in step.get("env", {}).items()}
        cwd = job.root / _substitute(step["working-directory"], scope)
        return _bash(step["run"], cwd=cwd, env={**job.env, **env})
    return 0


def _describe(step: dict[str, Any]) -> str:
    if "run" in step:
        return str(step["run"]).splitlines()[0]
    return f"{step['uses']} {step.get('with', {}).get('command', '')}".strip()


def run_workflow(path: Path, root: Path, env: dict[str, str]) -> Job:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    ((_, spec),) = workflow["jobs"].items()
    job = Job(root=root, env=dict(env))
    scope: dict[str, Any] = {"secrets": env, "env": {}, "github": {}}
    for name, value in {**workflow.get("env", {}), **spec.get("env", {})}.items():
        job.env[name] = scope["env"][name] = _substitute(str(value), scope)
    for step in spec["steps"]:
        name = step.get("name") or _describe(step)
        if not _should_run(step, job, scope):
            job.log.append((name, "skipped"))
            continue
        uses = step.get("uses", "")
        if uses.startswith("agentform/agentform@"):
            code = _run_action({k: str(v) for k, v in step.get("with", {}).items()}, job)
        elif uses:
            job.log.append((name, "third-party"))
            continue
        else:
            code = _bash(step["run"], cwd=root, env=job.env)
        job.log.append((name, "ok" if code == 0 else f"exit {code}"))
        job.failed = job.failed or code != 0
    return job


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The example estate as a git checkout of `main`, with a bare remote to push to."""
    remote = tmp_path / "remote.git"
    _git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    root = copy_example(tmp_path / "estate")
    _git(root, "init", "--quiet", "--initial-branch=main")
    for setting in ("user.name=test", "user.email=test@example.com", "commit.gpgsign=false"):
        _git(root, "config", *setting.split("="))
    _git(root, "add", ".")
    _git(root, "commit", "--quiet", "-m", "estate")
    _git(root, "remote", "add", "origin", str(remote))
    _git(root, "push", "--quiet", "--set-upstream", "origin", "main")
    return root


@pytest.fixture
def env(emulator_url: str, tmp_path: Path) -> dict[str, str]:
    """A runner's environment: the console script on PATH, the API at the emulator."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "GIT_"))}
    return {
        **base,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "ANTHROPIC_API_KEY": API_KEY,
        "ANTHROPIC_BASE_URL": emulator_url,
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        "RUNNER_TEMP": str(tmp_path),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "NO_COLOR": "1",
    }


def test_every_recipe_uses_the_action_and_no_pip_install() -> None:
    for path in sorted(RECIPES.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        assert "pip install" not in text, f"{path.name} installs agentform by hand"
        if path.name != "pre-commit-config.yaml":
            assert "uses: agentform/agentform@" in text, path.name


def test_plan_recipe_posts_a_plan_with_its_marker(repo: Path, env: dict[str, str]) -> None:
    from agentform.render.markdown import MARKER

    job = run_workflow(RECIPES / "plan-on-pull-request.yml", repo, env)
    assert not job.failed, job.log  # exit 2 (changes) is fine for a pull request
    assert "exit-code=2" in Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")
    plan = (repo / "plan.md").read_text(encoding="utf-8")
    assert MARKER in plan and "triage" in plan
    # plan --eval: a first apply creates the agent, so there is nothing pinned to score yet
    assert "- `triage` (triage): not scored, a new agent: nothing pinned yet" in plan
    assert job.outcome("Post or update the plan comment") == "third-party"


def test_apply_recipe_applies_and_pushes_the_pins(
    repo: Path, env: dict[str, str], emulator_url: str
) -> None:
    job = run_workflow(RECIPES / "apply-after-merge.yml", repo, env)
    assert not job.failed, job.log
    assert admin.counters(emulator_url)["POST /v1/agents"] == 1
    pushed = _git(repo, "show", "origin/main:pins.yaml")
    assert "triage:" in pushed and "version: 1" in pushed
    check = run_workflow(RECIPES / "pins-check.yml", repo, env)
    assert not check.failed, check.log


def test_apply_recipe_commits_the_pins_that_moved_when_apply_fails(
    repo: Path, env: dict[str, str], emulator_url: str
) -> None:
    admin.inject_fault(
        emulator_url, method="POST", path="/v1/environments", status=429, retry_after=0, count=20
    )
    job = run_workflow(RECIPES / "apply-after-merge.yml", repo, env)
    assert admin.faults_fired(emulator_url) >= 1
    assert job.failed and job.outcome("apply --auto-approve").startswith("exit 1")
    assert job.outcome("Commit the pins") == "ok"
    pushed = _git(repo, "show", "origin/main:pins.yaml")
    assert "triage:" in pushed and "default:" not in pushed  # the agent's pin is not lost


def test_pre_commit_hooks_name_real_commands() -> None:
    from click.testing import CliRunner

    from agentform.cli import main

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for hook in hooks:
        argv = hook["entry"].split()[1:]
        result = CliRunner().invoke(main, [*argv, "--help"])
        assert result.exit_code == 0, f"{hook['id']}: {result.output}"
