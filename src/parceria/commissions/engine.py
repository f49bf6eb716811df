"""The commission engine: pure functions over plain data (no ORM, no I/O).

Rules (SPEC §6.1–6.4):

* Referral commission: the rate of the referrer's tier at the invoice's payment time (the plan's entry
  rate for an active partner with no tier) × the amount paid; for the customer's lifetime unless the
  plan limits the months after attribution.
* Integration revenue share: the integration partner's agreed rate × the amount paid × the share of
  the customer's usage in the invoice's service period that went through that partner's integration.
* Only active partners accrue. One invoice can accrue to a referrer and to several integration partners.
* A refund claws back from each accrual of its invoice the share that the refund covers, cumulatively,
  so that refunds adding up to the whole invoice claw back exactly what was accrued.
* Amounts are in the partner's payout currency; an invoice in another currency converts at the FX rate
  supplied (the caller looks it up for the invoice's date). Rounding: see parceria.common.money.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from parceria.common.money import FxQuote, divide, multiply, round_ledger

ACTIVE = "active"
REFERRAL = "referral"
INTEGRATION = "integration"


class EngineError(ValueError):
    """Input the engine cannot compute with (no plan in force, missing FX rate)."""


@dataclass(frozen=True)
class Plan:
    id: int
    name: str
    version: int
    referral_rates: Mapping[str, Decimal]
    entry_rate: Decimal
    max_months: int | None
    effective_from: datetime | None
    effective_to: datetime | None

    def covers(self, at: datetime) -> bool:
        return (self.effective_from is None or self.effective_from <= at) and (
            self.effective_to is None or at < self.effective_to
        )

    @property
    def label(self) -> str:
        return plan_label(self.name, self.version)


def plan_label(name: str, version: int) -> str:
    """How a plan version is named everywhere: "Name vN"."""
    return f"{name} v{version}"


@dataclass(frozen=True)
class Terms:
    """A version of a partner's commercial terms; `effective_from` None means since the beginning.
    `referral_rate_override`, when set, is a referral rate agreed in an agreement; it replaces the tier
    (or entry) rate of the plan."""

    effective_from: datetime | None
    tier: str | None
    integration_share_rate: Decimal | None
    referral_rate_override: Decimal | None = None


@dataclass(frozen=True)
class PartnerInfo:
    id: int
    status: str
    currency: str
    terms: Sequence[Terms]

    def terms_at(self, at: datetime) -> Terms:
        current = self.terms[0] if self.terms else Terms(None, None, None)
        for version in self.terms:
            if version.effective_from is None or version.effective_from <= at:
                current = version
        return current


@dataclass(frozen=True)
class PaidInvoice:
    event_id: str
    invoice_id: str
    customer_id: int
    amount: Decimal
    currency: str
    paid_at: datetime
    period_start: date
    period_end: date


@dataclass(frozen=True)
class UsageSplit:
    """The customer's usage in the invoice's service period: the total and the part per integration partner."""

    total: Decimal = Decimal(0)
    by_partner: Mapping[int, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Posting:
    """A ledger line to write, with everything needed to explain it."""

    partner_id: int
    kind: str
    rule: str
    amount: Decimal
    currency: str
    rate: Decimal | None
    base: Decimal | None
    explanation: str
    dedupe_key: str
    plan_id: int | None = None
    share: str = ""
    fx_rate: Decimal | None = None
    fx_source: str = ""
    reverses_key: str | None = None


@dataclass(frozen=True)
class PriorAccrual:
    """An accrual already posted for an invoice, and what refunds have clawed back from it so far (≥ 0)."""

    dedupe_key: str
    partner_id: int
    rule: str
    amount: Decimal
    currency: str
    rate: Decimal | None
    clawed_back: Decimal


def usage_split(rows: Sequence[tuple[date, int | None, Decimal]], period_start: date, period_end: date) -> UsageSplit:
    """The usage in an invoice's service period (days within [period_start, period_end], inclusive), in
    total and per integration partner, from (day, integration partner or None, quantity) rows."""
    total = Decimal(0)
    by_partner: dict[int, Decimal] = {}
    for day, partner_id, quantity in rows:
        if period_start <= day <= period_end:
            total += quantity
            if partner_id:
                by_partner[partner_id] = by_partner.get(partner_id, Decimal(0)) + quantity
    return UsageSplit(total, by_partner)


def select_plan(plans: Sequence[Plan], at: datetime) -> Plan:
    for plan in plans:
        if plan.covers(at):
            return plan
    raise EngineError(f"no commission plan is in force at {at.isoformat()}")


def months_between(start: datetime, end: datetime) -> int:
    """Whole months from `start` to `end` (0 in the first month)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if (end.day, end.time()) < (start.day, start.time()):
        months -= 1
    return max(months, 0)


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _convert(
    amount: Decimal, invoice: PaidInvoice, partner: PartnerInfo, fx: Mapping[tuple[str, str], FxQuote]
) -> tuple[Decimal, FxQuote | None]:
    if invoice.currency == partner.currency:
        return amount, None
    quote = fx.get((invoice.currency, partner.currency))
    if quote is None:
        raise EngineError(
            f"no FX rate from {invoice.currency} to {partner.currency} for {invoice.paid_at.date().isoformat()}"
        )
    return multiply(amount, quote.rate), quote


def _posting(
    *,
    partner: PartnerInfo,
    rule: str,
    rate: Decimal,
    factor: Decimal,
    invoice: PaidInvoice,
    plan: Plan,
    fx: Mapping[tuple[str, str], FxQuote],
    why: str,
    share: str = "",
) -> Posting | None:
    raw, quote = _convert(multiply(invoice.amount, rate, factor), invoice, partner, fx)
    amount = round_ledger(raw)
    if amount == 0:
        return None
    fx_text = f" × FX {quote.rate} ({quote.source}, {quote.on_date.isoformat()})" if quote else ""
    explanation = (
        f"{why}: {rate * 100:.2f}% × invoice {invoice.invoice_id} paid {_money(invoice.amount, invoice.currency)}"
        f"{f' × usage share {share}' if share else ''}{fx_text} = {amount} {partner.currency} "
        f"(plan {plan.name} v{plan.version}, event {invoice.event_id})"
    )
    return Posting(
        partner_id=partner.id,
        kind="accrual",
        rule=rule,
        amount=amount,
        currency=partner.currency,
        rate=rate,
        base=invoice.amount,
        explanation=explanation,
        dedupe_key=f"acc:{rule[:3]}:{partner.id}:{invoice.event_id}",
        plan_id=plan.id,
        share=share,
        fx_rate=quote.rate if quote else None,
        fx_source=f"{quote.source} {quote.on_date.isoformat()}" if quote else "",
    )


def referral_accrual(
    invoice: PaidInvoice,
    plan: Plan,
    referrer: PartnerInfo,
    attributed_at: datetime | None,
    fx: Mapping[tuple[str, str], FxQuote],
) -> Posting | None:
    if referrer.status != ACTIVE:
        return None
    if (
        plan.max_months is not None
        and attributed_at is not None
        and months_between(attributed_at, invoice.paid_at) >= plan.max_months
    ):
        return None
    terms = referrer.terms_at(invoice.paid_at)
    tier = terms.tier
    if terms.referral_rate_override is not None:
        rate = terms.referral_rate_override
        why = "Referral commission (rate from an agreement override)"
    else:
        rate = plan.referral_rates.get(tier, plan.entry_rate) if tier else plan.entry_rate
        why = f"Referral commission (tier {tier})" if tier else "Referral commission (entry rate, no tier)"
    return _posting(
        partner=referrer, rule=REFERRAL, rate=rate, factor=Decimal(1), invoice=invoice, plan=plan, fx=fx, why=why
    )


def integration_accruals(
    invoice: PaidInvoice,
    plan: Plan,
    partners: Mapping[int, PartnerInfo],
    usage: UsageSplit,
    fx: Mapping[tuple[str, str], FxQuote],
) -> list[Posting]:
    if usage.total <= 0:
        return []
    postings = []
    for partner_id in sorted(usage.by_partner):
        partner = partners.get(partner_id)
        part = usage.by_partner[partner_id]
        if partner is None or partner.status != ACTIVE or part <= 0:
            continue
        rate = partner.terms_at(invoice.paid_at).integration_share_rate
        if rate is None:
            continue
        posting = _posting(
            partner=partner,
            rule=INTEGRATION,
            rate=rate,
            factor=divide(part, usage.total),
            invoice=invoice,
            plan=plan,
            fx=fx,
            why="Integration revenue share",
            share=f"{part.normalize():f}/{usage.total.normalize():f}",
        )
        if posting:
            postings.append(posting)
    return postings


def accrue_invoice(
    invoice: PaidInvoice,
    plans: Sequence[Plan],
    referrer: PartnerInfo | None,
    attributed_at: datetime | None,
    integration_partners: Mapping[int, PartnerInfo],
    usage: UsageSplit,
    fx: Mapping[tuple[str, str], FxQuote] | None = None,
) -> list[Posting]:
    """All accruals that one paid invoice earns: the referrer's, then each integration partner's."""
    fx = fx or {}
    plan = select_plan(plans, invoice.paid_at)
    postings: list[Posting] = []
    if referrer is not None:
        referral = referral_accrual(invoice, plan, referrer, attributed_at, fx)
        if referral:
            postings.append(referral)
    postings.extend(integration_accruals(invoice, plan, integration_partners, usage, fx))
    return postings


def claw_back(
    *,
    refund_event_id: str,
    invoice_id: str,
    invoice_amount: Decimal,
    invoice_currency: str,
    refunded_before: Decimal,
    refund_amount: Decimal,
    accruals: Sequence[PriorAccrual],
) -> list[Posting]:
    """Clawbacks for one refund: for each accrual C, post −(round4(C × refunded_total / invoice) − already)."""
    if invoice_amount <= 0:
        return []
    refunded_total = refunded_before + refund_amount
    postings = []
    for accrual in accruals:
        target = round_ledger(multiply(accrual.amount, divide(refunded_total, invoice_amount)))
        amount = target - accrual.clawed_back
        if amount == 0:
            continue
        postings.append(
            Posting(
                partner_id=accrual.partner_id,
                kind="clawback",
                rule=accrual.rule,
                amount=-amount,
                currency=accrual.currency,
                rate=accrual.rate,
                base=refund_amount,
                explanation=(
                    f"Clawback of {accrual.rule} accrual {accrual.amount} {accrual.currency}: refund of "
                    f"{_money(refund_amount, invoice_currency)} on invoice {invoice_id} "
                    f"({_money(refunded_total, invoice_currency)} of {_money(invoice_amount, invoice_currency)} "
                    f"refunded in all) claws back {amount} {accrual.currency} (event {refund_event_id})"
                ),
                dedupe_key=f"clw:{accrual.partner_id}:{accrual.rule[:3]}:{refund_event_id}",
                reverses_key=accrual.dedupe_key,
            )
        )
    return postings
