"""JSON as the emulator writes it: compact, UTF-8, key order as built."""

from __future__ import annotations

import json
from typing import Any

Json = dict[str, Any]


def dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> Json:
    value: Json = json.loads(text)
    return value
