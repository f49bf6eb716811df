"""Reads of partners: which partners a principal may see (the tenancy scoping of the partner family)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.partners.models import Partner


def scope_partners(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The partners `principal` may see: a partner credential its own only, staff all."""
    return partner_owned(principal, queryset if queryset is not None else Partner.objects.all(), field="pk")


def scoped_partner(principal: Principal, partner_id: int) -> Partner | None:
    """The partner `partner_id` if the principal may see it, else None. A partner credential sees its own
    partner only: the one its key or user belongs to (loaded with it, so no further query)."""
    if principal.is_partner:
        if partner_id != principal.partner_id:
            return None
        holder = principal.api_key or principal.user
        if holder is not None:  # its partner is the principal's own (loaded with it by the sign-in and the API key)
            return holder.partner
    return scope_partners(principal).filter(pk=partner_id).first()
