"""Recording the figures the platform cannot know (analytics.inputs.figure_record)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from parceria.analytics.inputs import figure_record
from parceria.analytics.models import ProgramFigure
from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.common.models import AuditRecord
from tests.factories import make_partner

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


def test_a_figure_is_created_updated_and_left_unchanged_by_key_month_and_partner():
    p = make_partner()
    first, outcome = figure_record(key="direct_cac", month=date(2026, 3, 17), value=Decimal("812.5"),
                                   currency="BRL", actor=ACTOR)
    assert outcome == "created" and first.month == date(2026, 3, 1) and first.value == Decimal("812.5000")
    assert figure_record(key="direct_cac", month=date(2026, 3, 1), value=Decimal("812.50"), currency="BRL",
                         actor=ACTOR)[1] == "unchanged"
    assert figure_record(key="direct_cac", month=date(2026, 3, 1), value=Decimal("900"), currency="BRL",
                         actor=ACTOR)[1] == "updated"
    assert figure_record(key="partner_satisfaction", month=date(2026, 3, 1), value=Decimal("4.5"), partner=p,
                         actor=ACTOR)[1] == "created"
    assert list(ProgramFigure.objects.values_list("key", "partner_id", "value")) == [
        ("direct_cac", None, Decimal("900.0000")), ("partner_satisfaction", p.pk, Decimal("4.5000"))]
    assert AuditRecord.objects.filter(action="program_figure.recorded").count() == 3


@pytest.mark.parametrize(("key", "value", "currency", "partner", "code", "field"), [
    ("nope", "1", "", False, "unknown_figure", "key"),
    ("direct_cac", "1", "", False, "invalid", "currency"),
    ("direct_cac", "-1", "BRL", False, "invalid", "value"),
    ("support_tickets", "1.5", "", True, "invalid", "value"),
    ("support_tickets", "2", "BRL", True, "invalid", "currency"),
    ("partner_satisfaction", "5.1", "", True, "invalid", "value"),
    ("partner_satisfaction", "4", "", False, "partner_required", "partner_id"),
    ("direct_cac", "1", "BRL", True, "invalid", "partner_id"),
])
def test_bad_figures_are_refused_and_nothing_is_stored(key, value, currency, partner, code, field):
    with pytest.raises(InvalidInput) as caught:
        figure_record(key=key, month=date(2026, 3, 1), value=Decimal(value), currency=currency, actor=ACTOR,
                      partner=make_partner() if partner else None)
    assert (caught.value.code, caught.value.details["field"]) == (code, field)
    assert ProgramFigure.objects.count() == 0 and AuditRecord.objects.filter(
        action="program_figure.recorded").count() == 0


def test_the_database_keeps_one_program_figure_per_key_and_month():
    ProgramFigure.objects.create(key="direct_cac", month=date(2026, 3, 1), value=1, currency="BRL")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramFigure.objects.create(key="direct_cac", month=date(2026, 3, 1), value=2, currency="BRL")
