"""Each model family's scoping function applies the one tenancy rule (accounts.tenancy.partner_owned): a partner
credential sees its own rows only, one without a partner sees none, staff see all."""

from __future__ import annotations

import pytest

from parceria.accounts.tenancy import Principal
from parceria.customers.selectors import scope_customers
from parceria.partners.selectors import scope_partners, scoped_partner
from tests.factories import make_customer, make_partner

pytestmark = pytest.mark.django_db


def test_partners_and_customers_are_scoped_by_the_same_rule():
    ana, beto = make_partner(name="Ana"), make_partner(name="Beto")
    ana_customer, beto_customer = make_customer(ana), make_customer(beto)
    own = Principal(scope="partner", label="api-key:ana", partner_id=ana.pk)
    orphan = Principal(scope="partner", label="api-key:orphan", partner_id=None)
    staff = Principal(scope="admin", label="api-key:admin")

    assert list(scope_partners(own)) == [ana]
    assert list(scope_customers(own)) == [ana_customer]
    assert (scoped_partner(own, ana.pk), scoped_partner(own, beto.pk)) == (ana, None)
    assert (list(scope_partners(orphan)), list(scope_customers(orphan))) == ([], [])
    assert set(scope_partners(staff)) == {ana, beto}
    assert set(scope_customers(staff)) == {ana_customer, beto_customer}
    assert scoped_partner(staff, beto.pk) == beto
