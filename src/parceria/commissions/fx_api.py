"""FX rates API (SPEC §15): list the stored rates and import a PTAX CSV. The rates themselves are
parceria.common.fx; the router lives here, with the intake that converts with them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from parceria.accounts.tenancy import Ability
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, ApiDate, Page, PageParams, choice
from parceria.common.errors import InvalidInput
from parceria.common.fx import PTAX_USES, FxImportReport, fx_import_ptax
from parceria.common.models import FxRate
from parceria.common.money import CURRENCIES

router = Router(tags=["fx"])


class FxRateOut(Schema):
    base: str
    quote: str
    on_date: date
    rate: str
    source: str


class FxRatePage(Page):
    items: list[FxRateOut]


class FxFilter(Schema):
    base: str | None = choice([*CURRENCIES, "", None], None, description="Currency converted from, e.g. USD.")
    quote: str | None = choice([*CURRENCIES, "", None], None, description="Currency converted into, e.g. BRL.")
    from_: ApiDate | None = Field(None, alias="from", description="First day (YYYY-MM-DD), inclusive.")
    to: ApiDate | None = Field(None, description="Last day (YYYY-MM-DD), inclusive.")


class FxImportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    csv: str = Field(description="The PTAX file's text: date;code;type;symbol;buy;sell;buy parity;sell parity.")
    use: str = choice(PTAX_USES, "sell", description="Which PTAX rate to store: sell (default) or buy.")


class FxLineProblemOut(Schema):
    line: int
    code: str
    error: str
    text: str


class FxImportOut(Schema):
    lines: int
    imported: int
    duplicates: int
    skipped: int
    rates_stored: int
    skipped_currencies: list[str]
    rejected: list[FxLineProblemOut]


def _currency(value: str | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    code = value.strip().upper()
    if code not in CURRENCIES:
        raise InvalidInput(f"{name}: unknown currency {value!r}; supported: {', '.join(CURRENCIES)}")
    return code


@router.get("/fx-rates", response={200: FxRatePage, **ERRORS}, summary="List FX rates")
def list_fx_rates(request: HttpRequest, filters: Query[FxFilter], page: Query[PageParams]) -> dict[str, Any]:
    """Stored rates, newest first. `rate` is the units of `quote` that one unit of `base` buys."""
    principal_of(request).require(Ability.READ)
    rates = FxRate.objects.order_by("-on_date", "base", "quote")
    if base := _currency(filters.base, "base"):
        rates = rates.filter(base=base)
    if quote := _currency(filters.quote, "quote"):
        rates = rates.filter(quote=quote)
    if filters.from_ and filters.to and filters.from_ > filters.to:
        raise InvalidInput("from must not be after to", details={"field": "to"})
    if filters.from_:
        rates = rates.filter(on_date__gte=filters.from_)
    if filters.to:
        rates = rates.filter(on_date__lte=filters.to)
    items = rates[page.offset : page.offset + page.limit]
    return {
        "count": rates.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": [
            {"base": r.base, "quote": r.quote, "on_date": r.on_date, "rate": _rate_str(r.rate), "source": r.source}
            for r in items
        ],
    }


def _rate_str(rate: Any) -> str:
    return format(rate.normalize(), "f")


@router.post("/fx-rates/import", response={200: FxImportOut, **ERRORS}, summary="Import a PTAX CSV (finance)")
def import_fx_rates(request: HttpRequest, payload: FxImportIn) -> FxImportReport:
    """Stores each line's rate in BRL and its inverse. Rates already stored are never overwritten: the same
    rate again counts as a duplicate, a different one is rejected as a conflict. Bad lines are rejected
    with their line numbers; the good lines are kept."""
    principal_of(request).require(Ability.FINANCE)
    return fx_import_ptax(text=payload.csv, use=payload.use)
