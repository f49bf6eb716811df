"""Training in the portal: completing modules (htmx or not), the tenancy sweep of every "enablement_portal"
URL as another partner's user, and constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from parceria.enablement import services
from parceria.enablement.models import Enrolment, Module, PartnerCertification
from tests.enablement.conftest import close_pilot, complete_course, partner_user
from tests.factories import ACTOR, at, make_partner, staff_client

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_partner_user_completes_a_course_module_by_module(partner, member):
    close_pilot(partner)
    services.demo_confirm(partner=partner, confirmed_by=staff_client("pm", "partner_manager").user,  # type: ignore[attr-defined]
                          actor=ACTOR)
    client = client_for(member)
    index = client.get("/portal/training/")
    assert index.status_code == 200 and "Technical integration certification" in index.content.decode()
    response = client.post("/portal/training/courses/technical-integration/start/")
    enrolment = Enrolment.objects.get(user=member)
    assert response.status_code == 302 and response["Location"] == f"/portal/training/enrolments/{enrolment.pk}/"
    modules = list(Module.objects.filter(course__code="technical-integration"))
    for module in modules[:-1]:
        url = reverse("enablement_portal:module_complete", args=[enrolment.pk, module.pk])
        partial = client.post(url, HTTP_HX_REQUEST="true")
        assert partial.status_code == 200 and partial.content.decode().lstrip().startswith('<section id="modules"')
    assert not PartnerCertification.objects.exists()
    last = client.post(reverse("enablement_portal:module_complete", args=[enrolment.pk, modules[-1].pk]))
    assert last.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    cert = PartnerCertification.objects.get(partner=partner)
    page = client.get("/portal/training/").content.decode()
    assert f"/portal/training/certificates/{cert.pk}/" in page
    assert client.get(f"/portal/training/certificates/{cert.pk}/").status_code == 200


def test_a_module_of_another_course_is_a_404(partner, member):
    client = client_for(member)
    client.post("/portal/training/courses/sales-playbooks/start/")
    enrolment = Enrolment.objects.get()
    foreign = Module.objects.filter(course__code="product-deep-dive").first()
    assert client.post(reverse("enablement_portal:module_complete", args=[enrolment.pk, foreign.pk])).status_code == 404
    assert not enrolment.completions.exists()


@pytest.fixture
def a_world(partner, member):
    """Partner A with an enrolment, a module done and a certificate: every id an A URL may carry."""
    close_pilot(partner)
    services.demo_confirm(partner=partner, confirmed_by=staff_client("pm", "partner_manager").user,  # type: ignore[attr-defined]
                          actor=ACTOR, now=at("2026-03-01 10:00"))
    complete_course(member, "technical-integration", at("2026-03-02 10:00"))
    services.enrolment_restart(user=member, course_id=Module.objects.get(course__code="recertification").course_id,
                               actor=ACTOR)
    enrolment = Enrolment.objects.get(user=member, completed_at__isnull=True)
    module = Module.objects.get(course__code="recertification")
    cert = PartnerCertification.objects.get()
    return {"enrolment_id": enrolment.pk, "module_id": module.pk, "certificate_id": cert.pk,
            "code": "recertification"}


def portal_urls(ids: dict) -> list[tuple[str, str]]:
    _, resolver = get_resolver().namespace_dict["enablement_portal"]
    result = []
    for pattern in resolver.url_patterns:
        kwargs = {k: ids[k] for k in pattern.pattern.converters}
        result.append((pattern.name, reverse(f"enablement_portal:{pattern.name}", kwargs=kwargs)))
    return result


def test_another_partners_user_gets_404_on_every_page_that_names_a_record(a_world, member):
    urls = portal_urls(a_world)
    assert len(urls) == 5
    intruder = client_for(partner_user(make_partner(name="Bravo Digital"), "eve@bravo", "partner_admin"))
    colleague = client_for(partner_user(member.partner, "colleague@alfa"))
    for name, url in urls:
        if name in ("index", "course_start"):
            continue  # no record of A in the URL: checked below
        for client in (intruder, colleague):  # an enrolment is its user's own; a certificate its partner's
            for method in (client.get, client.post):
                response = method(url)
                if name == "certificate" and client is colleague:
                    assert response.status_code in (200, 405), url
                else:
                    assert response.status_code in (404, 405), (name, url, response.status_code)
    assert Enrolment.objects.filter(user=member, completed_at__isnull=True).get().completions.count() == 0
    # pages without an id show B its own (empty) training, nothing of A
    index = intruder.get("/portal/training/").content.decode()
    assert "ana@alfa" not in index and "Alfa Consultoria" not in index and "/certificates/" not in index
    started = intruder.post(reverse("enablement_portal:course_start", args=["recertification"]))
    assert started.status_code == 302
    assert Enrolment.objects.filter(user__username="eve@bravo").count() == 1
    assert Enrolment.objects.filter(user=member).count() == 2  # A's untouched


def test_staff_and_anonymous_are_kept_out_of_the_portal(a_world):
    for _name, url in portal_urls(a_world):
        anonymous = Client().get(url)
        assert anonymous.status_code in (302, 405), url
        if anonymous.status_code == 302:
            assert anonymous["Location"].startswith("/login/")


def test_the_training_page_makes_the_same_number_of_queries_with_more_progress(partner, member):
    client = client_for(member)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/portal/training/").status_code == 200
        return len(ctx.captured_queries)

    services.enrolment_restart(user=member, course_id=Module.objects.get(course__code="recertification").course_id,
                               actor=ACTOR)
    first = count()
    complete_course(member, "technical-integration", at("2026-03-02 10:00"))
    complete_course(member, "sales-playbooks", at("2026-03-02 11:00"))
    complete_course(partner_user(partner, "x@alfa"), "product-deep-dive", at("2026-03-02 12:00"))
    assert count() == first
