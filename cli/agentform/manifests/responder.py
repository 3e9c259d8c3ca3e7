"""The emulator's responder rules (`evals/responder.yaml`), checked by `validate`.

The format belongs to the emulator: this module only calls its own loader
(`agentform.emulator.responder.load_responder`) and places its complaint at a line,
so changes to the format flow through without a second copy of it here.
"""

from __future__ import annotations

import re
from pathlib import Path

from agentform.errors import ManifestError
from agentform.manifests.yamlsrc import FieldPath, load_yaml

RESPONDER_FILE = Path("evals") / "responder.yaml"
_FIELD = re.compile(r"^(?P<field>[A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*): (?P<message>.*)$", re.S)
_PART = re.compile(r"\[(\d+)\]|\.?([A-Za-z_]\w*)")


def responder_path(root: Path) -> Path | None:
    path = root / RESPONDER_FILE
    return path if path.is_file() else None


def check_responder(path: Path) -> tuple[int | None, list[ManifestError]]:
    """(the number of rules, problems): the emulator's verdict on the rules file."""
    from agentform.emulator.responder import ResponderError, load_responder

    try:
        return len(load_responder(path).rules), []
    except ResponderError as exc:
        return None, [_located(path, str(exc))]


def _located(path: Path, text: str) -> ManifestError:
    message = text.removeprefix(f"{path}: ")
    try:
        _, source = load_yaml(path)
    except ManifestError as exc:
        return exc  # not even YAML: the parser's error has the line
    match = _FIELD.match(message)
    if match is None:
        return ManifestError(path=path, message=message)
    return source.error(_field_path(match["field"]), match["message"])


def _field_path(text: str) -> FieldPath:
    return tuple(int(i) if i else name for i, name in _PART.findall(text))
