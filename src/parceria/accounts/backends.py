"""The sign-in backend: Django's model backend, with the user name in its canonical form and every password
check under the sign-in throttle, loading a partner user's partner with the user.

Every portal page needs the signed-in user's partner (tenancy and the top bar); fetching both in one query
saves a query on every request."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from parceria.accounts.models import User
from parceria.accounts.throttle import client_address, password_attempt


class AccountBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        """The user whose name (in any form with the same canonical form) and password these are, or None.
        The attempt is counted before the password is checked; raises SignInLocked when the user name or the
        client's address is locked."""
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        name = User.normalize_username(username)
        check = super().authenticate
        return password_attempt(name, client_address(request),
                                lambda: check(request, username=name, password=password))

    async def aauthenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("partner").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
