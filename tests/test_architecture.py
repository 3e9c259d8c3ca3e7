"""A kind lives in its own modules: plan, apply, pins, render and the command line never
name one.

Every module of the package is parsed; identifiers and string literals (docstrings and
comments do not count) that name a kind other than the agent and the environment, by
any of its catalog names (`skill`, `skills`, `skill_`, `skillver_`, `memory-store`,
`MemoryStore`, ...), may appear only in that kind's own modules, in the registration
(`catalog.py`, `kinds/__init__.py`), in the emulator (the server's stand-in: its routes
are the API's, kind by kind), in the schemas compiled to Python (`_validators/`, generated
like the JSON schemas) and in the modules of ALLOWED, features that use a kind.
So `if kind == "skill"` in `plan/` fails here: ask the kind (`kinds/base.py`) instead.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentform.catalog import CATALOG, Entry

PACKAGE = Path(__file__).resolve().parent.parent / "cli" / "agentform"
CORE = ("agent", "environment")  # every layer knows these two: sessions run them
REGISTRATION = ("catalog.py", "kinds/__init__.py")
# Helper modules of one kind that are not named after it (only that kind imports them).
HELPERS = {"kinds/credentials.py": "vault", "kinds/memories.py": "memory_store"}

# Features that use a kind, by module: each entry is a kind the module may name, and why.
ALLOWED: dict[str, set[str]] = {
    # The agent's own fields: `skills: [{skill: key}]` references in its manifest.
    "kinds/agent.py": {"skill"},
    "kinds/agent_manifest.py": {"skill"},
    # A deployment runs an agent with vaults and memory stores (`vaults:`, `resources:`).
    "kinds/deployment.py": {"vault", "memory_store"},
    "kinds/deployment_manifest.py": {"vault", "memory_store"},
    # `run --deployment KEY` and `unpause`: what only deployments do, outside plan/apply.
    "cli/deployments.py": {"deployment"},
    "remote/deployments.py": {"deployment"},
    "cli/root.py": {"deployment"},  # registers cli/deployments.py's commands
    # `run` and `eval` sessions: `--deployment`, and the vaults a session uses.
    "cli/evaluate.py": {"deployment", "vault"},
    "evals/runner.py": {"vault"},
    "evals/suite.py": {"vault"},
    "evals/suite_checks.py": {"vault"},
    "evals/suite_model.py": {"vault"},
    "evals/workflow.py": {"vault"},
    "manifests/project.py": {"vault"},  # an eval suite's vaults must have manifests
    "remote/sessions.py": {"vault"},
    "remote/async_sessions.py": {"vault"},
    # The caller API: `pins.session_params(..., vaults=[...])` gives a session vault ids.
    "pins/model.py": {"vault"},
}


def _pattern(entry: Entry) -> re.Pattern[str]:
    names = {
        entry.name,  # memory_store (and so memory_stores, memory_store_id)
        entry.name.replace("_", ""),  # MemoryStore
        entry.label,  # memory store
        entry.command,  # memory-store
        entry.id_prefix,  # memstore_
        entry.version_prefix,
    } - {""}
    words = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![a-z])(?:{words})", re.IGNORECASE)


PATTERNS = {e.name: _pattern(e) for e in CATALOG if e.name not in CORE}


def _module(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _owns(name: str, module: str) -> bool:
    if module in REGISTRATION or module.startswith(("emulator/", "_validators/")):
        return True  # the emulator, and the schemas compiled to Python by `make schemas`
    return module.startswith(f"kinds/{name}") or HELPERS.get(module) == name


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _words(node: ast.AST, docstrings: set[int]) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if id(node) not in docstrings:
            yield node.value
    elif isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Attribute):
        yield node.attr
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name
    elif isinstance(node, (ast.arg, ast.keyword)):
        yield node.arg or ""
    elif isinstance(node, ast.alias):
        yield node.name
        yield node.asname or ""
    elif isinstance(node, ast.ImportFrom):
        yield node.module or ""


def kind_names(source: str) -> Iterator[tuple[str, int, str]]:
    """(kind, line, word) for every identifier or string in `source` that names a kind."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        for word in _words(node, docstrings):
            for name, pattern in PATTERNS.items():
                if pattern.search(word):
                    yield name, getattr(node, "lineno", 0), word


def _found() -> dict[tuple[str, str], list[str]]:
    """(module, kind) -> where a module that is not the kind's names it."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module(path)
        for name, line, word in kind_names(path.read_text(encoding="utf-8")):
            if not _owns(name, module):
                found.setdefault((module, name), []).append(f"{module}:{line}: {word[:60]!r}")
    return found


def test_only_a_kind_s_own_modules_name_it() -> None:
    found = _found()
    stray = [
        hit
        for (module, name), hits in found.items()
        if name not in ALLOWED.get(module, ())
        for hit in hits
    ]
    assert stray == [], "ask the kind (kinds/base.py) or the catalog instead:\n" + "\n".join(stray)


def test_every_allowed_use_is_still_there() -> None:
    """The allow-list stays as small as it is honest: an entry nothing needs goes."""
    found = _found()
    unused = [(m, n) for m, names in ALLOWED.items() for n in names if (m, n) not in found]
    assert unused == []


def _imports(tree: ast.Module) -> Iterator[str]:
    """The modules `tree` imports, dotted (`from a import b` gives a and a.b)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_a_helper_module_of_one_kind_is_imported_by_that_kind_only() -> None:
    for helper, name in HELPERS.items():
        dotted = "agentform." + helper.removesuffix(".py").replace("/", ".")
        importers = {
            _module(path)
            for path in PACKAGE.rglob("*.py")
            if dotted in _imports(ast.parse(path.read_text(encoding="utf-8")))
        }
        assert importers, helper
        assert all(m.startswith(f"kinds/{name}") for m in importers), importers


def _cases(entry: Entry) -> list[tuple[str, str | None]]:
    camel = entry.label.title().replace(" ", "")
    return [
        (f'if kind == "{entry.name}":\n    pass\n', entry.name),
        (f"x = obj.{entry.name}_id\n", entry.name),
        (f'prefix = "{entry.id_prefix}"\n', entry.name),
        (f"class {camel}Thing:\n    pass\n", entry.name),
        (f'def f():\n    """A {entry.label}, in a docstring."""\n    # {entry.plural} too\n', None),
    ]


@pytest.mark.parametrize(
    ("source", "kind"), [case for e in CATALOG if e.name not in CORE for case in _cases(e)]
)
def test_the_scan_sees_code_and_not_prose(source: str, kind: str | None) -> None:
    assert [name for name, _, _ in kind_names(source)] == ([kind] if kind else [])
