"""Schemas of the deployment, vault and memory store manifests, from the SDK's create params.

Each is the SDK's `*CreateParams` (docstrings, closed objects, the API's limits) with
agentform's own fields: what a deployment uses, named by key (`agent`, `environment`,
`vaults`, a memory store resource's `{memory_store: <key>}`), an initial event's `text`
or `text_file`, `paused`; a vault's `credentials` by key, each secret field a
`{value_from: ...}` (never a value); a memory store's seed files are files, not fields.
"""

from __future__ import annotations

from typing import Any

from agentform.manifests.schemas import KEY_PATTERN
from schemagen.own import Schema, document

KEY = {"type": "string", "pattern": KEY_PATTERN}


def deployment_schema() -> Schema:
    from anthropic.types.beta.deployment_create_params import DeploymentCreateParams

    from schemagen import _from_params, _limit, _metadata

    schema = _from_params(DeploymentCreateParams)
    props, defs = schema["properties"], schema["$defs"]
    for name in ("agent", "environment_id", "vault_ids"):
        props.pop(name)
    props["agent"] = _agent_by_key()
    props["environment"] = {
        **KEY,
        "description": "Key of the environment its sessions run in "
        "(environments/<key>.yaml); sent as its pinned id.",
    }
    props["vaults"] = {
        "type": "array",
        "items": KEY,
        "uniqueItems": True,
        "maxItems": 50,
        "description": "Keys of the vaults (vaults/<key>.yaml) whose credentials its sessions "
        "use; sent as their pinned ids.",
    }
    props["paused"] = {
        "type": "boolean",
        "default": False,
        "description": "Paused deployments fire no scheduled runs. apply pauses and unpauses; "
        "a deployment the server paused after a failed run stays paused until "
        "`agentform unpause`.",
    }
    _limit(props["name"], minLength=1, maxLength=256)
    _limit(props["description"], maxLength=2048)
    _limit(props["initial_events"], minItems=1, maxItems=50)
    _limit(props["resources"], maxItems=500)
    _metadata(props["metadata"])
    schema["required"] = ["name", "agent", "environment", "initial_events"]
    _text_shorthand(defs["BetaManagedAgentsUserMessageEventParams"])
    _text_shorthand(defs["BetaManagedAgentsSystemMessageEventParams"])
    defs["BetaManagedAgentsGitHubRepositoryResourceParams"]["properties"].pop("authorization_token")
    _memory_store_by_key(defs["BetaManagedAgentsMemoryStoreResourceParam"])
    defs["BetaManagedAgentsScheduleParams"]["required"].remove("type")
    return document(
        schema,
        title="agentform deployment manifest (deployments/<key>.yaml)",
        description="One deployment: the body of `deployments.create` with what it uses named "
        "by key. apply always sends the agent's pinned version, so a pin move (apply, "
        "`pin`, `promote`, a reverted pins.yaml) moves the deployment with it. The file stem "
        "is the deployment's key.",
    )


def vault_schema() -> Schema:
    from anthropic.types.beta.vault_create_params import VaultCreateParams
    from anthropic.types.beta.vaults.credential_create_params import CredentialCreateParams

    from schemagen import _from_params, _limit, _metadata

    schema = _from_params(VaultCreateParams)
    credential = _from_params(CredentialCreateParams)
    defs = {**schema.get("$defs", {}), **credential.pop("$defs")}
    _limit(schema["properties"]["display_name"], minLength=1, maxLength=255)
    _metadata(schema["properties"]["metadata"])
    _metadata(credential["properties"]["metadata"])
    _limit(credential["properties"]["display_name"], maxLength=255)
    for name, field in _SECRETS:
        defs[name]["properties"][field] = {"$ref": "#/$defs/AgentformSecretSource"}
    defs["AgentformSecretSource"] = _secret_source()
    defs["AgentformCredential"] = {**credential, "title": "AgentformCredential"}
    schema["properties"]["credentials"] = {
        "type": "object",
        "propertyNames": {"pattern": KEY_PATTERN},
        "additionalProperties": {"$ref": "#/$defs/AgentformCredential"},
        "description": "The vault's credentials by key (the key marks the credential on the "
        "server). Secret fields take `{value_from: {env: NAME}}` or `{value_from: {file: "
        "PATH}}` (outside the repository), never a value.",
    }
    schema["$defs"] = defs
    return document(
        schema,
        title="agentform vault manifest (vaults/<key>.yaml)",
        description="One vault and its credentials: the body of `vaults.create` plus "
        "`credentials`. Secret values are read from the environment or a file at apply time "
        "and never written anywhere; a changed value plans 'credential <key> rotated'. The "
        "file stem is the vault's key.",
    )


def memory_store_schema() -> Schema:
    from anthropic.types.beta.memory_store_create_params import MemoryStoreCreateParams

    from schemagen import _from_params, _limit, _metadata

    schema = _from_params(MemoryStoreCreateParams)
    props = schema["properties"]
    _limit(props["name"], minLength=1, maxLength=255)
    _limit(props["description"], maxLength=1024)
    _metadata(props["metadata"])
    return document(
        schema,
        title="agentform memory store manifest (memory_stores/<key>.yaml)",
        description="One memory store: the body of `memory_stores.create`. The files under "
        "memory_stores/<key>/ seed its memories (memory_stores/<key>/notes/a.md is the memory "
        "/notes/a.md). The file stem is the store's key.",
    )


_SECRETS = (
    ("BetaManagedAgentsStaticBearerCreateParams", "token"),
    ("BetaManagedAgentsMCPOAuthCreateParams", "access_token"),
    ("BetaManagedAgentsMCPOAuthRefreshParams", "refresh_token"),
    ("BetaManagedAgentsTokenEndpointAuthBasicParam", "client_secret"),
    ("BetaManagedAgentsTokenEndpointAuthPostParam", "client_secret"),
    ("BetaManagedAgentsEnvironmentVariableCreateParams", "secret_value"),
)


def _agent_by_key() -> Schema:
    return {
        "anyOf": [
            {**KEY, "description": "Key of the agent (agents/<key>.yaml): its pinned version."},
            {
                "type": "object",
                "required": ["key", "version"],
                "additionalProperties": False,
                "properties": {
                    "key": KEY,
                    "version": {"type": "integer", "minimum": 1},
                },
                "description": "Hold one version of the agent, whatever its pin says.",
            },
        ],
        "description": "The agent it runs, by key. apply sends `{type: agent, id, version}` "
        "with the version pins.yaml names (never the id alone, which the API re-pins to the "
        "latest version on every update).",
    }


def _text_shorthand(event: Schema) -> None:
    event["required"] = ["type"]
    text = "The message text (becomes `content: [{type: text, text}]`)."
    event["properties"]["text"] = {"type": "string", "description": text}
    event["properties"]["text_file"] = {
        "type": "string",
        "minLength": 1,
        "description": "A UTF-8 file, relative to this manifest, holding the message text. "
        "One of `text`, `text_file` and `content`.",
    }


def _memory_store_by_key(resource: Schema) -> None:
    resource["properties"]["memory_store_id"] = {
        "anyOf": [
            {"type": "string"},
            {
                "type": "object",
                "required": ["memory_store"],
                "additionalProperties": False,
                "properties": {"memory_store": KEY},
                "title": "AgentformMemoryStoreKeyParams",
            },
        ],
        "description": "The memory store: `{memory_store: <key>}` for one managed here (its "
        "pinned id), or an id.",
    }


def _secret_source() -> dict[str, Any]:
    return {
        "type": "object",
        "title": "AgentformSecretSource",
        "required": ["value_from"],
        "additionalProperties": False,
        "properties": {
            "value_from": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["env"],
                        "additionalProperties": False,
                        "properties": {"env": {"type": "string", "minLength": 1}},
                    },
                    {
                        "type": "object",
                        "required": ["file"],
                        "additionalProperties": False,
                        "properties": {"file": {"type": "string", "minLength": 1}},
                    },
                ],
                "description": "Where the secret is read at apply time: an environment "
                "variable, or a file outside the repository (relative to this manifest; `~` "
                "expands). The value is never printed, saved or written to a file.",
            }
        },
        "description": "A secret, by where to read it; never the value itself.",
    }
