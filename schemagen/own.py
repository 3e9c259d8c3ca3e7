"""The schemas of agentform's own file formats: pins.yaml and eval suites.

Hand-written (these formats are agentform's, not the API's) and generated into
schemas/ beside the SDK-derived ones by schemagen.py.
"""

from __future__ import annotations

from typing import Any

from agentform.catalog import CATALOG
from agentform.manifests.schemas import KEY_PATTERN

Schema = dict[str, Any]
JSONSCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def document(schema: Schema, *, title: str, description: str) -> Schema:
    head = {"$schema": JSONSCHEMA_DIALECT, "title": title, "description": description}
    return {**head, **{k: v for k, v in schema.items() if k not in head}}


def pins_schema() -> Schema:
    key_map = {"type": "object", "propertyNames": {"pattern": KEY_PATTERN}}
    return document(
        {
            "type": "object",
            "required": ["schema_version", "agents", "environments"],
            "additionalProperties": False,
            "properties": {
                "schema_version": {"const": 1, "description": "Format version of this file."},
                "workspace_id": {
                    "type": "string",
                    "description": "The workspace these ids live in; agentform refuses to "
                    "use this file against another workspace.",
                },
                "agents": {**key_map, "additionalProperties": {"$ref": "#/$defs/AgentPin"}},
                "environments": {
                    **key_map,
                    "additionalProperties": {"$ref": "#/$defs/EnvironmentPin"},
                },
                "skills": {**key_map, "additionalProperties": {"$ref": "#/$defs/SkillPin"}},
                **{
                    section: {**key_map, "additionalProperties": _id_pin(prefix)}
                    for section, prefix in _ID_SECTIONS
                },
            },
            "$defs": {
                "AgentPin": _agent_pin(),
                "SkillPin": _skill_pin(),
                "EnvironmentPin": _environment_pin(),
                "Evidence": _evidence(),
                "VersionScore": _version_score(),
            },
        },
        title="agentform pins file (pins.yaml)",
        description="Which agent version and environment every caller uses. Written by "
        "`agentform apply` and `agentform pin`; revert a change to roll it back.",
    )


def eval_schema() -> Schema:
    """Hand-written: suites are agentform's own format (see agentform.evals.suite)."""
    key = {"type": "string", "pattern": KEY_PATTERN}
    return document(
        {
            "type": "object",
            "required": ["agent", "environment", "prompt", "cases"],
            "additionalProperties": False,
            "properties": {
                "description": {"type": "string", "description": "What this suite checks."},
                "agent": {**key, "description": "Key of the agent under test (agents/<key>.yaml)."},
                "environment": {
                    **key,
                    "description": "Key of the environment its sessions run in "
                    "(environments/<key>.yaml).",
                },
                "vaults": {
                    "type": "array",
                    "items": key,
                    "uniqueItems": True,
                    "maxItems": 50,
                    "description": "Keys of the vaults whose credentials its sessions use "
                    "(vaults/<key>.yaml), as pinned: the sessions get their `vault_ids`.",
                },
                "prompt": {
                    "type": "string",
                    "minLength": 1,
                    "description": "The user message sent for each case. `{field}` placeholders "
                    "are filled from the case's `input`; write `{{` and `}}` for literal braces.",
                },
                "scoring": {"$ref": "#/$defs/Scoring"},
                "repeats": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 100,
                    "default": 1,
                    "description": "Runs per case and version (pass@K and pass^K when > 1); "
                    "`agentform eval --repeat` overrides it.",
                },
                "timeout_seconds": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": 3600,
                    "default": 120,
                    "description": "Per run: a reply not finished by then is an error, not a "
                    "wrong answer.",
                },
                "cases": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Case"}},
                **_gate_properties(),
            },
            "if": {
                "required": ["scoring"],
                "properties": {
                    "scoring": {"required": ["method"], "properties": {"method": {"const": "json"}}}
                },
            },
            "then": _expected({"type": "object", "minProperties": 1}),
            "else": {"if": {"required": ["scoring"]}, "then": _expected({"type": "string"})},
            "$defs": {
                "Scoring": _scoring(),
                "Case": _case(),
                "Grader": _grader(),
                "Price": _price(),
            },
        },
        title="agentform eval suite (evals/<name>.yaml)",
        description="A labelled test set for one agent: `agentform eval`, `agentform promote "
        "--eval` and `agentform apply --gate` score versions on it. The file stem is the "
        "suite's name.",
    )


def _expected(schema: Schema) -> Schema:
    return {"properties": {"cases": {"items": {"properties": {"expected": schema}}}}}


def _scoring() -> Schema:
    return {
        "type": "object",
        "required": ["method"],
        "additionalProperties": False,
        "properties": {
            "method": {
                "enum": ["contains", "exact", "json", "regex"],
                "description": "json: the reply parsed as a JSON object, `fields` compared with "
                "the case's `expected` mapping; exact: the reply (whitespace trimmed) equals "
                "`expected`; contains: it contains `expected`; regex: `expected` is found in it.",
            },
            "fields": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"type": "string", "minLength": 1},
                "description": "json only: the fields compared. Default: every field of a "
                "case's `expected`.",
            },
            "ignore_case": {
                "type": "boolean",
                "default": False,
                "description": "Compare text case-insensitively.",
            },
        },
    }


def _case() -> Schema:
    scalar = {"type": ["string", "number", "boolean"]}
    return {
        "type": "object",
        "required": ["id", "label"],
        "additionalProperties": False,
        "properties": {
            "id": {
                "type": "string",
                "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                "maxLength": 128,
                "description": "Unique in the suite; names the case in reports.",
            },
            "label": {
                "type": "string",
                "minLength": 1,
                "maxLength": 64,
                "not": {"const": "overall"},
                "x-hint": "'overall' names the report's total row",
                "description": "The group this case counts toward in the per-label breakdown.",
            },
            "input": {
                "type": "object",
                "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                "additionalProperties": scalar,
                "description": "Values for the prompt's `{field}` placeholders.",
            },
            "expected": {
                "description": "json scoring: a mapping of field -> expected value; otherwise "
                "the expected text (exact, contains) or a regular expression (regex). "
                "Graders without a value of their own compare with it."
            },
            "graders": {
                "type": "array",
                "items": {"$ref": "#/$defs/Grader"},
                "description": "This case's own graders, beside the suite's.",
            },
        },
    }


def _gate_properties() -> Schema:
    """What a suite holds candidates to, beside its cases."""
    fraction = {"type": "number", "minimum": 0, "maximum": 1}
    percent = {
        "oneOf": [
            {"type": "number", "minimum": 0},
            {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$"},
        ]
    }
    duration = {
        "oneOf": [
            {"type": "number", "exclusiveMinimum": 0},
            {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*(ms|s)?\s*$"},
        ]
    }
    return {
        "graders": {
            "type": "array",
            "items": {"$ref": "#/$defs/Grader"},
            "description": "Graders every case must pass, after `scoring` (which is optional "
            "when there are graders).",
        },
        "judge": {
            "type": "object",
            "additionalProperties": False,
            "description": "The LLM judge of `rubric` graders (Messages API).",
            "properties": {
                "model": {"type": "string", "minLength": 1, "default": "claude-haiku-4-5"},
                "repeats": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 15,
                    "default": 1,
                    "description": "Judge calls per reply; the majority decides.",
                },
                "max_tokens": {"type": "integer", "minimum": 16, "default": 512},
                "batch": {
                    "enum": ["auto", "always", "never"],
                    "default": "auto",
                    "description": "Grade through the Message Batches API (half price): "
                    "auto does so above `batch_threshold` judge calls.",
                },
                "batch_threshold": {"type": "integer", "minimum": 1, "default": 200},
            },
        },
        "min_accuracy": {
            "description": "An absolute floor for the candidate: a fraction (overall), or "
            "a mapping of label (or `overall`) -> fraction.",
            "oneOf": [
                fraction,
                {"type": "object", "additionalProperties": fraction, "minProperties": 1},
            ],
        },
        "budgets": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "max_cost_increase": {
                    **percent,
                    "description": "Largest increase of cost per run over the baseline: "
                    "'20%' or 0.2.",
                },
                "max_latency_p95": {
                    **duration,
                    "description": "Largest p95 of a run's wall time: seconds, '30s' or '1500ms'.",
                },
            },
        },
        "statistics": {
            "type": "object",
            "additionalProperties": False,
            "description": "How versions are compared (paired bootstrap over cases).",
            "properties": {
                "confidence": {"type": "number", "exclusiveMinimum": 0.5, "exclusiveMaximum": 1},
                "min_effect": {
                    **fraction,
                    "description": "Differences smaller than this are never better or worse.",
                },
                "samples": {"type": "integer", "minimum": 100, "maximum": 100000},
                "seed": {"type": "integer"},
                "correction": {
                    "enum": ["none", "bonferroni"],
                    "description": "bonferroni: each label's interval at confidence "
                    "1 - (1 - confidence) / labels, so that a false `worse` on some label "
                    "stays as unlikely as the stated confidence says.",
                },
            },
        },
        "prices": {
            "type": "object",
            "additionalProperties": {"$ref": "#/$defs/Price"},
            "description": "USD per million tokens, by model id: for models agentform has "
            "no price for, or to override one.",
        },
    }


def _grader() -> Schema:
    kinds = list(GRADER_REQUIRES)
    return {
        "type": "object",
        "required": ["type"],
        "additionalProperties": False,
        "properties": {
            "type": {"enum": kinds},
            "value": {"type": "string", "description": "equals / contains: the text."},
            "pattern": {"type": "string", "description": "regex: searched in the reply."},
            "expected": {"type": "object", "description": "json: field -> expected value."},
            "fields": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "ignore_case": {"type": "boolean"},
            "schema": {"type": "object", "description": "json_schema: the reply's schema."},
            "function": {
                "type": "string",
                "pattern": FUNCTION_PATTERN,
                "description": "python: `module:function`, the module a .py file under the "
                "estate (`evals.checks` is evals/checks.py).",
            },
            "name": {"type": "string", "minLength": 1, "description": "tool_*: the tool."},
            "input": {"type": "object", "description": "tool_*: a subset of the call's input."},
            "rubric": {"type": "string", "minLength": 1, "description": "rubric: the criteria."},
        },
        "allOf": [
            {"if": {"properties": {"type": {"const": kind}}}, "then": {"required": needed}}
            for kind, needed in GRADER_REQUIRES.items()
            if needed
        ],
    }


FUNCTION_PATTERN = r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$"
GRADER_REQUIRES: dict[str, list[str]] = {
    "json": [],
    "equals": [],
    "contains": [],
    "regex": [],
    "json_schema": ["schema"],
    "python": ["function"],
    "tool_called": ["name"],
    "tool_not_called": ["name"],
    "rubric": ["rubric"],
}


def _price() -> Schema:
    rate = {"type": "number", "minimum": 0}
    return {
        "type": "object",
        "required": ["input", "output"],
        "additionalProperties": False,
        "properties": {"input": rate, "output": rate, "cache_write": rate, "cache_read": rate},
    }


def _agent_pin() -> Schema:
    return {
        "type": "object",
        "required": ["id", "version", "digest"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": "^agent_[A-Za-z0-9]+$"},
            "version": {"type": "integer", "minimum": 1},
            "digest": {
                "type": "string",
                "pattern": "^sha256:[0-9a-f]{64}$",
                "description": "sha256 of the normalised spec this version holds on the server.",
            },
            "evidence": {"$ref": "#/$defs/Evidence"},
        },
    }


def _evidence() -> Schema:
    fraction = {"type": "number", "minimum": 0, "maximum": 1}
    return {
        "type": "object",
        "description": "What `agentform promote` measured before moving this pin; any other "
        "move of the pin drops it.",
        "required": ["suite", "evaluated_at", "tolerance", "repeats", "candidate", "baseline"],
        "additionalProperties": False,
        "properties": {
            "suite": {"type": "string", "pattern": KEY_PATTERN, "description": "evals/<name>.yaml"},
            "evaluated_at": {"type": "string", "description": "When, in UTC (RFC 3339)."},
            "tolerance": {**fraction, "description": "Largest drop in accuracy allowed."},
            "repeats": {"type": "integer", "minimum": 1},
            "candidate": {"$ref": "#/$defs/VersionScore"},
            "baseline": {"$ref": "#/$defs/VersionScore"},
        },
    }


def _version_score() -> Schema:
    fraction = {"type": "number", "minimum": 0, "maximum": 1}
    return {
        "type": "object",
        "required": ["version", "accuracy", "labels"],
        "additionalProperties": False,
        "properties": {
            "version": {"type": "integer", "minimum": 1},
            "accuracy": {**fraction, "description": "Passed runs / all runs."},
            "labels": {"type": "object", "additionalProperties": fraction},
        },
    }


# Sections whose pins are `{id}` checked by its prefix (the first three have $defs above).
_ID_SECTIONS = tuple(
    (e.plural, e.id_prefix) for e in CATALOG if e.plural not in ("agents", "environments", "skills")
)


def _id_pin(prefix: str) -> Schema:
    return {
        "type": "object",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {"id": {"type": "string", "pattern": f"^{prefix}[A-Za-z0-9]+$"}},
    }


def _environment_pin() -> Schema:
    return {
        "type": "object",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {"id": {"type": "string", "pattern": "^env_[A-Za-z0-9]+$"}},
    }


def _skill_pin() -> Schema:
    return {
        "type": "object",
        "required": ["id", "version", "digest"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": "^skill_[A-Za-z0-9]+$"},
            "version": {
                "type": "string",
                "pattern": "^[A-Za-z0-9_-]{1,128}$",
                "description": "The pinned version's id (skillver_...).",
            },
            "digest": {
                "type": "string",
                "pattern": "^sha256:[0-9a-f]{64}$",
                "description": "sha256 of the skill's name and files in this version.",
            },
        },
    }
