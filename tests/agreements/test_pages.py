"""Console and portal pages of agreements: access by role, forms with errors beside fields, CSV, documents,
and portal tenancy (another partner's user gets 404 on every agreements_portal URL)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse

from parceria.accounts.services import user_create
from parceria.agreements.models import Agreement, AgreementDocument
from parceria.agreements.services import document_attach
from parceria.common.models import AuditRecord
from tests.agreements.helpers import make_agreement
from tests.factories import ACTOR, PASSWORD, make_partner, staff_client

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def _world():
    partner = make_partner(name="Agência Sol")
    agreement = make_agreement(partner, start_date=date(2024, 2, 29))
    document = document_attach(agreement=agreement, upload=SimpleUploadedFile("cpa.pdf", PDF), actor=ACTOR)
    return partner, agreement, document


def _routes(namespace: str, kwargs: dict[str, int]) -> list[str]:
    _, resolver = get_resolver().namespace_dict[namespace]
    urls = []
    for pattern in resolver.url_patterns:
        needed = {k: kwargs[k] for k in pattern.pattern.converters}
        urls.append(reverse(f"{namespace}:{pattern.name}", kwargs=needed))
    return urls


def _partner_client(partner, username: str) -> Client:
    user = user_create(username=username, email=username, password=PASSWORD, role="partner_admin", partner=partner,
                       actor=ACTOR)
    client = Client()
    client.force_login(user)
    return client


def test_console_refuses_anonymous_and_partner_users_and_the_analyst_only_reads():
    partner, agreement, document = _world()
    urls = _routes("agreements_console", {"agreement_id": agreement.pk, "document_id": document.pk})
    assert len(urls) == 11
    anonymous = Client()
    portal_user = _partner_client(partner, "p@example.com")
    for url in urls:
        for method in (anonymous.get, anonymous.post):
            response = method(url)
            assert response.status_code == 302 and response["Location"].startswith("/login/"), url
        response = portal_user.get(url)
        assert response.status_code in (302, 403), url
    analyst = staff_client("analyst", "analyst")
    audits = AuditRecord.objects.count()
    for url in urls:
        assert analyst.post(url, {"status": "terminated", "rate": "0.3", "effective_from": "2026-01-01"}
                            ).status_code == 403, url
    assert AuditRecord.objects.count() == audits
    agreement.refresh_from_db()
    assert agreement.status == "active"
    for url in urls:
        assert analyst.get(url).status_code in (200, 405), url
    assert "<button type=\"submit\">Move" not in analyst.get(urls[3]).content.decode()


def test_manager_creates_with_errors_beside_fields_and_nothing_stored():
    partner = make_partner()
    manager = staff_client("manager", "partner_manager")
    answer = manager.post(reverse("agreements_console:new"), {
        "partner": partner.pk, "type": "letter_of_intent", "start_date": "2025-05-01", "end_date": "2025-04-01"})
    assert answer.status_code == 422
    assert "the end date is before the start date" in answer.content.decode()
    assert answer.context["form"].errors == {"end_date": ["the end date is before the start date"]}
    negative = manager.post(reverse("agreements_console:new"), {
        "partner": partner.pk, "type": "channel_partner", "start_date": "2025-05-01", "initial_term_months": "-24"})
    assert "initial_term_months" in negative.context["form"].errors
    assert Agreement.objects.count() == 0
    created = manager.post(reverse("agreements_console:new"), {
        "partner": partner.pk, "type": "channel_partner", "start_date": "2024-02-29", "signed_on": "2024-02-20"})
    assert created.status_code == 302
    agreement = Agreement.objects.get()
    assert (agreement.initial_term_months, agreement.auto_renewal, agreement.notice_days) == (24, True, 90)
    page = manager.get(created["Location"]).content.decode()
    assert "Channel partner agreement" in page


def test_manager_uploads_a_pdf_and_a_non_pdf_is_refused_beside_the_field():
    partner = make_partner()
    agreement = make_agreement(partner)
    manager = staff_client("manager", "partner_manager")
    url = reverse("agreements_console:document_upload", args=[agreement.pk])
    bad = manager.post(url, {"file": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert bad.status_code == 422
    assert bad.context["document_form"].errors == {"file": ["only PDF documents can be attached"]}
    good = manager.post(url, {"file": SimpleUploadedFile("signed.pdf", PDF)})
    assert good.status_code == 302
    document = AgreementDocument.objects.get()
    download = manager.get(reverse("agreements_console:document", args=[agreement.pk, document.pk]))
    assert download.status_code == 200 and download.content == PDF


def test_list_csv_and_upcoming():
    _world()
    manager = staff_client("manager", "partner_manager")
    csv = manager.get(reverse("agreements_console:list"), {"export": "csv"}).content.decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0] == "Agreement,Partner,Type,Status,Start date,Term ends,Renews,Notice deadline,Signed on"
    assert len(lines) == 2 and ",Agência Sol,Channel partner agreement,Active,2024-02-29," in lines[1]
    in_portuguese = manager.get(reverse("agreements_console:list"), {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="pt-br")
    lines = in_portuguese.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ("Contrato;Parceiro;Tipo;Situação;Data de início;Fim do prazo;Renova em;Prazo para aviso;"
                        "Assinado em")
    assert ";Agência Sol;" in lines[1] and ";29/02/2024;" in lines[1]
    listed = manager.get(reverse("agreements_console:list"), {"status": "draft"})
    assert "No agreement matches" in listed.content.decode()
    upcoming = manager.get(reverse("agreements_console:upcoming"), {"days": "3650"}).content.decode()
    assert "Agência Sol" in upcoming


def test_portal_shows_own_agreements_and_404s_for_another_partner():
    partner, agreement, document = _world()
    other = make_partner()
    other_agreement = make_agreement(other)
    own = _partner_client(partner, "own@example.com")
    assert "Channel partner agreement" in own.get(reverse("agreements_portal:list")).content.decode()
    response = own.get(reverse("agreements_portal:document", args=[agreement.pk, document.pk]))
    assert response.status_code == 200 and response.content == PDF
    stranger = _partner_client(other, "stranger@example.com")
    urls = _routes("agreements_portal", {"agreement_id": agreement.pk, "document_id": document.pk})
    assert len(urls) == 3
    for url in urls[1:]:
        assert stranger.get(url).status_code == 404, url
    listing = stranger.get(urls[0]).content.decode()
    assert "Agência Sol" not in listing and f"/portal/agreements/{agreement.pk}/" not in listing
    assert f"/portal/agreements/{other_agreement.pk}/" in listing
    # a draft is not shown to the partner either
    draft = make_agreement(other, active=False)
    assert stranger.get(reverse("agreements_portal:detail", args=[draft.pk])).status_code == 404


def test_pages_speak_portuguese_and_spanish():
    partner, agreement, _ = _world()
    client = _partner_client(partner, "pt@example.com")
    pt = client.get(reverse("agreements_portal:detail", args=[agreement.pk]), HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert "Contrato de parceiro de canal" in pt.content.decode() and "Prazo para aviso" in pt.content.decode()
    es = client.get(reverse("agreements_portal:list"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Contrato de socio de canal" in es and "Plazo de preaviso" in es
