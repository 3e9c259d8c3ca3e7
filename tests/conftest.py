"""Shared fixtures: one emulator for the whole test session, strict SDK clients.

- `emulator_url`: the base URL of a session-wide emulator; every test starts with its
  data, counters and pending faults wiped (via `POST /_emulator/reset`).
- `client`: an `anthropic.Anthropic` on that URL with strict response validation and
  fast retries, so a test sees exactly what the real SDK would.
- `make_client`: the same for any URL (e.g. a `fresh_emulator`), with options.
- `fresh_emulator`: starts a dedicated emulator (own settings, own database), for
  restart, latency, auth or ping tests: `with fresh_emulator(db_path=p) as url: ...`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from agentform.emulator import admin, serve
from tests.estate import REPO, copy_example

TEST_API_KEY = "test-key"


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    """A copy of the repository's example estate (manifests, prompt, evals, pins.yaml)."""
    return copy_example(tmp_path / "estate")


@pytest.fixture(scope="session")
def _session_emulator() -> Iterator[str]:
    with serve() as url:
        yield url


@pytest.fixture
def emulator_url(_session_emulator: str) -> str:
    admin.reset(_session_emulator, data=True)
    return _session_emulator


@pytest.fixture(scope="session")
def _responder_emulator() -> Iterator[str]:
    with serve(responder=REPO / "evals" / "responder.yaml") as url:
        yield url


@pytest.fixture
def responder_url(_responder_emulator: str) -> str:
    """An emptied emulator answering with the example estate's rules (evals/responder.yaml)."""
    admin.reset(_responder_emulator, data=True)
    return _responder_emulator


@pytest.fixture
def make_client() -> Callable[..., Any]:
    import anthropic

    def make(url: str, **options: Any) -> anthropic.Anthropic:
        options.setdefault("api_key", TEST_API_KEY)
        options.setdefault("max_retries", 2)
        return anthropic.Anthropic(base_url=url, _strict_response_validation=True, **options)

    return make


@pytest.fixture
def client(emulator_url: str, make_client: Callable[..., Any]) -> Any:
    return make_client(emulator_url)


@pytest.fixture
def fresh_emulator(tmp_path: Path) -> Callable[..., AbstractContextManager[str]]:
    def start(**options: Any) -> AbstractContextManager[str]:
        options.setdefault("db_path", tmp_path / "emulator.db")
        return serve(**options)

    return start
