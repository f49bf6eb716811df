"""Every console URL refuses anonymous visitors, partner users and staff without a second factor; the analyst
reads but every POST of theirs is refused with 403 and changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse

from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.common.models import AuditRecord
from parceria.customers.models import EventBatch, EventSource
from parceria.disputes.adjustments import adjustment_request
from parceria.disputes.models import Dispute
from parceria.disputes.services import dispute_attachment_add, dispute_open
from parceria.payouts.bank_files import batch_export
from parceria.payouts.models import Payout
from parceria.payouts.services import batch_approve
from tests.console.conftest import close_march
from tests.factories import ACTOR, PASSWORD, credit, make_partner

MIN_ROUTES = 28


def console_routes() -> list[str]:
    _, resolver = get_resolver().namespace_dict["console"]
    return [pattern.name for pattern in resolver.url_patterns]


@pytest.fixture
def urls(db) -> list[str]:
    partner = make_partner()
    credit(partner, "500.00")
    batch = close_march()
    batch_approve(batch=batch, actor=Actor(label="other"))
    export = batch_export(batch=batch, kind="csv", actor=ACTOR).export
    dispute = dispute_open(partner=partner, subject="missing_attribution", actor=ACTOR,
                           data={"customer_name": "Loja X", "description": "Loja X veio por nós"})
    adjustment = adjustment_request(partner=partner, amount="5000.00", reason="bônus", actor=Actor(label="req"))
    events = EventBatch.objects.create(source=EventSource.API, submitted_by="tests", received=1, accepted=0,
                                       duplicates=0, rejected=[{"index": 0, "id": "e1", "error": "bad"}])
    attachment = dispute_attachment_add(dispute=dispute, filename="nota.pdf", actor=ACTOR, is_staff=False,
                                        content=SimpleUploadedFile("nota.pdf", b"%PDF-1.4 nota"))
    kwargs = {"attachment_id": attachment.pk, "partner_id": partner.pk, "batch_id": batch.pk,
              "export_id": export.pk, "payout_id": Payout.objects.get().pk, "dispute_id": dispute.pk,
              "adjustment_id": adjustment.pk,
              "event_batch_id": events.pk, "month": "2026-03", "year": 2026}
    result = []
    for name in console_routes():
        _, resolver = get_resolver().namespace_dict["console"]
        pattern = next(p for p in resolver.url_patterns if p.name == name)
        needed = {k: kwargs[k] for k in pattern.pattern.converters}
        result.append(reverse(f"console:{name}", kwargs=needed))
    return result


def test_enough_routes_are_swept(urls):
    assert len(urls) >= MIN_ROUTES


def test_anonymous_visitors_are_sent_to_sign_in(urls):
    client = Client()
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_partner_users_are_kept_out(urls):
    partner = make_partner()
    user = user_create(username="p@x", password=PASSWORD, role="partner_admin", partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 403), url
            if response.status_code == 302:
                assert response["Location"] == "/portal/", url


def test_staff_without_the_second_factor_are_sent_to_it(urls):
    user = user_create(username="f@x", password=PASSWORD, role="finance", actor=ACTOR)
    client = Client()
    client.force_login(user)
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302 and response["Location"] == "/login/two-factor/", url


def test_the_analyst_reads_but_every_post_is_refused(urls, analyst):
    audit_before = AuditRecord.objects.count()
    disputes_before = list(Dispute.objects.values_list("status", flat=True))
    for url in urls:
        response = analyst.post(url, {"confirmed": "1", "reason": "x", "text": "x", "kind": "cnab",
                                      "adjustment_amount": "1", "resolution": "x", "status": "paid"})
        assert response.status_code == 403, url
    assert AuditRecord.objects.count() == audit_before
    assert list(Dispute.objects.values_list("status", flat=True)) == disputes_before
    reading = [u for u in urls if not u.endswith(("/approve/", "/export/", "/return/", "/review/", "/comment/",
                                                  "/resolve/", "/reject/", "/mark/", "/new/",
                                                  "/attach/", "/import/"))
               and "/exports/" not in u]
    for url in reading:
        assert analyst.get(url).status_code in (200, 302), url
    batch_page = next(u for u in reading if "/batches/" in u)
    assert "<button" not in analyst.get(batch_page).content.decode().split("<main")[1]  # no action buttons
    dispute_page = next(u for u in reading if "/disputes/" in u and u != "/console/disputes/")
    assert "<button" not in analyst.get(dispute_page).content.decode().split("<main")[1]
