"""Request bodies checked against the SDK's own param types.

The SDK describes every request body as a TypedDict (`AgentCreateParams`, ...). This
module walks those type hints at request time, so the emulator accepts exactly what the
SDK can send and rejects the rest with a 400 that names the field, in the API's dotted
style: `tools.0.default_config.enabled: Input should be a valid boolean`.

The SDK types are imported lazily (importing `anthropic` costs most of a second), and
each TypedDict's resolved hints are cached.
"""

from __future__ import annotations

import collections.abc
import functools
import importlib
import types
from datetime import datetime
from typing import Any, Literal, Union

import typing_extensions as te

from agentform.emulator.errors import invalid_request

# SDK keyword arguments that travel as HTTP headers, never in the JSON body.
_HEADER_ONLY = frozenset({"betas", "workspace_id"})

_PARAMS = {
    "agent.create": "agent_create_params.AgentCreateParams",
    "agent.update": "agent_update_params.AgentUpdateParams",
    "environment.create": "environment_create_params.EnvironmentCreateParams",
    "environment.update": "environment_update_params.EnvironmentUpdateParams",
    "session.create": "session_create_params.SessionCreateParams",
    "session.update": "session_update_params.SessionUpdateParams",
    "events.send": "sessions.event_send_params.EventSendParams",
    "vault.create": "vault_create_params.VaultCreateParams",
    "vault.update": "vault_update_params.VaultUpdateParams",
    "credential.create": "vaults.credential_create_params.CredentialCreateParams",
    "credential.update": "vaults.credential_update_params.CredentialUpdateParams",
    "memory_store.create": "memory_store_create_params.MemoryStoreCreateParams",
    "memory_store.update": "memory_store_update_params.MemoryStoreUpdateParams",
    "memory.create": "memory_stores.memory_create_params.MemoryCreateParams",
    "memory.update": "memory_stores.memory_update_params.MemoryUpdateParams",
    "deployment.create": "deployment_create_params.DeploymentCreateParams",
    "deployment.update": "deployment_update_params.DeploymentUpdateParams",
}
# Fields some param types list that travel in the path or the query string, never the body.
_NOT_IN_BODY = {
    "credential.update": frozenset({"vault_id"}),
    "memory.create": frozenset({"view"}),
    "memory.update": frozenset({"memory_store_id", "view"}),
}

_NO_EXTRA_ITEMS = getattr(te, "NoExtraItems", None)
_LISTS = (list, collections.abc.Iterable, collections.abc.Sequence)
_SCALARS: dict[type, str] = {
    str: "a valid string",
    bool: "a valid boolean",
    int: "a valid integer",
    float: "a valid number",
}


class _Invalid(Exception):
    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)


def validate_body(kind: str, body: object) -> dict[str, Any]:
    """Check a decoded JSON body against the SDK params named by `kind`; 400 if it fails."""
    if not isinstance(body, dict):
        raise invalid_request("request body must be a JSON object")
    try:
        # coerces in place (1.0 where an integer is expected becomes 1)
        _check_typeddict(body, params_type(kind), "", top_level=True, skip=_NOT_IN_BODY.get(kind))
    except _Invalid as exc:
        raise invalid_request(str(exc)) from None
    return body


@functools.cache
def params_type(kind: str) -> Any:
    """The SDK TypedDict for `kind` (e.g. "agent.create"), imported on first use."""
    module_name, _, attr = _PARAMS[kind].rpartition(".")
    module = importlib.import_module(f"anthropic.types.beta.{module_name}")
    return getattr(module, attr)


def preload() -> None:
    """Import the SDK param types now (e.g. in a background thread at server start)."""
    for kind in _PARAMS:
        _hints(params_type(kind))


@functools.cache
def _hints(typed_dict: Any) -> tuple[dict[str, Any], frozenset[str], bool]:
    """(field -> annotation, required fields, extra keys allowed) for a TypedDict."""
    raw = te.get_type_hints(typed_dict, include_extras=True)
    total = getattr(typed_dict, "__total__", True)
    hints: dict[str, Any] = {}
    required: set[str] = set()
    for name, annotation in raw.items():
        inner, marker = _strip_required(annotation)
        hints[name] = inner
        if marker is te.Required or (total and marker is not te.NotRequired):
            required.add(name)
    extra = getattr(typed_dict, "__extra_items__", None) not in (None, _NO_EXTRA_ITEMS)
    return hints, frozenset(required), extra


def _strip_required(annotation: Any) -> tuple[Any, Any]:
    marker = None
    while True:
        origin = te.get_origin(annotation)
        if origin in (te.Required, te.NotRequired):
            marker = origin
            annotation = te.get_args(annotation)[0]
        elif origin is te.Annotated:
            annotation = annotation.__origin__
        else:
            return annotation, marker


def _check(value: object, annotation: Any, path: str) -> object:
    """Check `value`; return it as accepted (an integral float where an int is due: an int)."""
    annotation, _ = _strip_required(annotation)
    origin = te.get_origin(annotation)
    if annotation in (Any, object):
        return value
    if annotation is type(None):
        if value is not None:
            raise _Invalid(path, "Input should be null")
    elif origin in (Union, types.UnionType):
        return _check_union(value, te.get_args(annotation), path)
    elif origin in (Literal, te.Literal):
        _check_literal(value, te.get_args(annotation), path)
    elif te.is_typeddict(annotation):
        _check_typeddict(value, annotation, path)
    elif annotation in _SCALARS:
        return _check_scalar(value, annotation, path)
    elif annotation is datetime:
        return _check_scalar(value, str, path)  # the SDK sends a datetime as its ISO string
    elif origin in _LISTS:
        _check_list(value, te.get_args(annotation), path)
    elif origin in (dict, collections.abc.Mapping):
        _check_dict(value, te.get_args(annotation), path)
    else:
        raise TypeError(f"validation: unsupported annotation {annotation!r} at {path!r}")
    return value


def _check_scalar(value: object, kind: type, path: str) -> object:
    """Lax like the API's validation: `1.0` is accepted (as `1`) where an integer is due."""
    if kind is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    if not ok:
        raise _Invalid(path, f"Input should be {_SCALARS[kind]}")
    return value


def _check_literal(value: object, allowed: tuple[Any, ...], path: str) -> None:
    if value in allowed and not isinstance(value, bool):
        return
    raise _Invalid(path, f"Input should be {_or_list(allowed)}")


def _check_list(value: object, args: tuple[Any, ...], path: str) -> None:
    if not isinstance(value, list):
        raise _Invalid(path, "Input should be a valid list")
    item_type = args[0] if args else Any
    for index, item in enumerate(value):
        value[index] = _check(item, item_type, _join(path, str(index)))


def _check_dict(value: object, args: tuple[Any, ...], path: str) -> None:
    if not isinstance(value, dict):
        raise _Invalid(path, "Input should be a valid dictionary")
    value_type = args[1] if len(args) == 2 else Any
    for key, item in value.items():
        value[key] = _check(item, value_type, _join(path, str(key)))


def _check_typeddict(
    value: object,
    typed_dict: Any,
    path: str,
    *,
    top_level: bool = False,
    skip: frozenset[str] | None = None,
) -> None:
    if not isinstance(value, dict):
        raise _Invalid(path, "Input should be a valid dictionary or object")
    hints, required, extra_allowed = _hints(typed_dict)
    skip = skip or frozenset()
    for name in sorted(required - value.keys() - skip):
        raise _Invalid(_join(path, name), "Field required")
    for key, item in value.items():
        if key in hints and key not in skip and not (top_level and key in _HEADER_ONLY):
            value[key] = _check(item, hints[key], _join(path, key))
        elif not extra_allowed:
            raise _Invalid(_join(path, key), "Extra inputs are not permitted")


def _check_union(value: object, members: tuple[Any, ...], path: str) -> object:
    if value is None:
        if type(None) in members:
            return None
        raise _Invalid(path, "Input should not be null")
    non_null = [m for m in members if m is not type(None)]
    candidates = [m for m in non_null if _same_kind(m, value)]
    if not candidates:
        kinds = dict.fromkeys(_kind_name(m) for m in non_null)
        raise _Invalid(path, f"Input should be {_or_list(tuple(kinds), quote=False)}")
    tagged = _dispatch(value, candidates, path)
    if tagged is not None:
        return _check(value, tagged, path)
    problems: list[_Invalid] = []
    for member in candidates:
        try:
            return _check(value, member, path)
        except _Invalid as exc:
            problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    raise _Invalid(path, "Input does not match any of the expected types")


def _dispatch(value: object, candidates: list[Any], path: str) -> Any:
    """For a dict among several tagged TypedDicts, the one its tag (`type`, else `name`) names."""
    typed = [m for m in candidates if te.is_typeddict(m)]
    if not isinstance(value, dict) or len(typed) < 2:
        return None
    for key in ("type", "name"):
        tags = {t: m for m in typed for t in _literal_tags(m, key)}
        if len(tags) < 2 or not all(_literal_tags(m, key) for m in typed):
            continue
        if key in value:
            tag = value[key]
            if isinstance(tag, str) and tag in tags:
                return tags[tag]
            raise _Invalid(_join(path, key), f"Input should be {_or_list(tuple(tags))}")
        if all(key in _hints(m)[1] for m in typed):
            raise _Invalid(_join(path, key), "Field required")
    return None


def _literal_tags(typed_dict: Any, key: str) -> tuple[str, ...]:
    annotation = _hints(typed_dict)[0].get(key)
    if annotation is None or te.get_origin(annotation) not in (Literal, te.Literal):
        return ()
    return tuple(a for a in te.get_args(annotation) if isinstance(a, str))


def _kind_name(annotation: Any) -> str:
    origin = te.get_origin(annotation)
    if te.is_typeddict(annotation) or origin in (dict, collections.abc.Mapping):
        return "an object"
    if origin in _LISTS:
        return "a list"
    if origin in (Literal, te.Literal):
        return "a valid string"
    if annotation is datetime:
        return "a valid datetime"
    return _SCALARS.get(annotation, "a valid value")


def _same_kind(annotation: Any, value: object) -> bool:
    """Whether `annotation` could possibly accept a value of `value`'s JSON kind."""
    annotation, _ = _strip_required(annotation)
    origin = te.get_origin(annotation)
    if annotation in (Any, object) or origin in (Union, types.UnionType):
        return True
    if origin in (Literal, te.Literal):
        return any(type(a) is type(value) for a in te.get_args(annotation))
    if isinstance(value, dict):
        return te.is_typeddict(annotation) or origin in (dict, collections.abc.Mapping)
    if isinstance(value, list):
        return origin in _LISTS
    if isinstance(value, bool):
        return annotation is bool
    if isinstance(value, (int, float)):
        return annotation in (int, float)
    return annotation in (str, datetime) and isinstance(value, str)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _or_list(options: tuple[Any, ...], *, quote: bool = True) -> str:
    shown = [repr(o) if quote else str(o) for o in options]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " or " + shown[-1]
