"""Balance and ledger API (SPEC §6.5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from parceria.accounts.tenancy import Ability
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, Page, PageParams, PathId, choice, page_of
from parceria.commissions.models import LedgerKind, LedgerLine
from parceria.commissions.selectors import Balance, ledger_lines_for, partner_balances
from parceria.common.errors import InvalidInput
from parceria.common.money import ledger_str
from parceria.partners.selectors import scope_partners, scoped_partner

router = Router(tags=["ledger"])


class CurrencyBalanceOut(Schema):
    """The partner's balance in one currency and its parts: balance = accrued − clawed_back + adjusted − paid_out
    (4 decimal places, as the ledger stores them)."""

    currency: str = Field(description="ISO 4217 code of the lines summed here.")
    balance: str
    accrued: str
    clawed_back: str
    adjusted: str
    paid_out: str = Field(description="Payouts less payouts that failed and came back on the balance.")


class BalanceOut(Schema):
    """A partner's balances, one per currency: amounts in different currencies are never added together."""

    partner_id: int
    payout_currency: str = Field(description="The currency the partner is paid in now.")
    balances: list[CurrencyBalanceOut] = Field(
        description="One entry per currency: the payout currency first (zero when it has no lines yet), then "
        "every other currency the partner has ledger lines in (a partner whose payout currency changed), by code."
    )


class LedgerLineOut(Schema):
    id: int
    kind: str
    rule: str
    amount: str
    currency: str
    event_id: str | None
    invoice_id: str | None
    customer_id: int | None
    rate: str | None
    base: str | None
    share: str
    fx_rate: str | None
    fx_source: str
    plan: str | None
    reverses: str | None
    explanation: str
    occurred_at: datetime
    period: date
    created_at: datetime


class LedgerPage(Page):
    items: list[LedgerLineOut]


def _line(line: LedgerLine, plans: dict[int, str]) -> dict[str, object]:
    return {
        "id": line.pk,
        "kind": line.kind,
        "rule": line.rule,
        "amount": ledger_str(line.amount),
        "currency": line.currency,
        "event_id": line.event_id,
        "invoice_id": line.invoice_id,
        "customer_id": line.customer_id,
        "rate": None if line.rate is None else str(line.rate.normalize()),
        "base": None if line.base is None else ledger_str(line.base),
        "share": line.share,
        "fx_rate": None if line.fx_rate is None else str(line.fx_rate),
        "fx_source": line.fx_source,
        "plan": plans.get(line.plan_id) if line.plan_id else None,
        "reverses": line.reverses_id,
        "explanation": line.explanation,
        "occurred_at": line.occurred_at,
        "period": line.period,
        "created_at": line.created_at,
    }


def _balance(balance: Balance) -> dict[str, str]:
    return {
        "currency": balance.currency,
        "balance": ledger_str(balance.balance),
        "accrued": ledger_str(balance.accrued),
        "clawed_back": ledger_str(balance.clawed_back),
        "adjusted": ledger_str(balance.adjusted),
        "paid_out": ledger_str(balance.paid_out),
    }


@router.get(
    "/{int:partner_id}/balance", response={200: BalanceOut, **ERRORS}, summary="A partner's balances, per currency"
)
def get_balance(request: HttpRequest, partner_id: PathId) -> dict[str, object]:
    principal = principal_of(request)
    principal.require(Ability.READ)
    partner = scoped_partner(principal, partner_id)
    if partner is None:
        raise Http404("no such partner")
    return {
        "partner_id": partner.pk,
        "payout_currency": partner.currency,
        "balances": [_balance(b) for b in partner_balances(partner)],
    }


@router.get("/{int:partner_id}/ledger", response={200: LedgerPage, **ERRORS}, summary="A partner's ledger lines")
def get_ledger(
    request: HttpRequest, partner_id: PathId, page: Query[PageParams],
    kind: Annotated[str | None, choice([*LedgerKind.values, None])] = None,
) -> dict[str, object]:
    principal = principal_of(request)
    principal.require(Ability.READ)
    partner = get_object_or_404(scope_partners(principal), pk=partner_id)
    if kind is not None and kind not in LedgerKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(LedgerKind.values)}", details={"field": "kind"})
    lines = ledger_lines_for(partner, kind=kind)
    items = list(lines.select_related("plan")[page.offset : page.offset + page.limit])
    plans = {line.plan_id: f"{line.plan.name} v{line.plan.version}" for line in items if line.plan_id and line.plan}
    return page_of(lines, page, items=[_line(line, plans) for line in items])
