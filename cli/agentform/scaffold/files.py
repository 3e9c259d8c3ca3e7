"""What `init` and `new` write, and writing it without overwriting anything."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from agentform.errors import UserError
from agentform.kinds import BY_NAME
from agentform.manifests.fmt import format_text
from agentform.manifests.schemas import KEY_PATTERN, KINDS, schema_text
from agentform.scaffold import sample

TEMPLATES = Path(__file__).parent / "templates"
RECIPES = Path(__file__).parent.parent / "_ci"
WORKFLOWS = {
    "plan-on-pull-request.yml": "agentform-plan.yml",
    "apply-after-merge.yml": "agentform-apply.yml",
    "pins-check.yml": "agentform-pins-check.yml",
}
NEW_KINDS = ("agent", "environment", "suite")
_KEY = re.compile(KEY_PATTERN)
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class NewFile:
    path: Path  # relative to the estate
    text: str
    append: bool = False  # .gitignore: add the missing lines to a file that exists


def render(template: str, **values: str) -> str:
    """A template from templates/ with its {{placeholders}} filled (all of them)."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")

    def fill(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return _PLACEHOLDER.sub(fill, text)


def agent_file(key: str, *, name: str, description: str, system: str) -> NewFile:
    body = _indent(system, 2).rstrip("\n")
    text = render("agent.yaml", key=key, name=name, description=description, system=body)
    return NewFile(Path("agents") / f"{key}.yaml", format_text(text, "agent"))


def environment_file(key: str, *, name: str, description: str) -> NewFile:
    text = render("environment.yaml", key=key, name=name, description=description)
    return NewFile(Path("environments") / f"{key}.yaml", format_text(text, "environment"))


def suite_file(key: str, *, agent: str, environment: str, prompt: str, cases: str) -> NewFile:
    text = render(
        "suite.yaml",
        key=key,
        agent=agent,
        environment=environment,
        prompt=_indent(prompt, 2).lstrip(" ").rstrip("\n"),
        cases=cases.rstrip("\n"),
    )
    return NewFile(Path("evals") / f"{key}.yaml", format_text(text, "eval"))


def init_files(*, sample_estate: bool) -> list[NewFile]:
    """Schemas, .gitignore, pre-commit config and CI workflows; with the sample estate."""
    files = [NewFile(Path("schemas") / f"{kind}.schema.json", schema_text(kind)) for kind in KINDS]
    files.append(NewFile(Path(".gitignore"), render("gitignore"), append=True))
    precommit = (RECIPES / "pre-commit-config.yaml").read_text(encoding="utf-8")
    precommit = precommit.replace(
        "# Merge into your repository's .pre-commit-config.yaml.",
        "# pre-commit (https://pre-commit.com): `pre-commit install` runs these before commits.",
    )
    files.append(NewFile(Path(".pre-commit-config.yaml"), precommit))
    for recipe, name in WORKFLOWS.items():
        text = (RECIPES / recipe).read_text(encoding="utf-8")
        files.append(NewFile(Path(".github") / "workflows" / name, text))
    return files + (_sample() if sample_estate else [])


def _sample() -> list[NewFile]:
    rules = render("responder.yaml", suite=sample.AGENT, rules=sample.rules_yaml().rstrip("\n"))
    return [
        agent_file(
            sample.AGENT,
            name=sample.AGENT_NAME,
            description=sample.AGENT_DESCRIPTION,
            system=sample.SYSTEM,
        ),
        environment_file(
            sample.ENVIRONMENT,
            name=sample.ENVIRONMENT_NAME,
            description=sample.ENVIRONMENT_DESCRIPTION,
        ),
        suite_file(
            sample.AGENT,
            agent=sample.AGENT,
            environment=sample.ENVIRONMENT,
            prompt=sample.PROMPT,
            cases=sample.cases_yaml(),
        ),
        NewFile(Path("evals") / "responder.yaml", rules),
    ]


def new_file(
    root: Path, kind: str, key: str, *, agent: str | None = None, environment: str | None = None
) -> NewFile:
    """One commented file for `agentform new KIND KEY`."""
    check_key(key)
    if kind == "agent":
        return agent_file(
            key, name=key, description=f"What {key} does.", system=f"You are {key}. ...\n"
        )
    if kind == "environment":
        return environment_file(key, name=key, description=f"Where sessions of {key} run.")
    agent = agent or _only(root, "agent", prefer=key)
    environment = environment or _only(root, "environment")
    case = (
        "  - id: example\n    label: example\n"
        "    input: {message: 'Replace me with a real input.'}\n"
        "    expected: the reply you expect\n"
    )
    return suite_file(key, agent=agent, environment=environment, prompt="{message}\n", cases=case)


def check_key(key: str) -> None:
    if not _KEY.match(key):
        raise UserError(
            f"{key!r} is not a valid key: use lowercase letters, digits, '-' and '_', "
            "starting with a letter or digit"
        )


def _only(root: Path, kind_name: str, *, prefer: str | None = None) -> str:
    keys = sorted(p.stem for p in BY_NAME[kind_name].discover(root))
    if prefer in keys:
        return prefer
    if len(keys) == 1:
        return keys[0]
    listing = ", ".join(keys) or "none yet"
    raise UserError(f"which {kind_name}? pass --{kind_name} KEY (the estate has: {listing})")


def existing_estate(root: Path) -> list[Path]:
    """Manifests already under `root` (init starts an estate; import adds to one)."""
    return [p for kind in BY_NAME.values() for p in kind.discover(root)]


def write_new(root: Path, files: Sequence[NewFile]) -> list[Path]:
    """Write every file, or none: refuse before writing if any of them exists."""
    taken = [root / f.path for f in files if not f.append and (root / f.path).exists()]
    if taken:
        listing = ", ".join(str(p) for p in taken)
        raise UserError(f"refusing to overwrite: {listing} already exist; nothing was written")
    written = []
    for new in files:
        path = root / new.path
        path.parent.mkdir(parents=True, exist_ok=True)
        text = _appended(path, new.text) if new.append else new.text
        if text is not None:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def _appended(path: Path, text: str) -> str | None:
    """`text`'s lines missing from the existing file at `path`, added at its end."""
    if not path.exists():
        return text
    current = path.read_text(encoding="utf-8")
    have = set(current.splitlines())
    missing = [line for line in text.splitlines() if line and line not in have]
    if not any(line and not line.startswith("#") for line in missing):
        return None
    joined = current if current.endswith("\n") or not current else current + "\n"
    return joined + "\n".join(missing) + "\n"


def _indent(text: str, width: int) -> str:
    return "".join(" " * width + line if line.strip() else line for line in _lines(text))


def _lines(text: str) -> Iterable[str]:
    return text.splitlines(keepends=True) if text.endswith("\n") else [*text.splitlines(True), "\n"]
