"""Typed domain errors. Each carries an HTTP status and a machine-readable code; one handler in
`parceria.api` maps them to JSON responses, so bad input never becomes a 500."""

from __future__ import annotations

from typing import Any


class ParceriaError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return {"error": body}


class InvalidInput(ParceriaError):
    status = 422
    code = "invalid"


class NotFound(ParceriaError):
    status = 404
    code = "not_found"


class PermissionDenied(ParceriaError):
    status = 403
    code = "forbidden"


class Conflict(ParceriaError):
    status = 409
    code = "conflict"


class TooLarge(ParceriaError):
    """An upload or body over its size or row limit."""

    status = 413
    code = "too_large"
