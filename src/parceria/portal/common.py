"""Who is asking, for the portal's views: the signed-in partner user and its partner (never from the URL)."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from parceria.accounts.models import User
from parceria.partners.models import Partner


def portal_user(request: HttpRequest) -> User:
    return cast(User, request.user)


def partner_of(request: HttpRequest) -> Partner:
    """The signed-in user's partner (`partner_required` guarantees there is one)."""
    return cast(Partner, portal_user(request).partner)
