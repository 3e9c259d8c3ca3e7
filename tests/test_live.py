"""Against the real Managed Agents API: read-only, run only with a key and AGENTFORM_LIVE=1.

No machine here reaches the API, so these are skipped in CI; they are how the code
path that only the base URL separates from the emulator's is checked for real.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.estate import copy_example

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("AGENTFORM_LIVE") != "1",
        reason="needs ANTHROPIC_API_KEY and AGENTFORM_LIVE=1 (talks to the real API)",
    ),
]


def test_real_list_responses_parse_strictly() -> None:
    import anthropic

    from agentform.remote.client import Remote

    client = anthropic.Anthropic(_strict_response_validation=True)
    state = Remote(client).read_state()
    assert all(obj.id.startswith("agent_") for obj in state.agents)
    assert all(obj.id.startswith("env_") for obj in state.environments)


def test_plan_of_the_example_estate_runs_against_the_real_api(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from agentform.cli import main

    estate = copy_example(tmp_path)
    env = {"AGENTFORM_STRICT_RESPONSES": "1", "NO_COLOR": "1"}
    result = CliRunner().invoke(
        main, ["--dir", str(estate), "plan", "--detailed-exitcode"], env=env
    )
    assert result.exit_code in (0, 2), result.output
    assert os.environ["ANTHROPIC_API_KEY"] not in result.output  # never print the key
