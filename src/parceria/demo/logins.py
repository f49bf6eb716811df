"""Demo users (one per role), their partner-manager assignments, and a platform API key.

The demo password is fixed and printed: this is demo data, never a production account. The admin user is
created last, so its presence means a demo load finished.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from parceria.accounts.models import ApiKeyScope, Role, User
from parceria.accounts.services import api_key_create, user_create
from parceria.common.audit import Actor
from parceria.customers.models import Customer
from parceria.partners.models import Partner

DEMO_PASSWORD = "parceria-demo"  # noqa: S105 - demo data, printed on purpose
MARKER_USERNAME = "admin@demo"
BRAZIL_MANAGER = "manager@demo"
LATAM_MANAGER = "manager.latam@demo"
FINANCE = "finance@demo"
SECOND_APPROVER = "treasury@demo"
API_KEY_NAME = "Demo platform key"


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    note: str


STAFF_LOGINS = (
    Login(BRAZIL_MANAGER, Role.PARTNER_MANAGER, "partner manager for the Brazilian partners"),
    Login(LATAM_MANAGER, Role.PARTNER_MANAGER, "partner manager for Mexico, Colombia, Argentina and Chile"),
    Login(FINANCE, Role.FINANCE, "finance: close, payouts, tax"),
    Login(SECOND_APPROVER, Role.FINANCE, "finance: second approver of large payout batches"),
    Login("analyst@demo", Role.ANALYST, "executive / analyst, read-only"),
)
PARTNER_LOGINS = (
    Login("partner.admin@demo", Role.PARTNER_ADMIN, "partner admin of {partner}"),
    Login("partner.user@demo", Role.PARTNER_MEMBER, "partner user of {partner}"),
)
ADMIN_LOGIN = Login(MARKER_USERNAME, Role.ADMIN, "administrator (Django admin at /admin/)")
ALL_USERNAMES = tuple(login.username for login in (*STAFF_LOGINS, *PARTNER_LOGINS, ADMIN_LOGIN))


def demo_loaded() -> bool:
    """A demo load finished in this database."""
    return User.objects.filter(username=MARKER_USERNAME).exists()


def demo_started() -> bool:
    """Some demo data exists (a finished load, or one that was interrupted)."""
    return (
        User.objects.filter(username__in=ALL_USERNAMES).exists()
        or Customer.objects.filter(external_id__startswith="cus_demo_").exists()
    )


#: The TOTP key every demo staff login uses (demo data: printed with the logins, never for real accounts).
DEMO_TOTP_HEX = hashlib.sha1(b"parceria demo staff second factor").hexdigest()  # noqa: S324 - a demo key, not a hash


def demo_totp_key() -> str:
    """The demo TOTP key as authenticator apps want it (base32)."""
    return base64.b32encode(bytes.fromhex(DEMO_TOTP_HEX)).decode()


def _second_factor(user: object) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="demo authenticator", key=DEMO_TOTP_HEX, confirmed=True)


def _email(username: str) -> str:
    return f"{username.replace('@demo', '')}@demo.parceria.example"


def demo_users_create(*, partner_ids: Sequence[int], showcase_partner_id: int | None, actor: Actor) -> list[Login]:
    """Create the staff users and the showcase partner's users (before the history: they close months, approve
    batches, open disputes) and make the two partner managers own the demo partners. Returns the logins."""
    created: list[Login] = []
    with transaction.atomic():
        for login in STAFF_LOGINS:
            staff = user_create(
                username=login.username,
                password=DEMO_PASSWORD,
                role=login.role,
                email=_email(login.username),
                actor=actor,
            )
            _second_factor(staff)
            created.append(login)
        managers_assign(partner_ids)
        if showcase_partner_id is not None:
            partner = Partner.objects.get(pk=showcase_partner_id)
            for login in PARTNER_LOGINS:
                user_create(
                    username=login.username,
                    password=DEMO_PASSWORD,
                    role=login.role,
                    email=_email(login.username),
                    partner=partner,
                    actor=actor,
                )
                created.append(Login(login.username, login.role, login.note.format(partner=partner.name)))
    return created


def demo_finish(*, actor: Actor) -> Login:
    """Create the administrator, last: its presence marks a finished load."""
    admin = user_create(
        username=ADMIN_LOGIN.username,
        password=DEMO_PASSWORD,
        role=ADMIN_LOGIN.role,
        email=_email(ADMIN_LOGIN.username),
        actor=actor,
    )
    _second_factor(admin)
    return ADMIN_LOGIN


def managers_assign(partner_ids: Sequence[int]) -> None:
    """Brazilian partners to one manager, the others to the LatAm manager. `manager` is not a field the
    partner services edit, so demo setup sets it directly."""
    managers = dict(User.objects.filter(username__in=(BRAZIL_MANAGER, LATAM_MANAGER)).values_list("username", "pk"))
    demo_partners = Partner.objects.filter(pk__in=partner_ids)
    demo_partners.filter(country="BR").update(manager_id=managers[BRAZIL_MANAGER])
    demo_partners.exclude(country="BR").update(manager_id=managers[LATAM_MANAGER])


def existing_logins() -> list[Login]:
    """The demo logins of a database loaded earlier."""
    users = {u.username: u for u in User.objects.filter(username__in=ALL_USERNAMES).select_related("partner")}
    logins = []
    for login in (ADMIN_LOGIN, *STAFF_LOGINS, *PARTNER_LOGINS):
        user = users.get(login.username)
        if user is not None:
            partner = user.partner.name if user.partner else ""
            logins.append(Login(login.username, login.role, login.note.format(partner=partner)))
    return logins


def platform_key_create(*, actor: Actor) -> str:
    """A platform (ingest) API key; the raw key exists only now."""
    return api_key_create(name=API_KEY_NAME, scope=ApiKeyScope.PLATFORM, actor=actor).raw_key
