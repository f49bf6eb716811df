"""The sharing log (privacy/sharing.py): the one writer and its refusals, the rule of what carries a person's data,
one record per share on every channel (bank files, statements, income statements, webhook deliveries, chat messages,
account-mapping results) with its recipient, legal basis and categories, none when the share fails, is refused or
carries only a company's data; and the console page with its filters, exports, access and query count."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.taxids import is_person
from parceria.mapping.models import PartnerSharing, SharingLevel
from parceria.mapping.services import mapping_create
from parceria.notifications.delivery import deliver_due as deliver_notifications
from parceria.notifications.models import Notification
from parceria.notifications.services import chat_webhook_save, chat_webhook_test
from parceria.payouts.bank_files import batch_export
from parceria.payouts.close import period_close
from parceria.payouts.models import BatchExport, PayoutBatch
from parceria.payouts.services import batch_approve
from parceria.privacy.consent import consent_grant
from parceria.privacy.models import ConsentPurpose, SharingRecord
from parceria.privacy.sharing import sharing_log, sharing_record
from parceria.webhooks.delivery import deliver_due as deliver_webhooks
from parceria.webhooks.models import Delivery, DeliveryState
from parceria.webhooks.outbox import emit
from parceria.webhooks.services import endpoint_create
from tests.conftest import ApiClient
from tests.factories import PASSWORD, SP, credit, make_customer, make_key, make_partner, staff_client
from tests.mapping.test_services import csv
from tests.notifications.receiver import chat_receiver
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")
NOW = datetime(2026, 4, 6, 10, tzinfo=SP)
CPF = "52998224725"
EVP = "123e4567-e89b-12d3-a456-426614174000"


def _row(record: SharingRecord) -> tuple:
    return (
        record.recipient,
        record.channel,
        record.legal_basis,
        record.categories,
        record.partner_id,
        record.subjects,
        record.object_type,
        record.object_id,
        record.actor_label,
    )


def portal_client(partner, name: str) -> Client:
    user = user_create(
        username=f"{name}@example.com",
        email=f"{name}@example.com",
        password=PASSWORD,
        role="partner_admin",
        partner=partner,
        actor=ACTOR,
    )
    client = Client()
    client.force_login(user)
    return client


def person(**overrides):
    """A partner who is an individual (pf), with its CPF as its PIX key."""
    return make_partner(
        **{
            "name": "Joana Silva",
            "legal_name": "Joana da Silva",
            "tax_regime": "pf",
            "tax_id": CPF,
            "pix_key_type": "cpf",
            "pix_key": CPF,
            **overrides,
        }
    )


# --- the writer and the rule --------------------------------------------------------------------------------------


def test_sharing_record_writes_one_row_with_what_was_shared():
    partner = make_partner()
    record = sharing_record(
        recipient="  bank 341 ",
        channel="cnab_file",
        legal_basis="contract",
        categories=["pix_key", "pf_payee_tax", "pix_key"],
        description="A  file\nsent",
        partner_id=partner.pk,
        subjects=3,
        obj=partner,
        actor=Actor(label="user:fin"),
    )
    assert _row(SharingRecord.objects.get()) == (
        "bank 341",
        "cnab_file",
        "contract",
        ["pf_payee_tax", "pix_key"],
        partner.pk,
        3,
        "partners.partner",
        str(partner.pk),
        "user:fin",
    )
    assert record.description == "A file sent"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"recipient": " "}, "invalid_recipient"),
        ({"channel": "fax"}, "invalid_channel"),
        ({"legal_basis": "because"}, "invalid_legal_basis"),
        ({"categories": []}, "invalid_categories"),
        ({"categories": ["pix_key", "shoe_size"]}, "invalid_categories"),
        ({"description": ""}, "invalid_description"),
        ({"subjects": 0}, "invalid_subjects"),
        ({"subjects": True}, "invalid_subjects"),
    ],
)
def test_a_wrong_argument_is_refused_and_nothing_is_written(change, code):
    args = {
        "recipient": "bank 341",
        "channel": "cnab_file",
        "legal_basis": "contract",
        "categories": ["pix_key"],
        "description": "a file",
        "subjects": 1,
        **change,
    }
    with pytest.raises(InvalidInput) as refused:
        sharing_record(actor=ACTOR, **args)
    assert refused.value.code == code
    assert SharingRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("regime", "kind", "tax_id", "expected"),
    [
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
    ],
)
def test_who_is_a_person(regime, kind, tax_id, expected):
    assert is_person(tax_regime=regime, tax_id_kind=kind, tax_id=tax_id) is expected


# --- bank files ---------------------------------------------------------------------------------------------------


@pytest.fixture
def batch(db):
    for partner in (
        person(),
        make_partner(name="Empresa Aleatória", pix_key_type="evp", pix_key=EVP),
        make_partner(name="Empresa Email", pix_key_type="email", pix_key="joao@empresa.com.br"),
        make_partner(name="Empresa Conta", payout_method="br_ted"),
    ):
        credit(partner, "1000.00")
    period_close(month=date(2026, 3, 1), actor=ACTOR, now=NOW)
    found = PayoutBatch.objects.get()
    batch_approve(batch=found, actor=Actor(label="finance-1"))
    return found


def test_a_cnab_file_is_logged_once_with_its_people_and_pix_keys(batch):
    result = batch_export(batch=batch, kind="cnab", actor=Actor(label="user:fin"), now=NOW)
    assert len(result.included) == 3  # the three partners with a key; the one paid by TED is skipped
    record = SharingRecord.objects.get()
    assert _row(record) == (
        "bank 341",
        "cnab_file",
        "contract",
        ["pf_payee_tax", "pix_key"],
        None,
        2,
        "payouts.batchexport",
        str(result.export.pk),
        "user:fin",
    )
    assert record.description == (
        f"PIX remittance (CNAB 240) {result.export.filename}: 3 payouts of 2026-03, payee names, tax ids and PIX keys"
    )


def test_a_csv_bank_file_is_logged_once(batch):
    result = batch_export(batch=batch, kind="csv", actor=ACTOR, now=NOW)
    assert len(result.included) == 4
    assert _row(SharingRecord.objects.get()) == (
        "bank 341",
        "bank_csv",
        "contract",
        ["pf_payee_tax", "pix_key"],
        None,
        2,
        "payouts.batchexport",
        str(result.export.pk),
        "tests",
    )


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


# --- statements and income statements -------------------------------------------------------------------------------


def test_a_persons_statement_downloaded_in_the_portal_is_logged_and_a_companys_is_not():
    joana, company = person(), make_partner(name="Empresa")
    response = portal_client(joana, "joana").get("/portal/statements/2026-03.csv")
    assert response.status_code == 200
    record = SharingRecord.objects.get()
    assert _row(record) == (
        f"partner {joana.pk}",
        "statement",
        "contract",
        ["pf_payee_tax"],
        joana.pk,
        1,
        "partners.partner",
        str(joana.pk),
        "user:joana@example.com",
    )
    assert record.description == "Monthly statement 2026-03 (CSV) downloaded in the portal"
    assert "Joana" not in record.recipient + record.description  # ids only: nothing to anonymise in the log
    assert portal_client(company, "empresa").get("/portal/statements/2026-03.csv").status_code == 200
    assert SharingRecord.objects.count() == 1


def test_an_income_statement_is_logged_as_a_legal_obligation_from_the_portal_and_the_console(finance):
    joana = person()
    assert portal_client(joana, "joana").get("/portal/income-statements/2025.csv").status_code == 200
    assert finance.get(f"/console/partners/{joana.pk}/income-statements/2025.pdf").status_code == 200
    rows = [
        (r.channel, r.legal_basis, r.categories, r.actor_label, r.description)
        for r in SharingRecord.objects.order_by("id")
    ]
    assert rows == [
        (
            "informe",
            "legal_obligation",
            ["pf_payee_tax"],
            "user:joana@example.com",
            "Income statement 2025 (CSV) downloaded in the portal",
        ),
        (
            "informe",
            "legal_obligation",
            ["pf_payee_tax"],
            "user:fin",
            "Income statement 2025 (PDF) downloaded in the console to send to the partner",
        ),
    ]


def test_a_refused_download_logs_nothing(finance):
    joana = person()
    client = portal_client(joana, "joana")
    assert client.get("/portal/statements/1999-03.csv").status_code == 404
    assert finance.get(f"/console/partners/{joana.pk}/income-statements/1999.csv").status_code == 404
    assert (
        ApiClient(make_key("partner", make_partner())).get(f"/partners/{joana.pk}/statements/2026-03.csv").status_code
        == 404
    )  # another partner's key
    assert SharingRecord.objects.count() == 0


def test_statements_read_through_the_api_are_logged():
    joana = person()
    api = ApiClient(make_key("partner", joana))
    assert api.get(f"/partners/{joana.pk}/statements/2026-03.csv").status_code == 200
    assert api.get(f"/partners/{joana.pk}/income-statements/2025.csv").status_code == 200
    rows = [
        (r.recipient, r.channel, r.legal_basis, r.partner_id, r.description)
        for r in SharingRecord.objects.order_by("id")
    ]
    assert rows == [
        (
            f"partner {joana.pk}",
            "statement",
            "contract",
            joana.pk,
            "Monthly statement 2026-03 (CSV) downloaded through the API",
        ),
        (
            f"partner {joana.pk}",
            "informe",
            "legal_obligation",
            joana.pk,
            "Income statement 2025 (CSV) downloaded through the API",
        ),
    ]
    assert all(r.actor_label.startswith("api-key:partner-") for r in SharingRecord.objects.all())


# --- webhooks and chat messages -------------------------------------------------------------------------------------


@pytest.fixture
def loopback(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": True, "WEBHOOKS_TIMEOUT": 2}


def _emit(partner, type="payout.paid", data=None) -> None:
    with transaction.atomic():
        emit(type, partner=partner, data=data or {"payout_id": 7, "net": "1497.2000"})


def test_a_delivered_event_of_a_person_is_logged_once_and_a_failed_attempt_is_not(loopback):
    joana = person()
    with receiver(statuses=[500]) as hook:
        _endpoint, hook.secret = endpoint_create(
            partner=joana, url=hook.url, event_types=["payout.paid", "deal.decided"], actor=ACTOR
        )
        _emit(joana)
        assert deliver_webhooks() == 1
        assert SharingRecord.objects.count() == 0  # answered 500: nothing was taken in
        Delivery.objects.update(next_attempt_at=timezone.now())
        assert deliver_webhooks() == 1
        _emit(joana, "deal.decided", {"registration_id": 1, "company_name": "Loja X", "status": "approved"})
        assert deliver_webhooks() == 1
    delivered = list(Delivery.objects.order_by("id"))
    assert [d.state for d in delivered] == [DeliveryState.DELIVERED] * 2
    rows = [_row(r) for r in SharingRecord.objects.order_by("id")]
    assert rows == [
        (
            "127.0.0.1",
            "webhook",
            "contract",
            ["partner_contact", "pf_payee_tax"],
            joana.pk,
            1,
            "webhooks.delivery",
            str(delivered[0].pk),
            "webhooks",
        ),
        (
            "127.0.0.1",
            "webhook",
            "contract",
            ["partner_contact"],
            joana.pk,
            1,
            "webhooks.delivery",
            str(delivered[1].pk),
            "webhooks",
        ),
    ]
    first = SharingRecord.objects.order_by("id").first()
    assert first.description == (
        f"Event payout.paid {delivered[0].event.event_id}: the partner's name and the payout's amounts"
    )
    assert SharingRecord.objects.order_by("id").last().description == (
        f"Event deal.decided {delivered[1].event.event_id}: the partner's name"
    )


def test_events_of_a_company_and_to_a_staff_endpoint_are_not_logged(loopback):
    company = make_partner(name="Empresa")
    with receiver() as hook, receiver() as staff_hook:
        _e, hook.secret = endpoint_create(partner=company, url=hook.url, event_types=["payout.paid"], actor=ACTOR)
        _s, staff_hook.secret = endpoint_create(
            partner=None, url=staff_hook.url, event_types=["payout.paid"], actor=ACTOR
        )
        _emit(company)
        _emit(person())
        assert deliver_webhooks() == 3
    assert len(hook.received) == 1 and len(staff_hook.received) == 2
    assert SharingRecord.objects.count() == 0


def test_a_chat_message_about_a_person_is_logged_when_sent_and_not_when_it_fails(loopback):
    joana = person()
    with chat_receiver(statuses=[500]) as chat:
        chat_webhook_save(partner=joana, url=chat.url, event_types=["payout.paid"], language="pt-br", actor=ACTOR)
        _emit(joana)
        assert deliver_notifications() == 1
        assert SharingRecord.objects.count() == 0
        Notification.objects.update(next_attempt_at=timezone.now())
        assert deliver_notifications() == 1
    row = Notification.objects.get()
    assert row.status == "sent"
    record = SharingRecord.objects.get()
    assert _row(record) == (
        "127.0.0.1",
        "chat_webhook",
        "contract",
        ["partner_contact", "pf_payee_tax"],
        joana.pk,
        1,
        "notifications.notification",
        str(row.pk),
        "notifications",
    )
    assert record.description == "Chat message about payout.paid: the partner's name and the payout's net amount"


def test_a_chat_message_about_a_company_is_not_logged(loopback):
    company = make_partner()
    with chat_receiver() as chat:
        chat_webhook_save(partner=company, url=chat.url, event_types=["payout.paid"], language="", actor=ACTOR)
        _emit(company)
        assert deliver_notifications() == 1
    assert Notification.objects.get().status == "sent"
    assert SharingRecord.objects.count() == 0


def test_the_test_message_to_a_persons_chat_is_logged_and_a_failed_one_is_not(loopback):
    joana = person()
    with chat_receiver(statuses=[500]) as chat:
        saved = chat_webhook_save(partner=joana, url=chat.url, event_types=["payout.paid"], language="", actor=ACTOR)
        with pytest.raises(InvalidInput):
            chat_webhook_test(chat=saved, actor=Actor(label="user:joana"))
        assert SharingRecord.objects.count() == 0
        chat_webhook_test(chat=saved, actor=Actor(label="user:joana"))
    record = SharingRecord.objects.get()
    assert (record.channel, record.categories, record.object_type, record.actor_label, record.description) == (
        "chat_webhook",
        ["partner_contact"],
        "notifications.chatwebhook",
        "user:joana",
        "Chat message about test: the partner's name",
    )


# --- account mapping ------------------------------------------------------------------------------------------------


def _mapping(level: str):
    alfa = make_partner(name="Alfa")
    make_customer(domain="nossa.com.br", name="Nossa Loja")
    make_customer(domain="outra.com.br", name="Outra Loja")
    mapping = mapping_create(
        partner=alfa, data=csv(",nossa.com.br,customer", ",outra.com.br,", ",fora.com.br,"), actor=ACTOR
    )
    PartnerSharing.objects.create(partner=alfa, partner_level=level, company_level=level)
    if level != SharingLevel.COUNTS:
        _consent(alfa)
    return alfa, mapping


def _consent(partner) -> None:
    """The partner's admin consents to share matched accounts (privacy.consent: no consent, counts only)."""
    admin = user_create(username=f"admin{partner.pk}@example.com", password=None, role="partner_admin",
                        partner=partner, actor=ACTOR)
    consent_grant(user=admin, purpose=ConsentPurpose.ACCOUNT_MAPPING, partner_id=partner.pk, source="tests",
                  actor=Actor(label=f"user:{admin.username}", user=admin))


def test_matched_accounts_shown_and_downloaded_in_the_portal_are_logged():
    alfa, mapping = _mapping(SharingLevel.OVERLAPS)
    client = portal_client(alfa, "ana")
    page = client.get(f"/portal/account-mapping/{mapping.pk}/")
    assert "Nossa Loja" in page.content.decode()
    assert client.get(f"/portal/account-mapping/{mapping.pk}/?export=csv&table=matches").status_code == 200
    assert client.get(f"/portal/account-mapping/{mapping.pk}/?export=csv").status_code == 200  # counts only
    rows = [(*_row(r), r.description) for r in SharingRecord.objects.order_by("id")]
    common = (
        f"partner {alfa.pk}",
        "account_mapping",
        "legitimate_interest",
        ["customer_contact"],
        alfa.pk,
        2,
        "mapping.accountmapping",
        str(mapping.pk),
        "user:ana@example.com",
    )
    assert rows == [
        (*common, f"2 matched accounts of account mapping #{mapping.pk} shown in the portal"),
        (*common, f"2 matched accounts of account mapping #{mapping.pk} downloaded as csv"),
    ]


def test_counts_only_share_nothing_and_staff_reading_matches_is_not_a_share():
    alfa, mapping = _mapping(SharingLevel.COUNTS)
    client = portal_client(alfa, "ana")
    assert client.get(f"/portal/account-mapping/{mapping.pk}/").status_code == 200
    assert client.get(f"/portal/account-mapping/{mapping.pk}/?export=csv&table=matches").status_code == 200
    staff = staff_client("maria", "partner_manager")
    PartnerSharing.objects.filter(partner=alfa).update(partner_level="all", company_level="all")
    _consent(alfa)
    assert "Nossa Loja" in staff.get(f"/console/account-mappings/{mapping.pk}/").content.decode()
    assert ApiClient(make_key("admin")).get(f"/account-mappings/{mapping.pk}").status_code == 200
    assert SharingRecord.objects.count() == 0


def test_matched_accounts_read_through_the_api_by_the_partner_are_logged():
    alfa, mapping = _mapping(SharingLevel.ALL)
    api = ApiClient(make_key("partner", alfa))
    answer = api.get(f"/account-mappings/{mapping.pk}")
    assert answer.status_code == 200
    record = SharingRecord.objects.get()
    assert (record.channel, record.subjects, record.partner_id, record.description) == (
        "account_mapping",
        2,
        alfa.pk,
        f"2 matched accounts of account mapping #{mapping.pk} read through the API",
    )


# --- the console page -----------------------------------------------------------------------------------------------


def _log(day: str, **overrides) -> SharingRecord:
    """A record written at noon (São Paulo) of `day`."""
    args = {
        "recipient": "bank 341",
        "channel": "cnab_file",
        "legal_basis": "contract",
        "categories": ["pix_key"],
        "description": f"A file of {day}",
        "subjects": 2,
        **overrides,
    }
    with time_machine.travel(datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=SP), tick=False):
        return sharing_record(actor=Actor(label="user:fin"), **args)


@pytest.fixture
def three(db):
    joana = make_partner(name="Joana")
    return [
        _log("2026-03-01"),
        _log(
            "2026-03-15",
            recipient="hooks.example.com",
            channel="webhook",
            categories=["partner_contact"],
            partner_id=joana.pk,
            subjects=1,
            description="Event payout.paid",
        ),
        _log(
            "2026-04-02",
            recipient=f"partner {joana.pk}",
            channel="statement",
            categories=["pf_payee_tax"],
            partner_id=joana.pk,
            subjects=1,
            description="Monthly statement 2026-03 (CSV)",
        ),
    ]


def _ids(response) -> list[int]:
    text = response.content.decode()
    return [r.pk for r in SharingRecord.objects.order_by("-id") if r.description in text]


def test_finance_reads_the_log_newest_first_and_filters_it(finance, three):
    first, hook, statement = three
    page = finance.get("/console/privacy/sharing/")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("Monthly statement 2026-03") < text.index("Event payout.paid") < text.index("A file of")
    assert "Webhook delivery" in text and "Performance of a contract (art. 7 V)" in text and "PIX key" in text
    assert _ids(finance.get("/console/privacy/sharing/?channel=webhook")) == [hook.pk]
    assert _ids(finance.get("/console/privacy/sharing/?recipient=EXAMPLE")) == [hook.pk]
    assert _ids(finance.get(f"/console/privacy/sharing/?partner={hook.partner_id}")) == [statement.pk, hook.pk]
    assert _ids(finance.get("/console/privacy/sharing/?since=2026-03-15&until=2026-04-01")) == [hook.pk]
    assert _ids(finance.get("/console/privacy/sharing/?since=2026-03-16")) == [statement.pk]
    assert _ids(finance.get("/console/privacy/sharing/?until=2026-03-01")) == [first.pk]
    empty = finance.get("/console/privacy/sharing/?channel=informe")
    assert empty.status_code == 200 and "No shares match." in empty.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "since=2026-13-01",
        "until=yesterday",
        "since=2026-04-02&until=2026-03-01",
        "channel=fax",
        "partner=abc",
        "partner=0",
    ],
)
def test_a_bad_filter_answers_422_with_no_rows_and_no_file(finance, three, query):
    page = finance.get(f"/console/privacy/sharing/?{query}")
    assert page.status_code == 422
    assert "A file of" not in page.content.decode() and "field-error" in page.content.decode()
    assert finance.get(f"/console/privacy/sharing/?{query}&export=csv").status_code == 422
    assert finance.get(f"/console/privacy/sharing/export/?{query}").status_code == 422


def test_the_filtered_rows_download_as_csv_and_xlsx(finance, three):
    first, hook, _statement = three
    response = finance.get("/console/privacy/sharing/export/?until=2026-03-31")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sharing-log.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "Id,When,Channel,Recipient,Legal basis,Personal data,People,Partner id,What was shared,Object,By",
        f"{hook.pk},2026-03-15 12:00,Webhook delivery,hooks.example.com,Performance of a contract (art. 7 V),"
        f"Partner contact,1,{hook.partner_id},Event payout.paid,,user:fin",
        f"{first.pk},2026-03-01 12:00,Bank file (CNAB 240 remittance),bank 341,"
        f"Performance of a contract (art. 7 V),PIX key,2,,A file of 2026-03-01,,user:fin",
    ]
    same = finance.get("/console/privacy/sharing/?until=2026-03-31&export=csv")
    assert same.content == response.content
    xlsx = finance.get("/console/privacy/sharing/export/?channel=webhook&export=xlsx")
    assert xlsx["Content-Disposition"] == 'attachment; filename="sharing-log.xlsx"'
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [rows[0][3], rows[1][0], rows[1][3], rows[1][6]] == ["Recipient", hook.pk, "hooks.example.com", 1]
    assert len(rows) == 2
    assert finance.get("/console/privacy/sharing/export/?export=pdf").status_code == 400


def test_only_finance_and_admins_open_the_log(db, three):
    for role in ("partner_manager", "analyst"):
        assert staff_client(f"u-{role}", role).get("/console/privacy/sharing/").status_code == 403
        assert staff_client(f"e-{role}", role).get("/console/privacy/sharing/export/").status_code == 403
    assert staff_client("boss", "admin").get("/console/privacy/sharing/").status_code == 200
    partner_user = portal_client(make_partner(), "ana")
    assert partner_user.get("/console/privacy/sharing/").status_code == 302
    assert Client().get("/console/privacy/sharing/").status_code == 302
    assert staff_client("fin2", "finance").post("/console/privacy/sharing/").status_code == 405


def test_the_page_reads_in_a_fixed_number_of_queries(finance, db):
    joana = make_partner(name="Joana")
    _log("2026-03-01", partner_id=joana.pk)
    finance.get("/console/privacy/sharing/")  # sessions and the like settle
    with CaptureQueriesContext(connection) as few:
        assert finance.get("/console/privacy/sharing/").status_code == 200
    for n in range(20):
        _log("2026-03-02", partner_id=joana.pk, description=f"file {n}")
    with CaptureQueriesContext(connection) as many:
        page = finance.get("/console/privacy/sharing/")
    assert page.content.decode().count("<tr>") == 22  # the header and 21 rows
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as export:
        assert finance.get("/console/privacy/sharing/export/").status_code == 200
    assert len(export) <= len(few)


def test_the_selector_filters_as_the_page_does(three):
    first, hook, statement = three
    assert list(sharing_log()) == [statement, hook, first]
    assert list(sharing_log(since=date(2026, 3, 2), until=date(2026, 3, 31))) == [hook]
    assert [r.pk for r in sharing_log(partner_id=hook.partner_id, channel="statement")] == [statement.pk]
    assert timezone.localtime(hook.at) == datetime(2026, 3, 15, 12, tzinfo=SP)
    assert timedelta(0) < statement.at - hook.at
