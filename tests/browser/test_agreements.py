"""Agreements in a real browser: a partner manager creates a channel partner agreement, sees its computed renewal
and notice-deadline dates, and attaches the signed PDF. Screenshots go to var/screenshots/."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import user_create
from parceria.agreements.models import Agreement, AgreementDocument
from parceria.agreements.selectors import agreement_dates
from tests.browser.conftest import sign_in
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery staple 7"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_partner_manager_creates_an_agreement_sees_its_dates_and_attaches_a_document(page, screenshot):
    partner = make_partner(name="Agência Horizonte")
    user = user_create(username="pm", password=PASSWORD, role="partner_manager", email="pm@example.com", actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    sign_in(page, "pm", PASSWORD, totp_key_hex=key)
    page.wait_for_url("**/console/")

    page.goto("/console/agreements/new/")
    page.select_option("#id_partner", str(partner.pk))
    page.select_option("#id_type", "channel_partner")
    page.fill("#id_start_date", "2024-02-29")
    page.fill("#id_signed_on", "2024-02-20")
    screenshot(page, "agreement-new")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url("**/console/agreements/*/")

    agreement = Agreement.objects.get()
    assert (
        agreement.partner_id,
        agreement.start_date,
        agreement.initial_term_months,
        agreement.auto_renewal,
        agreement.renewal_term_months,
        agreement.notice_days,
    ) == (partner.pk, date(2024, 2, 29), 24, True, 12, 90)
    # 24 months from a leap day end on 1 March 2026 (no 29 February), then every 12 months; 90 days' notice
    dates = agreement_dates(agreement, timezone.localdate())
    assert dates.renewal is not None and dates.notice_deadline is not None
    assert dates.renewal.day == 1 and dates.renewal.month == 3 and dates.renewal >= date(2026, 3, 1)
    assert dates.notice_deadline == dates.renewal - timedelta(days=90)
    facts = page.locator("dl.facts").inner_text()
    assert f"{dates.renewal:%d/%m/%Y}" in facts  # the Brazilian short date format
    assert f"{dates.notice_deadline:%d/%m/%Y}" in facts
    assert f"{dates.renewal:%d/%m/%Y}" in page.locator("dd").nth(7).inner_text()  # Renews
    assert page.locator("dd").nth(8).inner_text() == f"{dates.notice_deadline:%d/%m/%Y}"  # Notice deadline

    upload = page.locator("form[enctype='multipart/form-data']")
    upload.locator("input[type=file]").set_input_files(
        files=[{"name": "contrato-assinado.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    upload.locator("button[type=submit]").click()
    link = page.locator("main a", has_text="contrato-assinado.pdf")
    link.wait_for()
    screenshot(page, "agreement-detail")
    document = AgreementDocument.objects.get(agreement=agreement)
    assert (document.name, document.size, document.uploaded_by) == ("contrato-assinado.pdf", len(PDF), "user:pm")
    assert Path(document.file.path).read_bytes() == PDF
