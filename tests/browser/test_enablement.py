"""A partner user completes a course in the portal, in a real browser: module by module (htmx swaps the list
in place), and the certificate appears once the demo and the pilot customer were already there."""

from __future__ import annotations

import re

import pytest

from parceria.enablement import services
from parceria.enablement.models import Enrolment, PartnerCertification
from tests.browser.conftest import sign_in
from tests.enablement.conftest import PASSWORD, close_pilot, load_programme, partner_user
from tests.factories import ACTOR, make_partner, staff_client

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def member(transactional_db):
    load_programme()
    partner = make_partner(name="Alfa Consultoria")
    close_pilot(partner)
    services.demo_confirm(partner=partner, confirmed_by=staff_client("pm", "partner_manager").user,  # type: ignore[attr-defined]
                          actor=ACTOR)
    return partner_user(partner, "ana@alfa", "partner_admin")


def test_a_partner_user_completes_a_course_and_gets_the_certification(page, screenshot, member):
    sign_in(page, member.username, PASSWORD)
    page.wait_for_url("**/portal/")
    page.goto("/portal/training/")
    main = page.locator("main")
    row = main.locator("tr[data-course='technical-integration']")
    assert "0" in row.locator(".progress-text").inner_text()
    screenshot(page, "portal-training")
    row.get_by_role("button").click()
    page.wait_for_url(re.compile(r".*/portal/training/enrolments/\d+/$"))
    buttons = main.locator("#modules li form button")
    assert buttons.count() == 4
    for done in range(1, 5):
        main.locator("#modules li form button").first.click()
        page.wait_for_selector(f"#course-percent >> text={done * 25}%")
        if done == 2:
            screenshot(page, "portal-course-half")
    page.wait_for_selector("#course-complete")
    assert main.locator("#modules li form").count() == 0
    screenshot(page, "portal-course-complete")
    assert Enrolment.objects.get(user=member).completed_at is not None
    cert = PartnerCertification.objects.get(partner=member.partner)
    assert cert.certification.code == "technical-integration"
    main.locator("#course-complete a").click()
    page.wait_for_url("**/portal/training/**")
    card = main.locator("[data-certification='technical-integration']")
    card.locator(f"a[href='/portal/training/certificates/{cert.pk}/']").click()
    page.wait_for_url(f"**/portal/training/certificates/{cert.pk}/")
    assert "Alfa Consultoria" in main.inner_text()
    screenshot(page, "portal-certificate")
