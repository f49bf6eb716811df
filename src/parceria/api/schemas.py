"""Shared API schemas."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any

from ninja import Path, Schema
from pydantic import BeforeValidator, Field, StrictBool
from pydantic_core import PydanticCustomError, PydanticUndefined

from parceria.common.countries import ISO_3166_ALPHA2
from parceria.common.errors import InvalidInput
from parceria.common.months import parse_month

#: The largest row id the databases store (a signed 64-bit integer): a bigger number is bad input (422), never a
#: query that overflows the database driver.
MAX_ID = 2**63 - 1
#: A row id sent in a query string or a body: a non-negative integer the database can hold.
RowId = Annotated[int, Field(ge=0, le=MAX_ID)]


def _json_number(value: Any) -> Any:
    """A JSON integer is a number with no fraction (JSON Schema reads 7.0 as one); text and true/false are not."""
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


#: An integer in a JSON body: a JSON number without a fraction ("7" and true are refused).
JsonInt = Annotated[int, BeforeValidator(_json_number)]
#: A row id in a JSON body: a JSON integer the database can hold ("7" and true are refused).
StrictRowId = Annotated[int, Field(ge=0, le=MAX_ID), BeforeValidator(_json_number)]
#: A row id in a URL path (`/partners/{partner_id}`), for every route: one the database can hold, else 422.
PathId = Annotated[int, Path(ge=0, le=MAX_ID, description="A row id (0 to 2⁶³−1).")]
#: ISO 3166-1 alpha-2 country codes, as the document lists them (the server also takes them in lower case).
COUNTRIES = sorted(ISO_3166_ALPHA2)
#: A calendar year the API takes: 1900 to 9998 (no look-around: the pattern is also enforced by pydantic's engine).
_YEAR = "(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"
#: A month in a URL path or a body: YYYY-MM.
MONTH_PATTERN = f"^{_YEAR}-(0[1-9]|1[0-2])$"
#: A calendar year in a URL path: YYYY.
YEAR_PATTERN = f"^{_YEAR}$"
#: White space as the services read it: every character Python's `str.isspace()` (and so `str.strip()`) takes for
#: space, written out. `\s` would not do: it means other characters in each engine that reads the document
#: (ECMA-262's, which JSON Schema names, leaves out U+001C–U+001F and adds U+FEFF; pydantic's Rust engine leaves out
#: U+001C–U+001F), so a text of U+001F alone was valid by the document and refused as blank by the server.
WHITE_SPACE = r"\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: Text that must say something: at least one character that is not white space (and, like all text, no NUL).
NOT_BLANK_PATTERN = rf"^[^\u0000]*[^\u0000{WHITE_SPACE}][^\u0000]*$"
#: A decimal amount as the API reads one: digits, an optional point and up to 4 places, optionally negative.
AMOUNT_PATTERN = r"^-?[0-9]{1,15}(\.[0-9]{1,4})?$"
#: A rate: a decimal string from 0 to 1 with up to 4 places ("0.25").
RATE_PATTERN = r"^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$"
#: The same, but not zero.
NONZERO_AMOUNT_PATTERN = (
    r"^-?(0{0,14}[1-9][0-9]{0,14}(\.[0-9]{1,4})?|0{1,15}\.([1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9]))$"
)


def month_of(text: str, field: str = "period") -> date:
    """A month sent as YYYY-MM within the years the document declares (MONTH_PATTERN), as its first day; read by
    the one month parser (common.months.parse_month)."""
    if not re.fullmatch(MONTH_PATTERN, text):
        raise InvalidInput(f"{field} must be a month as YYYY-MM, got {text!r}", code="invalid_period",
                           details={"field": field})
    return parse_month(text, field=field)


def year_of(text: str, field: str = "year") -> int:
    """A calendar year sent as YYYY (YEAR_PATTERN)."""
    if not re.fullmatch(YEAR_PATTERN, text):
        raise InvalidInput(f"{field} must be YYYY, got {text!r}", code="invalid_year", details={"field": field})
    return int(text)


#: A month in a URL path, YYYY-MM (checked by month_of).
PathMonth = Annotated[str, Field(json_schema_extra={"pattern": MONTH_PATTERN})]
#: A year in a URL path, YYYY (checked by year_of).
PathYear = Annotated[str, Field(json_schema_extra={"pattern": YEAR_PATTERN})]


def check_choice(field: str, value: Any, values: Iterable[Any]) -> None:
    """A list filter's value must be one of its choices: a typo is a 422, not an empty page."""
    allowed = list(values)
    if value not in allowed:
        shown = ", ".join(str(v) for v in allowed if v)
        raise InvalidInput(f"{field} must be one of {shown}, not {value!r}", code="invalid_choice",
                           details={"field": field})


def choice(values: Iterable[Any], default: Any = PydanticUndefined, **field: Any) -> Any:
    """A field (or, in `Annotated`, a query parameter) whose value the server checks against `values`, with its own
    message and error code: the document lists them as the field's enum."""
    return Field(default, json_schema_extra={"enum": list(values)}, **field)


def declared(default: Any = PydanticUndefined, **rules: Any) -> Any:
    """A field (or, in `Annotated`, a query parameter) the server holds to the JSON Schema `rules` (pattern,
    maxLength ...), with its own message and error code: the document states the rules."""
    description = rules.pop("description", None)
    return Field(default, json_schema_extra=rules, description=description)


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
