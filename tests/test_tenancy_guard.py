"""The tenancy guard (tests/tenancy_guard.py): while a partner's request is served, a read of a partner-owned
table that does not name the partner fails loudly; the scope is the request's and ends with it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parceria.accounts.services import user_create
from parceria.accounts.tenancy import (
    Principal,
    across_partners,
    enter_partner_scope,
    partner_scope,
    request_scope,
)
from parceria.commissions.models import LedgerLine
from parceria.customers.models import Customer
from parceria.partners.models import Partner
from parceria.partners.selectors import scope_partners
from parceria.payouts.models import Payout
from tests.conftest import ApiClient
from tests.factories import ACTOR, PASSWORD, make_key, make_partner
from tests.portal.conftest import client_for
from tests.tenancy_guard import UnscopedQuery, bound_to, partner_owned_tables

pytestmark = pytest.mark.django_db


def _partner_principal(partner: Partner) -> Principal:
    return Principal(scope="partner", label="p", partner_id=partner.pk)


def test_a_partners_request_may_not_read_a_partner_owned_table_without_naming_it():
    mine, other = make_partner(name="Mine"), make_partner(name="Other")
    with request_scope():
        enter_partner_scope(_partner_principal(mine))
        with pytest.raises(UnscopedQuery, match="customers_customer"):
            list(Customer.objects.all())
        with pytest.raises(UnscopedQuery, match="partners_partner"):
            Partner.objects.filter(name="Other").count()
        with pytest.raises(UnscopedQuery):  # naming another partner is not naming its own
            list(LedgerLine.objects.filter(partner=other))
        assert list(Customer.objects.filter(partner=mine)) == []
        assert list(scope_partners(_partner_principal(mine))) == [mine]
        assert list(Payout.objects.filter(partner_id__in=[mine.pk])) == []
        with across_partners():
            assert Partner.objects.filter(name="Other").count() == 1
    assert partner_scope() is None  # the scope ended with the request
    assert Customer.objects.count() == 0  # staff code outside a partner's request reads freely


def test_staff_and_platform_credentials_act_for_no_partner():
    with request_scope():
        enter_partner_scope(Principal(scope="admin", label="a"))
        assert partner_scope() is None
        assert Customer.objects.count() == 0


def test_a_page_or_route_that_forgets_its_scoping_fails_loudly(monkeypatch):
    partner = make_partner()
    user = user_create(username="pa@x", password=PASSWORD, role="partner_admin", partner=partner, actor=ACTOR)
    portal, api = client_for(user), ApiClient(make_key("partner", partner))
    assert portal.get("/portal/customers/").status_code == 200
    assert api.get("/customers").status_code == 200
    assert partner_scope() is None  # each request's scope ended with it

    def forgetful(principal, queryset=None):
        return Customer.objects.all()

    monkeypatch.setattr("parceria.customers.selectors.scope_customers", forgetful)
    monkeypatch.setattr("parceria.customers.api.scope_customers", forgetful)
    with pytest.raises(UnscopedQuery, match="customers_customer"):
        portal.get("/portal/customers/")
    with pytest.raises(UnscopedQuery, match="customers_customer"):
        api.get("/customers")
    staff = ApiClient(make_key("admin"))
    assert staff.get("/customers").status_code == 200  # staff read every partner's rows


def test_the_guard_reads_the_sql_as_the_orm_and_raw_queries_write_it():
    tables = partner_owned_tables()
    assert tables["commissions_ledgerline"] == "partner_id" and tables["partners_partner"] == "id"
    assert "accounts_user" in tables and "common_auditrecord" not in tables
    with CaptureQueriesContext(connection) as captured:
        list(LedgerLine.objects.filter(partner_id=7))
    assert bound_to(captured.captured_queries[0]["sql"].replace("7", "%s"), [7], "commissions_ledgerline",
                    "partner_id", 7)
    assert bound_to("SELECT * FROM \"commissions_ledgertotal\" WHERE partner_id = %s", [7],
                    "commissions_ledgertotal", "partner_id", 7)
    assert not bound_to("SELECT * FROM \"commissions_ledgertotal\" WHERE partner_id = %s", [8],
                        "commissions_ledgertotal", "partner_id", 7)
    assert bound_to('SELECT * FROM "payouts_payout" WHERE "payouts_payout"."partner_id" IN (%s, %s)', [7, 7],
                    "payouts_payout", "partner_id", 7)
    assert not bound_to('SELECT * FROM "payouts_payout" WHERE "payouts_payout"."partner_id" IN (%s, %s)', [7, 8],
                        "payouts_payout", "partner_id", 7)
    assert not bound_to('SELECT * FROM "payouts_payout" WHERE "payouts_payout"."id" = %s', [7],
                        "payouts_payout", "partner_id", 7)
    any_of = 'SELECT * FROM "safeguards_safeguardflag" WHERE ("partner_id" = ANY(%s)) AND "status" = %s'  # key_in
    assert bound_to(any_of, [[7], "open"], "safeguards_safeguardflag", "partner_id", 7)
    assert not bound_to(any_of, [[7, 8], "open"], "safeguards_safeguardflag", "partner_id", 7)
    assert not bound_to(any_of, [[], "open"], "safeguards_safeguardflag", "partner_id", 7)


def test_the_guard_reads_the_statements_own_table_and_its_alias():
    """A statement whose select list holds a subquery is judged by its own FROM too (payouts.selectors.payout_facts
    reads payouts through the alias p after a subquery of status changes), and a table read under an alias is
    bound through it."""
    from tests.tenancy_guard import check

    tables = partner_owned_tables()
    facts = ('SELECT p.id, (SELECT s.status FROM "payouts_payoutstatuschange" s WHERE s.payout_id = p.id LIMIT 1) '
             'FROM "payouts_payout" p INNER JOIN "payouts_payoutbatch" b ON b.id = p.batch_id '
             "WHERE p.partner_id = ANY(%s) ORDER BY p.id")
    assert bound_to(facts, [[7]], "payouts_payout", "partner_id", 7, alias="p")
    assert not bound_to(facts, [[7]], "payouts_payout", "partner_id", 7)  # without its alias, not recognised
    with request_scope():
        enter_partner_scope(Principal(scope="partner", label="p", partner_id=7))
        check(facts, [[7]], tables)
        with pytest.raises(UnscopedQuery, match="payouts_payout"):
            check(facts, [[7, 8]], tables)
        with pytest.raises(UnscopedQuery, match="payouts_payout"):
            check(facts.replace("WHERE p.partner_id = ANY(%s)", "WHERE p.id = ANY(%s)"), [[7]], tables)
