"""Shared API schemas."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class ErrorDetail(Schema):
    code: str
    message: str
    details: object | None = None


class ErrorOut(Schema):
    error: ErrorDetail


class Page(Schema):
    count: int
    limit: int
    offset: int


class PageParams(Schema):
    limit: int = Field(100, ge=1, le=500, description="Items per page (1–500).")
    offset: int = Field(0, ge=0, description="Items to skip.")


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
