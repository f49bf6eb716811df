"""Who reads the program's analytics through the API: a credential with Ability.ANALYTICS (staff roles, and
analytics, finance or admin keys). A partner credential reads only its own scorecard (benchmarks API); a platform
key reads none of it."""

from __future__ import annotations

from django.http import HttpRequest

from parceria.accounts.tenancy import Ability, Principal
from parceria.api.auth import principal_of


def analytics_reader(request: HttpRequest) -> Principal:
    """The caller, who must have Ability.ANALYTICS (otherwise a 403 `forbidden_scope`)."""
    principal = principal_of(request)
    principal.require(Ability.ANALYTICS)
    return principal
