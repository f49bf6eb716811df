"""Sign-in throttling: too many failures for one user name, or from one address, within the window
lock further attempts until the oldest failure leaves the window."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from parceria.accounts.models import LoginAttempt


def client_address(request: HttpRequest) -> str | None:
    """The client's address. Behind a reverse proxy (PARCERIA_BEHIND_PROXY=1) it is the last address the
    proxy appended to X-Forwarded-For; otherwise the socket's peer."""
    if settings.PARCERIA.get("BEHIND_PROXY"):
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR") or None


def _limits() -> tuple[int, int, timedelta]:
    conf = settings.PARCERIA
    return (
        int(conf["LOGIN_FAILURES_PER_USER"]),  # type: ignore[call-overload]
        int(conf["LOGIN_FAILURES_PER_ADDRESS"]),  # type: ignore[call-overload]
        timedelta(minutes=int(conf["LOGIN_WINDOW_MINUTES"])),  # type: ignore[call-overload]
    )


def minutes_locked(username: str, address: str | None, *, now: datetime | None = None) -> int:
    """0 if a sign-in may be tried now, else the minutes until it may."""
    now = now or timezone.now()
    per_user, per_address, window = _limits()
    since = now - window
    failures = LoginAttempt.objects.filter(at__gte=since, succeeded=False)
    by_user = list(failures.filter(username__iexact=username).order_by("at").values_list("at", flat=True))
    by_address = list(failures.filter(address=address).order_by("at").values_list("at", flat=True)) if address else []
    waits = []
    if len(by_user) >= per_user:
        waits.append(by_user[-per_user] + window - now)
    if len(by_address) >= per_address:
        waits.append(by_address[-per_address] + window - now)
    if not waits:
        return 0
    return max(1, int(max(waits).total_seconds() // 60) + 1)


def record_attempt(username: str, address: str | None, *, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username[:150], address=address, succeeded=succeeded)
