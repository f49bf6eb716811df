"""The sharing log (privacy/sharing.py): the one writer and its refusals, the rule of what carries a person's data,
one record per share on every channel (bank files, statements, income statements, webhook deliveries, chat messages,
account-mapping results) with its recipient, legal basis and categories, none when the share fails, is refused or
carries only a company's data; and the console page with its filters, exports, access and query count."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone
from openpyxl import load_workbook

from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.common.errors import Conflict, InvalidInput
from parceria.config import urls as root_urls
from parceria.mapping.models import PartnerSharing, SharingLevel
from parceria.mapping.services import mapping_create
from parceria.notifications.delivery import deliver_due as deliver_notifications
from parceria.notifications.models import Notification
from parceria.notifications.services import chat_webhook_save
from parceria.payouts.bank_files import batch_export
from parceria.payouts.close import period_close
from parceria.payouts.models import BatchExport, PayoutBatch
from parceria.payouts.services import batch_approve
from parceria.privacy.models import SharingRecord
from parceria.privacy.sharing import is_person, sharing_log, sharing_record
from parceria.privacy.urls import console_patterns
from parceria.webhooks.delivery import deliver_due as deliver_webhooks
from parceria.webhooks.models import Delivery, DeliveryState
from parceria.webhooks.outbox import emit
from parceria.webhooks.services import endpoint_create
from tests.conftest import ApiClient
from tests.factories import PASSWORD, SP, credit, make_customer, make_key, make_partner, staff_client
from tests.mapping.test_services import csv
from tests.notifications.receiver import chat_receiver
from tests.webhooks.receiver import receiver

# The privacy pages are included under /console/ here until the console's URLs include them (the lead wires it).
urlpatterns = [path("console/", include((console_patterns, "privacy_console"))), *root_urls.urlpatterns]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
ACTOR = Actor.system("tests")
NOW = datetime(2026, 4, 6, 10, tzinfo=SP)
CPF = "52998224725"
EVP = "123e4567-e89b-12d3-a456-426614174000"


def _row(record: SharingRecord) -> tuple:
    return (record.recipient, record.channel, record.legal_basis, record.categories, record.partner_id,
            record.subjects, record.object_type, record.object_id, record.actor_label)


def portal_client(partner, name: str) -> Client:
    user = user_create(username=f"{name}@example.com", email=f"{name}@example.com", password=PASSWORD,
                       role="partner_admin", partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    return client


def person(**overrides):
    """A partner who is an individual (pf), with its CPF as its PIX key."""
    return make_partner(**{"name": "Joana Silva", "legal_name": "Joana da Silva", "tax_regime": "pf", "tax_id": CPF,
                           "pix_key_type": "cpf", "pix_key": CPF, **overrides})


# --- the writer and the rule --------------------------------------------------------------------------------------


def test_sharing_record_writes_one_row_with_what_was_shared():
    partner = make_partner()
    record = sharing_record(recipient="  bank 341 ", channel="cnab_file", legal_basis="contract",
                            categories=["pix_key", "pf_payee_tax", "pix_key"], description="A  file\nsent",
                            partner_id=partner.pk, subjects=3, obj=partner, actor=Actor(label="user:fin"))
    assert _row(SharingRecord.objects.get()) == ("bank 341", "cnab_file", "contract", ["pf_payee_tax", "pix_key"],
                                                partner.pk, 3, "partners.partner", str(partner.pk), "user:fin")
    assert record.description == "A file sent"


@pytest.mark.parametrize(("change", "code"), [
    ({"recipient": " "}, "invalid_recipient"),
    ({"channel": "fax"}, "invalid_channel"),
    ({"legal_basis": "because"}, "invalid_legal_basis"),
    ({"categories": []}, "invalid_categories"),
    ({"categories": ["pix_key", "shoe_size"]}, "invalid_categories"),
    ({"description": ""}, "invalid_description"),
    ({"subjects": 0}, "invalid_subjects"),
    ({"subjects": True}, "invalid_subjects"),
])
def test_a_wrong_argument_is_refused_and_nothing_is_written(change, code):
    args = {"recipient": "bank 341", "channel": "cnab_file", "legal_basis": "contract", "categories": ["pix_key"],
            "description": "a file", "subjects": 1, **change}
    with pytest.raises(InvalidInput) as refused:
        sharing_record(actor=ACTOR, **args)
    assert refused.value.code == code
    assert SharingRecord.objects.count() == 0


@pytest.mark.parametrize(("regime", "kind", "tax_id", "expected"), [
    ("pf", "cpf", CPF, True),
    ("pj", "cnpj", "11444777000161", False),
    ("pj_simples", "cnpj", "11444777000161", False),
    ("", "", CPF, True),
    ("", "", "11444777000161", False),
    ("foreign", "rfc", "GODE561231GR8", True),
    ("foreign", "rfc", "ABC680524P76", False),
    ("foreign", "cuit", "20267565393", True),
    ("foreign", "cuit", "30500010912", False),
    ("foreign", "rut", "12345678-5", True),
    ("foreign", "rut", "76086428-5", False),
    ("foreign", "nit", "9001234567", False),
    ("foreign", "nit", "1020304050", True),
    ("foreign", "other", "X-1", True),
])
def test_who_is_a_person(regime, kind, tax_id, expected):
    assert is_person(tax_regime=regime, tax_id_kind=kind, tax_id=tax_id) is expected


# --- bank files ---------------------------------------------------------------------------------------------------


@pytest.fixture
def batch(db):
    for partner in (person(), make_partner(name="Empresa Aleatória", pix_key_type="evp", pix_key=EVP),
                    make_partner(name="Empresa Email", pix_key_type="email", pix_key="joao@empresa.com.br"),
                    make_partner(name="Sem Chave")):
        credit(partner, "1000.00")
    period_close(month=date(2026, 3, 1), actor=ACTOR, now=NOW)
    found = PayoutBatch.objects.get()
    batch_approve(batch=found, actor=Actor(label="finance-1"))
    return found


def test_a_cnab_file_is_logged_once_with_its_people_and_pix_keys(batch):
    result = batch_export(batch=batch, kind="cnab", actor=Actor(label="user:fin"), now=NOW)
    assert len(result.included) == 3  # the three partners with a key; the one without is skipped
    record = SharingRecord.objects.get()
    assert _row(record) == ("bank 341", "cnab_file", "contract", ["pf_payee_tax", "pix_key"], None, 2,
                            "payouts.batchexport", str(result.export.pk), "user:fin")
    assert record.description == (f"PIX remittance (CNAB 240) {result.export.filename}: 3 payouts of 2026-03, payee "
                                  f"names, tax ids and PIX keys")


def test_a_csv_bank_file_is_logged_once(batch):
    result = batch_export(batch=batch, kind="csv", actor=ACTOR, now=NOW)
    assert len(result.included) == 4
    assert _row(SharingRecord.objects.get()) == ("bank 341", "bank_csv", "contract", ["pf_payee_tax", "pix_key"],
                                                 None, 2, "payouts.batchexport", str(result.export.pk), "tests")


def test_a_refused_or_empty_export_logs_nothing(db):
    joana = person()
    credit(joana, "1000.00")
    period_close(month=date(2026, 3, 1), actor=ACTOR, now=NOW)
    batch = PayoutBatch.objects.get()
    with pytest.raises(Conflict):  # not approved
        batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW)
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW)
    assert SharingRecord.objects.count() == 1
    with pytest.raises(Conflict):  # everything was sent already: no file
        batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW)
    assert SharingRecord.objects.count() == 1


def test_a_file_of_companies_with_random_keys_is_not_logged(db):
    credit(make_partner(name="Empresa", pix_key_type="evp", pix_key=EVP), "1000.00")
    period_close(month=date(2026, 3, 1), actor=ACTOR, now=NOW)
    batch = PayoutBatch.objects.get()
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    cnab = batch_export(batch=batch, kind="cnab", actor=ACTOR, now=NOW)
    csv_file = batch_export(batch=batch, kind="csv", actor=ACTOR, now=NOW)
    assert (len(cnab.included), len(csv_file.included), BatchExport.objects.count()) == (1, 1, 2)
    assert SharingRecord.objects.count() == 0


def test_an_empty_csv_export_is_not_logged(db):
    PayoutBatch.objects.create(period=date(2026, 3, 1), created_by="tests")
    batch = PayoutBatch.objects.get()
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    result = batch_export(batch=batch, kind="csv", actor=ACTOR, now=NOW)
    assert result.included == []
    assert SharingRecord.objects.count() == 0
