"""Withholding rules are data that staff can version without a code change (SPEC §7.2)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from parceria.common.audit import Actor
from parceria.payouts.admin import WithholdingRuleForm
from parceria.payouts.close import period_close
from parceria.payouts.models import WithholdingRule
from tests.factories import SP, credit, make_partner


def form(**overrides):
    data = {"code": "8045", "name": "IRRF PJ", "country": "BR", "tax_regime": "pj", "kind": "flat",
            "params": '{"rate": "0.02"}', "effective_from": "2026-07-01", "effective_to": "",
            "minimum_to_withhold": "10.00", "legal_basis": "test"}
    data.update(overrides)
    return WithholdingRuleForm(data=data)


@pytest.mark.django_db
def test_a_new_version_needs_the_old_one_ended_first_then_applies_from_its_date():
    clash = form()
    assert not clash.is_valid()
    assert "overlaps the version from 2018-11-23" in str(clash.errors["effective_from"])
    current = WithholdingRule.objects.get(code="8045", effective_to__isnull=True)
    current.effective_to = date(2026, 7, 1)
    current.save()
    new = form()
    assert new.is_valid(), new.errors
    new.save()
    partner = make_partner()
    credit(partner, "1000.00", at="2026-07-10T12:00:00-03:00")
    plan = period_close(month=date(2026, 7, 1), actor=Actor.system("tests"), now=datetime(2026, 8, 3, tzinfo=SP))
    assert [(t.code, t.amount) for t in plan.payouts[0].withholdings] == [("8045", D("20.00"))]


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"params": '{"rat": "0.015"}'}, "params", "needs"),
    ({"params": '{"rate": "0.015", "minimum_tax": "10.00"}'}, "params", "minimum to withhold"),
    ({"minimum_to_withhold": "-1"}, "minimum_to_withhold", "negative"),
    ({"kind": "capped", "params": '{"rate": "0.11"}'}, "params", "ceiling"),
    ({"kind": "capped", "params": '{"rate": "0.11", "ceiling": "8475.55", "employer": {"rate": "0.2"}}'},
     "params", "employer"),
    ({"kind": "progressive", "params": '{"brackets": [{"up_to": null, "rate": "0.1", "deduction": "0"}], '
                                       '"deductions": {"withheld": "inss"}}'}, "params", "list of tax codes"),
    ({"kind": "progressive", "params": '{"brackets": [{"up_to": null, "rate": "0.1", "deduction": "0"}], '
                                       '"deductions": {"withheld": ["9999"]}}'}, "params", "its own tax"),
    ({"params": '{"rate": "1.5"}'}, "params", "between"),
    ({"params": '{"rate": "abc"}'}, "params", "decimal string"),
    ({"params": '{"rate": 0.015}'}, "params", "decimal string"),
    ({"kind": "progressive", "params": '{"brackets": [{"up_to": "100", "rate": "0", "deduction": "0"}]}'},
     "params", "open-ended"),
    ({"kind": "progressive",
      "params": '{"brackets": [{"up_to": null, "rate": "0", "deduction": "0"}, '
                '{"up_to": null, "rate": "0.1", "deduction": "0"}]}'},
     "params", "only the last"),
    ({"code": "9999", "effective_from": "2026-07-01", "effective_to": "2026-06-01"}, "effective_to", "end after"),
])
def test_malformed_rules_are_refused_beside_the_field(overrides, field, message):
    bad = form(code=overrides.pop("code", "9999"), **overrides)
    assert not bad.is_valid()
    assert message in str(bad.errors[field])
    assert not WithholdingRule.objects.filter(code="9999").exists()
