"""The sign-in backend: Django's model backend, loading a partner user's partner with the user.

Every portal page needs the signed-in user's partner (tenancy and the top bar); fetching both in one query
saves a query on every request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from parceria.accounts.models import User


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("partner").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
