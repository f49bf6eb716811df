"""The pure commission engine: exact cents for each rule of SPEC §6.1–6.4, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parceria.commissions import engine
from parceria.commissions.engine import FxQuote, PaidInvoice, PartnerInfo, Plan, PriorAccrual, Terms, UsageSplit

PLAN = Plan(
    1,
    "Standard",
    1,
    {"certified": D("0.20"), "preferred": D("0.25"), "strategic": D("0.30")},
    D("0.20"),
    None,
    None,
    None,
)
PAID_AT = datetime(2026, 3, 31, 15, tzinfo=UTC)


def invoice(amount: str, currency: str = "BRL", paid_at: datetime = PAID_AT) -> PaidInvoice:
    return PaidInvoice("evt_1", "inv_1", 7, D(amount), currency, paid_at, date(2026, 3, 1), date(2026, 3, 31))


def partner(
    pid: int = 1,
    tier: str | None = None,
    share: str | None = None,
    status: str = "active",
    currency: str = "BRL",
    terms: tuple[Terms, ...] | None = None,
) -> PartnerInfo:
    return PartnerInfo(pid, status, currency, terms or (Terms(None, tier, D(share) if share else None),))


def accrue(inv, referrer=None, integrators=(), usage=None, plans=(PLAN,), attributed_at=None, fx=None):
    integrators_by_id = {p.id: p for p in integrators}
    return engine.accrue_invoice(
        inv, list(plans), referrer, attributed_at, integrators_by_id, usage or UsageSplit(), fx
    )


@pytest.mark.parametrize(
    ("tier", "expected"),
    [("certified", "200.0000"), ("preferred", "250.0000"), ("strategic", "300.0000"), (None, "200.0000")],
)
def test_referral_rate_by_tier(tier, expected):
    (line,) = accrue(invoice("1000.00"), referrer=partner(tier=tier))
    assert line.amount == D(expected)
    assert line.kind == "accrual" and line.rule == "referral" and line.base == D("1000.00")


def test_entry_rate_applies_to_untiered_partner_and_is_explained():
    plan = Plan(1, "Standard", 1, PLAN.referral_rates, D("0.15"), None, None, None)
    (line,) = accrue(invoice("199.90"), referrer=partner(tier=None), plans=[plan])
    assert line.amount == D("29.9850")
    assert line.rate == D("0.15")
    assert "entry rate" in line.explanation and "inv_1" in line.explanation and "Standard v1" in line.explanation


def test_rate_is_the_tier_in_force_at_payment_time():
    terms = (Terms(None, "certified", None), Terms(datetime(2026, 3, 15, tzinfo=UTC), "strategic", None))
    referrer = partner(terms=terms)
    (before,) = accrue(invoice("500.00", paid_at=datetime(2026, 3, 14, tzinfo=UTC)), referrer=referrer)
    (after,) = accrue(invoice("500.00", paid_at=datetime(2026, 3, 15, tzinfo=UTC)), referrer=referrer)
    assert (before.amount, after.amount) == (D("100.0000"), D("150.0000"))


def test_plan_version_in_force_is_used():
    v1 = Plan(1, "Standard", 1, PLAN.referral_rates, D("0.20"), None, None, datetime(2026, 3, 1, tzinfo=UTC))
    v2 = Plan(2, "Standard", 2, {"preferred": D("0.27")}, D("0.20"), None, datetime(2026, 3, 1, tzinfo=UTC), None)
    (line,) = accrue(invoice("100.00"), referrer=partner(tier="preferred"), plans=[v1, v2])
    assert line.amount == D("27.0000") and line.plan_id == 2


def test_no_plan_in_force_is_an_error():
    v1 = Plan(1, "Standard", 1, PLAN.referral_rates, D("0.20"), None, None, datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(engine.EngineError, match="no commission plan"):
        accrue(invoice("100.00"), referrer=partner(tier="preferred"), plans=[v1])


def test_plan_month_limit_counts_from_attribution():
    limited = Plan(1, "Standard", 1, PLAN.referral_rates, D("0.20"), 12, None, None)
    attributed = datetime(2025, 3, 31, 15, tzinfo=UTC)
    last_month = invoice("100.00", paid_at=datetime(2026, 3, 31, 14, tzinfo=UTC))  # 11 whole months after
    first_excluded = invoice("100.00", paid_at=datetime(2026, 3, 31, 15, tzinfo=UTC))  # 12 months after
    assert accrue(last_month, referrer=partner(tier="certified"), plans=[limited], attributed_at=attributed)
    assert accrue(first_excluded, referrer=partner(tier="certified"), plans=[limited], attributed_at=attributed) == []


@pytest.mark.parametrize("status", ["prospect", "suspended", "terminated"])
def test_only_active_partners_accrue(status):
    assert accrue(invoice("100.00"), referrer=partner(tier="strategic", status=status)) == []


def test_integration_share_is_rate_times_amount_times_usage_share():
    integrator = partner(2, share="0.15")
    (line,) = accrue(invoice("1000.00"), integrators=[integrator], usage=UsageSplit(D(100), {2: D(30)}))
    assert line.amount == D("45.0000") and line.rule == "integration" and line.share == "30/100"


def test_invoice_split_between_a_referrer_and_two_integration_partners():
    referrer = partner(1, tier="preferred")
    a, b = partner(2, share="0.10"), partner(3, share="0.20")
    usage = UsageSplit(D("400"), {2: D("100"), 3: D("160")})  # 25 % and 40 % of the period's usage
    lines = accrue(invoice("1234.56"), referrer=referrer, integrators=[a, b], usage=usage)
    assert [(line.partner_id, line.rule, line.amount) for line in lines] == [
        (1, "referral", D("308.6400")),  # 1234.56 × 25 %
        (2, "integration", D("30.8640")),  # 1234.56 × 10 % × 100/400
        (3, "integration", D("98.7648")),  # 1234.56 × 20 % × 160/400
    ]


def test_no_usage_means_no_integration_share():
    assert accrue(invoice("100.00"), integrators=[partner(2, share="0.15")], usage=UsageSplit()) == []


def test_rounding_is_half_even_to_four_places():
    # 0.0010 × 25 % = 0.00025 → 0.0002 (half-even; half-up would give 0.0003); 0.0030 × 25 % = 0.00075 → 0.0008
    (low,) = accrue(invoice("0.0010"), referrer=partner(tier="preferred"))
    (high,) = accrue(invoice("0.0030"), referrer=partner(tier="preferred"))
    assert (low.amount, high.amount) == (D("0.0002"), D("0.0008"))
    # 10.01 × 25 % × 1/3 = 0.834166… → 0.8342
    (share,) = accrue(invoice("10.01"), integrators=[partner(2, share="0.25")], usage=UsageSplit(D(3), {2: D(1)}))
    assert share.amount == D("0.8342")


def test_foreign_currency_converts_at_the_given_rate_and_records_it():
    quote = FxQuote("USD", "BRL", D("5.4321"), "BCB PTAX", date(2026, 3, 31))
    (line,) = accrue(invoice("100.00", currency="USD"), referrer=partner(tier="preferred"), fx={("USD", "BRL"): quote})
    assert line.amount == D("135.8025")  # 100 × 25 % × 5.4321
    assert line.fx_rate == D("5.4321") and line.fx_source == "BCB PTAX 2026-03-31"


def test_missing_fx_rate_names_currencies_and_date():
    with pytest.raises(engine.EngineError, match="no FX rate from USD to BRL for 2026-03-31"):
        accrue(invoice("100.00", currency="USD"), referrer=partner(tier="preferred"))


def _prior(amount: str, clawed: str = "0", key: str = "acc:ref:1:evt_1") -> PriorAccrual:
    return PriorAccrual(key, 1, "referral", D(amount), "BRL", D("0.25"), D(clawed))


def claw(prior, refunded_before: str, refund: str, amount: str = "100.00", event: str = "evt_r"):
    return engine.claw_back(
        refund_event_id=event,
        invoice_id="inv_1",
        invoice_amount=D(amount),
        invoice_currency="BRL",
        refunded_before=D(refunded_before),
        refund_amount=D(refund),
        accruals=prior,
    )


def test_partial_refunds_claw_back_cumulatively_and_a_full_refund_claws_back_everything():
    (first,) = claw([_prior("25.0000")], "0", "33.33")
    (second,) = claw([_prior("25.0000", "8.3325")], "33.33", "33.33")
    (third,) = claw([_prior("25.0000", "16.6650")], "66.66", "33.34")
    assert (first.amount, second.amount, third.amount) == (D("-8.3325"), D("-8.3325"), D("-8.3350"))
    assert first.amount + second.amount + third.amount == D("-25.0000")
    assert first.reverses_key == "acc:ref:1:evt_1" and first.kind == "clawback" and first.rate == D("0.25")


def test_refund_claws_back_each_accrual_of_the_invoice():
    priors = [
        _prior("308.6400"),
        PriorAccrual("acc:int:2:evt_1", 2, "integration", D("30.8640"), "BRL", D("0.10"), D(0)),
    ]
    lines = claw(priors, "0", "617.28", amount="1234.56")
    assert [(line.partner_id, line.amount) for line in lines] == [(1, D("-154.3200")), (2, D("-15.4320"))]


amounts = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)
rates = st.sampled_from([D("0.10"), D("0.15"), D("0.20"), D("0.25"), D("0.30")])


@given(
    amount=amounts,
    rate=rates,
    parts=st.lists(st.integers(1, 1000), min_size=1, max_size=6),
    cuts=st.lists(st.integers(1, 100), min_size=1, max_size=6),
)
def test_property_refunds_never_claw_back_more_than_accrued_and_full_refund_nets_to_zero(amount, rate, parts, cuts):
    usage = UsageSplit(D(sum(parts)), {i + 2: D(p) for i, p in enumerate(parts)})
    integrators = [partner(i + 2, share=str(rate)) for i in range(len(parts))]
    lines = accrue(invoice(str(amount)), referrer=partner(1, tier="strategic"), integrators=integrators, usage=usage)
    priors = [PriorAccrual(p.dedupe_key, p.partner_id, p.rule, p.amount, p.currency, p.rate, D(0)) for p in lines]
    # split the invoice into refunds proportional to `cuts`, the last one taking the exact remainder
    total_cuts = sum(cuts)
    refunds = [(amount * c / total_cuts).quantize(D("0.01"), rounding="ROUND_DOWN") for c in cuts[:-1]]
    refunds.append(amount - sum(refunds))
    clawed = {p.dedupe_key: D(0) for p in priors}
    refunded = D(0)
    for n, refund in enumerate(r for r in refunds if r > 0):
        current = [
            PriorAccrual(p.dedupe_key, p.partner_id, p.rule, p.amount, p.currency, p.rate, clawed[p.dedupe_key])
            for p in priors
        ]
        for c in claw(current, str(refunded), str(refund), amount=str(amount), event=f"r{n}"):
            assert c.amount <= 0
            clawed[c.reverses_key] += -c.amount
        refunded += refund
        for p in priors:
            assert clawed[p.dedupe_key] <= p.amount
    assert all(clawed[p.dedupe_key] == p.amount for p in priors)


@given(amount=amounts, rate=rates, part=st.integers(1, 999), total=st.integers(1000, 5000))
def test_property_accrual_is_the_single_rounding_of_the_exact_product(amount, rate, part, total):
    lines = accrue(
        invoice(str(amount)), integrators=[partner(2, share=str(rate))], usage=UsageSplit(D(total), {2: D(part)})
    )
    exact = amount * rate * D(part) / D(total)
    if exact.quantize(D("0.0001"), rounding="ROUND_HALF_EVEN") == 0:
        assert lines == []  # a line that rounds to nothing is not written
        return
    (line,) = lines
    assert abs(line.amount - exact) <= D("0.00005")
    assert line.amount == line.amount.quantize(D("0.0001"))
