"""The demo's disputes: partners question a payout, a clawback or a customer missing from their list, and staff
answer through the dispute services, so the history holds a dispute in every state (withdrawn, rejected,
resolved with an adjustment that the next close pays, in review, and one just opened).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from parceria.accounts.models import User
from parceria.commissions.models import LedgerLine
from parceria.common.audit import Actor
from parceria.demo.clock import DemoClock
from parceria.demo.logins import BRAZIL_MANAGER
from parceria.demo.timeline import DemoCalendar
from parceria.disputes.models import Dispute, DisputeSubject
from parceria.disputes.services import (
    DisputeClaim,
    dispute_comment_add,
    dispute_open,
    dispute_reject,
    dispute_resolve,
    dispute_review,
    dispute_withdraw,
)
from parceria.partners.models import Partner
from parceria.payouts.models import Payout


@dataclass(frozen=True)
class Cast:
    """Who speaks: the partner (its admin user when it has one) and its partner manager."""

    partner: Partner
    partner_actor: Actor
    staff: Actor

    @classmethod
    def of(cls, partner_id: int) -> Cast:
        partner = Partner.objects.get(pk=partner_id)
        user = User.objects.filter(partner=partner).order_by("pk").first()
        manager = partner.manager or User.objects.get(username=BRAZIL_MANAGER)
        label = f"user:{user.username}" if user else f"partner:{partner.pk}"
        return cls(partner, Actor(label=label, user=user), Actor(label=f"user:{manager.username}", user=manager))


def _latest_payout(partner: Partner) -> Payout | None:
    return Payout.objects.filter(partner=partner).order_by("-batch__period").first()


def _open(cast: Cast, clock: DemoClock, moment_day: date, claim: DisputeClaim, subject: str) -> Dispute:
    with clock.at(clock.moment(moment_day, 10, 20)) as now:
        return dispute_open(partner=cast.partner, subject=subject, claim=claim, actor=cast.partner_actor, now=now)


def _payout_or_customer(cast: Cast, text: str, missing: str) -> tuple[str, DisputeClaim]:
    payout = _latest_payout(cast.partner)
    if payout is not None:
        return DisputeSubject.PAYOUT, DisputeClaim(description=text, payout_id=payout.pk)
    return DisputeSubject.MISSING_ATTRIBUTION, DisputeClaim(description=missing, customer_name="Clínica Bem Viver")


def withdrawn(cast: Cast, calendar: DemoCalendar, month: int, clock: DemoClock) -> None:
    day = calendar.day(month, 6)
    subject, claim = _payout_or_customer(
        cast, "O valor do pagamento veio menor do que o extrato mostrava.", "Falta o cliente Clínica Bem Viver."
    )
    dispute = _open(cast, clock, day, claim, subject)
    with clock.at(clock.moment(day + timedelta(days=1), 9, 5)) as now:
        dispute_withdraw(dispute=dispute, actor=cast.partner_actor, now=now,
                         reason="Conferimos: a diferença é o IRRF retido. Tudo certo.")


def rejected(cast: Cast, calendar: DemoCalendar, month: int, clock: DemoClock) -> None:
    day = calendar.day(month, 9)
    claim = DisputeClaim(description="Indicamos a Padaria Santa Clara em março, mas ela não aparece na nossa lista.",
                         customer_name="Padaria Santa Clara")
    dispute = _open(cast, clock, day, claim, DisputeSubject.MISSING_ATTRIBUTION)
    with clock.at(clock.moment(day + timedelta(days=1), 14, 0)) as now:
        dispute_review(dispute=dispute, actor=cast.staff, now=now)
    with clock.at(clock.moment(day + timedelta(days=3), 11, 30)) as now:
        dispute_reject(dispute=dispute, actor=cast.staff, now=now,
                       reason="O cliente se cadastrou direto no site duas semanas antes do registro da indicação.")


def resolved(cast: Cast, calendar: DemoCalendar, month: int, clock: DemoClock) -> None:
    day = calendar.day(month, 11)
    line = LedgerLine.objects.filter(partner=cast.partner, kind="clawback").order_by("-pk").first()
    if line is None:
        line = LedgerLine.objects.filter(partner=cast.partner, kind="accrual").order_by("-pk").first()
    if line is None:
        return
    claim = DisputeClaim(description="Este estorno foi de um cliente que voltou no mesmo mês; a comissão deveria "
                                     "continuar valendo.", ledger_line_id=line.pk)
    dispute = _open(cast, clock, day, claim, DisputeSubject.LEDGER_LINE)
    with clock.at(clock.moment(day + timedelta(days=1), 10, 0)) as now:
        dispute_comment_add(dispute=dispute, text="Vamos verificar com o faturamento.", actor=cast.staff,
                            is_staff=True, now=now)
    amount = min(abs(line.amount), Decimal("180.00")).quantize(Decimal("0.01"))
    with clock.at(clock.moment(day + timedelta(days=2), 16, 10)) as now:
        dispute_resolve(dispute=dispute, adjustment_amount=amount, actor=cast.staff, now=now,
                        resolution="Confirmado: o cliente reativou a assinatura. Ajuste lançado no saldo.")


def in_review(cast: Cast, calendar: DemoCalendar, month: int, clock: DemoClock) -> None:
    day = calendar.day(month, 20)
    subject, claim = _payout_or_customer(
        cast, "O PIX deste pagamento ainda não caiu na nossa conta.", "Falta o cliente Clínica Bem Viver."
    )
    dispute = _open(cast, clock, day, claim, subject)
    with clock.at(clock.moment(day + timedelta(days=1), 9, 40)) as now:
        dispute_review(dispute=dispute, actor=cast.staff, now=now)


def just_opened(cast: Cast, clock: DemoClock) -> None:
    day = (clock.now - timedelta(days=1)).date()
    claim = DisputeClaim(description="O Restaurante Sabor da Serra assinou pelo nosso link, mas não está na lista.",
                         customer_name="Restaurante Sabor da Serra")
    _open(cast, clock, day, claim, DisputeSubject.MISSING_ATTRIBUTION)


Step = Callable[[Cast, DemoCalendar, int, DemoClock], None]


def disputes_schedule(months: int) -> dict[int, list[Step]]:
    """Which dispute stories happen in which window month (before that month's close)."""
    schedule: dict[int, list[Step]] = {}
    for month, step in ((months // 4, withdrawn), (months // 2, rejected), ((3 * months) // 4, resolved),
                        (months - 1, in_review)):
        schedule.setdefault(month, []).append(step)
    return schedule
