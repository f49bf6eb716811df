"""Writes for partners: registration, updates, status moves and commercial terms.

The services take typed inputs (`PartnerFields` to register, `PartnerChanges` to change) and check them once,
here. An update locks the partner row first, then checks the changes and the status move against the row as
it is now, then writes: two concurrent updates never undo each other."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from parceria.common.audit import Actor, audit_record_create
from parceria.common.countries import is_country
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.inputs import INTEGRATION_SHARE_RATE, UNSET, Unset, clean_text, given, parse_rate
from parceria.common.money import CURRENCIES
from parceria.common.payout_methods import account_summary, validate_payout_account
from parceria.common.pix import parse_key_type, validate_pix_key
from parceria.common.taxids import TaxIdError, validate_tax_id
from parceria.partners.models import (
    BR_TAX_REGIMES,
    STATUS_TRANSITIONS,
    SUBCATEGORIES,
    Category,
    Partner,
    PartnerStatus,
    PartnerTerms,
    TaxRegime,
    Tier,
)
from parceria.partners.payout_details import payout_details_record_locked, payout_method_record_locked

EDITABLE_FIELDS = (
    "name",
    "legal_name",
    "country",
    "tax_id",
    "currency",
    "tax_regime",
    "category",
    "subcategory",
    "status",
    "tier",
    "integration_share_rate",
    "verticals",
    "territories",
    "pix_key_type",
    "pix_key",
)
TERMS_FIELDS = ("tier", "integration_share_rate")


@dataclass(frozen=True, kw_only=True)
class PartnerFields:
    """A partner to register, as given; `partner_create` checks every field."""

    name: str
    legal_name: str
    country: str
    tax_id: str
    currency: str
    tax_regime: str
    category: str
    subcategory: str
    status: str = PartnerStatus.PROSPECT
    tier: str | None = None
    integration_share_rate: str | Decimal | None = None
    verticals: Sequence[str] = ()
    territories: Sequence[str] = ()
    pix_key_type: str = ""
    pix_key: str = ""
    #: Another first payout method than a PIX key (common.payout_methods), with its details and, for an account
    #: outside the partner's country, the reason. Not with a PIX key.
    payout_method: str = ""
    payout_details: Mapping[str, Any] = field(default_factory=dict)
    payout_reason: str = ""


@dataclass(frozen=True, kw_only=True)
class PartnerChanges:
    """The fields of a partner to change; a field left UNSET keeps its current value (None is a value: no tier,
    no share rate)."""

    name: str | Unset = UNSET
    legal_name: str | Unset = UNSET
    country: str | Unset = UNSET
    tax_id: str | Unset = UNSET
    currency: str | Unset = UNSET
    tax_regime: str | Unset = UNSET
    category: str | Unset = UNSET
    subcategory: str | Unset = UNSET
    status: str | Unset = UNSET
    tier: str | Unset | None = UNSET
    integration_share_rate: str | Decimal | Unset | None = UNSET
    verticals: Sequence[str] | Unset = UNSET
    territories: Sequence[str] | Unset = UNSET
    pix_key_type: str | Unset = UNSET
    pix_key: str | Unset = UNSET


def _choice(field: str, value: Any, choices: list[str]) -> str:
    if value not in choices:
        raise InvalidInput(
            f"{field} must be one of {', '.join(choices)}; got {value!r}",
            code="invalid_choice",
            details={"field": field},
        )
    return str(value)


def _share_rate(value: Any) -> Decimal | None:
    return None if value is None else parse_rate(value, field="integration_share_rate", kind=INTEGRATION_SHARE_RATE)


def _pix(key_type: Any, key: Any) -> tuple[str, str]:
    """Both blank (no payout key yet) or a valid PIX key of the given type, normalised."""
    if not key_type and not key:
        return "", ""
    if not isinstance(key_type, str) or not isinstance(key, str) or not key_type or not key:
        raise InvalidInput("pix_key_type and pix_key go together", code="invalid_pix_key", details={"field": "pix_key"})
    try:
        return parse_key_type(key_type).value, validate_pix_key(key_type, key)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="invalid_pix_key", details={"field": "pix_key"}) from None


def _string_list(field: str, value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InvalidInput(f"{field} must be a list of names", details={"field": field})
    return [v.strip() for v in value]


def _validated(data: PartnerFields) -> dict[str, Any]:
    """Check a complete set of partner fields, returning them cleaned."""
    clean: dict[str, Any] = {
        "name": clean_text(data.name, field="name", max_length=200),
        "legal_name": clean_text(data.legal_name, field="legal_name", max_length=300),
    }
    country = data.country
    if not isinstance(country, str) or not is_country(country):
        raise InvalidInput(f"country must be an ISO 3166 alpha-2 code; got {country!r}", details={"field": "country"})
    clean["country"] = country.upper()
    try:
        tax_id = validate_tax_id(clean["country"], data.tax_id or "")
    except TaxIdError as exc:
        raise InvalidInput(str(exc), code="invalid_tax_id", details={"field": "tax_id"}) from None
    clean["tax_id"], clean["tax_id_kind"] = tax_id.compact, tax_id.kind
    clean["currency"] = _choice("currency", data.currency, list(CURRENCIES))
    regime = _choice("tax_regime", data.tax_regime, TaxRegime.values)
    if (clean["country"] == "BR") != (regime in BR_TAX_REGIMES):
        raise InvalidInput(
            "tax_regime must be pj, pj_simples or pf for Brazilian partners and foreign otherwise",
            code="invalid_tax_regime",
            details={"field": "tax_regime"},
        )
    if regime == TaxRegime.PF and tax_id.kind != "cpf":
        raise InvalidInput(
            "an individual (pf) partner needs a CPF", code="invalid_tax_regime", details={"field": "tax_id"}
        )
    if regime in (TaxRegime.PJ, TaxRegime.PJ_SIMPLES) and tax_id.kind != "cnpj":
        raise InvalidInput(
            "a company (pj) partner needs a CNPJ", code="invalid_tax_regime", details={"field": "tax_id"}
        )
    clean["tax_regime"] = regime
    clean["category"] = _choice("category", data.category, Category.values)
    clean["subcategory"] = _choice("subcategory", data.subcategory, list(SUBCATEGORIES[clean["category"]]))
    clean["status"] = _choice("status", data.status, PartnerStatus.values)
    tier = data.tier
    clean["tier"] = None if tier is None else _choice("tier", tier, Tier.values)
    clean["integration_share_rate"] = _share_rate(data.integration_share_rate)
    clean["verticals"] = _string_list("verticals", data.verticals)
    clean["territories"] = _string_list("territories", data.territories)
    clean["pix_key_type"], clean["pix_key"] = _pix(data.pix_key_type or "", data.pix_key or "")
    return clean


def snapshot(partner: Partner) -> dict[str, Any]:
    return {
        f: (str(getattr(partner, f)) if isinstance(getattr(partner, f), Decimal) else getattr(partner, f))
        for f in EDITABLE_FIELDS
    }


def _fields_of(partner: Partner) -> PartnerFields:
    """The partner's fields as they are stored."""
    return PartnerFields(**{f: getattr(partner, f) for f in EDITABLE_FIELDS})


def partner_create(*, fields: PartnerFields, actor: Actor) -> Partner:
    """Register a partner. Its first payout method (a PIX key, or `payout_method` with its details) starts no hold:
    there is no earlier account to divert from."""
    clean = _validated(fields)
    method, account = _first_method(fields, clean)
    try:
        with transaction.atomic():
            partner = Partner.objects.create(**clean)
            if method:
                payout_method_record_locked(
                    partner, method=method, account=account, reason=fields.payout_reason, actor=actor, holds=False
                )
            PartnerTerms.objects.create(
                partner=partner,
                effective_from=None,
                tier=partner.tier,
                integration_share_rate=partner.integration_share_rate,
                created_by=actor.label,
            )
            audit_record_create(actor=actor, action="partner.created", obj=partner, after={
                **snapshot(partner), "payout_method": method, "payout_account": account_summary(method, account)})
    except IntegrityError:
        raise Conflict(
            f"a partner with tax id {clean['tax_id']} in {clean['country']} already exists", code="duplicate_partner"
        ) from None
    return partner


def _rate_override_at(partner: Partner, at: Any) -> Decimal | None:
    """The referral rate override (from an agreement) in force at `at`; a new terms version keeps it."""
    version = (
        PartnerTerms.objects.filter(partner=partner)
        .exclude(effective_from__gt=at)
        .order_by(F("effective_from").asc(nulls_first=True), "id")
        .last()
    )
    return version.referral_rate_override if version else None


def _first_method(fields: PartnerFields, clean: dict[str, Any]) -> tuple[str, dict[str, str]]:
    if fields.payout_method and clean["pix_key"]:
        raise InvalidInput("give a PIX key or another payout method, not both", code="invalid_payout_method",
                           details={"field": "payout_method"})
    if clean["pix_key"]:
        return "pix", {"key_type": clean["pix_key_type"], "key": clean["pix_key"]}
    if not fields.payout_method:
        return "", {}
    account = validate_payout_account(
        fields.payout_method, fields.payout_details, partner_country=clean["country"], partner_tax_id=clean["tax_id"],
        currency=clean["currency"], reason=fields.payout_reason,
    )
    return fields.payout_method, account


def partner_update(*, partner: Partner, changes: PartnerChanges, actor: Actor) -> Partner:
    """Apply a partial update. Status moves follow STATUS_TRANSITIONS; tier and share-rate changes start a
    new terms version effective now (posted commissions never change); a new PIX key goes through
    `payout_details_record_locked` (the 48-hour hold and the notice to the partner's admins). The partner row
    is locked first; the changes are checked against it and applied to it, never to `partner` as the caller
    last read it."""
    try:
        with transaction.atomic():
            locked = Partner.objects.select_for_update().get(pk=partner.pk)
            before = snapshot(locked)
            clean = _validated(replace(_fields_of(locked), **given(changes)))
            if clean["status"] != locked.status and clean["status"] not in STATUS_TRANSITIONS[locked.status]:
                raise InvalidInput(
                    f"a partner cannot move from {locked.status} to {clean['status']}",
                    code="invalid_transition",
                    details={"field": "status"},
                )
            terms_changed = any(clean[f] != getattr(locked, f) for f in TERMS_FIELDS)
            pix = {"key_type": clean.pop("pix_key_type"), "key": clean.pop("pix_key")}
            for field, value in clean.items():
                setattr(locked, field, value)
            locked.save()
            if (pix["key_type"], pix["key"]) != (locked.pix_key_type, locked.pix_key):
                payout_details_record_locked(locked, **pix, actor=actor)
            if terms_changed:
                now = timezone.now()
                PartnerTerms.objects.create(
                    partner=locked,
                    effective_from=now,
                    tier=locked.tier,
                    integration_share_rate=locked.integration_share_rate,
                    referral_rate_override=_rate_override_at(locked, now),
                    created_by=actor.label,
                )
            after = snapshot(locked)
            if after != before:
                audit_record_create(actor=actor, action="partner.updated", obj=locked, before=before, after=after)
    except IntegrityError:
        raise Conflict(f"another partner already has tax id {clean['tax_id']}", code="duplicate_partner") from None
    return locked


def partner_manager_assign(*, partner: Partner, manager: Any, actor: Actor) -> Partner:
    """Make `manager` (a staff user) the partner's owning partner manager, audited."""
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        before = {"manager_id": locked.manager_id}
        locked.manager = manager
        locked.save(update_fields=["manager"])
        audit_record_create(actor=actor, action="partner.manager_assigned", obj=locked, before=before,
                            after={"manager_id": locked.manager_id})
    partner.manager = manager
    return locked
