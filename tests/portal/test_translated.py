"""E-mails to users who chose no language go out in the language of the request that sends them
(test_user_language.py covers a stored choice), and domain labels are translated in the portal's pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from parceria.common.audit import Actor
from parceria.disputes.services import dispute_reject, dispute_withdraw
from tests.portal.conftest import PASSWORD, client_for

LANGUAGES = ["en", "pt-br", "es"]


def speaking(client, language: str):
    client.cookies["django_language"] = language
    return client


INVITATION = {
    "en": ("Parceria: invitation to the portal of Alfa Consultoria",
           "invited you to the Parceria partner portal of Alfa Consultoria."),
    "pt-br": ("Parceria: convite para o portal de Alfa Consultoria",
              "convidou você para o portal de parceiros Parceria de Alfa Consultoria."),
    "es": ("Parceria: invitación al portal de Alfa Consultoria",
           "lo invitó al portal de socios Parceria de Alfa Consultoria."),
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_invitation_goes_out_in_the_language_of_the_page(world, language, django_capture_on_commit_callbacks):
    client = speaking(client_for(world["a"].admin), language)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/users/invite/", {"email": "nova@alfa.example", "name": "Nova Pessoa"})
    assert response.status_code == 302
    (message,) = mail.outbox
    subject, phrase = INVITATION[language]
    assert message.to == ["nova@alfa.example"] and message.subject == subject
    assert phrase in message.body and "/password-reset/" in message.body


PIX_NOTICE = {
    "en": ("Parceria: payout details of Alfa Consultoria changed", "Payouts to the new key are held until"),
    "pt-br": ("Parceria: os dados de pagamento de Alfa Consultoria foram alterados",
              "Os pagamentos para a nova chave ficam retidos até"),
    "es": ("Parceria: cambiaron los datos de pago de Alfa Consultoria", "Los pagos a la nueva clave quedan retenidos"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pix_change_notice_goes_out_in_the_language_of_the_page(world, language,
                                                                    django_capture_on_commit_callbacks):
    client = speaking(client_for(world["a"].member), language)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/profile/payout-details/",
                               {"key_type": "email", "key": "pix@alfa.example", "password": PASSWORD})
    assert response.status_code == 302
    (message,) = mail.outbox
    subject, phrase = PIX_NOTICE[language]
    assert message.to == ["admin-a@example.com"] and message.subject == subject
    assert phrase in message.body


RESET = {
    "en": ("Your Parceria password", "Someone asked to reset the password of your Parceria account"),
    "pt-br": ("Sua senha do Parceria", "Alguém pediu para redefinir a senha da sua conta Parceria"),
    "es": ("Su contraseña de Parceria", "Alguien pidió restablecer la contraseña de su cuenta de Parceria"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_password_reset_goes_out_in_the_language_of_the_page(world, client, language):
    response = speaking(client, language).post("/password-reset/", {"email": "member-a@example.com"})
    assert response.status_code == 302
    (message,) = mail.outbox
    subject, phrase = RESET[language]
    assert message.to == ["member-a@example.com"] and message.subject == subject
    assert phrase in message.body


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "label"), [
    ("en", "Withdrawn by the partner"), ("pt-br", "Retirada pelo parceiro"), ("es", "Retirada por el socio"),
])
def test_a_dispute_status_shows_in_the_language_of_the_page(world, language, label):
    a = world["a"]
    dispute_withdraw(dispute=a.dispute, actor=Actor.system("tests"))
    client = speaking(client_for(a.member), language)
    for url in ("/portal/disputes/", f"/portal/disputes/{a.dispute.pk}/"):
        html = client.get(url).content.decode()
        assert re.search(rf'<span class="badge">{label}</span>', html), url


@pytest.mark.django_db
def test_ledger_kinds_and_customer_statuses_are_translated(world):
    client = speaking(client_for(world["a"].member), "pt-br")
    ledger = client.get("/portal/commissions/").content.decode()
    assert '<span class="badge good">Comissão</span>' in ledger and '<span class="badge bad">Estorno</span>' in ledger
    customers = client.get("/portal/customers/").content.decode()
    assert '<span class="badge good">Ativo</span>' in customers


@pytest.mark.django_db
def test_a_service_error_beside_the_field_is_translated(world):
    a = world["a"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = speaking(client_for(a.member), "pt-br")
    response = client.post(f"/portal/disputes/{a.dispute.pk}/attach/",
                           {"file": SimpleUploadedFile("nota.exe", b"MZ")})
    assert response.status_code == 422
    assert "os anexos devem ser arquivos PDF, PNG, JPEG ou CSV" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "open_label", "rejected_label"), [
    ("en", "Open", "Rejected"), ("pt-br", "Aberta", "Recusada"), ("es", "Abierta", "Rechazada"),
])
def test_dispute_statuses_take_their_own_gender(world, language, open_label, rejected_label):
    a = world["a"]
    client = speaking(client_for(a.member), language)
    page = client.get(f"/portal/disputes/{a.dispute.pk}/").content.decode()
    assert f'<span class="badge warn">{open_label}</span>' in page
    dispute_reject(dispute=a.dispute, reason="the line is right", actor=Actor.system("tests"))
    page = client.get(f"/portal/disputes/{a.dispute.pk}/").content.decode()
    assert f'<span class="badge bad">{rejected_label}</span>' in page


def _labels():
    from parceria.agreements.models import AgreementStatus, PlanApproval
    from parceria.customers.models import CustomerStatus
    from parceria.disputes.models import AdjustmentStatus, DisputeStatus
    from parceria.partners.lifecycle_data import Stage
    from parceria.partners.models import Tier
    from parceria.payouts.models import PayoutStatus

    return [
        (DisputeStatus.OPEN, "Aberta", "Abierta"), (DisputeStatus.REJECTED, "Recusada", "Rechazada"),
        (AdjustmentStatus.REJECTED, "Recusado", "Rechazado"), (Stage.REJECTED, "Recusado", "Rechazado"),
        (Stage.CHURNED, "Perdido", "Perdido"), (CustomerStatus.CHURNED, "Perdido", "Perdido"),
        (AgreementStatus.EXPIRED, "Expirado", "Vencido"), (PlanApproval.APPROVED, "Aprovado", "Aprobado"),
        (PlanApproval.REJECTED, "Rejeitado", "Rechazado"), (PayoutStatus.PENDING, "Pendente", "Pendiente"),
        (PayoutStatus.PAID, "Pago", "Pagado"), (PayoutStatus.FAILED, "Com falha", "Fallido"),
        (Tier.CERTIFIED, "Certificado", "Certificado"),
    ]


@pytest.mark.parametrize("index", range(13))
def test_each_status_label_has_its_own_translation_whatever_other_apps_say(index):
    from django.utils import translation

    choice, portuguese, spanish = _labels()[index]
    with translation.override("pt-br"):
        assert str(choice.label) == portuguese
    with translation.override("es"):
        assert str(choice.label) == spanish


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "label", "tier"), [
    ("en", "Pending", "Preferred"), ("pt-br", "Pendente", "Preferencial"), ("es", "Pendiente", "Preferente"),
])
def test_the_payouts_page_and_the_tier_use_the_labels_of_their_own_context(world, language, label, tier):
    client = speaking(client_for(world["a"].member), language)
    assert f'<span class="badge">{label}</span>' in client.get("/portal/payouts/").content.decode()
    assert f"<dd>{tier}" in client.get("/portal/profile/").content.decode()
