"""Who is asking, and what they may see. Every partner-facing query goes through the helpers here
(DESIGN rule 6): a partner principal only ever gets querysets filtered to its own partner."""

from __future__ import annotations

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


_SCOPE_ABILITIES = {
    ApiKeyScope.ADMIN: {
        Ability.READ, Ability.READ_PAYOUTS, Ability.INGEST, Ability.MANAGE_PARTNERS, Ability.FINANCE,
        Ability.RESOLVE_DISPUTES,
    },
    # A platform key is the billing system's: it sends customers and events and reads the program, not what is
    # paid to whom (no payouts or statements; PIX keys masked).
    ApiKeyScope.PLATFORM: {Ability.READ, Ability.INGEST},
    ApiKeyScope.ANALYTICS: {Ability.READ, Ability.READ_PAYOUTS},
    ApiKeyScope.FINANCE: {Ability.READ, Ability.READ_PAYOUTS, Ability.FINANCE, Ability.RESOLVE_DISPUTES},
    ApiKeyScope.PARTNER: {Ability.READ, Ability.READ_PAYOUTS, Ability.DISPUTE},
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
    """An authenticated caller: an API key or a signed-in user, reduced to a scope and maybe a partner."""

    scope: str
    label: str
    partner_id: int | None = None
    user: Any = None
    api_key: Any = None

    @classmethod
    def for_api_key(cls, key: Any) -> Principal:
        return cls(scope=key.scope, label=f"api-key:{key.name}", partner_id=key.partner_id, api_key=key)

    @classmethod
    def for_user(cls, user: Any) -> Principal:
        partner_id = user.partner_id if user.role in PARTNER_ROLES else None
        return cls(scope=_ROLE_SCOPE[user.role], label=f"user:{user.username}", partner_id=partner_id, user=user)

    @property
    def is_partner(self) -> bool:
        return self.scope == ApiKeyScope.PARTNER

    @property
    def actor(self) -> Actor:
        return Actor(label=self.label, user=self.user, api_key=self.api_key)

    def can(self, ability: str) -> bool:
        return ability in _SCOPE_ABILITIES.get(ApiKeyScope(self.scope), set())

    def require(self, ability: str) -> None:
        if not self.can(ability):
            raise PermissionDenied(f"a {self.scope} credential may not do this ({ability})", code="forbidden_scope")


def scope_partners(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    from parceria.partners.models import Partner

    qs = queryset if queryset is not None else Partner.objects.all()
    return qs.filter(pk=principal.partner_id or 0) if principal.is_partner else qs


def scoped_partner(principal: Principal, partner_id: int) -> Any:
    """The partner `partner_id` if the principal may see it, else None. A partner credential sees its own
    partner only: the one its key or user belongs to (loaded with it, so no further query)."""
    if principal.is_partner:
        if partner_id != principal.partner_id:
            return None
        holder = principal.api_key or principal.user
        if holder is not None:  # its partner is the principal's own (loaded with it by the sign-in and the API key)
            return holder.partner
    return scope_partners(principal).filter(pk=partner_id).first()


def scope_customers(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    from parceria.customers.models import Customer

    qs = queryset if queryset is not None else Customer.objects.all()
    return qs.filter(partner_id=principal.partner_id or 0) if principal.is_partner else qs


# --- what a principal may see of a row it may read ------------------------------------------------------------------


def sees_staff_notes(principal: Principal) -> bool:
    """Staff-only text (an agreement's notes, a dispute's internal comments) is shown to staff, never to a partner:
    in the portal and through the API alike."""
    return not principal.is_partner


def scope_agreements(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The agreements `principal` may see: staff see all; a partner sees its own once they are past draft (a draft
    is staff's work in progress, not yet an agreement with the partner)."""
    from parceria.agreements.models import Agreement, AgreementStatus

    qs = queryset if queryset is not None else Agreement.objects.all()
    if not principal.is_partner:
        return qs
    return qs.filter(partner_id=principal.partner_id or 0).exclude(status=AgreementStatus.DRAFT)


def shown_pix_key(principal: Principal, key: str) -> str:
    """A PIX key as `principal` may see it: whole for those who may read payouts (finance, admins, analysts and the
    partner itself), otherwise (a platform key) all but its last 4 characters masked."""
    from parceria.partners.payout_details import masked_pix_key

    return key if principal.can(Ability.READ_PAYOUTS) else masked_pix_key(key)
