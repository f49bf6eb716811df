"""Users (staff and partner users), API keys and partner invitations."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PARTNER_MANAGER = "partner_manager", _("Partner manager")
    FINANCE = "finance", _("Finance")
    ANALYST = "analyst", _("Executive / analyst (read-only)")
    ADMIN = "admin", _("Administrator")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    PARTNER_MEMBER = "partner_member", _("Partner user")


STAFF_ROLES = frozenset({Role.PARTNER_MANAGER, Role.FINANCE, Role.ANALYST, Role.ADMIN})
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_MEMBER})

#: The partner a partner user, a partner API key or an invitation belongs to. Accounts sits below the partners app
#: (docs/architecture.md): like AUTH_USER_MODEL, the model is named here and never imported.
PARTNER_MODEL = "partners.Partner"


def partner_model() -> type[models.Model]:
    return apps.get_model(PARTNER_MODEL)


def username_canonical(raw: str) -> str:
    """The one form of a user name: the form stored, looked up at sign-in and counted by the sign-in
    throttle. Compatibility-normalised (NFKC: full-width letters become ASCII, a no-break space a space),
    case-folded, and without white space around it, so that " Ana@Parceira\t" and "ａｎａ@parceira" are
    the same name as "ana@parceira"."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold())
    return folded.strip()


class User(AbstractUser):
    """A person who signs in: a staff member (role without partner) or a partner user (role with partner).

    The user name is always stored in its canonical form (`username_canonical`): `create_user`, the admin's
    forms (through `clean`) and every save put it in that form, and the sign-in backend looks names up in it."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTNER_MEMBER)
    partner = models.ForeignKey(
        PARTNER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    language = models.CharField(
        max_length=10,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
        help_text="The language of the user's pages and e-mails; blank follows the browser.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_partner_matches_role",
                condition=(
                    Q(role__in=sorted(PARTNER_ROLES), partner__isnull=False)
                    | Q(role__in=sorted(STAFF_ROLES), partner__isnull=True)
                ),
            )
        ]

    @classmethod
    def normalize_username(cls, username: Any) -> Any:
        return username_canonical(username) if isinstance(username, str) else username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.username = self.normalize_username(self.username)
        super().save(*args, **kwargs)


class ApiKeyScope(models.TextChoices):
    PLATFORM = "platform", _("Platform ingest (events, customers)")
    PARTNER = "partner", _("One partner's own data")
    ANALYTICS = "analytics", _("Read-only analytics")
    FINANCE = "finance", _("Finance (close, payouts, adjustments)")
    ADMIN = "admin", _("Administration (everything)")


def hash_api_key(raw: str) -> str:
    """Keys are 32 random bytes, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    """An API key. Only its SHA-256 hash is stored; the key itself is shown once, at creation."""

    name = models.CharField(max_length=120)
    scope = models.CharField(max_length=20, choices=ApiKeyScope.choices)
    partner = models.ForeignKey(
        PARTNER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="api_keys"
    )
    prefix = models.CharField(max_length=16, help_text="The first characters of the key, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="api_key_partner_iff_partner_scope",
                condition=(Q(scope="partner", partner__isnull=False) | (~Q(scope="partner") & Q(partner__isnull=True))),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.scope}, {self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginAttempt(models.Model):
    """A sign-in attempt, kept to throttle guessing (per user name and per address) across all workers."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["address", "at"])]

    def __str__(self) -> str:
        return (
            f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M} ({'ok' if self.succeeded else 'failed'})"
        )


class Invitation(models.Model):
    """A partner admin's invitation of an e-mail address to the partner's portal.

    `user` is the partner member created for it, who chooses a password through the invitation's link. It is
    empty when the address already belonged to someone outside the partner: then nothing was created for it,
    its owner got a neutral notice, and the invitation stays on the partner's list as one not (yet) taken up,
    so the list looks the same whether or not an address is known to Parceria."""

    partner = models.ForeignKey(PARTNER_MODEL, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=300, blank=True, default="")
    user = models.OneToOneField(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation")
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(help_text="When the invitation (or the notice) last went out.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "email"], name="invitation_one_per_partner_email")]

    def __str__(self) -> str:
        return f"{self.email} to partner {self.partner_id}"
