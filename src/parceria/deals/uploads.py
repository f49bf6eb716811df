"""Imports of tables: the direct-sales pipeline's opportunities (a CSV file or a JSON list, upserted by the CRM's
external id) and deal registrations by CSV upload.

Both are all or nothing: every row is checked first (its fields, and a row that repeats an earlier one of the same
file, reported with both line numbers); any error refuses the whole file with every error and its line, and
nothing is stored. A file over its size or row limit is refused whole (413).

* Opportunities (`opportunities_import`, `opportunity_upsert`): keyed by `external_id`; a row equal to the stored
  opportunity changes nothing (the same file twice writes nothing the second time); a new one is created and a
  changed one updated, each audited (`opportunity.created`, `opportunity.updated` with before and after).
* Registrations (`registrations_check`, then `registrations_upload`): each valid row then goes through
  `deal_register`, the same conflict checks as one registered by hand, in the file's order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from parceria.common.audit import Actor, audit_record_create
from parceria.common.csvfile import CsvLine
from parceria.common.errors import InvalidInput, TooLarge
from parceria.common.inputs import clean_amount, clean_text
from parceria.common.money import CURRENCIES
from parceria.deals.models import DealRegistration, Opportunity, OpportunityStage
from parceria.deals.names import normalise_name
from parceria.deals.services import DealFields, clean_fields, clean_identity, deal_register
from parceria.partners.models import Partner, PartnerStatus

OPPORTUNITY_COLUMNS = ("external_id", "company_name", "country", "tax_id", "domain", "stage", "owner", "amount",
                       "currency", "expected_close_on")
OPPORTUNITY_REQUIRED = ("external_id", "company_name", "country")
#: The largest opportunities file or body, and its most rows.
OPPORTUNITY_MAX_BYTES = 2 * 1024 * 1024
OPPORTUNITY_MAX_ROWS = 20_000

REGISTRATION_COLUMNS = ("company_name", "country", "tax_id", "domain", "contact_name", "contact_email",
                        "estimated_value", "currency", "vertical", "region", "notes")
REGISTRATION_REQUIRED = ("company_name", "country", "contact_name", "contact_email", "estimated_value", "currency")
#: The console's file names the partner of each row (its id or its exact name).
PARTNER_COLUMN = "partner"
#: The largest registrations file, and its most rows (each row takes the conflict check's lock in turn).
REGISTRATION_MAX_BYTES = 512 * 1024
REGISTRATION_MAX_ROWS = 500


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


class UploadRefused(InvalidInput):
    """Rows of an upload are invalid: nothing was stored. `errors` lists each with its line."""

    code = "invalid_rows"

    def __init__(self, errors: list[RowError]) -> None:
        first = errors[0]
        super().__init__(_("%(count)s row(s) are invalid; nothing was stored. Line %(line)s: %(message)s") % {
            "count": len(errors), "line": first.line, "message": first.message},
            details={"errors": [e.as_dict() for e in errors]})
        self.errors = errors


def check_size(size: int, limit: int) -> None:
    """TooLarge (413) when an upload of `size` bytes is over `limit`."""
    if size > limit:
        raise TooLarge(_("The file has %(size)s bytes; the limit is %(limit)s bytes. Split it.") % {
            "size": f"{size:,}", "limit": f"{limit:,}"}, details={"limit": limit})


def _row_error(line: int, exc: InvalidInput) -> RowError:
    where = exc.details.get("field", "") if isinstance(exc.details, dict) else ""
    return RowError(line, str(where), exc.message)


def _repeats(line: int, key: str, seen: dict[str, int], field_name: str, what: str) -> RowError | None:
    if not key:
        return None
    if key in seen:
        return RowError(line, field_name, _("Line %(line)s repeats line %(first)s (the same %(what)s).") % {
            "line": line, "first": seen[key], "what": what})
    seen[key] = line
    return None


# --- Opportunities -----------------------------------------------------------------------------------------------


def clean_opportunity(values: dict[str, Any]) -> dict[str, Any]:
    """An opportunity's columns from the cells of a row (or a JSON object's fields), or InvalidInput naming the
    field. Empty cells are absent fields: the stage is then open."""
    clean: dict[str, Any] = {
        "external_id": clean_text(values.get("external_id", ""), field="external_id", max_length=100),
        "company_name": clean_text(values.get("company_name", ""), field="company_name", max_length=300),
        "owner_label": clean_text(values.get("owner", ""), field="owner", max_length=200, required=False),
    }
    clean["normalised_name"] = normalise_name(clean["company_name"])
    if not clean["normalised_name"]:
        raise InvalidInput(_("The company name must contain letters or digits."), details={"field": "company_name"})
    clean.update(clean_identity(values.get("country", ""), values.get("tax_id", ""), values.get("domain", "")))
    stage = clean_text(values.get("stage", ""), field="stage", max_length=10, required=False).lower()
    if stage and stage not in OpportunityStage.values:
        raise InvalidInput(_("The stage must be one of %(stages)s.") % {"stages": ", ".join(OpportunityStage.values)},
                           code="invalid_choice", details={"field": "stage"})
    clean["stage"] = stage or OpportunityStage.OPEN
    amount = values.get("amount", "")
    clean["amount"] = None if amount in ("", None) else clean_amount(
        str(amount) if isinstance(amount, int | Decimal) and not isinstance(amount, bool) else amount, field="amount")
    currency = clean_text(values.get("currency", ""), field="currency", max_length=3, required=False).upper()
    if currency and currency not in CURRENCIES:
        raise InvalidInput(_("The currency must be one of %(codes)s.") % {"codes": ", ".join(CURRENCIES)},
                           code="invalid_choice", details={"field": "currency"})
    if clean["amount"] is not None and not currency:
        raise InvalidInput(_("An amount needs its currency."), details={"field": "currency"})
    clean["currency"] = currency
    close = clean_text(values.get("expected_close_on", ""), field="expected_close_on", max_length=10, required=False)
    try:
        clean["expected_close_on"] = date.fromisoformat(close) if close else None
    except ValueError:
        raise InvalidInput(_("%(value)s is not a date (YYYY-MM-DD).") % {"value": close},
                           details={"field": "expected_close_on"}) from None
    return clean


def opportunity_snapshot(o: Opportunity) -> dict[str, Any]:
    return {
        "external_id": o.external_id, "company_name": o.company_name, "country": o.country, "tax_id": o.tax_id,
        "domain": o.domain, "stage": o.stage, "owner": o.owner_label,
        "amount": None if o.amount is None else f"{Decimal(o.amount):.4f}", "currency": o.currency,
        "expected_close_on": o.expected_close_on.isoformat() if o.expected_close_on else None,
    }


@dataclass
class ImportResult:
    created: list[Opportunity] = field(default_factory=list)
    updated: list[Opportunity] = field(default_factory=list)
    unchanged: list[Opportunity] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"rows": len(self.created) + len(self.updated) + len(self.unchanged), "created": len(self.created),
                "updated": len(self.updated), "unchanged": len(self.unchanged)}


def _store(clean: dict[str, Any], existing: Opportunity | None, actor: Actor, result: ImportResult) -> Opportunity:
    if existing is None:
        created = Opportunity.objects.create(**clean)
        audit_record_create(actor=actor, action="opportunity.created", obj=created,
                            after=opportunity_snapshot(created))
        result.created.append(created)
        return created
    before = opportunity_snapshot(existing)
    if opportunity_snapshot(Opportunity(**clean)) == before:
        result.unchanged.append(existing)
        return existing
    for name, value in clean.items():
        setattr(existing, name, value)
    after = opportunity_snapshot(existing)
    existing.save()
    audit_record_create(actor=actor, action="opportunity.updated", obj=existing, before=before, after=after)
    result.updated.append(existing)
    return existing


def opportunities_import(*, rows: list[CsvLine], actor: Actor) -> ImportResult:
    """Upsert every row by external id, all or nothing (UploadRefused lists every bad row)."""
    errors: list[RowError] = []
    cleaned: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for row in rows:
        if row.error:
            errors.append(RowError(row.line, "", row.error))
            continue
        try:
            clean = clean_opportunity(row.cells)
        except InvalidInput as exc:
            errors.append(_row_error(row.line, exc))
            continue
        repeated = _repeats(row.line, clean["external_id"], seen, "external_id", "external_id")
        if repeated:
            errors.append(repeated)
        cleaned.append(clean)
    if errors:
        raise UploadRefused(errors)
    result = ImportResult()
    with transaction.atomic():
        ids = [c["external_id"] for c in cleaned]
        existing: dict[str, Opportunity] = {}
        for start in range(0, len(ids), 1000):
            existing.update(Opportunity.objects.select_for_update().in_bulk(ids[start : start + 1000],
                                                                            field_name="external_id"))
        for clean in cleaned:
            _store(clean, existing.get(clean["external_id"]), actor, result)
    return result


def opportunity_upsert(*, values: dict[str, Any], actor: Actor) -> tuple[Opportunity, str]:
    """Create or update one opportunity by its external id: (the opportunity, "created" | "updated" |
    "unchanged")."""
    clean = clean_opportunity(values)
    result = ImportResult()
    with transaction.atomic():
        existing = Opportunity.objects.select_for_update().filter(external_id=clean["external_id"]).first()
        stored = _store(clean, existing, actor, result)
    outcome = "created" if result.created else "updated" if result.updated else "unchanged"
    return stored, outcome


# --- Deal registrations ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationRow:
    line: int
    partner: Partner
    fields: DealFields


def _partner_named(text: str, partners: dict[str, Partner]) -> Partner | None:
    return partners.get(text.casefold())


def registrations_check(rows: list[CsvLine], *, partner: Partner | None = None) -> list[RegistrationRow]:
    """Every row checked without storing anything: UploadRefused lists the bad ones (a field, a row repeating an
    earlier row's tax id or domain, an unknown partner). `partner` is the portal's own; without it (the console)
    each row names its partner in the `partner` column (its id or its exact name)."""
    errors: list[RowError] = []
    checked: list[RegistrationRow] = []
    seen: dict[str, int] = {}
    partners: dict[str, Partner] = {}
    if partner is None:
        for p in Partner.objects.all():
            partners[str(p.pk)] = p
            partners.setdefault(p.name.casefold(), p)
    for row in rows:
        if row.error:
            errors.append(RowError(row.line, "", row.error))
            continue
        owner = partner
        if owner is None:
            named = row.cells.get(PARTNER_COLUMN, "")
            owner = _partner_named(named, partners)
            if owner is None:
                errors.append(RowError(row.line, PARTNER_COLUMN, _("No partner is %(value)r (give its id or its "
                                                                   "exact name).") % {"value": named}))
                continue
        if owner.status == PartnerStatus.TERMINATED:
            errors.append(RowError(row.line, PARTNER_COLUMN, _("A terminated partner cannot register deals.")))
            continue
        fields = DealFields(**{name: row.cells.get(name, "") for name in REGISTRATION_COLUMNS})
        try:
            clean = clean_fields(fields)
        except InvalidInput as exc:
            errors.append(_row_error(row.line, exc))
            continue
        repeated = (_repeats(row.line, f"{clean['country']}:{clean['tax_id']}" if clean["tax_id"] else "", seen,
                             "tax_id", _("tax id"))
                    or _repeats(row.line, f"domain:{clean['domain']}" if clean["domain"] else "", seen, "domain",
                                _("web domain")))
        if repeated:
            errors.append(repeated)
            continue
        checked.append(RegistrationRow(row.line, owner, fields))
    if errors:
        raise UploadRefused(errors)
    return checked


@dataclass(frozen=True)
class RowOutcome:
    line: int
    registration: DealRegistration


def registrations_upload(rows: list[CsvLine], *, actor: Actor, partner: Partner | None = None) -> list[RowOutcome]:
    """Check every row (UploadRefused: nothing stored), then register each in the file's order, all in one
    transaction: each row's outcome (approved, rejected with its reason, in review)."""
    checked = registrations_check(rows, partner=partner)
    with transaction.atomic():
        return [RowOutcome(r.line, deal_register(partner=r.partner, fields=r.fields, actor=actor)) for r in checked]
