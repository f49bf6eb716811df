"""Writes for customers and their attribution (SPEC §5.1).

The services take typed inputs (`CustomerFields` to create, `CustomerChanges` to change) and check them once,
here. An update locks the customer row first, then checks the changes against it, then writes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from parceria.common.audit import Actor, audit_record_create
from parceria.common.countries import is_country
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.inputs import UNSET, Unset, clean_text, given
from parceria.common.names import normalise_name
from parceria.common.taxids import TaxIdError, validate_tax_id
from parceria.customers.hooks import customers_created
from parceria.customers.models import AttributionClaim, Customer
from parceria.partners.models import Partner, PartnerStatus

FIELDS = ("external_id", "name", "tax_id", "domain", "country", "vertical", "partner_id", "attributed_at")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True, kw_only=True)
class CustomerFields:
    """A customer to create, as given; `customer_create` checks every field."""

    external_id: str
    name: str
    country: str
    tax_id: str = ""
    domain: str = ""
    vertical: str = ""
    partner_id: int | None = None
    attributed_at: datetime | str | None = None


@dataclass(frozen=True, kw_only=True)
class CustomerChanges:
    """The fields of a customer to change; a field left UNSET keeps its current value (None is a value for the
    partner: a direct customer)."""

    external_id: str | Unset = UNSET
    name: str | Unset = UNSET
    country: str | Unset = UNSET
    tax_id: str | Unset = UNSET
    domain: str | Unset = UNSET
    vertical: str | Unset = UNSET
    partner_id: int | Unset | None = UNSET
    attributed_at: datetime | str | Unset | None = UNSET


def normalise_domain(value: str) -> str:
    """'https://www.Example.com.br/path' → 'example.com.br'."""
    text = value.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text).split("/")[0].split(":")[0]
    return text.removeprefix("www.")


def _validated(data: CustomerFields) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "external_id": clean_text(data.external_id, field="external_id", max_length=120),
        "name": clean_text(data.name, field="name", max_length=300),
        "vertical": clean_text(data.vertical, field="vertical", max_length=60, required=False),
    }
    clean["normalised_name"] = normalise_name(clean["name"])
    country = data.country
    if not isinstance(country, str) or not is_country(country):
        raise InvalidInput(f"country must be an ISO 3166 alpha-2 code; got {country!r}", details={"field": "country"})
    clean["country"] = country.upper()
    tax_id = clean_text(data.tax_id, field="tax_id", max_length=40, required=False)
    if tax_id:
        try:
            tax_id = validate_tax_id(clean["country"], tax_id).compact
        except TaxIdError as exc:
            raise InvalidInput(str(exc), code="invalid_tax_id", details={"field": "tax_id"}) from None
    clean["tax_id"] = tax_id
    domain = clean_text(data.domain, field="domain", max_length=253, required=False)
    if domain:
        domain = normalise_domain(domain)
        if not DOMAIN.match(domain):
            raise InvalidInput(f"domain {data.domain!r} is not a valid domain name", details={"field": "domain"})
    clean["domain"] = domain
    clean["partner_id"] = _partner_id(data.partner_id)
    clean["attributed_at"] = _attributed_at(data.attributed_at) if clean["partner_id"] else None
    return clean


def _partner_id(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("partner_id must be a partner's id (an integer) or null", details={"field": "partner_id"})
    status = Partner.objects.filter(pk=value).values_list("status", flat=True).first()
    if status is None:
        raise InvalidInput(f"partner {value} does not exist", code="unknown_partner", details={"field": "partner_id"})
    if status == PartnerStatus.TERMINATED:
        raise InvalidInput(f"partner {value} is terminated", code="partner_terminated", details={"field": "partner_id"})
    return value


def _attributed_at(value: Any) -> datetime:
    if value is None:
        return timezone.now()
    parsed = value if isinstance(value, datetime) else parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or timezone.is_naive(parsed):
        raise InvalidInput(
            "attributed_at must be an ISO 8601 date-time with a UTC offset", details={"field": "attributed_at"}
        )
    return parsed


def snapshot(customer: Customer) -> dict[str, Any]:
    return {
        "external_id": customer.external_id,
        "name": customer.name,
        "tax_id": customer.tax_id,
        "domain": customer.domain,
        "country": customer.country,
        "vertical": customer.vertical,
        "partner_id": customer.partner_id,
        "attributed_at": customer.attributed_at.isoformat() if customer.attributed_at else None,
    }


def customer_create(*, fields: CustomerFields, actor: Actor,
                    deal_registration_id: int | None = None) -> tuple[Customer, bool]:
    """Create a customer. Idempotent on external_id: the same data again returns the existing customer
    (created=False); different data for an existing external_id is a conflict.

    The one place customers are created: a new customer is announced to `hooks.customers_created` inside the
    creating transaction (the deals app converts a matching approved registration), and so is an existing one when
    `deal_registration_id` names the registration to convert. A handler's error rolls the creation back."""
    clean = _validated(fields)
    existing = Customer.objects.filter(external_id=clean["external_id"]).first()
    if existing is not None:
        return _replayed(existing, clean, fields, actor, deal_registration_id), False
    try:
        with transaction.atomic():
            customer = Customer.objects.create(**clean)
            audit_record_create(actor=actor, action="customer.created", obj=customer, after=snapshot(customer))
            customers_created(customers=[customer], actor=actor, now=timezone.now(),
                              deal_registration_id=deal_registration_id)
    except IntegrityError:
        existing = Customer.objects.get(external_id=clean["external_id"])
        return _replayed(existing, clean, fields, actor, deal_registration_id), False
    customer.refresh_from_db()
    return customer, True


def _replayed(existing: Customer, clean: dict[str, Any], fields: CustomerFields, actor: Actor,
              deal_registration_id: int | None) -> Customer:
    customer = _replay(existing, clean, fields)
    if deal_registration_id is not None:
        with transaction.atomic():
            customers_created(customers=[customer], actor=actor, now=timezone.now(),
                              deal_registration_id=deal_registration_id)
        customer.refresh_from_db()
    return customer


def _replay(existing: Customer, clean: dict[str, Any], fields: CustomerFields) -> Customer:
    current = snapshot(existing)
    compare = [f for f in FIELDS if f != "attributed_at" or fields.attributed_at is not None]
    if fields.partner_id is None and existing.partner_id is not None and AttributionClaim.objects.filter(
            customer=existing, partner_id=existing.partner_id, won=True).exists():
        # Created without a partner and attributed since by a claim (a deal registration, a referral code): a retry
        # of the same creation is the same customer.
        compare = [f for f in compare if f not in ("partner_id", "attributed_at")]
    wanted = {**clean, "attributed_at": clean["attributed_at"].isoformat() if clean["attributed_at"] else None}
    if any(current[f] != wanted[f] for f in compare):
        raise Conflict(
            f"customer {clean['external_id']!r} already exists with different data",
            code="duplicate_customer",
            details={"customer_id": existing.pk},
        )
    return existing


def customer_update(*, customer: Customer, changes: CustomerChanges, actor: Actor) -> Customer:
    """Change the given fields. The customer row is locked first; the changes are checked against it and
    applied to it. A new partner without an attribution time is attributed now."""
    changed = given(changes)
    try:
        with transaction.atomic():
            locked = Customer.objects.select_for_update().get(pk=customer.pk)
            before = snapshot(locked)
            merged = {**before, **changed}
            reattributed = "partner_id" in changed and changed["partner_id"] != locked.partner_id
            if reattributed and "attributed_at" not in changed:
                merged["attributed_at"] = None  # a new attribution starts now
            clean = _validated(CustomerFields(**merged))
            for field, value in clean.items():
                setattr(locked, field, value)
            locked.save()
            after = snapshot(locked)
            if after != before:
                audit_record_create(actor=actor, action="customer.updated", obj=locked, before=before, after=after)
    except IntegrityError:
        raise Conflict(
            f"another customer has external id {clean['external_id']!r}", code="duplicate_customer"
        ) from None
    return locked
