"""The demo's marketing funds: the quarter's budgets of the preferred and strategic partners, and one partner's
request for an event, approved, claimed with a receipt and reimbursed before a close, so its statement shows a
marketing fund reimbursement (through the mdf services)."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from pypdf import PdfWriter

from parceria.common.audit import Actor
from parceria.demo.clock import DemoClock
from parceria.demo.disputes import Cast
from parceria.demo.timeline import DemoCalendar
from parceria.mdf.services import (
    Upload,
    budget_available,
    budgets_create,
    claim_decide,
    claim_submit,
    request_create,
    request_decide,
)
from parceria.partners.models import Partner


def _receipt() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def mdf_story(cast: Cast, calendar: DemoCalendar, month: int, clock: DemoClock, actor: Actor) -> None:
    """Budgets for the month's quarter, and a request through to a reimbursement paid by this month's close."""
    day = calendar.day(month, 2)
    with clock.at(clock.moment(day, 7, 30)):
        run = budgets_create(quarter=day, actor=actor)
    budget = next((b for b in run.created if b.partner_id == cast.partner.pk), None) or (
        run.created[0] if run.created else None)
    if budget is None:
        return
    partner = Partner.objects.get(pk=budget.partner_id)
    speaker = cast if partner.pk == cast.partner.pk else Cast.of(partner.pk)
    amount = min(Decimal("3000.00"), budget_available(budget))
    with clock.at(clock.moment(day, 11, 0)) as now:
        request = request_create(
            partner=partner, actor=speaker.partner_actor, title="Café da manhã com clientes em Campinas",
            kind="event", planned_on=day + timedelta(days=8), amount=amount, today=now.date(),
            description="Café da manhã para 30 gestores de clínicas da região, com demonstração do produto.",
            expected_results="10 oportunidades registradas e 3 clientes novos no trimestre.",
        )
    with clock.at(clock.moment(day + timedelta(days=1), 15, 0)) as now:
        request = request_decide(request=request, approve=True, actor=speaker.staff, now=now)
    claimed = (amount * Decimal("0.85")).quantize(Decimal("0.01"))
    with clock.at(clock.moment(day + timedelta(days=10), 10, 0)) as now:
        request = claim_submit(request=request, amount=claimed, files=[Upload("nota-fiscal-buffet.pdf", _receipt())],
                               actor=speaker.partner_actor, today=now.date(), now=now)
    with clock.at(clock.moment(day + timedelta(days=12), 14, 0)) as now:
        claim_decide(request=request, approve=True, actor=speaker.staff, now=now)
