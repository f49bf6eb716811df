"""Enablement in the console: access rules (anonymous, partner users, no second factor, analyst read-only),
confirming a demo, onboarding and check-ins, overdue list, and constant query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone

from parceria.accounts.services import user_create
from parceria.common.models import AuditRecord
from parceria.enablement import services
from parceria.enablement.models import CheckIn, DemoConfirmation, OnboardingPlan, PartnerCertification
from parceria.partners.models import Partner
from tests.enablement.conftest import close_pilot, complete_course, partner_user
from tests.factories import ACTOR, PASSWORD, at, make_partner, staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(partner) -> list[str]:
    _, resolver = get_resolver().namespace_dict["enablement_console"]
    return [reverse(f"enablement_console:{p.name}", kwargs={k: partner.pk for k in p.pattern.converters})
            for p in resolver.url_patterns]


def test_anonymous_partner_users_and_staff_without_second_factor_are_kept_out(urls, partner):
    assert len(urls) == 6
    partner_client = Client()
    partner_client.force_login(partner_user(partner, "p@alfa", "partner_admin"))
    no_factor = Client()
    no_factor.force_login(user_create(username="f@x", password=PASSWORD, role="finance", actor=ACTOR))
    for url in urls:
        for method in ("get", "post"):
            anonymous = getattr(Client(), method)(url)
            assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/"), url
            kept = getattr(partner_client, method)(url)
            assert kept.status_code == 302 and kept["Location"] == "/portal/", url
            factor = getattr(no_factor, method)(url)
            assert factor.status_code == 302 and factor["Location"] == "/login/two-factor/", url


def test_the_analyst_reads_every_page_but_every_post_is_refused(urls, partner):
    analyst = staff_client("ana", "analyst")
    audit_before = AuditRecord.objects.count()
    for url in urls:
        response = analyst.post(url, {"note": "x", "started_on": "2026-03-02", "held_on": "2026-03-09"})
        assert response.status_code == 403, url
    assert AuditRecord.objects.count() == audit_before
    assert not DemoConfirmation.objects.exists() and not OnboardingPlan.objects.exists()
    for url in urls:
        if url.endswith(("/demo/", "/onboarding/", "/check-ins/")):
            assert analyst.get(url).status_code == 405, url
        else:
            response = analyst.get(url)
            assert response.status_code == 200, url
            assert "<button type=\"submit\">" not in response.content.decode().split("<main")[1] or url.endswith(
                ("/enablement/", "/overdue/")), url


def test_finance_may_read_but_not_confirm_a_demo(partner):
    finance = staff_client("fin", "finance")
    assert finance.get(f"/console/enablement/partners/{partner.pk}/").status_code == 200
    assert finance.post(f"/console/enablement/partners/{partner.pk}/demo/", {"note": "x"}).status_code == 403
    assert not DemoConfirmation.objects.exists()


def test_a_manager_confirms_the_demo_which_issues_the_certificate(partner, member):
    manager = staff_client("pm", "partner_manager")
    close_pilot(partner)
    complete_course(member, "technical-integration", at("2026-03-01 10:00"))
    response = manager.post(f"/console/enablement/partners/{partner.pk}/demo/", {"note": "CRM sync shown"})
    assert response.status_code == 302
    assert DemoConfirmation.objects.get().note == "CRM sync shown"
    assert PartnerCertification.objects.get().certification.code == "technical-integration"
    again = manager.post(f"/console/enablement/partners/{partner.pk}/demo/", {"note": "again"})
    assert again.status_code == 422 and "already confirmed" in again.content.decode()
    page = manager.get("/console/enablement/").content.decode()
    assert "Technical integration certification" in page and "Alfa Consultoria" in page


def test_a_manager_starts_onboarding_logs_a_check_in_and_sees_overdue(partner):
    manager = staff_client("pm", "partner_manager")
    Partner.objects.filter(pk=partner.pk).update(manager=manager.user)  # type: ignore[attr-defined]
    today = timezone.localdate()
    start = date.fromordinal(today.toordinal() - 15)
    base = f"/console/enablement/partners/{partner.pk}"
    assert manager.post(f"{base}/onboarding/", {"started_on": start.isoformat()}).status_code == 302
    overdue = manager.get("/console/enablement/check-ins/overdue/").content.decode()
    assert overdue.count('class="mine"') == 2  # day 7 and day 14
    bad = manager.post(f"{base}/check-ins/", {"held_on": "not a date"})
    assert bad.status_code == 422 and not CheckIn.objects.exists()
    future = manager.post(f"{base}/check-ins/", {"held_on": date.fromordinal(today.toordinal() + 1).isoformat()})
    assert future.status_code == 422 and "before it happens" in future.content.decode()
    assert manager.post(f"{base}/check-ins/", {"held_on": today.isoformat(), "notes": "ok"}).status_code == 302
    assert CheckIn.objects.get().due_on == date.fromordinal(start.toordinal() + 7)
    overdue = manager.get("/console/enablement/check-ins/overdue/").content.decode()
    assert overdue.count('class="mine"') == 1
    assert manager.get(f"{base}/").status_code == 200


def test_list_pages_make_the_same_number_of_queries_with_3_or_30_partners(db):
    manager = staff_client("pm", "partner_manager")
    from tests.enablement.conftest import load_programme

    load_programme()

    def add(count: int, offset: int) -> None:
        for n in range(count):
            partner = make_partner(name=f"P{offset + n:03d}")
            user = partner_user(partner, f"u{offset + n}@p")
            close_pilot(partner)
            services.demo_confirm(partner=partner, confirmed_by=manager.user, actor=ACTOR,  # type: ignore[attr-defined]
                                  now=at("2026-03-01 10:00"))
            complete_course(user, "technical-integration", at("2026-03-02 10:00"))
            services.onboarding_start(partner=partner, started_on=date(2026, 1, 5), actor=ACTOR)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert manager.get(url).status_code == 200
        return len(ctx.captured_queries)

    pages = ["/console/enablement/", "/console/enablement/?sort=-status", "/console/enablement/check-ins/overdue/"]
    add(3, 0)
    small = [count(u) for u in pages]
    add(27, 3)
    assert [count(u) for u in pages] == small
