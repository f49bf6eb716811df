"""Each console form's bad input shows a clear message beside the field (.field-error with an .errorlist) and
changes nothing."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parceria.common.audit import Actor
from parceria.common.models import AuditRecord
from parceria.disputes.adjustments import adjustment_request
from parceria.disputes.models import Adjustment, Dispute
from parceria.disputes.services import DisputeClaim, dispute_open
from parceria.payouts.models import PayoutBatch, PayoutStatusChange
from tests.console.conftest import close_march
from tests.factories import ACTOR, credit, make_partner


def error_beside(html: str, field: str) -> str:
    """The error text in the .field-error wrapper that holds the input named `field`."""
    for block in re.findall(r'<div class="field field-error[^"]*">(.*?)</div>', html, re.S):
        if f'name="{field}"' in block:
            errors = re.search(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', block, re.S)
            assert errors, block
            return re.sub(r"<[^>]+>", "", errors.group(1)).strip()
    raise AssertionError(f"no error beside {field}")


@pytest.fixture
def partner(db):
    p = make_partner(name="Parceira")
    credit(p, "500.00")
    return p


@pytest.mark.parametrize(("month", "message"), [
    ("2026-13", "Write the month as YYYY-MM"),
    ("março", "Write the month as YYYY-MM"),
    ("2999-01", "has not ended yet"),
])
def test_a_bad_or_unended_month(finance, partner, month, message):
    response = finance.get("/console/close/", {"month": month})
    assert response.status_code == 422
    assert message in error_beside(response.content.decode(), "month")
    run = finance.post(f"/console/close/{month}/", {"confirmed": "1"})
    assert run.status_code == 422 and message in error_beside(run.content.decode(), "month")
    assert PayoutBatch.objects.count() == 0


def test_a_bad_return_file(finance, partner):
    batch = close_march()
    response = finance.post(f"/console/batches/{batch.pk}/return/",
                            {"file": SimpleUploadedFile("bad.ret", b"too short\r\n")})
    assert response.status_code == 422
    assert "bad.ret" in error_beside(response.content.decode(), "file")
    missing = finance.post(f"/console/batches/{batch.pk}/return/", {})
    assert "This field is required" in error_beside(missing.content.decode(), "file")
    assert PayoutStatusChange.objects.count() == 0


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"amount": "100.00", "reason": ""}, "reason", "This field is required"),
    ({"amount": "abc", "reason": "bônus"}, "amount", "amount"),
    ({"amount": "0", "reason": "bônus"}, "amount", "amount"),
    ({"amount": "1.23456", "reason": "bônus"}, "amount", "amount"),
])
def test_an_adjustment_without_reason_or_with_a_bad_amount(finance, partner, data, field, message):
    audit = AuditRecord.objects.count()
    response = finance.post("/console/adjustments/new/", {"partner": partner.pk, **data})
    assert response.status_code == 422
    assert message in error_beside(response.content.decode(), field)
    assert Adjustment.objects.count() == 0 and AuditRecord.objects.count() == audit


def test_rejecting_an_adjustment_needs_a_reason(finance, partner):
    adjustment = adjustment_request(partner=partner, amount="5000.00", reason="bônus", actor=Actor(label="other"))
    response = finance.post(f"/console/adjustments/{adjustment.pk}/reject/", {"reason": "  "})
    assert response.status_code == 422
    assert "This field is required" in error_beside(response.content.decode(), "reason")
    adjustment.refresh_from_db()
    assert adjustment.status == "pending_approval"


def test_the_requester_cannot_approve_their_own_adjustment(finance, partner):
    finance.post("/console/adjustments/new/", {"partner": partner.pk, "amount": "5000.00", "reason": "bônus"})
    adjustment = Adjustment.objects.get()
    response = finance.post(f"/console/adjustments/{adjustment.pk}/approve/", {"confirmed": "1"}, follow=True)
    assert "needs a second approver other than user:fin" in response.content.decode()
    adjustment.refresh_from_db()
    assert adjustment.status == "pending_approval"


@pytest.mark.parametrize(("url", "data", "field"), [
    ("reject", {"reason": ""}, "reason"),
    ("resolve", {"adjustment_amount": "x", "resolution": "ok"}, "adjustment_amount"),
    ("resolve", {"adjustment_amount": "10.00", "resolution": ""}, "resolution"),
    ("comment", {"text": ""}, "text"),
])
def test_answering_a_dispute_with_bad_input(manager, partner, url, data, field):
    dispute = dispute_open(partner=partner, subject="missing_attribution", actor=ACTOR,
                           claim=DisputeClaim(customer_name="Loja X", description="veio por nós"))
    audit = AuditRecord.objects.count()
    response = manager.post(f"/console/disputes/{dispute.pk}/{url}/", data)
    assert response.status_code == 422
    assert error_beside(response.content.decode(), field)
    assert Dispute.objects.get().status == "open" and AuditRecord.objects.count() == audit
    assert Adjustment.objects.count() == 0
