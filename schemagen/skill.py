"""The schema of a skill manifest: the YAML frontmatter of `skills/<key>/SKILL.md`.

Hand-written: no SDK type describes it (the SDK uploads files). The fields are the
Agent Skills specification's, with the API's limits on `name` and `description`; an
unknown field is an error, as the specification's reference validator makes it, so a
typo (`descripton:`) is caught before upload.
"""

from __future__ import annotations

from schemagen.own import Schema, document

NAME_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"


def skill_schema() -> Schema:
    text = {"type": "string"}
    return document(
        {
            "type": "object",
            "required": ["name", "description"],
            "additionalProperties": False,
            "properties": {
                "name": {
                    **text,
                    "pattern": NAME_PATTERN,
                    "maxLength": 64,
                    "description": "The skill's kebab-case name: lowercase letters, digits and "
                    "hyphens. Fixed when the skill is created (a new name is a new skill).",
                },
                "description": {
                    **text,
                    "minLength": 1,
                    "maxLength": 1024,
                    "description": "What the skill does and when to use it.",
                },
                "license": {**text, "description": "A license name, or a bundled file's."},
                "compatibility": {
                    **text,
                    "maxLength": 500,
                    "description": "What the skill needs from its environment.",
                },
                "metadata": {
                    "type": "object",
                    "additionalProperties": text,
                    "description": "Further properties, string to string.",
                },
                "allowed-tools": {
                    **text,
                    "description": "Tools the skill may use, separated by spaces.",
                },
            },
        },
        title="agentform skill manifest (skills/<key>/SKILL.md frontmatter)",
        description="One custom skill: the YAML frontmatter of SKILL.md. Every file in the "
        "skill's directory is its content. The directory's name is the skill's key.",
    )
