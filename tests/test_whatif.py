"""What-if of a draft plan over a past period (SPEC §6.7), and draft plan versions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parceria.commissions.models import CommissionPlan, LedgerLine
from parceria.commissions.plans import plan_draft_create
from parceria.commissions.whatif import plan_what_if
from parceria.common.errors import InvalidInput
from parceria.common.fx import fx_import_ptax
from parceria.common.models import AuditRecord, FxRate
from parceria.customers.models import Event
from parceria.partners.models import Partner
from parceria.partners.services import PartnerChanges, partner_update
from tests.conftest import ApiClient
from tests.factories import (
    ACTOR,
    ingest,
    make_customer,
    make_integration_partner,
    make_key,
    make_partner,
    paid,
    refunded,
    usage,
)

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
RATES_035 = {"certified": "0.20", "preferred": "0.25", "strategic": "0.35"}


def _draft(**overrides) -> CommissionPlan:
    data = {"name": "Standard", "referral_rates": RATES_035, "entry_rate": "0.20", "max_months": None}
    data.update(overrides)
    return plan_draft_create(actor=ACTOR, **data)


def _standard() -> CommissionPlan:
    return CommissionPlan.objects.get(name="Standard", version=1)


def _march_scenario() -> dict[str, Partner]:
    """Invoices of March 2026 (platform time, America/Sao_Paulo) under the Standard plan (20/25/30 %)."""
    strategic = make_partner(tier="strategic", name="Strategic Co")
    preferred = make_partner(tier="preferred", name="Preferred Co")
    integrator = make_integration_partner("0.15", name="Integrator Co")
    certified = make_partner(tier="certified", name="Gone Co")
    a, b, c, d = make_customer(strategic), make_customer(preferred), make_customer(strategic), make_customer(certified)
    result = ingest(
        paid(a, "1000.00", invoice_id="feb", at="2026-02-28T23:30:00-03:00"),  # 1 March in UTC, February here
        paid(a, "1000.00", invoice_id="a1", at="2026-03-10T12:00:00-03:00"),
        paid(a, "333.33", invoice_id="a2", at="2026-03-31T23:30:00-03:00"),  # 1 April in UTC, March here
        paid(a, "500.00", invoice_id="apr", at="2026-04-01T00:30:00-03:00"),
        paid(b, "500.00", invoice_id="b1", at="2026-03-15T12:00:00-03:00"),
        usage(c, "30", partner=integrator, at="2026-03-10T12:00:00-03:00"),
        usage(c, "70", at="2026-03-11T12:00:00-03:00"),
        paid(c, "200.00", invoice_id="c1", at="2026-03-20T12:00:00-03:00"),
        paid(d, "100.00", invoice_id="d1", at="2026-03-05T12:00:00-03:00"),
        refunded(a, "a1", "100.00", at="2026-04-02T12:00:00-03:00"),
    )
    assert result.rejected == [] and result.accepted == 10
    # Since then: the preferred partner became strategic (a new terms version from now, November 2026),
    # and the certified partner was terminated. Neither changes what March's invoices earned.
    partner_update(partner=preferred, changes=PartnerChanges(tier="strategic"), actor=ACTOR)
    partner_update(partner=certified, changes=PartnerChanges(status="terminated"), actor=ACTOR)
    return {"strategic": strategic, "preferred": preferred, "integrator": integrator, "gone": certified}


def _by_partner(report) -> dict[int, tuple[D, D, D, D, D]]:
    return {
        p.partner_id: (p.current_accrued, p.what_if_accrued, p.difference, p.current_clawed_back, p.what_if_clawed_back)
        for p in report.partners
    }


def _counts() -> tuple[int, ...]:
    return (
        LedgerLine.objects.count(),
        Event.objects.count(),
        FxRate.objects.count(),
        CommissionPlan.objects.count(),
        AuditRecord.objects.count(),
    )


@pytest.mark.django_db
def test_a_draft_with_strategic_at_35_percent_gives_exact_differences_and_writes_nothing():
    p = _march_scenario()
    plan = _draft()
    before = _counts()
    report = plan_what_if(plan=plan, period_from=MARCH[0], period_to=MARCH[1])
    assert _counts() == before
    assert (report.plan_status, report.plan_version, report.invoices, report.not_computed) == ("draft", 2, 5, [])
    assert _by_partner(report) == {
        # a1 1000.00, a2 333.33, c1 200.00: 30 % now, 35 % in the draft; a1's refund of 100.00 claws back 10 %
        p["strategic"].pk: (D("459.9990"), D("536.6655"), D("76.6665"), D("30.0000"), D("35.0000")),
        # preferred in March (strategic only since November): 25 % in both
        p["preferred"].pk: (D("125.0000"), D("125.0000"), D("0.0000"), D("0.0000"), D("0.0000")),
        # 15 % × 200.00 × 30/100 of the usage
        p["integrator"].pk: (D("9.0000"), D("9.0000"), D("0.0000"), D("0.0000"), D("0.0000")),
        # terminated since, but active in March: it keeps its accrual in the comparison
        p["gone"].pk: (D("20.0000"), D("20.0000"), D("0.0000"), D("0.0000"), D("0.0000")),
    }
    strategic = next(r for r in report.partners if r.partner_id == p["strategic"].pk)
    assert (strategic.name, strategic.currency, strategic.net_difference) == ("Strategic Co", "BRL", D("71.6665"))
    (brl,) = report.totals
    assert (brl.currency, brl.partners, brl.current_accrued, brl.what_if_accrued, brl.difference) == (
        "BRL",
        4,
        D("613.9990"),
        D("690.6655"),
        D("76.6665"),
    )
    assert (brl.current_clawed_back, brl.what_if_clawed_back, brl.net_difference) == (
        D("30.0000"),
        D("35.0000"),
        D("71.6665"),
    )


@pytest.mark.django_db
def test_the_active_plan_run_as_a_what_if_reproduces_the_ledger():
    _march_scenario()
    report = plan_what_if(plan=_standard(), period_from=MARCH[0], period_to=MARCH[1])
    assert report.partners and all(p.difference == 0 and p.net_difference == 0 for p in report.partners)
    assert report.totals[0].current_accrued == D("613.9990") == report.totals[0].what_if_accrued


@pytest.mark.django_db
def test_the_active_plan_reproduces_the_ledger_across_terms_versions_fx_and_usage():
    """The intake and the what-if load the engine's inputs with the same loaders (parceria.commissions.inputs):
    a rate override starting mid-month, a partner paid in dollars and an integration's usage share give the
    ledger's figures to the last decimal."""
    from parceria.agreements.services import rate_override_grant
    from tests.agreements.helpers import make_agreement

    fx_import_ptax(text="".join(f"{d:02d}032026;220;A;USD;5,0000;5,0000;1;1\n" for d in range(1, 29)))
    overridden = make_partner(tier="preferred", name="Overridden Co")
    rate_override_grant(agreement=make_agreement(overridden, start_date=date(2026, 1, 1)), rate="0.27",
                        effective_from="2026-03-15", actor=ACTOR)
    dollar = make_partner(tier="strategic", currency="USD", name="Dollar Co")
    integrator = make_integration_partner("0.15", name="Integrator Co")
    a, b = make_customer(overridden), make_customer(dollar)
    assert ingest(
        paid(a, "1000.00", invoice_id="before", at="2026-03-10T12:00:00-03:00"),
        paid(a, "1000.00", invoice_id="after", at="2026-03-20T12:00:00-03:00"),
        usage(b, "40", partner=integrator, at="2026-03-02T12:00:00-03:00"),
        usage(b, "60", at="2026-03-03T12:00:00-03:00"),
        paid(b, "500.00", invoice_id="usd", at="2026-03-12T12:00:00-03:00"),
    ).rejected == []
    report = plan_what_if(plan=_standard(), period_from=MARCH[0], period_to=MARCH[1])
    assert {p.name: (p.currency, p.current_accrued) for p in report.partners} == {
        "Overridden Co": ("BRL", D("520.0000")), "Dollar Co": ("USD", D("30.0000")),
        "Integrator Co": ("BRL", D("30.0000")),
    }
    assert all(p.what_if_accrued == p.current_accrued and p.net_difference == 0 for p in report.partners)


@pytest.mark.django_db
def test_a_draft_plan_never_affects_accruals():
    _draft(referral_rates={"certified": "0.90", "preferred": "0.90", "strategic": "0.90"})
    customer = make_customer(make_partner(tier="strategic"))
    ingest(paid(customer, "100.00", invoice_id="after_draft"))
    assert LedgerLine.objects.get(invoice_id="after_draft").amount == D("30.0000")


@pytest.mark.django_db
def test_the_what_if_converts_with_the_fx_rate_of_the_payment_day():
    fx_import_ptax(text="05012026;220;A;USD;5,4402;5,4408;1,0000;1,0000\n")
    dollar = make_partner(tier="strategic", currency="USD")
    customer = make_customer(dollar)
    assert ingest(paid(customer, "1000.00", invoice_id="brl1", at="2026-01-06T12:00:00-03:00")).accepted == 1
    report = plan_what_if(plan=_draft(), period_from=date(2026, 1, 1), period_to=date(2026, 1, 31))
    # 300.00 BRL and 350.00 BRL × 0.1837965005 (1 / 5.4408, the inverse of the 5 January PTAX sell rate)
    assert _by_partner(report)[dollar.pk][:3] == (D("55.1390"), D("64.3288"), D("9.1898"))
    assert [(t.currency, t.difference) for t in report.totals] == [("USD", D("9.1898"))]


@pytest.mark.django_db
def test_an_invoice_the_engine_cannot_compute_is_listed_not_guessed():
    fx_import_ptax(text="05012026;220;A;USD;5,4402;5,4408;1,0000;1,0000\n")
    dollar = make_partner(tier="strategic", currency="USD")
    ingest(paid(make_customer(dollar), "1000.00", invoice_id="brl1", at="2026-01-06T12:00:00-03:00"))
    FxRate._base_manager.all().delete()  # the rates are gone (a test-only situation: rates are append-only)
    report = plan_what_if(plan=_draft(), period_from=date(2026, 1, 1), period_to=date(2026, 1, 31))
    assert [(n.invoice_id, n.error) for n in report.not_computed] == [
        ("brl1", "no FX rate from BRL to USD for 2026-01-06")
    ]
    assert _by_partner(report)[dollar.pk][:2] == (D("55.1390"), D("0.0000"))


@pytest.mark.django_db
def test_an_empty_period_gives_an_empty_report():
    report = plan_what_if(plan=_draft(), period_from=date(2025, 1, 1), period_to=date(2025, 1, 31))
    assert (report.invoices, report.partners, report.totals) == (0, [], [])


@pytest.mark.django_db
def test_a_reversed_or_overlong_period_is_refused():
    with pytest.raises(InvalidInput, match="must not be after"):
        plan_what_if(plan=_draft(), period_from=date(2026, 3, 31), period_to=date(2026, 3, 1))
    with pytest.raises(InvalidInput, match="three years"):
        plan_what_if(plan=_draft(), period_from=date(2020, 1, 1), period_to=date(2026, 1, 1))


def _many_invoices(count: int) -> None:
    partners = [make_partner(tier="strategic"), make_integration_partner("0.20"), make_partner(currency="USD")]
    events = []
    for n in range(count):
        customer = make_customer(partners[n % 3])
        events.append(usage(customer, "10", partner=partners[1], at="2026-03-02T12:00:00-03:00"))
        events.append(paid(customer, f"{100 + n}.00", at=f"2026-03-{1 + n % 28:02d}T12:00:00-03:00"))
    assert ingest(*events).rejected == []


@pytest.mark.django_db
def test_the_what_if_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    fx_import_ptax(text="".join(f"{d:02d}032026;220;A;USD;5,0000;5,0000;1;1\n" for d in range(1, 29)))
    _many_invoices(3)
    plan = _draft()
    with CaptureQueriesContext(connection) as few:
        plan_what_if(plan=plan, period_from=MARCH[0], period_to=MARCH[1])
    _many_invoices(30)
    with django_assert_max_num_queries(7), CaptureQueriesContext(connection) as many:
        report = plan_what_if(plan=plan, period_from=MARCH[0], period_to=MARCH[1])
    assert report.invoices == 33 and report.not_computed == []
    assert len(many.captured_queries) == len(few.captured_queries)


# Draft plans ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_is_the_next_version_of_its_plan_and_is_audited():
    first = _draft()
    second = _draft(max_months=12)
    assert (first.version, first.status, second.version, second.max_months) == (2, "draft", 3, 12)
    assert first.referral_rates == RATES_035 and first.entry_rate == D("0.2000")
    assert first.effective_from is None and first.effective_to is None
    assert AuditRecord.objects.filter(action="plan.draft_created").count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "  "}, "name is required"),
        ({"referral_rates": {**RATES_035, "gold": "0.40"}}, "unknown tier"),
        ({"referral_rates": {"certified": "0.20"}}, "missing: preferred, strategic"),
        ({"referral_rates": {**RATES_035, "strategic": "1.5"}}, "between 0 and 1"),
        ({"referral_rates": {**RATES_035, "strategic": "-0.1"}}, "between 0 and 1"),
        ({"referral_rates": {**RATES_035, "strategic": "0.12345"}}, "at most 4 places"),
        ({"referral_rates": {**RATES_035, "strategic": "NaN"}}, "between 0 and 1"),
        ({"referral_rates": {**RATES_035, "strategic": 0.35}}, "decimal string"),
        ({"entry_rate": "abc"}, "entry_rate must be"),
        ({"max_months": 0}, "max_months"),
    ],
)
@pytest.mark.django_db
def test_a_draft_with_bad_rates_is_refused_and_not_stored(overrides, message):
    with pytest.raises(InvalidInput, match=message):
        _draft(**overrides)
    assert CommissionPlan.objects.count() == 1


# The API ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_finance_creates_a_draft_and_runs_the_what_if_through_the_api():
    p = _march_scenario()
    client = ApiClient(make_key("finance"))
    created = client.post(
        "/plans", {"name": "Standard", "referral_rates": RATES_035, "entry_rate": "0.20", "max_months": None}
    )
    assert created.status_code == 201
    draft = created.json()
    assert (draft["version"], draft["status"], draft["referral_rates"], draft["entry_rate"]) == (
        2,
        "draft",
        RATES_035,
        "0.2",
    )
    before = _counts()
    response = client.post(f"/plans/{draft['id']}/what-if", {"from": "2026-03", "to": "2026-03"})
    assert response.status_code == 200
    assert _counts() == before
    body = response.json()
    assert body["plan"] == {"id": draft["id"], "name": "Standard", "version": 2, "status": "draft"}
    assert (body["period_from"], body["period_to"], body["invoices"]) == ("2026-03-01", "2026-03-31", 5)
    row = next(r for r in body["partners"] if r["partner_id"] == p["strategic"].pk)
    assert row == {
        "partner_id": p["strategic"].pk,
        "name": "Strategic Co",
        "currency": "BRL",
        "current_accrued": "459.9990",
        "what_if_accrued": "536.6655",
        "difference": "76.6665",
        "current_clawed_back": "30.0000",
        "what_if_clawed_back": "35.0000",
        "net_difference": "71.6665",
    }
    assert body["totals"] == [
        {
            "currency": "BRL",
            "partners": 4,
            "current_accrued": "613.9990",
            "what_if_accrued": "690.6655",
            "difference": "76.6665",
            "current_clawed_back": "30.0000",
            "what_if_clawed_back": "35.0000",
            "net_difference": "71.6665",
        }
    ]
    listed = client.get("/plans").json()
    assert [(i["name"], i["version"], i["status"]) for i in listed["items"]] == [
        ("Standard", 1, "active"),
        ("Standard", 2, "draft"),
    ]


@pytest.mark.django_db
def test_a_partner_key_may_not_run_a_what_if_nor_create_plans_and_sees_only_active_plans():
    partner = make_partner()
    draft = _draft()
    client = ApiClient(make_key("partner", partner))
    before = _counts()
    denied = client.post(f"/plans/{draft.pk}/what-if", {"from": "2026-03"})
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden_scope"
    payload = {"name": "Mine", "referral_rates": RATES_035, "entry_rate": "0.20"}
    assert client.post("/plans", payload).status_code == 403
    assert _counts() == before
    assert [i["status"] for i in client.get("/plans").json()["items"]] == ["active"]


@pytest.mark.django_db
def test_bad_plan_and_what_if_requests_get_422_or_404():
    client = ApiClient(make_key("finance"))
    good = {"name": "Standard", "referral_rates": RATES_035, "entry_rate": "0.20"}
    bad_bodies = [
        ({**good, "referral_rates": {**RATES_035, "gold": "0.4"}}, "invalid"),
        ({**good, "referral_rates": {**RATES_035, "strategic": "1.01"}}, "out_of_range"),
        ({**good, "referral_rates": {**RATES_035, "strategic": 0.35}}, "invalid"),
        ({**good, "entry_rate": "-0.01"}, "out_of_range"),
        ({**good, "max_months": 0}, "invalid"),
        ({**good, "max_months": 1201}, "invalid"),
        ({**good, "max_months": 149857193827276914762574725120}, "invalid"),
        ({**good, "max_months": "12"}, "invalid"),
        ({**good, "surprise": True}, "invalid"),
        ({"name": "Standard"}, "invalid"),
    ]
    for body, code in bad_bodies:
        response = client.post("/plans", body)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == code, body
    assert CommissionPlan.objects.count() == 1
    plan_id = _standard().pk
    for body in ({"from": "2026-13"}, {"from": "2026-04", "to": "2026-03"}, {"from": "March"}, {}, {"to": "2026-03"}):
        assert client.post(f"/plans/{plan_id}/what-if", body).status_code == 422, body
    assert client.post("/plans/999999/what-if", {"from": "2026-03"}).status_code == 404


@pytest.mark.django_db
def test_months_at_the_edge_of_the_calendar_are_refused_not_crashed():
    client = ApiClient(make_key("admin"))
    plan_id = _standard().pk
    for body in ({"from": "9999-12"}, {"from": "0000-01"}, {"from": "0001-01"}):
        response = client.post(f"/plans/{plan_id}/what-if", body)
        assert response.status_code == 422, body
