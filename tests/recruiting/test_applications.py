"""Applications from the public page: a valid one is a prospect partner in the lifecycle's first stage with its first
exit criterion ticked, and the applicant is e-mailed a status link in their language; bad, duplicate, robot and
flooding submissions store nothing; staff accept (the partner is active and its admin invited, once) or decline (the
prospect is rejected and the applicant told why, in their language)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from parceria.accounts.models import Invitation, Role, User
from parceria.common.audit import AuditRecord
from parceria.common.taxids import synthetic_tax_id
from parceria.partners.models import ChecklistTick, Partner, PartnerLifecycle, Stage
from parceria.recruiting.models import Application, ApplicationStatus
from tests.factories import make_partner, staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def commits(monkeypatch):
    """The e-mails go out after the commit; the test's transaction never commits, so run them at once."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())

CNPJ = synthetic_tax_id("BR", 4242)


def form(**overrides: str) -> dict[str, str]:
    data = {"name": "Agência Aurora", "legal_name": "Aurora Marketing Digital Ltda", "country": "BR", "tax_id": CNPJ,
            "website": "aurora.com.br", "verticals": "varejo, moda", "territories": "SP, PR",
            "customers_served": "Lojas de moda de pequeno porte.", "kind_answer": "40 clientes ativos.",
            "motivation": "Nossos clientes pedem um ERP.", "contact_name": "Lia Prado",
            "contact_email": "Lia@Aurora.com.br", "contact_phone": "+55 11 99999-0000", "language": "pt-br",
            "consent": "on", "company_fax": ""}
    data.update(overrides)
    return data


def apply(client: Client, kind: str = "agency", address: str = "203.0.113.7", **overrides: str):
    return client.post(reverse("recruiting:apply_kind", args=[kind]), form(**overrides), REMOTE_ADDR=address)


def nothing_stored() -> None:
    assert Application.objects.count() == 0
    assert Partner.objects.count() == 0
    assert ChecklistTick.objects.count() == 0


def status_link(message) -> str:
    return re.search(r"https?://\S+/apply/status/\S+/", message.body).group(0)


def test_an_application_is_a_prospect_in_the_first_stage_and_the_applicant_gets_a_status_link(client):
    page = client.get(reverse("recruiting:apply_kind", args=["agency"]))
    answer = apply(client)

    application = Application.objects.get()
    partner = application.partner
    assert page.status_code == 200 and answer.status_code == 302
    assert answer["Location"] == reverse("recruiting:applied")
    assert (partner.name, partner.status, partner.country, partner.tax_id, partner.currency, partner.tax_regime,
            partner.category, partner.subcategory) == ("Agência Aurora", "prospect", "BR", CNPJ, "BRL", "pj",
                                                       "consulting_agency", "digital_agency")
    assert (partner.verticals, partner.territories) == (["varejo", "moda"], ["SP", "PR"])
    assert (application.status, application.contact_email, application.website, application.language) == (
        "submitted", "lia@aurora.com.br", "https://aurora.com.br", "pt-br")
    assert not PartnerLifecycle.objects.filter(partner=partner).exclude(stage=Stage.IDENTIFICATION).exists()
    tick = ChecklistTick.objects.get(partner=partner)
    assert (tick.stage, tick.item, tick.done) == ("identification", "interest_validated", True)
    assert f"application {application.pk}" in tick.evidence
    assert AuditRecord.objects.filter(action="application.submitted", object_id=str(application.pk)).exists()
    [message] = mail.outbox
    assert message.to == ["lia@aurora.com.br"]
    assert message.subject == "Parceria: recebemos a candidatura de Agência Aurora"
    status = client.get(status_link(message), HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert status.status_code == 200 and "Recebida" in status.content.decode()
    assert client.get(reverse("recruiting:status", args=["forged-token"])).status_code == 404


def test_an_integration_applicant_chooses_its_subcategory_and_a_foreign_one_is_paid_in_its_currency(client):
    missing = apply(client, "integration", country="MX", tax_id="GODE561231GR8")
    assert missing.status_code == 422
    nothing_stored()

    apply(client, "integration", country="MX", tax_id="GODE561231GR8", subcategory="ecommerce")

    partner = Partner.objects.get()
    assert (partner.category, partner.subcategory, partner.currency, partner.tax_regime) == (
        "technology_integration", "ecommerce", "MXN", "foreign")


@pytest.mark.parametrize(("overrides", "field", "text"), [
    ({"tax_id": "11.111.111/1111-11"}, "tax_id", "This tax id is not valid"),
    ({"country": "US"}, "country", "Select a valid choice"),
    ({"contact_email": "lia-at-aurora"}, "contact_email", "Enter a valid email address"),
    ({"consent": ""}, "consent", "We need your consent"),
    ({"website": "not a site"}, "website", "Enter the address of your website"),
    ({"motivation": ""}, "motivation", "This field is required"),
])
def test_bad_applications_are_refused_beside_the_field_and_store_nothing(client, overrides, field, text):
    answer = apply(client, language="en", **overrides)

    assert answer.status_code == 422
    assert text in answer.content.decode()
    nothing_stored()
    assert mail.outbox == []


def test_a_tax_id_already_registered_is_refused(client):
    make_partner(tax_id=CNPJ)

    answer = apply(client)

    assert answer.status_code == 422
    assert "already registered with the programme" in answer.content.decode()
    assert Application.objects.count() == 0 and Partner.objects.count() == 1


def test_a_filled_honeypot_is_answered_like_a_person_and_stores_nothing(client):
    answer = apply(client, company_fax="+55 11 5555-5555")

    assert answer.status_code == 302 and answer["Location"] == reverse("recruiting:applied")
    nothing_stored()
    assert mail.outbox == []


def test_a_flood_from_one_address_is_refused_with_429(client, settings):
    settings.PARCERIA = {**settings.PARCERIA, "APPLICATIONS_PER_HOUR": 2}
    for n in (1, 2):
        assert apply(client, tax_id=synthetic_tax_id("BR", 5000 + n)).status_code == 302

    flood = apply(client, tax_id=synthetic_tax_id("BR", 5003))
    other = apply(client, address="198.51.100.9", tax_id=synthetic_tax_id("BR", 5004))

    assert flood.status_code == 429
    assert "Too many submissions" in flood.content.decode()
    assert other.status_code == 302
    assert sorted(Partner.objects.values_list("tax_id", flat=True)) == sorted(
        synthetic_tax_id("BR", 5000 + n) for n in (1, 2, 4))


def test_staff_accept_the_partner_is_active_and_its_admin_invited_once(client):
    apply(client, language="es")
    application = Application.objects.get()
    mail.outbox.clear()
    pm = staff_client("pm", "partner_manager")
    url = reverse("recruiting_console:application", args=[application.pk])

    page = pm.get(url)
    first = pm.post(url, {"action": "accept", "admin_email": "lia@aurora.com.br"})
    again = pm.post(url, {"action": "accept", "admin_email": "lia@aurora.com.br"})

    application.refresh_from_db()
    partner = application.partner
    admin = User.objects.get(partner=partner)
    assert page.status_code == 200 and "Nossos clientes pedem um ERP." in page.content.decode()
    assert first.status_code == 302 and again.status_code == 302
    assert (application.status, partner.status, application.admin_user) == ("accepted", "active", admin)
    assert partner.manager == pm.user  # the partner manager who accepted it owns it
    assert (admin.role, admin.email, admin.language, admin.has_usable_password()) == (
        Role.PARTNER_ADMIN, "lia@aurora.com.br", "es", False)
    assert Invitation.objects.filter(partner=partner, user=admin).count() == 1
    assert sorted(m.subject for m in mail.outbox) == sorted([
        "Parceria: invitación al portal de Agência Aurora",
        "Parceria: Agência Aurora ha sido aceptado en el programa de socios",
    ])
    assert AuditRecord.objects.filter(action="application.accepted").count() == 1


def test_accepting_with_an_address_that_has_an_account_is_refused_and_changes_nothing(client):
    apply(client)
    application = Application.objects.get()
    taken = make_partner()
    User.objects.create_user(username="lia@aurora.com.br", email="lia@aurora.com.br", role="partner_member",
                             partner=taken)
    pm = staff_client("pm", "partner_manager")

    answer = pm.post(reverse("recruiting_console:application", args=[application.pk]),
                     {"action": "accept", "admin_email": "lia@aurora.com.br"})

    application.refresh_from_db()
    assert answer.status_code == 422
    assert "already has a Parceria account" in answer.content.decode()
    assert (application.status, application.partner.status) == ("submitted", "prospect")
    assert not User.objects.filter(partner=application.partner).exists()


def test_staff_decline_the_prospect_is_rejected_and_the_applicant_told_why_in_their_language(client):
    apply(client, language="es")
    application = Application.objects.get()
    mail.outbox.clear()
    pm = staff_client("pm", "partner_manager")
    url = reverse("recruiting_console:application", args=[application.pk])

    pm.post(url, {"action": "review"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    declined = pm.post(url, {"action": "decline", "reason": "Aún no atendemos su región."})
    late_accept = pm.post(url, {"action": "accept", "admin_email": "lia@aurora.com.br"})

    application.refresh_from_db()
    assert declined.status_code == 302 and late_accept.status_code == 422
    assert "This application was already declined." in late_accept.content.decode()
    assert (application.status, application.decision_reason) == ("declined", "Aún no atendemos su región.")
    assert PartnerLifecycle.objects.get(partner=application.partner).stage == Stage.REJECTED
    assert application.partner.status == "prospect"
    assert not User.objects.filter(partner=application.partner).exists()
    [message] = mail.outbox
    assert message.subject == "Parceria: sobre la solicitud de Agência Aurora"
    assert "Aún no atendemos su región." in message.body
    status = client.get(status_link(message))
    assert "Aún no atendemos su región." in status.content.decode()


def test_an_analyst_cannot_decide_an_application(client):
    apply(client)
    application = Application.objects.get()
    analyst = staff_client("an", "analyst")

    answer = analyst.post(reverse("recruiting_console:application", args=[application.pk]),
                          {"action": "accept", "admin_email": "lia@aurora.com.br"})

    application.refresh_from_db()
    assert answer.status_code == 403
    assert (application.status, application.partner.status) == ("submitted", "prospect")
