"""Tenancy sweep (SPEC §16, DESIGN rule 6): a user of partner A requests every portal URL, whatever app its page
lives in, filled with partner B's ids and gets 404 (or 403), with none of B's names or ids in the body; A's exports
and downloads hold no B data. The URLs come from the resolver: a new portal page is swept by construction (a new kind
of id in an address needs a value in `values` below)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from parceria.accounts.models import Invitation, User
from parceria.agreements.models import Agreement
from parceria.agreements.services import document_attach
from parceria.community.services import announcement_create, ticket_open
from parceria.deals.models import DealRegistration
from parceria.deals.services import DealFields, deal_register
from parceria.disputes.models import Dispute, DisputeAttachment, DisputeComment
from parceria.disputes.services import dispute_attachment_add
from parceria.enablement import services as enablement
from parceria.enablement.models import Enrolment, Module, PartnerCertification
from parceria.leads.services import lead_create, lead_offer
from parceria.mapping.services import mapping_create
from parceria.marketing.services import asset_create
from parceria.partners.invitations import user_invite
from parceria.webhooks.services import endpoint_create
from tests.agreements.helpers import make_agreement
from tests.enablement.conftest import close_pilot, complete_course, partner_user
from tests.factories import at, staff_client
from tests.marketing.conftest import png_bytes
from tests.mdf.conftest import claimed_fund
from tests.portal.conftest import ACTOR, client_for
from tests.sweep import missing_values, routes_under

ID_PARAMS = {"line_id", "dispute_id", "user_id", "attachment_id", "invitation_id", "agreement_id", "document_id",
             "enrolment_id", "module_id", "certificate_id", "mapping_id", "endpoint_id", "asset_id",
             "ticket_id", "announcement_id", "request_id", "proof_id"}
MIN_ROUTES = 29  # the portal's own, commissions, customers, payouts, partners, disputes, agreements, enablement


def b_values(b: Any) -> dict[str, Any]:
    """An id of B's for every kind of id a portal address takes (formats: both)."""
    return {"line_id": b.line.pk, "dispute_id": b.dispute.pk, "user_id": b.member.pk, "year": 2026, "month": 3,
            "attachment_id": b.attachment.pk, "invitation_id": b.invitation.pk, "fmt": ["pdf", "csv"],
            "agreement_id": b.agreement.pk, "document_id": b.document.pk, "enrolment_id": b.enrolment.pk,
            "module_id": b.module.pk, "certificate_id": b.certificate.pk, "code": "recertification",
            "registration_id": b.registration.pk, "lead_id": b.lead.pk, "mapping_id": b.mapping.pk,
            "endpoint_id": b.endpoint.pk, "action": ["ping", "delete"], "asset_id": b.asset.pk,
            "ticket_id": b.ticket.pk, "announcement_id": b.announcement.pk, "request_id": b.fund[0],
            "proof_id": b.fund[1]}


def give_b_everything(b: Any) -> None:
    """B's records that only some pages show: an attachment, an invitation, an agreement with its document, a
    training enrolment and a certificate."""
    b.attachment = dispute_attachment_add(dispute=b.dispute, filename="bravo-secret.pdf", actor=ACTOR, is_staff=False,
                                          content=SimpleUploadedFile("bravo-secret.pdf", b"%PDF-1.4 bravo secret"))
    b.invitation = user_invite(inviter=b.admin, email="convidada@bravo.example", base_url="http://testserver",
                               actor=ACTOR)
    b.agreement = make_agreement(b.partner, start_date=date(2025, 1, 1), title="Acordo secreto Bravo")
    b.endpoint = endpoint_create(partner=b.partner, url="https://93.184.216.34/bravo-secret", actor=ACTOR,
                                 event_types=["payout.paid"])[0]
    b.document = document_attach(agreement=b.agreement, actor=ACTOR,
                                 upload=SimpleUploadedFile("bravo-contrato.pdf", b"%PDF-1.4\n%%EOF\n"))
    close_pilot(b.partner)
    b.fund = claimed_fund(b.partner)
    enablement.demo_confirm(partner=b.partner, confirmed_by=staff_client("pm", "partner_manager").user,  # type: ignore[attr-defined]
                            actor=ACTOR, now=at("2026-03-01 10:00"))
    learner = partner_user(b.partner, "aluna@bravo.example")
    complete_course(learner, "technical-integration", at("2026-03-02 10:00"))
    b.certificate = PartnerCertification.objects.get(partner=b.partner)
    b.module = Module.objects.filter(course__code="recertification").order_by("position").first()
    enablement.enrolment_restart(user=learner, course_id=b.module.course_id, actor=ACTOR)
    b.enrolment = Enrolment.objects.get(user=learner, completed_at__isnull=True)
    b.registration = deal_register(partner=b.partner, actor=ACTOR, fields=DealFields(
        company_name="Prospect Secreto Bravo", country="BR", domain="prospect-bravo.com.br", contact_name="Bravo",
        contact_email="c@prospect-bravo.com.br", estimated_value="1000", currency="BRL"))
    b.lead = lead_create(actor=ACTOR, fields=DealFields(
        company_name="Lead Secreto Bravo", country="BR", domain="lead-bravo.com.br", contact_name="Bravo",
        contact_email="c@lead-bravo.com.br", estimated_value="1000", currency="BRL"))[0]
    lead_offer(lead=b.lead, partner=b.partner, actor=ACTOR)
    b.secrets += ["Lead Secreto Bravo", "lead-bravo.com.br"]
    b.mapping = mapping_create(partner=b.partner, actor=ACTOR,
                               data=b"domain,segment\nprospect-bravo.com.br,bravo-seg\n")
    b.secrets += ["bravo-seg"]
    b.asset = asset_create(title="Strategic-only deck", kind="deck", language="pt-br", min_tier="strategic",
                           upload=SimpleUploadedFile("deck.png", png_bytes(40, 30)), actor=ACTOR)  # A: preferred
    b.ticket = ticket_open(actor=ACTOR, partner=b.partner, type="business", severity="high",
                           subject="Chamado Secreto Bravo", description="d")
    b.announcement = announcement_create(actor=ACTOR, title="Aviso Secreto Estratégico", body="b",
                                         tiers=["strategic"], publish_at=at("2026-01-01 10:00"))
    b.secrets += ["Chamado Secreto Bravo", "Aviso Secreto Estratégico"]
    b.secrets += ["bravo-secret.pdf", "convidada@bravo.example", "Acordo secreto Bravo", "bravo-contrato.pdf",
                  "aluna@bravo.example", "Prospect Secreto Bravo", "prospect-bravo.com.br"]


def post_data(b: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("mine.pdf", b"%PDF-1.4 mine", content_type="application/pdf"),
            "text": "hello", "reason": "no", "subject": "ledger_line", "ledger_line": b.line.pk,
            "payout": b.payout.pk, "description": "mine now", "email": "x@example.com", "key_type": "email",
            "key": "thief@example.com", "password": "wrong"}


def body_of(response: Any) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def assert_no_leak(text: str, b: Any, url: str) -> None:
    for secret in b.secrets:
        assert secret not in text, f"{url} shows B's {secret!r}"


@pytest.mark.django_db
def test_a_user_of_a_reaches_nothing_of_b_by_any_portal_url(world):
    a, b = world["a"], world["b"]
    give_b_everything(b)
    b_completions = b.enrolment.completions.count()
    client = client_for(a.admin)
    routes = routes_under("portal/")
    values = b_values(b)
    assert not missing_values(routes, values), "a portal URL the sweep cannot build: add its id to `values`"
    assert len(routes) >= MIN_ROUTES
    assert [r.name for r in routes if not getattr(r.view, "partner_only", False)] == []  # all `partner_required`
    swept = 0
    for route in routes:
        for url in route.urls(values):
            for method in ("get", "post"):
                response = getattr(client, method)(url, post_data(b) if method == "post" else None)
                swept += 1
                if route.params & ID_PARAMS:
                    # 405: a GET of a POST-only action, refused before any lookup (the same for every id)
                    allowed = (403, 404, 405) if method == "get" else (403, 404)
                    assert response.status_code in allowed, f"{method.upper()} {url}: {response.status_code}"
                else:
                    assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"
                assert_no_leak(body_of(response), b, url)
    assert swept >= 2 * MIN_ROUTES
    b.dispute.refresh_from_db()
    assert b.dispute.status == "open" and not DisputeComment.objects.filter(dispute=b.dispute).exists()
    assert User.objects.get(pk=b.member.pk).is_active
    assert Invitation.objects.get(pk=b.invitation.pk).withdrawn_at is None
    assert list(DisputeAttachment.objects.values_list("pk", flat=True)) == [b.attachment.pk]
    assert not Dispute.objects.filter(partner=a.partner, ledger_line=b.line).exists()
    assert b.enrolment.completions.count() == b_completions
    assert Agreement.objects.get(pk=b.agreement.pk).status == "active"
    assert list(DealRegistration.objects.values_list("partner_id", flat=True)) == [b.partner.pk]
    b.partner.refresh_from_db()
    assert b.partner.pix_key == b.partner.tax_id and b.partner.payout_details_changed_at is None  # its first key
    assert all("b@example.com" not in ",".join(m.to) for m in mail.outbox)


@pytest.mark.django_db
def test_exports_and_downloads_of_a_hold_only_a_data(world):
    a, b = world["a"], world["b"]
    client = client_for(a.member)
    urls = ["/portal/customers/?export=csv", "/portal/commissions/?export=csv", "/portal/payouts/?export=csv",
            "/portal/disputes/?export=csv", "/portal/statements/2026-03.csv", "/portal/statements/2026-03.pdf",
            "/portal/income-statements/2026.csv", "/portal/income-statements/2026.pdf"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = body_of(response)
        assert_no_leak(text, b, url)
        if url.endswith("csv"):
            assert str(b.line.pk) not in {row.split(",")[0] for row in text.splitlines()[1:]} or b.line.pk == a.line.pk
    ledger_csv = body_of(client.get("/portal/commissions/?export=csv"))
    assert "inv_alfa" in ledger_csv and "Padaria Alfa" in body_of(client.get("/portal/customers/?export=csv"))


@pytest.mark.django_db
def test_a_member_cannot_manage_users(world):
    a = world["a"]
    client = client_for(a.member)
    assert client.get("/portal/users/").status_code == 403
    assert client.post("/portal/users/invite/", {"email": "new@example.com"}).status_code == 403
    assert client.post(f"/portal/users/{a.admin.pk}/remove/").status_code == 403
    assert not User.objects.filter(email="new@example.com").exists()
    assert User.objects.get(pk=a.admin.pk).is_active and mail.outbox == []


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(world):
    from django.test import Client

    response = Client().get("/portal/commissions/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
