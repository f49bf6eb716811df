"""Template context shared by every page: who is signed in, where they can go and what they may do."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from parceria.accounts.models import PARTNER_ROLES, STAFF_ROLES
from parceria.web.access import abilities


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"area": None}
    if user.role in PARTNER_ROLES:
        return {"area": "portal", "current_partner": user.partner, "can": abilities(request)}
    if user.role in STAFF_ROLES:
        return {"area": "console", "can": abilities(request)}
    return {"area": None}
