"""Writes of deal registrations (SPEC §4.1–4.2).

`deal_register` checks a registration against every conflict at once, in the transaction that stores it: the
partner's row is locked, and on PostgreSQL one advisory lock serialises the conflict checks of all partners, so two
partners registering the same company at the same moment cannot both be approved (the first valid registration
wins). In order:

1. an existing customer with the same tax id, the same CNPJ root (the company, whatever the branch) or the same
   domain → rejected;
2. an active registration (approved or in review, not past `expires_on`) of another partner with the same tax id,
   CNPJ root or domain → rejected; of the same partner → rejected as a duplicate;
3. an open opportunity of the direct-sales pipeline with the same tax id, CNPJ root or domain → rejected;
4. an exclusive territory or vertical of another partner's agreement in force today equal to the registration's
   region or vertical (compared without accents, case or punctuation) → rejected;
5. a company name alike (names.SIMILARITY_THRESHOLD) to another partner's active registration, a customer or an
   open opportunity → in review, for staff to decide (`deal_decide`);
6. otherwise → approved.

The partner-facing `reason` never names another partner or its data; the conflicting record is kept in `conflict`
for staff. Every registration and decision writes an audit record.

`deal_convert` turns an approved registration into a customer (a given one, or one created from the registration)
and claims the customer's attribution for the registration's partner through the one attribution rule
(`customers.attribution`)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
from parceria.agreements.models import TermKind
from parceria.agreements.selectors import exclusivities_held_by_others
from parceria.common.audit import Actor, audit_record_create
from parceria.common.countries import is_country
from parceria.common.errors import Conflict, InvalidInput, ParceriaError
from parceria.common.inputs import clean_amount, clean_text
from parceria.common.money import CURRENCIES
from parceria.common.names import TRIGRAM_THRESHOLD_SQL, trigram_threshold_params
from parceria.common.taxids import TaxIdError, validate_tax_id
from parceria.customers.attribution import ClaimOutcome, claim_attribution
from parceria.customers.models import ClaimSource, Customer
from parceria.customers.services import DOMAIN, CustomerFields, customer_create, normalise_domain
from parceria.deals.models import (
    ACTIVE_DEAL_STATUSES,
    DealRegistration,
    DealStatus,
    ExtensionStatus,
    Opportunity,
    OpportunityStage,
)
from parceria.deals.names import is_public_email_domain, normalise_label, normalise_name, similar_rows
from parceria.partners.models import Partner, PartnerStatus
from parceria.webhooks.outbox import emit

#: Days a registration protects its partner unless settings.PARCERIA["DEAL_REGISTRATION_DAYS"] says otherwise.
DEFAULT_VALID_DAYS = 90
DEFAULT_EXTENSION_DAYS = 30
DEFAULT_WARNING_DAYS = 14
REASON_MAX_LENGTH = 300
NOTES_MAX_LENGTH = 2000
#: Set while `deal_convert` creates the customer of the registration it converts.
_CONVERTING: ContextVar[bool] = ContextVar("parceria_deal_converting", default=False)
#: The PostgreSQL advisory lock that serialises the conflict checks of deal registrations.
_LOCK_KEY = int.from_bytes(hashlib.blake2b(b"parceria.deals.register", digest_size=8).digest(), "big", signed=True)

#: `decided_by_label` of a registration the conflict check decided at once (no person reviewed it).
AUTOMATIC_DECIDER = "conflict check"

# The partner-facing reasons (translated when shown: deals.selectors.reason_shown). None names another partner.
REASON_APPROVED = gettext_noop("Registered: the company is yours until the registration expires.")
REASON_CUSTOMER = gettext_noop("This company is already a customer.")
REASON_TAKEN = gettext_noop("This company is already registered by another partner.")
REASON_DUPLICATE = gettext_noop("You already have an active registration for this company.")
REASON_REVIEW = gettext_noop("A company with a similar name is already known; our team will review this registration.")
REASON_PIPELINE = gettext_noop("This company is already in talks with our team.")
REASON_EXCLUSIVE = gettext_noop("This region or vertical is reserved by an exclusive partner agreement.")


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


def extension_days() -> int:
    """Days an approved extension adds to a registration's expiry (settings.PARCERIA["DEAL_EXTENSION_DAYS"])."""
    return int(getattr(settings, "PARCERIA", {}).get("DEAL_EXTENSION_DAYS", DEFAULT_EXTENSION_DAYS))


def warning_days() -> int:
    """Days before its expiry a registration's partner is warned (settings.PARCERIA["DEAL_EXPIRY_WARNING_DAYS"])."""
    return int(getattr(settings, "PARCERIA", {}).get("DEAL_EXPIRY_WARNING_DAYS", DEFAULT_WARNING_DAYS))


def _bad(field: str, message: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})


def clean_identity(country: object, tax_id: object, domain: object) -> dict[str, str]:
    """A company's country, tax id (validated per country, compact), CNPJ root and web domain (normalised, never a
    public e-mail provider's), or InvalidInput naming the field. The one check of registrations and opportunities."""
    clean: dict[str, str] = {}
    if not isinstance(country, str) or not is_country(country):
        raise _bad("country", _("The country must be an ISO 3166 two-letter code, not %(value)r.")
                   % {"value": country})
    clean["country"] = country.upper()
    tax_id = clean_text(tax_id, field="tax_id", max_length=40, required=False)
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
    given_domain = domain
    domain = clean_text(domain, field="domain", max_length=253, required=False)
    if domain:
        domain = normalise_domain(domain)
        if not DOMAIN.match(domain):
            raise _bad("domain", _("%(value)s is not a web domain (e.g. empresa.com.br).") % {"value": given_domain})
        if is_public_email_domain(domain):
            raise _bad("domain", _("%(domain)s is a public e-mail provider, not a company's domain.")
                       % {"domain": domain}, "public_email_domain")
    clean["domain"] = domain
    return clean


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
    clean.update(clean_identity(data.country, data.tax_id, data.domain))
    tax_id, domain = clean["tax_id"], clean["domain"]
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
    """On PostgreSQL: the lock of all conflict checks, and (in the same round trip) the trigram threshold of this
    transaction's name searches."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_advisory_xact_lock(%s), {TRIGRAM_THRESHOLD_SQL}",
                           [_LOCK_KEY, *trigram_threshold_params()])


def _same_company(clean: dict[str, Any], *, has_root: bool) -> Q:
    """Rows of the same company: the same tax id, the same CNPJ root, or the same domain. `has_root`: the rows keep
    their CNPJ root (registrations, opportunities); a customer's is the start of its tax id, read through the tax id
    index (the range makes the prefix an index range whatever the database's collation)."""
    same = Q(pk__in=[])
    if clean["tax_id"]:
        same |= Q(country=clean["country"], tax_id=clean["tax_id"])
    if clean["cnpj_root"]:
        root = clean["cnpj_root"]
        same |= Q(cnpj_root=root) if has_root else Q(country="BR", tax_id__gte=root, tax_id__lte=root + "999999",
                                                     tax_id__startswith=root)
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


def _exclusivity(partner: Partner, clean: dict[str, Any], today: date) -> dict[str, Any] | None:
    """The first exclusive territory or vertical of another partner's agreement in force today that the
    registration's region or vertical falls in: both compared as labels (common.names.normalise_label: no accents,
    case or punctuation), equal as a whole."""
    wanted = {TermKind.TERRITORY_EXCLUSIVITY: ("region", normalise_label(clean["region"])),
              TermKind.VERTICAL_EXCLUSIVITY: ("vertical", normalise_label(clean["vertical"]))}
    if not any(label for _field, label in wanted.values()):
        return None
    for term in exclusivities_held_by_others(partner, today):
        field, label = wanted[TermKind(term.kind)]
        if label and normalise_label(term.value) == label:
            return {"kind": "exclusivity", "term": term.kind, "value": term.value, "match": field,
                    "partner_id": term.partner_id, "agreement_id": term.agreement_id}
    return None


def _alike(name: str, partner: Partner, active: Any) -> dict[str, Any] | None:
    """The most alike name among other partners' active registrations, customers and open opportunities."""
    for score, (pk, company, partner_id) in similar_rows(active.exclude(partner=partner), name, "company_name",
                                                         "partner_id", threshold_set=True)[:1]:
        return {"kind": "registration", "id": pk, "name": company, "partner_id": partner_id, "match": "name",
                "similarity": score}
    for score, (pk, company, partner_id) in similar_rows(Customer.objects.all(), name, "name", "partner_id",
                                                         threshold_set=True)[:1]:
        return {"kind": "customer", "id": pk, "name": company, "partner_id": partner_id, "match": "name",
                "similarity": score}
    opportunities = Opportunity.objects.filter(stage=OpportunityStage.OPEN)
    for score, (pk, company, external_id, owner) in similar_rows(opportunities, name, "company_name", "external_id",
                                                                 "owner_label", threshold_set=True)[:1]:
        return {"kind": "opportunity", "id": pk, "name": company, "external_id": external_id, "owner": owner,
                "match": "name", "similarity": score}
    return None


def _decide(partner: Partner, clean: dict[str, Any], today: date) -> tuple[str, str, dict[str, Any] | None]:
    """The outcome of the conflict checks: (status, partner-facing reason, the conflicting record for staff)."""
    # Reads across partners on purpose: what they find is kept for staff; the partner sees only a generic reason.
    with across_partners():
        customer = Customer.objects.filter(_same_company(clean, has_root=False)).order_by("id").first()
        if customer is not None:
            return DealStatus.REJECTED, REASON_CUSTOMER, {
                "kind": "customer", "id": customer.pk, "name": customer.name, "external_id": customer.external_id,
                "partner_id": customer.partner_id, "match": _match(customer, clean)}
        active = DealRegistration.objects.filter(active_q(today))
        taken = active.filter(_same_company(clean, has_root=True)).order_by("created_at", "id").first()
        if taken is not None:
            own = taken.partner_id == partner.pk
            return DealStatus.REJECTED, REASON_DUPLICATE if own else REASON_TAKEN, {
                "kind": "registration", "id": taken.pk, "name": taken.company_name, "partner_id": taken.partner_id,
                "match": _match(taken, clean)}
        opportunity = Opportunity.objects.filter(_same_company(clean, has_root=True),
                                                 stage=OpportunityStage.OPEN).order_by("id").first()
        if opportunity is not None:
            return DealStatus.REJECTED, REASON_PIPELINE, {
                "kind": "opportunity", "id": opportunity.pk, "name": opportunity.company_name,
                "external_id": opportunity.external_id, "owner": opportunity.owner_label,
                "match": _match(opportunity, clean)}
        exclusive = _exclusivity(partner, clean, today)
        if exclusive is not None:
            return DealStatus.REJECTED, REASON_EXCLUSIVE, exclusive
        alike = _alike(clean["normalised_name"], partner, active)
        if alike is not None:
            return DealStatus.IN_REVIEW, REASON_REVIEW, alike
    return DealStatus.APPROVED, REASON_APPROVED, None


def snapshot(registration: DealRegistration) -> dict[str, Any]:
    return {
        "partner_id": registration.partner_id, "company_name": registration.company_name,
        "country": registration.country, "tax_id": registration.tax_id, "domain": registration.domain,
        "estimated_value": str(registration.estimated_value), "currency": registration.currency,
        "status": registration.status, "reason": registration.reason, "conflict": registration.conflict,
        "expires_on": registration.expires_on.isoformat(), "customer_id": registration.customer_id,
        "converted_at": registration.converted_at.isoformat() if registration.converted_at else None,
        "extension_status": registration.extension_status, "extension_reason": registration.extension_reason,
    }


def webhook_data(registration: DealRegistration) -> dict[str, Any]:
    """A registration in webhook events (docs/webhooks.md)."""
    return {"registration_id": registration.pk, "company_name": registration.company_name,
            "status": registration.status, "reason": registration.reason, "expires_on": registration.expires_on,
            "customer_id": registration.customer_id,
            "customer_external_id": registration.customer.external_id if registration.customer else None}


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
        decided = status != DealStatus.IN_REVIEW
        registration = DealRegistration.objects.create(
            partner=locked, status=status, reason=reason, conflict=conflict,
            expires_on=today + timedelta(days=valid_days()), created_by_label=actor.label[:200],
            decided_at=timezone.now() if decided else None, decided_by_label=AUTOMATIC_DECIDER if decided else "",
            **clean)
        audit_record_create(actor=actor, action="deal_registration.created", obj=registration,
                            after=snapshot(registration))
        if decided:  # approved or rejected at once, without staff
            emit("deal.decided", partner=locked, data=webhook_data(registration))
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
        emit("deal.decided", partner=locked.partner, data=webhook_data(locked))
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
            token = _CONVERTING.set(True)  # the new customer is this registration's: no automatic conversion
            try:
                customer, _created = customer_create(actor=actor, fields=CustomerFields(
                    external_id=customer_external_id(locked), name=locked.company_name, country=locked.country,
                    tax_id=locked.tax_id, domain=locked.domain, vertical=locked.vertical))
            finally:
                _CONVERTING.reset(token)
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
        emit("deal.converted", partner=locked.partner, data={**webhook_data(locked), "attributed": outcome.applied})
    return Conversion(locked, customer, outcome)


def is_expired(registration: DealRegistration, today: date) -> bool:
    """Expired: marked so, or approved or in review with `expires_on` on or before `today`."""
    return registration.status == DealStatus.EXPIRED or (
        registration.status in ACTIVE_DEAL_STATUSES and registration.expires_on <= today)


def deal_extension_request(*, registration: DealRegistration, reason: str, actor: Actor) -> DealRegistration:
    """The partner asks, once per registration, for more time on an approved, unexpired registration; staff decide
    (`deal_extension_decide`). A second request, or one on a registration that is not approved or has expired, is a
    Conflict (409) and writes nothing."""
    text = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=registration.partner_id)
        locked = DealRegistration.objects.select_for_update().get(pk=registration.pk,
                                                                  partner_id=registration.partner_id)
        if locked.extension_status:
            raise Conflict(_("An extension was already requested for this registration; a registration may be "
                             "extended once."), code="extension_already_requested", details={"field": "reason"})
        if is_expired(locked, timezone.localdate()):
            raise Conflict(_("This registration has expired."), code="registration_expired",
                           details={"field": "status"})
        if locked.status != DealStatus.APPROVED:
            raise Conflict(_("Only an approved registration can be extended; this one is %(status)s.") % {
                "status": str(locked.get_status_display()).lower()}, code="invalid_transition",
                details={"field": "status"})
        before = snapshot(locked)
        locked.extension_status = ExtensionStatus.REQUESTED
        locked.extension_reason = text
        locked.extension_requested_at = timezone.now()
        locked.extension_requested_by_label = actor.label[:200]
        locked.save(update_fields=["extension_status", "extension_reason", "extension_requested_at",
                                   "extension_requested_by_label"])
        audit_record_create(actor=actor, action="deal_registration.extension_requested", obj=locked, before=before,
                            after=snapshot(locked), reason=text)
    return locked


def deal_extension_decide(*, registration: DealRegistration, approve: bool, reason: str,
                          actor: Actor) -> DealRegistration:
    """Staff approve (the expiry moves `extension_days()` later) or refuse (it stays) a requested extension;
    `reason` (optional) is shown to the partner. Only a requested extension is decided, and only a registration
    still approved and unexpired is extended (a refusal is always possible): otherwise a Conflict that writes
    nothing."""
    text = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH, required=False)
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=registration.partner_id)
        locked = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        if locked.extension_status != ExtensionStatus.REQUESTED:
            raise Conflict(_("No extension request is waiting for a decision on this registration."),
                           code="invalid_transition", details={"field": "extension_status"})
        if approve and is_expired(locked, timezone.localdate()):
            raise Conflict(_("This registration has expired."), code="registration_expired",
                           details={"field": "status"})
        if approve and locked.status != DealStatus.APPROVED:
            raise Conflict(_("Only an approved registration can be extended; this one is %(status)s.") % {
                "status": str(locked.get_status_display()).lower()}, code="invalid_transition",
                details={"field": "status"})
        before = snapshot(locked)
        locked.extension_status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        if approve:
            locked.expires_on += timedelta(days=extension_days())
        locked.extension_decision_reason = text
        locked.extension_decided_at = timezone.now()
        locked.extension_decided_by_label = actor.label[:200]
        locked.save(update_fields=["extension_status", "expires_on", "extension_decision_reason",
                                   "extension_decided_at", "extension_decided_by_label"])
        audit_record_create(actor=actor, action="deal_registration.extension_decided", obj=locked, before=before,
                            after=snapshot(locked), reason=text)
    return locked


def _identity(customer: Customer) -> dict[str, Any]:
    """A customer's company identity, as `_same_company` compares it (the CNPJ root of a Brazilian CNPJ)."""
    root = ""
    if customer.tax_id:
        try:
            root = customer.tax_id[:8] if validate_tax_id(customer.country, customer.tax_id).kind == "cnpj" else ""
        except TaxIdError:
            root = ""
    return {"country": customer.country, "tax_id": customer.tax_id, "cnpj_root": root, "domain": customer.domain}


def matching_registrations(customer: Customer, today: date) -> list[DealRegistration]:
    """The approved, unexpired registrations of active partners for the customer's company (the same tax id, CNPJ
    root or domain), the first registered first."""
    identity = _identity(customer)
    if not identity["tax_id"] and not identity["domain"]:
        return []
    with across_partners():  # the customer's arrival is judged against every partner's registrations
        return list(DealRegistration.objects.filter(_same_company(identity, has_root=True),
                                                    status=DealStatus.APPROVED, expires_on__gt=today)
                    .exclude(partner__status=PartnerStatus.TERMINATED).order_by("created_at", "id"))


def deal_convert_arrivals(*, customers: Sequence[Customer], actor: Actor, now: datetime,
                          deal_registration_id: int | None) -> None:
    """Registered as `customers.hooks.on_customers_created` (DealsConfig.ready), inside the creating transaction.

    A creation that names a registration converts that one: it must exist, and belong to the partner the customer
    is attributed to (a customer not attributed yet takes the registration's partner); otherwise, or when
    `deal_convert` refuses it (not approved, expired), the error rolls the creation back. Otherwise each new
    customer converts the first valid approved, unexpired registration of its company (`matching_registrations`):
    the first registered wins; a registration whose conversion is refused is skipped; the others are left as they
    are. The customer `deal_convert` itself creates converts nothing more."""
    if _CONVERTING.get():
        return
    for customer in customers:
        if deal_registration_id is not None:
            _convert_named(customer, deal_registration_id, actor)
            continue
        for candidate in matching_registrations(customer, timezone.localdate(now)):
            try:
                with transaction.atomic():
                    deal_convert(registration=candidate, customer=customer, actor=actor)
            except ParceriaError:
                continue
            break


def _convert_named(customer: Customer, registration_id: int, actor: Actor) -> None:
    with across_partners():  # the platform names a registration of any partner; the partner is checked below
        registration = DealRegistration.objects.filter(pk=registration_id).first()
    if registration is None:
        raise InvalidInput(_("Deal registration %(id)s does not exist.") % {"id": registration_id},
                           code="unknown_deal_registration", details={"field": "deal_registration_id"})
    if customer.partner_id is not None and customer.partner_id != registration.partner_id:
        raise InvalidInput(_("Deal registration %(id)s belongs to another partner than the customer's.")
                           % {"id": registration_id}, code="deal_registration_partner_mismatch",
                           details={"field": "deal_registration_id"})
    deal_convert(registration=registration, customer=customer, actor=actor)
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
        customer = Customer.objects.filter(_same_company(clean, has_root=False)).order_by("id").first()
        opportunity = Opportunity.objects.filter(_same_company(clean, has_root=True),
                                                 stage=OpportunityStage.OPEN).order_by("id").first()
        registrations = list(DealRegistration.objects.filter(active_q(on)).filter(
            _same_company(clean, has_root=True)).select_related("partner").order_by("created_at", "id"))
    return Holders(customer, opportunity, registrations)
