"""Sign-in throttling: every password check goes through `password_attempt`.

That is a sign-in (the backend, for `/login/` and the admin's sign-in) and every time a signed-in user types
their password again (`password_confirm`: a PIX key change, the admin's password change). Too many failures
for one user name, or from one address, within the window lock further checks until the oldest of those
failures leaves the window.

Each check is recorded *before* the password is evaluated: in one transaction the attempt is stored as a
failure and the failures in the window are counted, the user name and the address serialised (PostgreSQL:
a transaction-level advisory lock per key; SQLite: the INSERT that opens the transaction holds the database's
write lock). An attempt over the limit is rolled back and refused without evaluating the password, so at most
the limit of checks are ever evaluated, however many arrive at once; a check whose password is right is then
marked a success.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest

from parceria.accounts.models import LoginAttempt, username_canonical

T = TypeVar("T")

# The first key of the two-key advisory locks that serialise the checks of one user name or one address
# (PostgreSQL keeps two-key locks apart from the one-key locks of the ledger's period lock).
_LOCK_CLASS = 0x5A1C


class SignInLocked(Exception):
    """Too many failures: no password is checked for this user name or address for `minutes` minutes."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"locked for {minutes} minutes")
        self.minutes = minutes


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address. Behind a reverse proxy (PARCERIA_BEHIND_PROXY=1) it is the last address the
    proxy appended to X-Forwarded-For; otherwise the socket's peer."""
    if request is None:
        return None
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


def _throttle_key(username: str) -> str:
    return username_canonical(username)[:150]


def _serialise(keys: list[str]) -> None:
    """Hold, until the transaction ends, a lock per key (in one order, so two checks never deadlock)."""
    if connection.vendor != "postgresql":
        return  # SQLite: the transaction's first write holds the database's write lock until it ends
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s::integer, hashtext(%s))", [_LOCK_CLASS, key])


def _minutes_locked(attempt: LoginAttempt, now: datetime) -> int:
    """0 if the failures before `attempt` leave room for it, else the minutes until they do."""
    per_user, per_address, window = _limits()
    earlier = LoginAttempt.objects.filter(at__gte=now - window, succeeded=False).exclude(pk=attempt.pk)
    waits = []
    by_user = list(earlier.filter(username=attempt.username).order_by("-at").values_list("at", flat=True)[:per_user])
    if len(by_user) >= per_user:
        waits.append(by_user[-1] + window - now)
    if attempt.address:
        by_address = list(
            earlier.filter(address=attempt.address).order_by("-at").values_list("at", flat=True)[:per_address]
        )
        if len(by_address) >= per_address:
            waits.append(by_address[-1] + window - now)
    if not waits:
        return 0
    return max(1, int(max(waits).total_seconds() // 60) + 1)


def attempt_reserve(username: str, address: str | None) -> LoginAttempt:
    """Record a password check about to be made, as a failure until it succeeds; raise SignInLocked (and
    record nothing) when the failures already in the window leave no room for it."""
    key = _throttle_key(username)
    with transaction.atomic():
        _serialise([f"user:{key}"] + ([f"address:{address}"] if address else []))
        attempt = LoginAttempt.objects.create(username=key, address=address, succeeded=False)
        wait = _minutes_locked(attempt, attempt.at)
        if wait:
            transaction.set_rollback(True)
    if wait:
        raise SignInLocked(wait)
    return attempt


def password_attempt(username: str, address: str | None, check: Callable[[], T | None]) -> T | None:
    """Run `check` (a password check for `username`, returning None when it fails) under the throttle:
    reserve the attempt first, so a locked name or address never gets its password evaluated."""
    attempt = attempt_reserve(username, address)
    result = check()
    if result is not None:
        LoginAttempt.objects.filter(pk=attempt.pk).update(succeeded=True)
    return result


def password_confirm(user: Any, password: str, *, request: HttpRequest | None) -> bool:
    """Whether `password` is the signed-in `user`'s, checked under the same throttle as a sign-in (the same
    user name, the same address): raises SignInLocked when that throttle is locked."""
    return password_attempt(
        user.get_username(), client_address(request), lambda: True if user.check_password(password) else None
    ) is True
