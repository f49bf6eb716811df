"""The one attribution rule: which partner a customer belongs to when several claim it (SPEC §4.4).

Sources, in order of precedence (`PRECEDENCE`):

1. an approved deal registration (`ClaimSource.DEAL`; the deals app claims through `claim_attribution`),
2. a referral link's code, reported within `REFERRAL_WINDOW_DAYS` of the customer's sign-up,
3. a coupon code on an `invoice.paid` event.

A claim wins when the customer has no attribution yet, or when its source ranks above the source of the claim that
attributed the customer. Within one source the first claim wins. Every claim is kept (`AttributionClaim`); a claim
that did not win (or lost its win to a higher source) is a channel conflict, unless it is the attributed partner's
own (`conflicts`). A customer attributed by hand (staff,
`partner_id` given by the platform) is attributed: a later claim of any source does not change it.

Codes belong to the apps above (referrals owns links and coupons); they register a resolver per source
(`register_code_resolver`) that turns a code into the partner it attributes to, or None (an unknown or inactive
code, a partner that is not active): such a code claims nothing and stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from parceria.common.audit import Actor, audit_record_create
from parceria.common.inputs import clean_text
from parceria.customers.models import AttributionClaim, ClaimSource, Customer
from parceria.customers.services import CustomerChanges, CustomerFields, customer_create, customer_update

#: The longest referral or coupon code a claim takes.
MAX_CODE = 32

#: Highest precedence first.
PRECEDENCE: tuple[str, ...] = (ClaimSource.DEAL, ClaimSource.REFERRAL, ClaimSource.COUPON)

CodeResolver = Callable[[str], "tuple[int, str] | None"]
_RESOLVERS: dict[str, CodeResolver] = {}

#: Called after a claim attributed a customer: `hook(customer, partner_id, actor)`, in the claim's transaction.
AttributedHook = Callable[[Customer, int, Actor], None]
_ATTRIBUTED_HOOKS: list[AttributedHook] = []


def on_attributed(hook: AttributedHook) -> AttributedHook:
    """Let an app above hear that a claim attributed a customer (e.g. safeguards checks for a self-referral)."""
    _ATTRIBUTED_HOOKS.append(hook)
    return hook


def register_code_resolver(source: str, resolver: CodeResolver) -> None:
    """Let `resolver(code) -> (partner id, the code as stored) | None` say which partner a code of `source`
    attributes to."""
    _RESOLVERS[source] = resolver


def partner_for_code(source: str, code: str) -> tuple[int, str] | None:
    """The partner a code attributes to and the code's stored spelling, or None (unknown, inactive, a partner that
    is not active)."""
    resolver = _RESOLVERS.get(source)
    return resolver(code) if resolver is not None and code else None


def referral_window() -> timedelta:
    return timedelta(days=int(settings.PARCERIA["REFERRAL_WINDOW_DAYS"]))  # type: ignore[call-overload]


@dataclass(frozen=True)
class ClaimOutcome:
    """What became of a claim. `applied`: the customer is now attributed through it. `reason`: `attributed`,
    `already_attributed` (kept as a conflict), `already_claimed` (the same partner's claim from the same source
    exists: nothing new), `outside_window`, `unknown_code` (nothing stored)."""

    applied: bool
    reason: str
    code: str = ""


def _rank(source: str) -> int:
    return PRECEDENCE.index(source)


def claim_attribution(
    *, customer: Customer, partner_id: int, source: str, actor: Actor, code: str = "", at: datetime | None = None
) -> ClaimOutcome:
    """Record `partner_id`'s claim on `customer` from `source` and apply the rule (module docstring)."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        claims = list(AttributionClaim.objects.filter(customer=locked))
        if any(c.partner_id == partner_id and c.source == source for c in claims):
            return ClaimOutcome(False, "already_claimed", code)
        current = next((c for c in claims if c.won), None)
        if source == ClaimSource.REFERRAL and at > locked.created_at + referral_window():
            wins, reason = False, "outside_window"
        elif current is None:
            wins = locked.partner_id is None
            reason = "attributed" if wins else "already_attributed"
        else:
            wins = _rank(source) < _rank(current.source) and current.partner_id != partner_id
            reason = "attributed" if wins else "already_attributed"
        claim = AttributionClaim.objects.create(
            customer=locked, partner_id=partner_id, source=source, code=code[:60], at=at, won=wins
        )
        audit_record_create(
            actor=actor, action="customer.attribution_claimed", obj=locked,
            after={"claim_id": claim.pk, "partner_id": partner_id, "source": source, "code": code, "won": wins},
        )
        if wins:
            if current is not None:
                AttributionClaim.objects.filter(pk=current.pk).update(won=False)
            customer_update(customer=locked, changes=CustomerChanges(partner_id=partner_id, attributed_at=at),
                            actor=actor)
            for hook in _ATTRIBUTED_HOOKS:
                hook(locked, partner_id, actor)
    return ClaimOutcome(wins, reason, code)


def claim_by_code(*, customer: Customer, source: str, code: str, actor: Actor,
                  at: datetime | None = None) -> ClaimOutcome:
    """A claim made by a code: an unknown code (or one of a partner that is not active) claims nothing."""
    found = partner_for_code(source, code)
    if found is None:
        return ClaimOutcome(False, "unknown_code", code)
    partner_id, stored = found
    return claim_attribution(customer=customer, partner_id=partner_id, source=source, code=stored, actor=actor, at=at)


def customer_create_referred(
    *, fields: CustomerFields, referral_code: str, actor: Actor, deal_registration_id: int | None = None
) -> tuple[Customer, bool, ClaimOutcome | None]:
    """Create the customer (idempotent, as `customer_create`, which converts the deal registration it names or
    matches) and, given a referral code, claim it for the code's partner, in one transaction. A code longer than
    `MAX_CODE` is refused before anything is stored."""
    referral_code = clean_text(referral_code, field="referral_code", max_length=MAX_CODE, required=False)
    with transaction.atomic():
        customer, created = customer_create(fields=fields, actor=actor, deal_registration_id=deal_registration_id)
        if not referral_code:
            return customer, created, None
        outcome = claim_by_code(customer=customer, source=ClaimSource.REFERRAL, code=referral_code, actor=actor)
    if outcome.applied:
        customer.refresh_from_db()
    return customer, created, outcome


def conflicts() -> QuerySet[AttributionClaim]:
    """Channel conflicts: the claims that do not hold their customer's attribution, by a partner other than the one
    the customer is attributed to (a claim that agrees with the attribution is no conflict)."""
    return AttributionClaim.objects.filter(won=False).exclude(partner_id=F("customer__partner_id"))


def conflict_count() -> int:
    return conflicts().count()
