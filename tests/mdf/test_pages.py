"""The marketing fund pages through the Django test client: the partner's admin claims with a file; a partner never
reaches another partner's fund; staff decide."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from parceria.accounts.services import user_create
from parceria.mdf.models import FundRequest, ProofFile
from parceria.mdf.services import budgets_create, request_create, request_decide
from tests.factories import ACTOR, staff_client
from tests.mdf.conftest import pdf_bytes
from tests.mdf.test_flow import STAFF, eligible


def admin_client(partner, username: str = "alfa") -> Client:
    user = user_create(username=username, password="correct horse battery staple 7", role="partner_admin",
                       partner=partner, email=f"{username}@alfa.example", actor=ACTOR)
    client = Client()
    client.force_login(user)
    return client


def approved(partner) -> FundRequest:
    today = timezone.localdate()
    budgets_create(quarter=today, actor=ACTOR)
    fund = request_create(partner=partner, actor=ACTOR, title="Evento", kind="event", planned_on=today,
                          amount=D("1000.00"), description="d", expected_results="r", today=today)
    return request_decide(request=fund, approve=True, actor=STAFF)


@pytest.mark.django_db
def test_the_partner_claims_with_a_file_and_staff_approve_the_claim():
    partner = eligible()
    fund = approved(partner)
    client = admin_client(partner)
    answer = client.post(f"/portal/mdf/{fund.pk}/claim/", {
        "amount": "800.00", "proofs": [SimpleUploadedFile("nf.pdf", pdf_bytes(), content_type="application/pdf")]})
    assert answer.status_code == 302
    fund.refresh_from_db()
    assert (fund.status, fund.claimed_amount, ProofFile.objects.count()) == ("claimed", D("800.00"), 1)
    proof = ProofFile.objects.get()
    download = client.get(f"/portal/mdf/{fund.pk}/proofs/{proof.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    staff = staff_client("pm", "partner_manager")
    assert staff.post(f"/console/mdf/{fund.pk}/decide/", {"decision": "approve", "amount": "", "reason": ""}
                      ).status_code == 302
    fund.refresh_from_db()
    assert (fund.status, fund.reimbursement) == ("reimbursed", D("800.00"))
    assert staff.get("/console/mdf/?format=csv").status_code == 200


@pytest.mark.django_db
def test_another_partner_never_reaches_the_fund_and_an_over_claim_stores_nothing():
    partner = eligible()
    fund = approved(partner)
    other = admin_client(eligible(), "beta")
    assert other.get(f"/portal/mdf/{fund.pk}/").status_code == 404
    own = admin_client(partner)
    answer = own.post(f"/portal/mdf/{fund.pk}/claim/", {
        "amount": "1000.01", "proofs": [SimpleUploadedFile("nf.pdf", pdf_bytes())]})
    assert answer.status_code == 422
    assert ProofFile.objects.count() == 0
    assert FundRequest.objects.get().status == "approved"
    assert date.today()


@pytest.mark.django_db
def test_staff_see_the_quarters_budgets_and_change_one_with_a_reason_never_below_what_requests_take():
    from parceria.common.models import AuditRecord
    from parceria.mdf.models import Budget

    partner = eligible()
    fund = approved(partner)
    budget = Budget.objects.get(partner=partner)
    staff = staff_client("pm", "partner_manager")
    analyst = staff_client("an", "analyst")
    label = budget.quarter_label

    listing = staff.get(f"/console/mdf/budgets/?quarter={label}")
    below = staff.post(f"/console/mdf/budgets/{budget.pk}/", {"amount": "999.99", "reason": "corte"})
    no_reason = staff.post(f"/console/mdf/budgets/{budget.pk}/", {"amount": "7000.00", "reason": ""})
    refused = analyst.post(f"/console/mdf/budgets/{budget.pk}/", {"amount": "7000.00", "reason": "x"})
    budget.refresh_from_db()
    assert listing.status_code == 200
    assert [(b.pk, taken, left) for b, taken, left in listing.context["rows"]] == [
        (budget.pk, D("1000.00"), D("4000.00"))]
    assert (below.status_code, no_reason.status_code, refused.status_code) == (422, 422, 403)
    assert "Requests already take R$ 1.000,00 of this budget." in below.content.decode()
    assert (budget.amount, budget.override_reason) == (D("5000.00"), "")

    changed = staff.post(f"/console/mdf/budgets/{budget.pk}/", {"amount": "7000.00", "reason": "lançamento regional"})

    budget.refresh_from_db()
    assert changed.status_code == 302
    assert (budget.amount, budget.override_reason) == (D("7000.00"), "lançamento regional")
    assert AuditRecord.objects.filter(action="mdf.budget_overridden", object_id=str(budget.pk)).count() == 1
    assert fund.budget_id == budget.pk
