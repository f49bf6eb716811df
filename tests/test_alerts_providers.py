"""`parceria alerts` lists what needs attention today from every app: agreements, lifecycle stages past
their maximum duration, late onboarding check-ins."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command

from parceria.partners.models import Partner
from tests.factories import SP, make_partner


@pytest.mark.django_db
def test_a_partner_past_its_stage_maximum_is_listed_and_one_within_it_is_not():
    late = make_partner(name="Parceira Atrasada")
    on_time = make_partner(name="Parceira Em Dia")
    today = datetime(2026, 6, 1, 12, tzinfo=SP)
    # identification & research lasts at most 4 weeks; a partner without a lifecycle row is there since it
    # was registered
    Partner.objects.filter(pk=late.pk).update(created_at=today - timedelta(weeks=10))
    Partner.objects.filter(pk=on_time.pk).update(created_at=today - timedelta(weeks=1))
    out = io.StringIO()
    call_command("alerts", "--today", "2026-06-01", stdout=out)
    text = out.getvalue()
    assert "lifecycle.overdue" in text and "Parceira Atrasada" in text
    assert "Parceira Em Dia" not in text
