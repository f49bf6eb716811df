"""The demo's back office, month by month, through the real services at the time it would have happened.

After a month's events are in, finance closes it on the first business days of the next month
(`period_close`), approves the batch (a second approver when its total needs one), exports it (the CNAB 240
PIX remittance for the BRL payouts, the CSV for all), and imports the bank's return file a few days later:
the return is written from the remittance with the layout's own return writer (`write_return`), so the
payouts are marked paid or failed by `return_file_import`. About one BRL payout in thirty fails (the bank
rejects the transfer): its gross returns to the balance and the next close pays it again. Payouts in other
currencies go out by international transfer (the CSV) and are confirmed one by one (`payout_mark`).

Before any event, the FX rates the program needs are imported as a PTAX file (`fx_import_ptax`): each
currency against the real every business day, and USD→ARS (the Argentine minimum payout is set in USD).
Some months the platform also sends events the intake rejects (an unknown customer, a refund of an invoice
it never sent, a changed copy of an event), kept with their reasons in the intake's batch log.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from parceria.accounts.models import User
from parceria.commissions.intake import events_ingest
from parceria.common.audit import Actor
from parceria.common.fx import fx_import_ptax
from parceria.customers.models import EventSource
from parceria.demo.clock import DemoClock
from parceria.demo.timeline import DemoCalendar
from parceria.payouts.bank_files import CNAB_KINDS, CNAB_LAYOUTS, batch_export, batch_export_all, return_file_import
from parceria.payouts.close import period_close
from parceria.payouts.cnab.returns import write_return
from parceria.payouts.models import Payout, PayoutBatch, PayoutStatus
from parceria.payouts.services import batch_approve, payout_mark

#: Share of BRL transfers the bank rejects, and the codes it rejects them with (Itaú's return table).
FAILURE_RATE = 0.035
FAILURE_CODES = ("CD", "TI", "AN")

#: Rates in the window's first month (price of one unit in BRL; USD in ARS) and their monthly drift.
FX_START = {"USD": Decimal("5.4200"), "MXN": Decimal("0.2930"), "COP": Decimal("0.00136"),
            "CLP": Decimal("0.00575"), "ARS": Decimal("0.00460")}
FX_DRIFT = {"USD": 0.002, "MXN": 0.001, "COP": 0.0, "CLP": 0.0, "ARS": -0.022}
USD_ARS_START = Decimal("1180.00")
PTAX_CODES = {"USD": "220", "MXN": "741", "COP": "165", "CLP": "158", "ARS": "706"}


@dataclass
class HistorySummary:
    closes: int = 0
    payouts: int = 0
    paid: int = 0
    failed: int = 0
    return_files: int = 0
    transfer_files: int = 0
    rejected_events: int = 0
    fx_rates: int = 0
    tier_changes: int = 0
    agreements: int = 0
    lifecycle_moves: int = 0
    lessons: int = 0
    program_figures: int = 0
    deals_converted: int = 0
    directory_listings: int = 0
    applications: int = 0
    community: int = 0  # announcements, survey answers, tickets and meetings
    privacy_requests: int = 0
    close_warnings: list[str] = field(default_factory=list)


def business_day(day: date, nth: int) -> date:
    """The `nth` business day (Monday to Friday) from `day` on (nth=1: `day` itself if a weekday)."""
    found = 0
    while True:
        if day.weekday() < 5:
            found += 1
            if found == nth:
                return day
        day += timedelta(days=1)


# --- FX -------------------------------------------------------------------------------------------------------


def _rate_text(rate: Decimal) -> str:
    places = Decimal("0.0001") if rate >= 1 else Decimal("0.00000001")
    return format(rate.quantize(places, rounding=ROUND_HALF_EVEN), "f").replace(".", ",")


def fx_rates_import(calendar: DemoCalendar, until: date, rng: random.Random) -> int:
    """Import daily rates (business days) from a week before the window to `until`: each currency the demo
    uses against the real (a PTAX file, as the Banco Central publishes it) and USD→ARS. Returns rates stored."""
    first = calendar.first_day(0) - timedelta(days=10)
    levels = dict(FX_START)
    usd_ars = USD_ARS_START
    brl_lines: list[str] = []
    ars_lines: list[str] = []
    day = first
    while day <= until:
        if day.weekday() < 5:
            stamp = day.strftime("%d%m%Y")
            for symbol, level in levels.items():
                step = Decimal(str(1 + FX_DRIFT[symbol] / 21 + rng.gauss(0, 0.004)))
                levels[symbol] = level * step
                sell = levels[symbol]
                buy = sell * Decimal("0.9998")
                brl_lines.append(f"{stamp};{PTAX_CODES[symbol]};A;{symbol};{_rate_text(buy)};{_rate_text(sell)};1,0000;1,0000")
            usd_ars = usd_ars * Decimal(str(1 + 0.022 / 21 + rng.gauss(0, 0.002)))
            ars_lines.append(f"{stamp};220;A;USD;{_rate_text(usd_ars)};{_rate_text(usd_ars)};1,0000;1,0000")
        day += timedelta(days=1)
    stored = fx_import_ptax(text="\n".join(brl_lines)).rates_stored
    stored += fx_import_ptax(text="\n".join(ars_lines), quote="ARS", source="BCRA Com. A 3500").rates_stored
    return stored


# --- rejected events ------------------------------------------------------------------------------------------


def rejected_events_send(calendar: DemoCalendar, month: int, clock: DemoClock, known: dict[str, Any]) -> int:
    """A small batch of events the intake refuses, as a platform with a bug or a retry would send them. Returns
    how many were rejected."""
    label = calendar.compact(month)
    day = calendar.day(month, 12 + month % 9)
    at = f"{day.isoformat()}T11:{month % 60:02d}:00-03:00"
    items: list[dict[str, Any]] = [
        {"id": f"evt_demo_bad_{label}_1", "type": "invoice.paid", "occurred_at": at, "customer": f"cus_gone_{label}",
         "invoice_id": f"inv_gone_{label}", "amount": "199.00", "currency": "BRL",
         "period_start": calendar.first_day(month).isoformat(), "period_end": calendar.last_day(month).isoformat()},
        {"id": f"evt_demo_bad_{label}_2", "type": "invoice.refunded", "occurred_at": at,
         "customer": known["customer"], "invoice_id": f"inv_never_{label}", "amount": "50.00",
         "currency": known["currency"]},
    ]
    if month % 2 == 0:
        items.append({"id": f"evt_demo_bad_{label}_3", "type": "usage.recorded", "occurred_at": at,
                      "customer": known["customer"], "quantity": "-4"})
    with clock.at(clock.moment(day, 11, 30)):
        result = events_ingest(items=items, source=EventSource.API, submitted_by="platform")
    return len(result.rejected)


# --- closes and payments --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Office:
    """The staff who run the close: finance, and a second approver for large batches."""

    finance: Actor
    second: Actor

    @classmethod
    def of(cls, finance_username: str, second_username: str) -> Office:
        users = {u.username: u for u in User.objects.filter(username__in=(finance_username, second_username))}
        return cls(
            Actor(label=f"user:{finance_username}", user=users[finance_username]),
            Actor(label=f"user:{second_username}", user=users[second_username]),
        )


def month_close_and_pay(
    calendar: DemoCalendar, month: int, clock: DemoClock, office: Office, rng: random.Random, summary: HistorySummary
) -> None:
    """Close `month`, approve, export and pay its batch, as finance would in the first days of the next month."""
    period = calendar.first_day(month)
    after = calendar.last_day(month) + timedelta(days=1)
    close_day, export_day, return_day = (business_day(after, n) for n in (1, 2, 4))
    with clock.at(clock.moment(close_day, 9, 10 + month % 40)) as now:
        plan = period_close(month=period, actor=office.finance, now=now)
    summary.closes += 1
    summary.close_warnings.extend(plan.warnings)
    batch = PayoutBatch.objects.get(period=period)
    payouts = list(Payout.objects.filter(batch=batch).order_by("pk"))
    summary.payouts += len(payouts)
    if not payouts:
        return
    with clock.at(clock.moment(close_day, 15, 20)):
        state = batch_approve(batch=batch, actor=office.finance)
    if not state.approved:
        with clock.at(clock.moment(close_day, 17, 45)):
            batch_approve(batch=batch, actor=office.second)
    pix = [p for p in payouts if p.method == "pix"]
    with clock.at(clock.moment(export_day, 10, 5)) as now:
        files = batch_export_all(batch=batch, actor=office.finance, now=now)  # one per payout method and currency
        summary.transfer_files += len(files)
        batch_export(batch=batch, kind="csv", actor=office.finance, now=now)
    last = month == calendar.months - 1
    sent: set[int] = set()
    for remittance in (r.export for r in files if r.export.kind in CNAB_KINDS):  # PIX and TED: the bank answers
        answers: dict[str, str] = {}
        if remittance.kind == "cnab":
            answers = {str(p.pk): rng.choice(FAILURE_CODES) for p in pix if not last and rng.random() < FAILURE_RATE}
            if not last and month % 5 == 2:  # and every few months at least one, so even a small demo has one
                answers.setdefault(str(rng.choice(pix).pk), rng.choice(FAILURE_CODES))
        layout = CNAB_LAYOUTS[remittance.kind]
        text = write_return(remittance.content, answers, paid_on=export_day, layout=layout)
        filename = f"RET{remittance.file_sequence:06d}.ret"
        with clock.at(clock.moment(return_day, 8, 40)):
            report = return_file_import(text=text, filename=filename, actor=office.finance)
        summary.return_files += 1
        summary.paid += len(report.paid)
        summary.failed += len(report.failed)
        sent.update(remittance.payout_ids)
    by_transfer = [p for p in payouts if p.pk not in sent]  # SPEI, CBU, …: confirmed from the bank statement
    with clock.at(clock.moment(return_day, 11, 15)):
        for payout in by_transfer:
            payout_mark(payout=payout, status=PayoutStatus.PAID, source=f"transfer confirmation:{batch.period:%Y-%m}",
                        reference=f"{payout.method} {payout.currency} {payout.pk}", actor=office.finance)
            summary.paid += 1
