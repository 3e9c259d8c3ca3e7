"""API errors as the real server reports them.

Every failure leaves the emulator as the API's envelope,
`{"type": "error", "error": {"type", "message", ["details"]}, "request_id"}`,
with the same id in the `request-id` header. Handlers raise `ApiError`; the app turns
it into that response in one place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping


class ApiError(Exception):
    """An error response: HTTP status, `error.type`, message, optional `details.error_code`."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        *,
        error_code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message
        self.error_code = error_code
        self.headers = dict(headers or {})

    def body(self, request_id: str) -> bytes:
        error: dict[str, object] = {"type": self.error_type, "message": self.message}
        if self.error_code is not None:
            error["details"] = {"error_code": self.error_code}
        envelope = {"type": "error", "error": error, "request_id": request_id}
        return json.dumps(envelope).encode()


def invalid_request(message: str, *, error_code: str | None = None) -> ApiError:
    return ApiError(400, "invalid_request_error", message, error_code=error_code)


def not_found(kind: str, object_id: str, *, error_code: str | None = None) -> ApiError:
    return ApiError(
        404, "not_found_error", f"{kind} {object_id!r} not found", error_code=error_code
    )


def conflict(message: str, *, error_type: str = "invalid_request_error") -> ApiError:
    """409; `x-should-retry: false` so the SDK surfaces it at once instead of retrying.

    `error.type` is `invalid_request_error`: the API reference says a 409 carries it
    ("there is no separate `conflict_error` type"); `conflict_error` is used by memory stores.
    """
    return ApiError(409, error_type, message, headers={"x-should-retry": "false"})


def authentication(message: str) -> ApiError:
    return ApiError(401, "authentication_error", message)


_FAULT_TYPES = {
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

_FAULT_MESSAGES = {
    429: "Rate limited (injected by the emulator)",
    529: "Overloaded (injected by the emulator)",
}


def injected(status: int, retry_after: float | None) -> ApiError:
    """The error an injected fault answers with."""
    headers = {} if retry_after is None else {"retry-after": _seconds(retry_after)}
    error_type = _FAULT_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    message = _FAULT_MESSAGES.get(status, f"Error {status} (injected by the emulator)")
    return ApiError(status, error_type, message, headers=headers)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
