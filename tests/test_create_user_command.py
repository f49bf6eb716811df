"""`parceria create-user`: a partner user is bound to the partner named by id; an unknown partner is a command error
that creates nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parceria.accounts.models import User
from tests.factories import PASSWORD, make_partner

pytestmark = pytest.mark.django_db


def test_a_partner_admin_is_created_for_the_partner_given():
    partner = make_partner(name="Agência Sol")
    out = io.StringIO()
    call_command("create_user", "ana@sol", "--role", "partner_admin", "--partner", str(partner.pk),
                 "--password", PASSWORD, stdout=out)
    user = User.objects.get(username="ana@sol")
    assert (user.role, user.partner_id, user.is_staff) == ("partner_admin", partner.pk, False)
    assert user.check_password(PASSWORD)
    assert f"Created partner_admin user 'ana@sol' (#{user.pk})." in out.getvalue()


def test_an_unknown_partner_is_a_command_error_and_creates_no_user():
    with pytest.raises(CommandError, match="partner 987654 does not exist"):
        call_command("create_user", "ghost@x", "--role", "partner_member", "--partner", "987654",
                     "--password", PASSWORD, stdout=io.StringIO())
    assert not User.objects.filter(username="ghost@x").exists()


@pytest.mark.django_db
def test_a_user_created_without_a_password_cannot_sign_in_until_it_sets_one():
    from parceria.accounts.models import Role, User
    from parceria.accounts.services import user_create
    from parceria.common.audit import Actor

    user = user_create(username="nopass@example.com", password=None, role=Role.ANALYST, actor=Actor.system("test"))
    assert not User.objects.get(pk=user.pk).has_usable_password()
