"""`multipart/form-data` request bodies (the Files API upload), parsed with the stdlib.

FastAPI's own form parsing needs the optional `python-multipart` package; the email
parser handles the same wire format and keeps the emulator's dependencies as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from agentform.emulator.errors import invalid_request


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None  # None: a plain form field
    content_type: str | None  # as sent; None when the part had no Content-Type
    data: bytes


def parse_form(content_type: str, body: bytes) -> dict[str, Part]:
    """The parts of a `multipart/form-data` body by field name (400 if it is not one)."""
    is_form = content_type.lower().startswith("multipart/form-data")
    if not is_form or "boundary=" not in content_type:
        raise invalid_request("request body must be multipart/form-data (with a boundary)")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise invalid_request("request body is not valid multipart/form-data")
    parts: dict[str, Part] = {}
    for item in message.iter_parts():
        part = _part(item)
        if part is not None:
            parts[part.name] = part
    return parts


def _part(item: object) -> Part | None:
    if not isinstance(item, EmailMessage):
        return None
    name = item.get_param("name", header="content-disposition")
    if not isinstance(name, str):
        return None
    filename = item.get_filename()
    payload = item.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    explicit = item.get("content-type")
    return Part(name, filename, item.get_content_type() if explicit else None, data)
