"""The JSON Schemas: generated from the SDK, committed, current, and printed by `schema`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from schemagen import build_schemas, render

from agentform.cli import main
from agentform.manifests.schemas import KINDS, schema_text
from tests.sdk import INSTALLED_SDK, LOCKED_SDK, on_locked_sdk

REPO = Path(__file__).resolve().parent.parent


@on_locked_sdk
@pytest.mark.parametrize("kind", KINDS)
def test_committed_schema_matches_the_generator(kind: str) -> None:
    committed = (REPO / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == render(build_schemas()[kind]), (
        f"schemas/{kind}.schema.json is stale for the locked anthropic {LOCKED_SDK}: "
        "run `make schemas` and commit the result"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_schemas_are_valid_json_schema(kind: str) -> None:
    Draft202012Validator.check_schema(build_schemas()[kind])


def test_agent_schema_carries_sdk_field_docs_and_agentform_fields() -> None:
    agent = build_schemas()["agent"]
    assert "system_file" in agent["properties"]
    assert "betas" not in agent["properties"] and "workspace_id" not in agent["properties"]
    assert agent["properties"]["tools"]["description"].startswith("Tool configurations")
    assert agent["additionalProperties"] is False
    custom_input = agent["$defs"]["BetaManagedAgentsCustomToolInputSchemaParam"]
    assert custom_input["additionalProperties"] is True  # JSON Schema keywords stay open


@pytest.mark.parametrize(
    "path",
    sorted((REPO / "agents").glob("*.yaml")) + sorted((REPO / "environments").glob("*.yaml")),
)
def test_example_manifests_name_their_schema_and_satisfy_it(path: Path) -> None:
    kind = "agent" if path.parent.name == "agents" else "environment"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema=../schemas/{kind}.schema.json"
    assert (path.parent / first.split("=", 1)[1]).resolve().exists()
    Draft202012Validator(build_schemas()[kind]).validate(
        yaml.safe_load(path.read_text(encoding="utf-8"))
    )


@pytest.mark.parametrize("kind", KINDS)
def test_schema_command_prints_the_committed_file(kind: str) -> None:
    result = CliRunner().invoke(main, ["schema", kind])
    assert result.exit_code == 0
    assert result.output == schema_text(kind)


def test_schema_command_lists_kinds_and_rejects_unknown_ones() -> None:
    listing = CliRunner().invoke(main, ["schema"])
    assert listing.exit_code == 0 and all(kind in listing.output for kind in KINDS)
    bad = CliRunner().invoke(main, ["schema", "widget"])
    assert bad.exit_code == 1 and "Invalid value" in bad.output


def test_make_test_runs_on_the_locked_sdk() -> None:
    """`make test` installs exactly uv.lock; only `make test-sdk-range` uses other SDKs."""
    if ".venv-sdk" in Path(sys.prefix).parts:
        pytest.skip("make test-sdk-range runs another SDK on purpose")
    assert INSTALLED_SDK == LOCKED_SDK
