"""Shared API schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Path, Schema
from pydantic import BeforeValidator, Field, StrictBool, StrictInt

#: The largest row id the databases store (a signed 64-bit integer): a bigger number is bad input (422), never a
#: query that overflows the database driver.
MAX_ID = 2**63 - 1
#: A row id sent in a query string or a body: a non-negative integer the database can hold.
RowId = Annotated[int, Field(ge=0, le=MAX_ID)]
#: A row id in a JSON body: a JSON integer ("7", 7.0 and true are refused) the database can hold.
StrictRowId = Annotated[StrictInt, Field(ge=0, le=MAX_ID)]
#: A row id in a URL path (`/partners/{partner_id}`), for every route: one the database can hold, else 422.
PathId = Annotated[int, Path(ge=0, le=MAX_ID, description="A row id (0 to 2⁶³−1).")]

def _is_number_text(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _not_a_number(value: Any) -> Any:
    """Pydantic reads a number as seconds since 1970; the API takes dates and times only as ISO 8601 text."""
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number_text(value)):
        raise ValueError("expected ISO 8601 text (YYYY-MM-DD, or a date and time), not a number")
    return value


#: A date sent to the API: ISO 8601 text ("2026-03-01"); a number is refused rather than read as a timestamp.
ApiDate = Annotated[date, BeforeValidator(_not_a_number)]
#: A date and time sent to the API: ISO 8601 text; a number is refused rather than read as a timestamp.
ApiDateTime = Annotated[datetime, BeforeValidator(_not_a_number)]
#: A yes/no in a JSON body: `true` or `false` only (0, 1 or "yes" are refused).
ApiBool = StrictBool


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
    offset: int = Field(0, ge=0, le=MAX_ID, description="Items to skip.")


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
