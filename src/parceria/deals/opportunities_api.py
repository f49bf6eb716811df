"""The direct-sales pipeline's API, mounted at /api/v1/opportunities: staff (Ability.MANAGE_PARTNERS) or the
platform (a key with Ability.INGEST) keep the CRM's open opportunities here, so deal registrations are checked
against them. A partner credential is refused (403).

* `PUT /opportunities/{external_id}`: create (201) or update (200) one opportunity; the same body twice changes
  nothing (`"outcome": "unchanged"`).
* `POST /opportunities/import`: a CSV file (`Content-Type: text/csv`, the columns of deals.uploads) or a JSON
  list of objects with the same fields; all or nothing: 422 `invalid_rows` lists every bad row with its line (for a
  JSON list, the item's position from 1), 413 `too_large` for a body over 2 MB or more than 20,000 rows.
* `GET /opportunities`: the list (paged, `?stage=`)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict

from parceria.accounts.tenancy import Ability, Principal
from parceria.api.auth import principal_of
from parceria.api.parser import UnsupportedMediaType, parse_json
from parceria.api.schemas import COUNTRIES, ERRORS, NOT_BLANK_PATTERN, Page, PageParams, check_choice, choice, declared
from parceria.common.csvfile import CsvLine, read_table
from parceria.common.errors import InvalidInput, PermissionDenied, TooLarge
from parceria.common.money import CURRENCIES, ledger_str
from parceria.deals import uploads
from parceria.deals.models import Opportunity, OpportunityStage

router = Router(tags=["opportunities"])

AMOUNT = r"^[0-9]{1,15}(\.[0-9]{1,4})?$"
EXTERNAL_ID = r"^[^\u0000/]*[^\u0000\s/][^\u0000/]*$"


class OpportunityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    company_name: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=300)
    country: str = choice(COUNTRIES, description="ISO 3166-1 alpha-2.")
    tax_id: str = declared("", maxLength=40, description="Validated per country (CNPJ or CPF in BR).")
    domain: str = declared("", maxLength=253, description="The company's web domain; not a public e-mail provider.")
    stage: str = choice(OpportunityStage.values, "open")
    owner: str = declared("", maxLength=200, description="The sales rep who owns it.")
    amount: str | None = declared(None, pattern=AMOUNT, description="A decimal string, e.g. \"12500.00\".")
    currency: str | None = choice([*CURRENCIES, None], None)
    expected_close_on: date | None = None


class OpportunityOut(Schema):
    id: int
    external_id: str
    company_name: str
    country: str
    tax_id: str
    domain: str
    stage: str
    owner: str
    amount: str | None
    currency: str
    expected_close_on: date | None
    outcome: str | None = declared(None, description="On a write: created, updated or unchanged.")


class OpportunityPage(Page):
    items: list[OpportunityOut]


class ImportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int


class OpportunityListParams(Schema):
    stage: str | None = choice([*OpportunityStage.values, None], None)


# The import route is declared before `PUT /{external_id}`, whose path would otherwise take `/import`.


def _require(principal: Principal) -> None:
    if principal.is_partner or not (principal.can(Ability.MANAGE_PARTNERS) or principal.can(Ability.INGEST)):
        raise PermissionDenied("the pipeline is kept by staff (manage partners) or a platform key")


def _out(o: Opportunity, outcome: str | None = None) -> dict[str, Any]:
    return {"id": o.pk, "external_id": o.external_id, "company_name": o.company_name, "country": o.country,
            "tax_id": o.tax_id, "domain": o.domain, "stage": o.stage, "owner": o.owner_label,
            "amount": None if o.amount is None else ledger_str(o.amount), "currency": o.currency,
            "expected_close_on": o.expected_close_on, "outcome": outcome}


def _json_rows(body: bytes) -> list[CsvLine]:
    items = parse_json(body)
    if not isinstance(items, list):
        raise InvalidInput("the body must be a JSON list of opportunities (or a CSV file, Content-Type: text/csv)")
    if len(items) > uploads.OPPORTUNITY_MAX_ROWS:
        raise TooLarge(f"the list has {len(items):,} items; the limit is {uploads.OPPORTUNITY_MAX_ROWS:,}")
    rows = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rows.append(CsvLine(position, {}, "each item must be an object of an opportunity's fields"))
            continue
        unknown = [key for key in item if key not in uploads.OPPORTUNITY_COLUMNS]
        odd = [key for key, value in item.items() if not isinstance(value, str | int | None) or isinstance(value, bool)]
        if unknown or odd:
            rows.append(CsvLine(position, {}, f"unknown field(s): {', '.join(unknown)}" if unknown
                                else f"these fields must be text (an amount as \"12500.00\"): {', '.join(odd)}"))
            continue
        rows.append(CsvLine(position, {k: "" if v is None else str(v) for k, v in item.items()}))
    return rows


@router.post("/import", response={200: ImportOut, **ERRORS},
             summary="Import opportunities: a CSV file or a JSON list, all or nothing (staff; the platform)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "text/csv": {"schema": {"type": "string"}},
                 "application/json": {"schema": {"type": "array", "items": {
                     "type": "object", "required": list(uploads.OPPORTUNITY_REQUIRED), "additionalProperties": False,
                     "properties": {name: {"type": ["string", "null"]} for name in uploads.OPPORTUNITY_COLUMNS}}}}}}})
def import_opportunities(request: HttpRequest) -> Any:
    principal = principal_of(request)
    _require(principal)
    body = request.body
    uploads.check_size(len(body), uploads.OPPORTUNITY_MAX_BYTES)
    if request.content_type == "text/csv":
        rows = read_table(body, columns=uploads.OPPORTUNITY_COLUMNS, required=uploads.OPPORTUNITY_REQUIRED,
                          max_rows=uploads.OPPORTUNITY_MAX_ROWS)
    elif request.content_type == "application/json":
        rows = _json_rows(body)
    else:
        raise UnsupportedMediaType(f"send a CSV file (text/csv) or a JSON list (application/json), not "
                                   f"{request.content_type or 'nothing'}")
    return uploads.opportunities_import(rows=rows, actor=principal.actor).as_dict()


@router.put("/{external_id}", response={200: OpportunityOut, 201: OpportunityOut, **ERRORS},
            summary="Create or update an opportunity by its CRM id (staff; the platform)")
def put_opportunity(request: HttpRequest, external_id: str, payload: OpportunityIn) -> Any:
    principal = principal_of(request)
    _require(principal)
    check_choice("country", payload.country, COUNTRIES)
    check_choice("stage", payload.stage, OpportunityStage.values)
    check_choice("currency", payload.currency, [*CURRENCIES, None])
    if payload.amount is not None and not re.fullmatch(AMOUNT, payload.amount):
        raise InvalidInput("amount must be a decimal string, e.g. \"12500.00\"", details={"field": "amount"})
    values = {**payload.model_dump(), "external_id": external_id}
    values["expected_close_on"] = payload.expected_close_on.isoformat() if payload.expected_close_on else ""
    values = {k: "" if v is None else v for k, v in values.items()}
    opportunity, outcome = uploads.opportunity_upsert(values=values, actor=principal.actor)
    return Status(201 if outcome == "created" else 200, _out(opportunity, outcome))


@router.get("", response={200: OpportunityPage, **ERRORS}, summary="List the pipeline's opportunities (staff)")
def list_opportunities(request: HttpRequest, page: Query[PageParams], filters: Query[OpportunityListParams]) -> Any:
    principal = principal_of(request)
    if principal.is_partner:
        raise PermissionDenied("the pipeline is staff's")
    principal.require(Ability.READ)
    rows = Opportunity.objects.all()
    if filters.stage is not None:
        check_choice("stage", filters.stage, OpportunityStage.values)
        rows = rows.filter(stage=filters.stage)
    return {"count": rows.count(), "limit": page.limit, "offset": page.offset,
            "items": [_out(o) for o in rows[page.offset : page.offset + page.limit]]}
