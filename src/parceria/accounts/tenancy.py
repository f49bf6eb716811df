"""Who is asking, and what they may do and see. Every partner-facing query goes through a scoping function of
its model's app built on `partner_owned` (DESIGN rule 6): a partner principal only ever gets querysets filtered to
its own partner."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from parceria.accounts.models import PARTNER_ROLES, ApiKeyScope, Role
from parceria.common.audit import Actor
from parceria.common.errors import PermissionDenied


class Ability:
    READ = "read"
    READ_PAYOUTS = "read_payouts"  # payouts, statements, and full payout details (PIX keys)
    INGEST = "ingest"  # push customers and events
    MANAGE_PARTNERS = "manage_partners"
    FINANCE = "finance"  # close periods, approve and export payouts, adjustments
    DISPUTE = "dispute"  # open and follow disputes (a partner, on its own data)
    RESOLVE_DISPUTES = "resolve_disputes"  # staff answer disputes
    MANAGE_USERS = "manage_users"  # a partner admin invites and removes its partner's users
    REGISTER_DEALS = "register_deals"  # a partner registers its own deals (staff do it with MANAGE_PARTNERS)
    ANALYTICS = "analytics"  # the program's analytics: scorecard, benchmarks, forecasts, risks, case studies
    PRIVACY = "privacy"  # data-subject requests, their exports and anonymisations, legal holds (the administrator)


#: The abilities that only read: a principal with no other is read-only (the analyst, an analytics key).
READ_ABILITIES = frozenset({Ability.READ, Ability.READ_PAYOUTS, Ability.ANALYTICS})

_SCOPE_ABILITIES = {
    ApiKeyScope.ADMIN: {
        Ability.READ, Ability.READ_PAYOUTS, Ability.INGEST, Ability.MANAGE_PARTNERS, Ability.FINANCE,
        Ability.RESOLVE_DISPUTES, Ability.ANALYTICS, Ability.PRIVACY,
    },
    # A platform key is the billing system's: it sends customers and events and reads the program, not what is
    # paid to whom (no payouts or statements; PIX keys masked).
    ApiKeyScope.PLATFORM: {Ability.READ, Ability.INGEST},
    ApiKeyScope.ANALYTICS: {Ability.READ, Ability.READ_PAYOUTS, Ability.ANALYTICS},
    ApiKeyScope.FINANCE: {Ability.READ, Ability.READ_PAYOUTS, Ability.FINANCE, Ability.RESOLVE_DISPUTES,
                          Ability.ANALYTICS},
    ApiKeyScope.PARTNER: {Ability.READ, Ability.READ_PAYOUTS, Ability.DISPUTE, Ability.REGISTER_DEALS},
}
# A signed-in user may do what its role allows. The staff roles split what an admin API key may do: partner
# managers run the programme (partners, agreements, enablement, tiers) and answer disputes; finance runs the money
# (the close, payouts, adjustments, event imports) and answers disputes; the analyst only reads.
_ROLE_ABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(_SCOPE_ABILITIES[ApiKeyScope.ADMIN]),
    Role.PARTNER_MANAGER: frozenset({Ability.READ, Ability.READ_PAYOUTS, Ability.MANAGE_PARTNERS,
                                     Ability.RESOLVE_DISPUTES, Ability.ANALYTICS}),
    Role.FINANCE: frozenset({Ability.READ, Ability.READ_PAYOUTS, Ability.INGEST, Ability.FINANCE,
                             Ability.RESOLVE_DISPUTES, Ability.ANALYTICS}),
    Role.ANALYST: frozenset({Ability.READ, Ability.READ_PAYOUTS, Ability.ANALYTICS}),
    Role.PARTNER_ADMIN: frozenset({Ability.READ, Ability.READ_PAYOUTS, Ability.DISPUTE, Ability.MANAGE_USERS,
                                   Ability.REGISTER_DEALS}),
    Role.PARTNER_MEMBER: frozenset({Ability.READ, Ability.READ_PAYOUTS, Ability.DISPUTE, Ability.REGISTER_DEALS}),
}
_ROLE_SCOPE = {
    Role.ADMIN: ApiKeyScope.ADMIN,
    Role.PARTNER_MANAGER: ApiKeyScope.ADMIN,
    Role.FINANCE: ApiKeyScope.FINANCE,
    Role.ANALYST: ApiKeyScope.ANALYTICS,
    Role.PARTNER_ADMIN: ApiKeyScope.PARTNER,
    Role.PARTNER_MEMBER: ApiKeyScope.PARTNER,
}


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: an API key or a signed-in user, reduced to a scope, what it may do (the key's
    scope's abilities, or the user's role's) and maybe a partner."""

    scope: str
    label: str
    partner_id: int | None = None
    user: Any = None
    api_key: Any = None
    abilities: frozenset[str] = frozenset()

    @classmethod
    def for_api_key(cls, key: Any) -> Principal:
        return cls(scope=key.scope, label=f"api-key:{key.name}", partner_id=key.partner_id, api_key=key,
                   abilities=frozenset(_SCOPE_ABILITIES.get(ApiKeyScope(key.scope), set())))

    @classmethod
    def for_user(cls, user: Any) -> Principal:
        partner_id = user.partner_id if user.role in PARTNER_ROLES else None
        return cls(scope=_ROLE_SCOPE[user.role], label=f"user:{user.username}", partner_id=partner_id, user=user,
                   abilities=_ROLE_ABILITIES[user.role])

    @property
    def is_partner(self) -> bool:
        return self.scope == ApiKeyScope.PARTNER

    @property
    def actor(self) -> Actor:
        return Actor(label=self.label, user=self.user, api_key=self.api_key)

    @property
    def read_only(self) -> bool:
        """It may read and nothing else (the analyst, an analytics key)."""
        return self.abilities <= READ_ABILITIES

    def can(self, ability: str) -> bool:
        return ability in self.abilities

    def require(self, ability: str) -> None:
        if not self.can(ability):
            raise PermissionDenied(f"a {self.scope} credential may not do this ({ability})", code="forbidden_scope")


def partner_owned(principal: Principal, queryset: QuerySet[Any], *, field: str = "partner_id") -> QuerySet[Any]:
    """`queryset` as `principal` may see it: a partner credential sees only the rows whose `field` is its own
    partner (none without one); staff see every row. The rule each app's scoping function applies to its models
    (`partners.selectors.scope_partners`, `customers.selectors.scope_customers`, ...)."""
    return queryset.filter(**{field: principal.partner_id or 0}) if principal.is_partner else queryset


def sees_staff_notes(principal: Principal) -> bool:
    """Staff-only text (an agreement's notes, a dispute's internal comments) is shown to staff, never to a partner:
    in the portal and through the API alike."""
    return not principal.is_partner


# --- the partner a request acts for ---------------------------------------------------------------------------------

#: The partner whose credential is serving the current request (a portal user's or a partner API key's), or None
#: (staff, a platform key, no request). The test suite checks, on every query made while it is set, that a row of
#: a partner-owned table is read through its partner (tests/tenancy_guard.py): a page or route that forgets its
#: scoping function fails loudly there.
_partner_scope: ContextVar[int | None] = ContextVar("partner_scope", default=None)
_across_partners: ContextVar[bool] = ContextVar("across_partners", default=False)


def partner_scope() -> int | None:
    """The partner the current request acts for, if a partner credential is serving it (None inside
    `across_partners`)."""
    return None if _across_partners.get() else _partner_scope.get()


@contextmanager
def across_partners() -> Iterator[None]:
    """The reads inside look past the request's partner on purpose, e.g. whether a user name is taken by anyone.
    What they find must not be shown as such; say why at the call."""
    token = _across_partners.set(True)
    try:
        yield
    finally:
        _across_partners.reset(token)


@contextmanager
def request_scope() -> Iterator[None]:
    """One request: it starts acting for no partner and whatever it enters (`enter_partner_scope`) ends with it."""
    token = _partner_scope.set(None)
    try:
        yield
    finally:
        _partner_scope.reset(token)


def enter_partner_scope(principal: Principal) -> None:
    """The rest of the current request (see `request_scope`) acts for `principal`'s partner, if it has one."""
    _partner_scope.set(principal.partner_id if principal.is_partner else None)
