"""Tier test helpers: building each metric through the real services, and assessing at a fixed moment."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from html import unescape
from typing import Any

import pytest
from django.utils import timezone

from parceria.customers.models import Customer
from parceria.enablement.models import Certification, Course, PartnerCertification
from parceria.partners.models import Partner
from parceria.tiers.assessment import AssessmentRun, tiers_assess
from tests.agreements.helpers import make_agreement
from tests.enablement.conftest import complete_course, load_programme, partner_user
from tests.factories import ACTOR, at, ingest, make_customer, paid

_seq = itertools.count(1)


def train(partner: Partner, when: datetime) -> None:
    """Some user of the partner completes every core course."""
    load_programme()
    user = partner_user(partner, f"user{next(_seq)}@p{partner.pk}")
    for code in Course.objects.filter(in_core_program=True).values_list("code", flat=True):
        complete_course(user, code, when)


def certify_advanced(partner: Partner, when: datetime) -> None:
    load_programme()
    PartnerCertification.objects.create(
        partner=partner,
        certification=Certification.objects.get(code="advanced-product"),
        issued_at=when,
        expires_at=when + timedelta(days=365),
        basis="requirements",
    )


def approve_plan(partner: Partner) -> None:
    from datetime import date

    from parceria.agreements.services import joint_business_plan_decide

    plan = make_agreement(partner, "joint_business_plan", start_date=date(2026, 1, 1))
    joint_business_plan_decide(agreement=plan, approve=True, actor=ACTOR)


def referrals(partner: Partner, count: int, when: str = "2026-02-10T10:00:00-03:00") -> list[Customer]:
    return [make_customer(partner, attributed_at=when) for _ in range(count)]


def monthly(customer: Customer, amount: str, *, paid_at: str = "2026-04-02T10:00:00-03:00",
            period: tuple[str, str] = ("2026-04-01", "2026-04-30")) -> None:
    result = ingest(paid(customer, amount, at=paid_at, period=period))
    assert result.accepted == 1, result


def csat(customer: Customer, score: int, when: str = "2026-04-05T10:00:00-03:00") -> None:
    event = {"id": f"evt_csat_{next(_seq)}", "type": "customer.csat", "occurred_at": when,
             "customer": customer.external_id, "score": score}
    assert ingest(event).accepted == 1


def make_certified(partner: Partner) -> None:
    """Training complete, one implementation (a paying customer) and 5 referrals in Q1 2026."""
    train(partner, at("2026-01-20 10:00"))
    customers = referrals(partner, 5)
    monthly(customers[0], "100.00")


@pytest.fixture
def assess(monkeypatch) -> Callable[..., AssessmentRun]:
    """Assess at a moment, with the clock set to it (tier changes take effect at the assessment)."""

    def run(when: datetime, **kwargs: Any) -> AssessmentRun:
        monkeypatch.setattr(timezone, "now", lambda: when)
        return tiers_assess(actor=ACTOR, now=when, **kwargs)

    return run


def text_of(html: str) -> str:
    """The text of an HTML fragment as a person reads it: tags removed, white space collapsed."""
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(unescape(text).split())


def part(html: str, element_id: str) -> str:
    """The text of the element with `element_id` (a section, a table row…), up to its closing tag."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"', html)
    assert match is not None, f"no element #{element_id}"
    end = html.index(f"</{match.group(1)}>", match.start())
    return text_of(html[match.start():end])


def row_text(html: str, attribute: str, value: str, nth: int = 0) -> str:
    """The text of the nth table row with data-`attribute`="`value`"."""
    rows = re.findall(rf'<tr[^>]*data-{attribute}="{value}"[^>]*>(.*?)</tr>', html, re.S)
    return text_of(rows[nth])
