"""Writes of deal registrations (SPEC §4.1–4.2).

`deal_register` checks a registration against every conflict at once, in the transaction that stores it: the
partner's row is locked, and on PostgreSQL one advisory lock serialises the conflict checks of all partners, so two
partners registering the same company at the same moment cannot both be approved (the first valid registration
wins). In order:

1. an existing customer with the same tax id, the same CNPJ root (the company, whatever the branch) or the same
   domain → rejected;
2. an active registration (approved or in review, not past `expires_on`) of another partner with the same tax id,
   CNPJ root or domain → rejected; of the same partner → rejected as a duplicate;
3. a company name alike (names.SIMILARITY_THRESHOLD) to another partner's active registration or to a customer →
   in review, for staff to decide (`deal_decide`);
4. otherwise → approved.

The partner-facing `reason` never names another partner or its data; the conflicting record is kept in `conflict`
for staff. Every registration and decision writes an audit record.

`deal_convert` turns an approved registration into a customer (a given one, or one created from the registration)
and claims the customer's attribution for the registration's partner through the one attribution rule
(`customers.attribution`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parceria.accounts.tenancy import across_partners
from parceria.common.audit import Actor, audit_record_create
from parceria.common.countries import is_country
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.inputs import clean_amount, clean_text
from parceria.common.money import CURRENCIES
from parceria.common.taxids import TaxIdError, validate_tax_id
from parceria.customers.attribution import ClaimOutcome, claim_attribution
from parceria.customers.models import ClaimSource, Customer
from parceria.customers.services import DOMAIN, CustomerFields, customer_create, normalise_domain
from parceria.deals.models import (
    ACTIVE_DEAL_STATUSES,
    DealRegistration,
    DealStatus,
    Opportunity,
    OpportunityStage,
)
from parceria.deals.names import SIMILARITY_THRESHOLD, is_public_email_domain, normalise_name, similarity
from parceria.partners.models import Partner, PartnerStatus

#: Days a registration protects its partner unless settings.PARCERIA["DEAL_REGISTRATION_DAYS"] says otherwise.
DEFAULT_VALID_DAYS = 90
REASON_MAX_LENGTH = 300
NOTES_MAX_LENGTH = 2000
#: The PostgreSQL advisory lock that serialises the conflict checks of deal registrations.
_LOCK_KEY = int.from_bytes(hashlib.blake2b(b"parceria.deals.register", digest_size=8).digest(), "big", signed=True)

# The partner-facing reasons (translated when shown: deals.selectors.reason_shown). None names another partner.
REASON_APPROVED = gettext_noop("Registered: the company is yours until the registration expires.")
REASON_CUSTOMER = gettext_noop("This company is already a customer.")
REASON_TAKEN = gettext_noop("This company is already registered by another partner.")
REASON_DUPLICATE = gettext_noop("You already have an active registration for this company.")
REASON_REVIEW = gettext_noop("A company with a similar name is already known; our team will review this registration.")


@dataclass(frozen=True, kw_only=True)
class DealFields:
    """A registration as given; `deal_register` checks every field."""

    company_name: str
    country: str
    contact_name: str
    contact_email: str
    estimated_value: Decimal | str
    currency: str
    tax_id: str = ""
    domain: str = ""
    vertical: str = ""
    region: str = ""
    notes: str = ""


def valid_days() -> int:
    return int(getattr(settings, "PARCERIA", {}).get("DEAL_REGISTRATION_DAYS", DEFAULT_VALID_DAYS))


def _bad(field: str, message: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})


def clean_fields(data: DealFields) -> dict[str, Any]:
    """The registration's columns from `data`, or InvalidInput naming the field."""
    clean: dict[str, Any] = {
        "company_name": clean_text(data.company_name, field="company_name", max_length=300),
        "contact_name": clean_text(data.contact_name, field="contact_name", max_length=200),
        "vertical": clean_text(data.vertical, field="vertical", max_length=60, required=False),
        "region": clean_text(data.region, field="region", max_length=60, required=False),
        "notes": clean_text(data.notes, field="notes", max_length=NOTES_MAX_LENGTH, required=False),
    }
    clean["normalised_name"] = normalise_name(clean["company_name"])
    if not clean["normalised_name"]:
        raise _bad("company_name", _("The company name must contain letters or digits."))
    if not isinstance(data.country, str) or not is_country(data.country):
        raise _bad("country", _("The country must be an ISO 3166 two-letter code, not %(value)r.")
                   % {"value": data.country})
    clean["country"] = data.country.upper()
    tax_id = clean_text(data.tax_id, field="tax_id", max_length=40, required=False)
    clean["cnpj_root"] = ""
    if tax_id:
        try:
            parsed = validate_tax_id(clean["country"], tax_id)
        except TaxIdError as exc:
            raise _bad("tax_id", _("%(value)s is not a valid tax id of %(country)s (%(reason)s).") % {
                "value": tax_id, "country": clean["country"], "reason": exc.reason}, "invalid_tax_id") from None
        tax_id = parsed.compact
        if parsed.kind == "cnpj":
            clean["cnpj_root"] = tax_id[:8]
    clean["tax_id"] = tax_id
    domain = clean_text(data.domain, field="domain", max_length=253, required=False)
    if domain:
        domain = normalise_domain(domain)
        if not DOMAIN.match(domain):
            raise _bad("domain", _("%(value)s is not a web domain (e.g. empresa.com.br).") % {"value": data.domain})
        if is_public_email_domain(domain):
            raise _bad("domain", _("%(domain)s is a public e-mail provider, not a company's domain.")
                       % {"domain": domain}, "public_email_domain")
    clean["domain"] = domain
    if not tax_id and not domain:
        raise _bad("tax_id", _("Give the company's tax id or its web domain (or both)."), "identity_required")
    email = clean_text(data.contact_email, field="contact_email", max_length=254)
    try:
        validate_email(email)
    except ValidationError:
        raise _bad("contact_email", _("%(value)s is not an e-mail address.") % {"value": email}) from None
    clean["contact_email"] = email
    clean["estimated_value"] = clean_amount(data.estimated_value, field="estimated_value")
    if data.currency not in CURRENCIES:
        raise _bad("currency", _("The currency must be one of %(codes)s.") % {"codes": ", ".join(CURRENCIES)},
                   "invalid_choice")
    clean["currency"] = data.currency
    return clean


def _serialise_conflict_checks() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _same_company(clean: dict[str, Any], *, registrations: bool) -> Q:
    """Rows of the same company: the same tax id, the same CNPJ root, or the same domain."""
    same = Q(pk__in=[])
    if clean["tax_id"]:
        same |= Q(country=clean["country"], tax_id=clean["tax_id"])
    if clean["cnpj_root"]:
        same |= Q(cnpj_root=clean["cnpj_root"]) if registrations else Q(country="BR",
                                                                         tax_id__startswith=clean["cnpj_root"])
    if clean["domain"]:
        same |= Q(domain=clean["domain"])
    return same


def _match(row: Any, clean: dict[str, Any]) -> str:
    if clean["tax_id"] and row.tax_id == clean["tax_id"] and row.country == clean["country"]:
        return "tax_id"
    if clean["cnpj_root"] and row.country == "BR" and row.tax_id.startswith(clean["cnpj_root"]):
        return "cnpj_root"
    return "domain"


def active_q(today: date) -> Q:
    """Registrations that hold their company: approved or in review, and not past their expiry date."""
    return Q(status__in=[s.value for s in ACTIVE_DEAL_STATUSES], expires_on__gt=today)


def _decide(partner: Partner, clean: dict[str, Any], today: date) -> tuple[str, str, dict[str, Any] | None]:
    """The outcome of the conflict checks: (status, partner-facing reason, the conflicting record for staff)."""
    # Reads across partners on purpose: what they find is kept for staff; the partner sees only a generic reason.
    with across_partners():
        customer = Customer.objects.filter(_same_company(clean, registrations=False)).order_by("id").first()
        if customer is not None:
            return DealStatus.REJECTED, REASON_CUSTOMER, {
                "kind": "customer", "id": customer.pk, "name": customer.name, "external_id": customer.external_id,
                "partner_id": customer.partner_id, "match": _match(customer, clean)}
        active = DealRegistration.objects.filter(active_q(today))
        taken = active.filter(_same_company(clean, registrations=True)).order_by("created_at", "id").first()
        if taken is not None:
            own = taken.partner_id == partner.pk
            return DealStatus.REJECTED, REASON_DUPLICATE if own else REASON_TAKEN, {
                "kind": "registration", "id": taken.pk, "name": taken.company_name, "partner_id": taken.partner_id,
                "match": _match(taken, clean)}
        name = clean["normalised_name"]
        others = active.exclude(partner=partner).values_list("id", "normalised_name", "company_name", "partner_id")
        for pk, other, company, partner_id in others.order_by("id"):
            score = similarity(name, other)
            if score >= SIMILARITY_THRESHOLD:
                return DealStatus.IN_REVIEW, REASON_REVIEW, {
                    "kind": "registration", "id": pk, "name": company, "partner_id": partner_id, "match": "name",
                    "similarity": round(score, 3)}
        for pk, other, partner_id in Customer.objects.values_list("id", "name", "partner_id").order_by("id"):
            score = similarity(name, normalise_name(other))
            if score >= SIMILARITY_THRESHOLD:
                return DealStatus.IN_REVIEW, REASON_REVIEW, {
                    "kind": "customer", "id": pk, "name": other, "partner_id": partner_id, "match": "name",
                    "similarity": round(score, 3)}
    return DealStatus.APPROVED, REASON_APPROVED, None


def snapshot(registration: DealRegistration) -> dict[str, Any]:
    return {
        "partner_id": registration.partner_id, "company_name": registration.company_name,
        "country": registration.country, "tax_id": registration.tax_id, "domain": registration.domain,
        "estimated_value": str(registration.estimated_value), "currency": registration.currency,
        "status": registration.status, "reason": registration.reason, "conflict": registration.conflict,
        "expires_on": registration.expires_on.isoformat(), "customer_id": registration.customer_id,
        "converted_at": registration.converted_at.isoformat() if registration.converted_at else None,
    }


def deal_register(*, partner: Partner, fields: DealFields, actor: Actor) -> DealRegistration:
    """Register a deal for `partner`, decided at once (approved, rejected or in review). Bad input raises
    InvalidInput and stores nothing; a rejection is stored (the partner sees it, staff count it as a conflict)."""
    clean = clean_fields(fields)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if locked.status == PartnerStatus.TERMINATED:
            raise _bad("partner_id", _("A terminated partner cannot register deals."), "partner_terminated")
        _serialise_conflict_checks()
        today = timezone.localdate()
        status, reason, conflict = _decide(locked, clean, today)
        registration = DealRegistration.objects.create(
            partner=locked, status=status, reason=reason, conflict=conflict,
            expires_on=today + timedelta(days=valid_days()), created_by_label=actor.label[:200], **clean)
        if status != DealStatus.IN_REVIEW:
            registration.decided_at = registration.created_at
            registration.decided_by_label = "conflict check"
            registration.save(update_fields=["decided_at", "decided_by_label"])
        audit_record_create(actor=actor, action="deal_registration.created", obj=registration,
                            after=snapshot(registration))
    return registration


def deal_decide(*, registration: DealRegistration, approve: bool, reason: str, actor: Actor) -> DealRegistration:
    """Staff approve or reject a registration in review; `reason` is shown to the partner."""
    text = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=registration.partner_id)
        locked = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != DealStatus.IN_REVIEW:
            raise _bad("status", _("Only a registration in review can be decided; this one is %(status)s.") % {
                "status": str(locked.get_status_display()).lower()}, "invalid_transition")
        if approve and locked.expires_on <= timezone.localdate():
            raise _bad("status", _("This registration has expired."), "invalid_transition")
        before = snapshot(locked)
        locked.status = DealStatus.APPROVED if approve else DealStatus.REJECTED
        locked.reason = text
        locked.decided_at = timezone.now()
        locked.decided_by_label = actor.label[:200]
        locked.save(update_fields=["status", "reason", "decided_at", "decided_by_label"])
        audit_record_create(actor=actor, action="deal_registration.decided", obj=locked, before=before,
                            after=snapshot(locked), reason=text)
    return locked


@dataclass(frozen=True)
class Conversion:
    """A converted registration, its customer and what became of the attribution claim (None when the registration
    was already converted into that customer: nothing new was claimed)."""

    registration: DealRegistration
    customer: Customer
    claim: ClaimOutcome | None


def customer_external_id(registration: DealRegistration) -> str:
    """The external id of a customer created from a registration."""
    return f"deal-{registration.pk}"


def deal_convert(*, registration: DealRegistration, actor: Actor, customer: Customer | None = None) -> Conversion:
    """Convert an approved, unexpired registration: link `customer` (or create one from the registration's company)
    and claim its attribution for the registration's partner (ClaimSource.DEAL; the one rule decides whether the
    claim wins). Converting a converted registration into the same customer (or naming none) answers the same
    result and claims nothing; any other status, an expired registration or another customer is a Conflict and
    writes nothing."""
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=registration.partner_id)
        locked = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        if locked.status == DealStatus.CONVERTED:
            if customer is not None and customer.pk != locked.customer_id:
                raise Conflict(_("This registration was already converted into another customer."),
                               code="invalid_transition", details={"field": "customer_id",
                                                                   "customer_id": locked.customer_id})
            return Conversion(locked, Customer.objects.get(pk=locked.customer_id or 0), None)
        if locked.status == DealStatus.EXPIRED or (locked.status == DealStatus.APPROVED
                                                   and locked.expires_on <= timezone.localdate()):
            raise Conflict(_("This registration has expired."), code="registration_expired",
                           details={"field": "status"})
        if locked.status != DealStatus.APPROVED:
            raise Conflict(_("Only an approved registration can be converted; this one is %(status)s.") % {
                "status": str(locked.get_status_display()).lower()}, code="invalid_transition",
                details={"field": "status"})
        if customer is None:
            customer, _created = customer_create(actor=actor, fields=CustomerFields(
                external_id=customer_external_id(locked), name=locked.company_name, country=locked.country,
                tax_id=locked.tax_id, domain=locked.domain, vertical=locked.vertical))
        now = timezone.now()
        outcome = claim_attribution(customer=customer, partner_id=locked.partner_id, source=ClaimSource.DEAL,
                                    actor=actor, at=now)
        before = snapshot(locked)
        locked.status = DealStatus.CONVERTED
        locked.customer = customer
        locked.converted_at = now
        locked.save(update_fields=["status", "customer", "converted_at"])
        audit_record_create(actor=actor, action="deal_registration.converted", obj=locked, before=before,
                            after={**snapshot(locked), "claim": outcome.reason, "attributed": outcome.applied})
        customer.refresh_from_db()
    return Conversion(locked, customer, outcome)


@dataclass(frozen=True)
class Holders:
    """Who holds a company now, as the conflict check finds them: a customer of it, an open opportunity of the
    direct-sales pipeline, and the active registrations of it (whatever their partner)."""

    customer: Customer | None
    opportunity: Opportunity | None
    registrations: list[DealRegistration]


def company_holders(*, fields: DealFields, today: date | None = None) -> Holders:
    """Who holds the company of `fields` (cleaned as a registration's; bad input raises InvalidInput): what a
    registration of it would be rejected for. Reads across partners: the caller shows it to staff only."""
    clean = clean_fields(fields)
    on = today or timezone.localdate()
    with across_partners():
        customer = Customer.objects.filter(_same_company(clean, registrations=False)).order_by("id").first()
        opportunity = Opportunity.objects.filter(_same_company(clean, registrations=True),
                                                 stage=OpportunityStage.OPEN).order_by("id").first()
        registrations = list(DealRegistration.objects.filter(active_q(on)).filter(
            _same_company(clean, registrations=True)).select_related("partner").order_by("created_at", "id"))
    return Holders(customer, opportunity, registrations)
