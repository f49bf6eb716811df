"""Shared API schemas."""

from __future__ import annotations

from typing import Any

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


def page_of(queryset: Any, page: PageParams, items: list[Any] | None = None) -> dict[str, Any]:
    """The API's paged answer: count, limit, offset and the page's items (serialised by the caller's schema)."""
    window = queryset[page.offset : page.offset + page.limit]
    return {
        "count": queryset.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(window) if items is None else items,
    }


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
