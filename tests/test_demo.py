"""The demo generator: deterministic, complete at small sizes, and its ledger matches an independent
recomputation of the commission rules from the events it sent."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from parceria.accounts.models import ApiKey, ApiKeyScope, User
from parceria.accounts.tenancy import Principal
from parceria.agreements.models import Agreement, AgreementStatus, AgreementType
from parceria.agreements.selectors import agreement_dates
from parceria.commissions.models import ClosedPeriod, LedgerLine
from parceria.commissions.selectors import partner_balance
from parceria.common.audit import Actor
from parceria.customers.event_schemas import parse_event
from parceria.customers.models import Customer, Event, EventBatch, EventType, Invoice
from parceria.demo.billing import Month, invoice_amount
from parceria.demo.customers import CustomerSpec
from parceria.demo.generator import DemoPlan, demo_rng, generate, month_events, plan_program
from parceria.demo.logins import ALL_USERNAMES, DEMO_PASSWORD
from parceria.demo.management.commands.demo import Command
from parceria.demo.timeline import DemoCalendar, previous_month
from parceria.disputes.models import Dispute, DisputeStatus
from parceria.enablement.models import Enrolment, PartnerCertification
from parceria.notifications.models import Notification
from parceria.partners.lifecycle_data import Stage
from parceria.partners.models import (
    SUBCATEGORIES,
    Category,
    Partner,
    PartnerLifecycle,
    PartnerStatus,
    Tier,
    TierAssessment,
)
from parceria.payouts.close import _thresholds
from parceria.payouts.models import BatchApproval, BatchExport, Payout, PayoutBatch, PayoutStatus, PayoutStatusChange
from parceria.payouts.selectors import payouts_with_status
from parceria.payouts.services import batch_state
from parceria.tiers.assessment import tiers_assess

END = date(2026, 3, 1)
SMALL = {"seed": 7, "partners": 12, "customers": 150, "months": 3, "end_month": END}
REFERRAL_RATES = {
    None: Decimal("0.20"),
    "certified": Decimal("0.20"),
    "preferred": Decimal("0.25"),
    "strategic": Decimal("0.30"),
}
COUNTRIES = {"BR", "MX", "CO", "AR", "CL"}
FOUR_PLACES = Decimal("0.0001")


def _plan(**sizes: Any) -> DemoPlan:
    calendar = DemoCalendar(sizes.pop("end_month", END), sizes["months"])
    return plan_program(seed=sizes["seed"], partners=sizes["partners"], customers=sizes["customers"], calendar=calendar)


def _all_events(plan: DemoPlan, seed: int) -> list[dict[str, Any]]:
    """The events the loader would send, with made-up partner ids (this mutates the plan's customers)."""
    ids = list(range(101, 101 + len(plan.partners)))
    return [
        event
        for month in range(plan.calendar.months)
        for events in month_events(plan, month, ids, demo_rng(seed, f"month:{month}"))
        for event in events
    ]


# --- the plan, without the database ---------------------------------------------------------------


def test_plan_is_deterministic_and_depends_on_the_seed():
    first, second = _plan(**SMALL), _plan(**SMALL)
    assert [p.name for p in first.partners] == [p.name for p in second.partners]
    assert first.customers == second.customers
    assert _all_events(first, SMALL["seed"]) == _all_events(second, SMALL["seed"])
    other = _plan(**{**SMALL, "seed": 8})
    assert [p.name for p in other.partners] != [p.name for p in first.partners]


def test_small_plan_covers_every_country_category_tier_and_status():
    plan = _plan(**SMALL)
    assert {p.country for p in plan.partners} == COUNTRIES
    assert {p.category for p in plan.partners} == set(Category.values)
    assert {p.tier for p in plan.partners} == {None, *Tier.values}
    assert {p.final_status for p in plan.partners} == set(PartnerStatus.values)
    rates = {p.integration_share_rate for p in plan.partners if p.category == Category.TECHNOLOGY_INTEGRATION}
    assert None not in rates and all(Decimal("0.10") <= r <= Decimal("0.25") for r in rates)


def test_default_plan_has_the_realistic_mix():
    plan = _plan(seed=2026, partners=60, customers=5000, months=18)
    partners, customers = plan.partners, plan.customers
    assert {(p.category, p.subcategory) for p in partners} == {
        (c, s) for c, subs in SUBCATEGORIES.items() for s in subs
    }
    assert Counter(p.country for p in partners).most_common(1)[0][0] == "BR"
    assert sum(p.final_status == PartnerStatus.ACTIVE for p in partners) > 45
    attributed = sum(c.partner is not None for c in customers) / len(customers)
    assert 0.55 <= attributed <= 0.65
    by_index = {p.index: p for p in partners}
    for c in customers:
        if c.partner is not None:
            referrer = by_index[c.partner]
            assert referrer.country == c.country and referrer.refers_in(c.start_month)
        for index, _ in c.integrations:
            assert by_index[index].country == c.country and by_index[index].category == Category.TECHNOLOGY_INTEGRATION
    assert len({c.domain for c in customers}) == len(customers)
    assert len({p.name for p in partners}) == len(partners)


def test_every_planned_event_is_valid_and_inside_the_window():
    plan = _plan(**SMALL)
    events = _all_events(plan, SMALL["seed"])
    assert len({e["id"] for e in events}) == len(events)
    window_end = timezone.make_aware(datetime(2026, 4, 1))
    for event in events:
        parsed = parse_event(event)
        assert parsed.occurred_at < window_end
        if event["type"] in ("invoice.paid", "invoice.refunded"):
            places = 0 if event["currency"] == "CLP" else 2
            assert Decimal(event["amount"]).as_tuple().exponent == -places


def _customer(**overrides: Any) -> CustomerSpec:
    fields: dict[str, Any] = {
        "index": 1,
        "country": "BR",
        "vertical": "retail",
        "name": "Loja",
        "domain": "loja.com.br",
        "partner": None,
        "start_month": -3,
        "start_day": 1,
        "churn_month": None,
        "plan": 0,
        "seats": 0,
        "integrations": (),
        "usage_scale": 40,
        "csat_mean": 4.0,
        "discount_until": -3,
    }
    fields.update(overrides)
    return CustomerSpec(**fields)


@pytest.mark.parametrize(
    ("overrides", "month", "period", "expected"),
    [
        ({}, 0, (1, 31), "199.00"),  # Starter, full month (Jan 2026)
        ({"seats": 2}, 0, (1, 31), "238.80"),  # + 2 extra users at 10 % each
        ({"start_month": 0, "start_day": 16}, 0, (16, 31), "102.71"),  # 199 × 16/31
        ({"plan": 5, "discount_until": 1}, 0, (1, 31), "2499.50"),  # accelerator: half price
        ({"country": "CL", "plan": 1}, 0, (1, 31), "80820"),  # 449 × 180, whole pesos
        ({"country": "AR"}, 2, (1, 31), "41814.88"),  # 199 × 200 × 1.025²
        ({"country": "MX", "plan": 2}, 0, (1, 31), "3146.50"),  # 899 × 3.5
    ],
)
def test_invoice_amounts(overrides: dict[str, Any], month: int, period: tuple[int, int], expected: str):
    calendar = DemoCalendar(END, 3)  # Jan–Mar 2026
    first = calendar.first_day(month)
    amount = invoice_amount(
        _customer(**overrides),
        Month.of(calendar, month, [], []),
        first.replace(day=period[0]),
        first.replace(day=period[1]),
    )
    assert str(amount) == expected


def test_brazilian_prices_are_adjusted_each_january():
    calendar = DemoCalendar(date(2026, 2, 1), 3)  # Dec 2025 – Feb 2026
    december = invoice_amount(_customer(), Month.of(calendar, 0, [], []), date(2025, 12, 1), date(2025, 12, 31))
    january = invoice_amount(_customer(), Month.of(calendar, 1, [], []), date(2026, 1, 1), date(2026, 1, 31))
    assert (str(december), str(january)) == ("199.00", "207.96")  # 199 × 1.045 = 207.955


def test_default_end_month_is_the_last_full_month():
    assert previous_month(date(2026, 1, 15)) == date(2025, 12, 1)
    assert previous_month(date(2026, 3, 1)) == date(2026, 2, 1)


# --- loaded into the database ---------------------------------------------------------------------


def _snapshot() -> dict[str, Any]:
    """What a load produced, by names and external ids (database ids may differ between loads)."""
    partners = {p.pk: p.name for p in Partner.objects.all()}
    balances = {p.name: partner_balance(p) for p in Partner.objects.all()}
    return {
        "partners": sorted(partners.values()),
        "customers": sorted(Customer.objects.values_list("external_id", "name", "domain", "status")),
        "events": sorted(_portable(e.payload, partners) for e in Event.objects.all()),
        "balances": {name: (b.accrued, b.clawed_back, b.balance) for name, b in balances.items()},
    }


def _portable(payload: dict[str, Any], partner_names: dict[int, str]) -> str:
    """An event's payload with its integration partner named rather than numbered."""
    if "integration_partner_id" in payload:
        payload = {**payload, "integration_partner_id": partner_names[payload["integration_partner_id"]]}
    return repr(sorted(payload.items()))


@pytest.mark.django_db
def test_small_load_is_complete_its_ledger_matches_the_rules_and_the_same_seed_gives_it_again():
    with transaction.atomic():
        _check_small_load(generate(**SMALL))
        first = _snapshot()
        transaction.set_rollback(True)
    assert not Partner.objects.exists()
    generate(**SMALL)
    assert _snapshot() == first


def _expected_commissions(plan: DemoPlan) -> dict[str, tuple[Decimal, Decimal]]:
    """Per partner name, (accrued, clawed back) recomputed from the stored events with SPEC §6.1–6.4:
    referral = tier rate × amount; integration = share rate × amount × usage share of the service period;
    a refund claws back round4(accrual × refunded / amount); only partners active at payment time accrue."""
    specs = {p.name: p for p in plan.partners}
    partners = {p.pk: specs[p.name] for p in Partner.objects.filter(application__isnull=True)}
    customers = {c.external_id: c for c in Customer.objects.all()}
    events = [e.payload for e in Event.objects.all()]
    usage: dict[str, list[tuple[date, int | None, Decimal]]] = defaultdict(list)
    for e in events:
        if e["type"] == EventType.USAGE_RECORDED:
            day = timezone.localdate(datetime.fromisoformat(e["occurred_at"]))
            usage[e["customer"]].append((day, e.get("integration_partner_id"), Decimal(e["quantity"])))
    accruals: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    for e in events:
        if e["type"] == EventType.INVOICE_PAID:
            accruals[e["invoice_id"]] = _invoice_accruals(e, customers[e["customer"]].partner_id, partners, usage, plan)
    accrued: dict[str, Decimal] = defaultdict(Decimal)
    clawed: dict[str, Decimal] = defaultdict(Decimal)
    paid = {e["invoice_id"]: Decimal(e["amount"]) for e in events if e["type"] == EventType.INVOICE_PAID}
    for lines in accruals.values():
        for pk, amount in lines:
            accrued[partners[pk].name] += amount
    for e in events:
        if e["type"] == EventType.INVOICE_REFUNDED:
            for pk, amount in accruals[e["invoice_id"]]:
                with localcontext(prec=50):
                    clawed[partners[pk].name] += _round4(amount * (Decimal(e["amount"]) / paid[e["invoice_id"]]))
    return {name: (accrued[name], clawed[name]) for name in specs}


def _round4(value: Decimal) -> Decimal:
    return value.quantize(FOUR_PLACES, rounding=ROUND_HALF_EVEN)


def _active_at(spec: Any, paid_at: datetime, calendar: DemoCalendar) -> bool:
    if spec.join_month is None:
        return False
    if spec.status_change_month is None:
        return True
    return timezone.localdate(paid_at) < calendar.first_day(spec.status_change_month)


def _invoice_accruals(
    e: dict[str, Any], referrer: int | None, partners: dict[int, Any], usage: Any, plan: DemoPlan
) -> list[tuple[int, Decimal]]:
    amount, paid_at = Decimal(e["amount"]), datetime.fromisoformat(e["occurred_at"])
    lines = []
    if referrer is not None and _active_at(partners[referrer], paid_at, plan.calendar):
        lines.append((referrer, _round4(amount * REFERRAL_RATES[partners[referrer].tier])))
    start, end = date.fromisoformat(e["period_start"]), date.fromisoformat(e["period_end"])
    in_period = [(pk, q) for day, pk, q in usage[e["customer"]] if start <= day <= end]
    total = sum((q for _, q in in_period), Decimal(0))
    by_partner: dict[int, Decimal] = defaultdict(Decimal)
    for pk, q in in_period:
        if pk is not None:
            by_partner[pk] += q
    for pk, part in sorted(by_partner.items()):
        spec = partners[pk]
        if _active_at(spec, paid_at, plan.calendar):
            with localcontext(prec=50):
                lines.append((pk, _round4(amount * spec.integration_share_rate * (part / total))))
    return lines


def _check_small_load(summary: Any) -> None:
    """The small load has every country, category, status and event type, and each partner's ledger is what SPEC
    §6.1–6.4 give for the stored events."""
    plan = _plan(**SMALL)
    assert summary.rejected == 0, summary.rejections
    assert (summary.partners, summary.customers) == (12, 150)
    commissions = LedgerLine.objects.filter(kind__in=("accrual", "clawback"))
    assert summary.events == Event.objects.count() and summary.ledger_lines == commissions.count()
    assert {p.country for p in Partner.objects.all()} == COUNTRIES
    assert set(Partner.objects.values_list("category", flat=True)) == set(Category.values)
    assert set(Partner.objects.values_list("status", flat=True)) == set(PartnerStatus.values)
    assert set(Event.objects.values_list("type", flat=True)) == set(EventType.values)
    for customer in Customer.objects.exclude(partner=None).select_related("partner"):
        assert customer.country == customer.partner.country and customer.attributed_at is not None
    assert set(commissions.values_list("rule", "kind")) == {
        ("referral", "accrual"),
        ("integration", "accrual"),
        ("referral", "clawback"),
        ("integration", "clawback"),
    }
    expected = _expected_commissions(plan)
    for partner in Partner.objects.filter(application__isnull=True):
        balance = partner_balance(partner)
        lines = LedgerLine.objects.filter(partner=partner).values_list("amount", flat=True)
        assert balance.balance == sum(lines, Decimal(0))
        assert (balance.accrued, balance.clawed_back) == expected[partner.name], partner.name
        assert set(LedgerLine.objects.filter(partner=partner).values_list("currency", flat=True)) <= {partner.currency}
    assert sum(a for a, _ in expected.values()) > 0
    # The history's notifications are logged, and none waits to be e-mailed when the demo starts.
    assert not Notification.objects.filter(status="pending").exists()
    assert Notification.objects.filter(status="skipped", last_error__startswith="demo history").exists()


@pytest.mark.django_db
def test_demo_command_prints_logins_and_runs_once():
    out = io.StringIO()
    end_month = previous_month(timezone.localdate()).strftime("%Y-%m")
    options = {"partners": 12, "customers": 30, "months": 2, "end_month": end_month, "quiet": True}
    call_command(Command(), stdout=out, **options)
    text = out.getvalue()
    for username in ALL_USERNAMES:
        assert username in text
    assert DEMO_PASSWORD in text and "Platform API key (shown only now): prc_plat_" in text
    assert set(ALL_USERNAMES) <= set(User.objects.values_list("username", flat=True))
    partner_user = User.objects.get(username="partner.admin@demo")
    assert (partner_user.partner.country, partner_user.partner.tier, partner_user.partner.status) == (
        "BR",
        "preferred",
        "active",
    )
    assert not Partner.objects.filter(manager=None, application__isnull=True).exists()
    counts = _row_counts()
    assert PayoutBatch.objects.count() == 2 and Dispute.objects.exists()

    again = io.StringIO()
    call_command(Command(), stdout=again, **options)
    assert "already loaded" in again.getvalue() and "admin@demo" in again.getvalue()
    assert _row_counts() == counts


def _row_counts() -> dict[str, int]:
    models = (Partner, Customer, Event, ApiKey, User, LedgerLine, PayoutBatch, Payout, PayoutStatusChange,
              BatchApproval, BatchExport, Dispute, EventBatch, TierAssessment, ClosedPeriod)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_demo_command_refuses_a_half_loaded_database_and_bad_options():
    with pytest.raises(CommandError, match="must be between"):
        call_command(Command(), partners=0, quiet=True, stdout=io.StringIO())
    with pytest.raises(CommandError, match="has ended"):
        call_command(Command(), end_month=timezone.localdate().strftime("%Y-%m"), quiet=True, stdout=io.StringIO())
    Customer.objects.create(external_id="cus_demo_000001", name="Left over", country="BR")
    with pytest.raises(CommandError, match="did not finish"):
        call_command(Command(), partners=2, customers=2, months=1, quiet=True, stdout=io.StringIO())
    assert not Partner.objects.exists()


# --- the lived-in history: closes, payments, FX, disputes, tiers, times ----------------------------------------


LIVED = {"seed": 11, "partners": 12, "customers": 200, "months": 6, "end_month": END}


@pytest.mark.django_db
def test_history_closes_pays_and_assesses_every_month_through_the_services():
    summary = generate(**LIVED)
    calendar = DemoCalendar(END, LIVED["months"])
    periods = [calendar.first_day(m) for m in range(LIVED["months"])]
    assert list(PayoutBatch.objects.order_by("period").values_list("period", flat=True)) == periods
    assert list(ClosedPeriod.objects.order_by("month").values_list("month", flat=True)) == periods
    assert summary.history.close_warnings == []
    for period in periods:  # no close would warn about a missing FX rate now either
        assert _thresholds(period, []) and all(v is not None for v in _thresholds(period, []).values())
    for batch in PayoutBatch.objects.all():
        state = batch_state(batch)
        assert state.approved and len(state.approvals) == state.required_approvals
        payouts = Payout.objects.filter(batch=batch)
        if payouts.filter(currency="BRL").exists():
            assert BatchExport.objects.filter(batch=batch, kind="cnab").exists()
        if payouts.exists():
            assert BatchExport.objects.filter(batch=batch, kind="csv").exists()
    statuses = dict(payouts_with_status().values_list("pk", "current_status"))
    assert set(statuses.values()) <= {PayoutStatus.PAID, PayoutStatus.FAILED} and statuses
    brl = PayoutStatusChange.objects.filter(payout__currency="BRL")
    assert brl.exists() and all(s.startswith("return:RET") for s in brl.values_list("source", flat=True))
    failed = Payout.objects.filter(status_changes__status=PayoutStatus.FAILED)
    assert summary.history.failed == failed.count() > 0
    for payout in failed:  # its gross came back and a later close paid the partner again
        later = Payout.objects.filter(partner=payout.partner, currency=payout.currency,
                                      batch__period__gt=payout.batch.period)
        assert later.filter(status_changes__status=PayoutStatus.PAID).exists(), payout.pk
    approvals_at = BatchApproval.objects.values_list("approved_at", flat=True)
    assert all(timezone.localdate(a) < timezone.localdate() for a in approvals_at)  # at their historical time
    assert set(Dispute.objects.values_list("status", flat=True)) == set(DisputeStatus.values)
    rejected = sum(len(r) for r in EventBatch.objects.values_list("rejected", flat=True))
    assert rejected == summary.history.rejected_events > 0 and summary.rejected == 0
    paid_hours = {
        timezone.localtime(at).hour for at in Invoice.objects.values_list("paid_at", flat=True)
    }
    paid_days = {timezone.localdate(at).day for at in Invoice.objects.values_list("paid_at", flat=True)}
    assert len(paid_hours) > 12 and len(paid_days) > 20
    paid_partners = set(Payout.objects.values_list("partner_id", flat=True))
    stages = dict(PartnerLifecycle.objects.values_list("partner_id", "stage"))
    assert {stages[pk] for pk in paid_partners} <= {Stage.PILOT, Stage.LAUNCH, Stage.OPTIMISATION, Stage.CHURNED}
    assert {Stage.OPTIMISATION, Stage.CHURNED} <= set(stages.values())
    for partner in Partner.objects.filter(status=PartnerStatus.TERMINATED):
        assert stages[partner.pk] == Stage.CHURNED
    kinds = set(Agreement.objects.filter(status=AgreementStatus.ACTIVE).values_list("type", flat=True))
    assert {AgreementType.CHANNEL_PARTNER, AgreementType.TECHNOLOGY_INTEGRATION,
            AgreementType.JOINT_BUSINESS_PLAN} <= kinds
    assert Agreement.objects.filter(type=AgreementType.LETTER_OF_INTENT, status=AgreementStatus.EXPIRED).exists()
    today = timezone.localdate()
    renewals = [agreement_dates(a, today).renewal for a in Agreement.objects.filter(status=AgreementStatus.ACTIVE)]
    assert any(r is not None and today < r <= today + timedelta(days=90) for r in renewals)
    assert Enrolment.objects.filter(completed_at__isnull=False).exists()
    assert PartnerCertification.objects.exists()
    learner = User.objects.get(username="partner.user@demo")
    assert Enrolment.objects.filter(user=learner, completed_at=None).exists()  # training in progress
    run = tiers_assess(actor=Actor.system("test"), dry_run=True)
    tiers = dict(Partner.objects.values_list("pk", "tier"))
    assert run.outcomes and all(tiers[o.partner_id] == o.resulting_tier for o in run.outcomes)
    assert all(TierAssessment.objects.filter(partner_id=o.partner_id).exists() for o in run.outcomes)


@pytest.mark.django_db
def test_demo_registers_deals_before_sign_ups_with_conflicts_reviews_and_conversions():
    from parceria.analytics.kpis import channel_conflict, lead_conversion, load_facts, sales_cycle
    from parceria.analytics.periods import Period
    from parceria.deals.models import DealRegistration, DealStatus
    from parceria.deals.reporting import MonthRange, channel_conflict_report
    from parceria.deals.services import AUTOMATIC_DECIDER

    summary = generate(**SMALL)
    registrations = DealRegistration.objects.all()
    assert {DealStatus.APPROVED, DealStatus.REJECTED, DealStatus.CONVERTED} <= set(
        registrations.values_list("status", flat=True))
    converted = registrations.filter(status=DealStatus.CONVERTED).select_related("customer")
    assert converted.count() == summary.history.deals_converted > 0
    for registration in converted:  # registered 20–80 days before the sign-up, converted at it, same company
        assert registration.customer.partner_id == registration.partner_id
        assert registration.customer.tax_id == registration.tax_id
        assert 20 <= (registration.converted_at - registration.created_at).days <= 80
        assert timezone.localdate(registration.converted_at) < timezone.localdate()
    rejected = registrations.filter(status=DealStatus.REJECTED)
    assert rejected.exists() and all(r.conflict["partner_id"] != r.partner_id for r in rejected
                                     if r.conflict.get("partner_id") is not None)
    assert registrations.exclude(decided_by_label__in=("", AUTOMATIC_DECIDER)).exists()  # decided by staff
    staff = Principal(scope=ApiKeyScope.ADMIN, label="test")
    window = MonthRange(calendar_first(SMALL), END)
    report = channel_conflict_report(staff, window)
    start, end = window.bounds()
    in_window = registrations.filter(created_at__gte=start, created_at__lt=end).count()
    assert report.total.deals == in_window > 0 and report.total.conflicts > 0 and report.total.converted > 0
    facts = load_facts(END, END)
    recent = [Period(month, "month") for month, _ in report.months]
    assert any(channel_conflict(facts, p).value is not None for p in recent)
    assert any(sales_cycle(facts, p).value is not None for p in recent)
    assert any(lead_conversion(facts, p).value is not None for p in recent)


def calendar_first(sizes: dict[str, Any]) -> date:
    return DemoCalendar(END, sizes["months"]).first_day(0)
