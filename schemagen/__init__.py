"""Generate the JSON Schemas in schemas/ from the SDK's own request param types.

The manifests *are* `agents.create` / `environments.create` bodies, so their schema is
derived from the SDK's TypedDicts (through pydantic), with the SDK's field docstrings
as descriptions, every object closed to unknown fields, the server's documented limits
added, and agentform's own fields (`system_file`). `make schemas` rewrites the files;
a test fails when the committed files are stale (a new SDK changed the types).

Only `make schemas` and the tests import this module: it imports the SDK and pydantic.
"""

from __future__ import annotations

import ast
import inspect
import json
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from typing_extensions import is_typeddict

from agentform.manifests.schemas import (
    KEY_PATTERN,
    KINDS,
    METADATA_RESERVED_PREFIX,
    USER_METADATA_KEYS,
)
from schemagen.own import Schema, document, eval_schema, pins_schema
from schemagen.skill import skill_schema

_SDK_ONLY_PARAMS = ("betas", "workspace_id")


def build_schemas() -> dict[str, Schema]:
    from schemagen.resources import deployment_schema, memory_store_schema, vault_schema

    builders: dict[str, Callable[[], Schema]] = {
        "agent": agent_schema,
        "environment": environment_schema,
        "skill": skill_schema,
        "pins": pins_schema,
        "eval": eval_schema,
        "deployment": deployment_schema,
        "vault": vault_schema,
        "memory_store": memory_store_schema,
    }
    return {kind: builders[kind]() for kind in KINDS if kind in builders}


def render(schema: Schema) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema whose text changed; return the paths written."""
    written = []
    for kind, schema in build_schemas().items():
        path = directory / f"{kind}.schema.json"
        text = render(schema)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def agent_schema() -> Schema:
    from anthropic.types.beta.agent_create_params import AgentCreateParams

    schema = _from_params(AgentCreateParams)
    props = schema["properties"]
    props["system_file"] = {
        "type": "string",
        "minLength": 1,
        "description": "Path of a UTF-8 file, relative to this manifest, holding the system "
        "prompt. Exactly one of `system` and `system_file`.",
    }
    _limit(props["name"], minLength=1, maxLength=256)
    _limit(props["description"], maxLength=2048)
    _limit(props["system"], maxLength=100_000)
    _limit(props["tools"], maxItems=256)
    _limit(props["mcp_servers"], maxItems=20)
    _limit(props["skills"], maxItems=20)
    _metadata(props["metadata"])
    defs = schema["$defs"]
    _limit(
        defs["BetaManagedAgentsURLMCPServerParams"]["properties"]["name"],
        minLength=1,
        maxLength=255,
    )
    _limit(
        defs["BetaManagedAgentsMCPToolsetParams"]["properties"]["mcp_server_name"],
        minLength=1,
        maxLength=255,
    )
    _limit(
        defs["BetaManagedAgentsMCPToolConfigParams"]["properties"]["name"],
        minLength=1,
        maxLength=128,
    )
    custom = defs["BetaManagedAgentsCustomToolParams"]["properties"]
    _limit(custom["name"], pattern="^[A-Za-z0-9_-]{1,128}$")
    _limit(custom["description"], minLength=1, maxLength=1024)
    _by_key(schema, "agent", "BetaManagedAgentsAgentParams", "a sub-agent managed here")
    _by_key(schema, "skill", "BetaManagedAgentsCustomSkillParams", "a custom skill managed here")
    return document(
        schema,
        title="agentform agent manifest (agents/<key>.yaml)",
        description="One agent: the body of `agents.create` with the API's own field names, "
        "plus `system_file`. The file stem is the agent's key.",
    )


def _by_key(schema: Schema, kind: str, params: str, what: str) -> None:
    """Wherever the API takes `params` (an id and version), also accept `{<kind>: <key>}`:
    the key of a resource agentform manages, resolved to its pinned id and version."""
    name = f"Agentform{kind.title()}KeyParams"
    schema["$defs"][name] = {
        "type": "object",
        "description": f"{what.capitalize()}, by its key: agentform sends its pinned id and "
        "version (never 'latest'), and makes a new version of this agent when that pin moves.",
        "properties": {kind: {"type": "string", "pattern": KEY_PATTERN}},
        "required": [kind],
        "additionalProperties": False,
        "title": name,
    }
    target = {"$ref": f"#/$defs/{params}"}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            branches = node.get("anyOf")
            if isinstance(branches, list) and target in branches:
                branches.append({"$ref": f"#/$defs/{name}"})
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)


def environment_schema() -> Schema:
    from anthropic.types.beta.environment_create_params import EnvironmentCreateParams

    schema = _from_params(EnvironmentCreateParams)
    props = schema["properties"]
    _limit(props["name"], minLength=1, maxLength=256)
    _limit(props["description"], maxLength=1024)
    _metadata(props["metadata"])
    return document(
        schema,
        title="agentform environment manifest (environments/<key>.yaml)",
        description="One environment: the body of `environments.create` with the API's own "
        "field names. The file stem is the environment's key.",
    )


def _from_params(params: type) -> Schema:
    """The SDK TypedDict as a closed JSON Schema with the SDK's docstrings."""
    from pydantic import TypeAdapter

    schema: Schema = TypeAdapter(params).json_schema()
    for name in _SDK_ONLY_PARAMS:
        schema["properties"].pop(name, None)
    docs = _field_docs(params)
    _describe(schema, docs.get(params.__name__, {}))
    for name, definition in schema.get("$defs", {}).items():
        _describe(definition, docs.get(name, {}))
    for node in _walk(schema):
        _tidy(node)
    return schema


def _describe(definition: Schema, docs: dict[str, str]) -> None:
    for field, text in docs.items():
        prop = definition.get("properties", {}).get(field)
        if prop is not None:
            prop["description"] = text


def _tidy(node: Schema) -> None:
    """Close objects to unknown fields (unless the SDK allows extras); drop noise titles.

    Enum values are sorted: pydantic's order for a Literal depends on what else the
    process generated before (the emulator builds adapters over the same SDK types).
    """
    if isinstance(node.get("enum"), list):
        node["enum"] = sorted(node["enum"], key=str)
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    for prop in node.get("properties", {}).values():
        if isinstance(prop, dict):
            prop.pop("title", None)


def _walk(node: Any) -> Iterator[Schema]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _limit(prop: Schema, **limits: Any) -> None:
    """Add limits to a property, or to the matching branch of an `anyOf` (e.g. str | null)."""
    wanted = _limit_type(limits)
    targets = [b for b in prop.get("anyOf", []) if b.get("type") == wanted] or [prop]
    for target in targets:
        target.update(limits)


def _limit_type(limits: dict[str, Any]) -> str:
    if {"maxItems", "minItems"} & limits.keys():
        return "array"
    if {"maxProperties"} & limits.keys():
        return "object"
    return "string"


def _metadata(prop: Schema) -> None:
    prop.update(
        {
            "maxProperties": USER_METADATA_KEYS,
            "propertyNames": {
                "maxLength": 64,
                "not": {"pattern": f"^{METADATA_RESERVED_PREFIX.replace('.', '[.]')}"},
                "x-hint": f"is reserved: keys starting with {METADATA_RESERVED_PREFIX!r} are "
                "agentform's own markers",
            },
            "additionalProperties": {"type": "string", "maxLength": 512},
            "x-hint": "the API allows 16; agentform keeps 2 for its markers",
            "description": f"Arbitrary key-value metadata: at most {USER_METADATA_KEYS} keys "
            "(the API's 16 less agentform's 2 markers), keys up to 64 characters, values up "
            f"to 512. Keys starting with {METADATA_RESERVED_PREFIX!r} are reserved.",
        }
    )


def _field_docs(root: type) -> dict[str, dict[str, str]]:
    """Attribute docstrings of every TypedDict reachable from `root`, by class name."""
    docs: dict[str, dict[str, str]] = {}
    for cls in _typeddicts(root, set()):
        docs[cls.__name__] = _attribute_docstrings(cls)
    return docs


def _typeddicts(tp: Any, seen: set[int]) -> Iterator[type]:
    if id(tp) in seen:
        return
    seen.add(id(tp))
    if is_typeddict(tp):
        yield tp
        for hint in typing.get_type_hints(tp).values():
            yield from _typeddicts(hint, seen)
        return
    for arg in typing.get_args(tp):
        yield from _typeddicts(arg, seen)


def _attribute_docstrings(cls: type) -> dict[str, str]:
    try:
        tree = ast.parse(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    found = {}
    for node, after in zip(body, body[1:], strict=False):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            found[node.target.id] = inspect.cleandoc(after.value.value)
    return found
