"""Data-subject requests (LGPD art. 18–19): the access export holds every personal value seeded across apps; an
anonymisation leaves none of them in any text column of any table, while the ledger, the payouts and the statement
stay the same to the cent; a second anonymisation changes nothing; an unknown person is a recorded answer."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import QuerySet, Sum
from django.test import Client
from django.urls import reverse

from parceria.accounts.models import LoginAttempt, User
from parceria.accounts.services import user_create
from parceria.commissions.models import LedgerLine
from parceria.common.audit import Actor
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.models import AuditRecord
from parceria.common.taxids import synthetic_tax_id
from parceria.leads.models import Lead
from parceria.partners.models import Partner
from parceria.payouts.models import Payout
from parceria.payouts.statements.monthly import statement_for
from parceria.privacy.holds import fiscal_hold_until
from parceria.privacy.models import ConsentRecord, DataSubjectRequest, LegalHold, SealedIdentity
from parceria.privacy.scan import occurrences
from parceria.privacy.seal import unseal
from parceria.privacy.services import (
    NewRequest,
    request_anonymise,
    request_download,
    request_register,
    request_search,
)
from tests.factories import credit, make_customer, make_payout

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")
CPF = synthetic_tax_id("BR", 777, person=True)
CPF_FORMATTED = f"{CPF[:3]}.{CPF[3:6]}.{CPF[6:9]}-{CPF[9:]}"
EMAIL = "ana.quintela@correio.example"
NAME = "Ana Beatriz Quintela"
PHONE = "+55 11 98765-4321"
PIX = "ana.pix.quintela@banco.example"
MOTIVATION = "Atendo clinicas odontologicas em Campinas"
PERSONAL = [EMAIL, CPF, CPF_FORMATTED, NAME, PHONE, PIX, "Quintela Consultoria"]


@pytest.fixture(autouse=True)
def commits(monkeypatch):
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


def seed() -> Partner:
    """One of each kind of personal data: the applicant (a `pf` payee) and her application, her partner user, her
    sign-in attempt and session, her PIX key, a customer she is, a lead naming her, a payout and ledger lines."""
    answer = Client().post(reverse("recruiting:apply_kind", args=["consultancy"]), {
        "name": "Quintela Consultoria", "legal_name": NAME, "country": "BR", "tax_id": CPF_FORMATTED,
        "website": "", "verticals": "saude", "territories": "SP", "customers_served": "Clinicas.",
        "kind_answer": "12 clientes.", "motivation": MOTIVATION, "contact_name": NAME, "contact_email": EMAIL,
        "contact_phone": PHONE, "language": "pt-br", "consent": "on", "company_fax": "",
    }, REMOTE_ADDR="203.0.113.9")
    assert answer.status_code in (200, 302), answer.content[:400]
    partner = Partner.objects.get(tax_id=CPF)
    Partner.objects.filter(pk=partner.pk).update(pix_key_type="email", pix_key=PIX)
    user = user_create(username=EMAIL, password="x-Secret-1234", role="partner_admin", email=EMAIL, partner=partner,
                       actor=ACTOR)
    User.objects.filter(pk=user.pk).update(first_name="Ana Beatriz", last_name="Quintela")
    LoginAttempt.objects.create(username=EMAIL, address="198.51.100.23", succeeded=True)
    Client().force_login(user)
    make_customer(name=NAME, tax_id=CPF)
    Lead.objects.create(company_name="Clinica Sorriso", normalised_name="clinica sorriso", country="BR",
                        contact_name=NAME, contact_email=EMAIL, currency="BRL", estimated_value=Decimal("1000"),
                        created_by_label="tests",
                        notes=f"Indicada por {NAME}")
    ConsentRecord.objects.create(user=user, purpose="marketing_emails", granted=True, text_version="2026-01",
                                 source="portal", recorded_by_label=f"user:{EMAIL}")
    credit(partner, "900.00", at="2026-03-10T12:00:00-03:00")
    credit(partner, "-100.00", at="2026-03-20T12:00:00-03:00", note="correction")
    payout = make_payout(partner, dt.date(2026, 3, 1), "800.00", payment_date=dt.date(2026, 4, 5),
                         withheld={"IRRF": "12.00"})
    QuerySet(Payout).filter(pk=payout.pk).update(pix_key_type="email", pix_key=PIX)  # seeding a snapshot
    return partner


def money() -> dict[str, Decimal]:
    return {
        "ledger": LedgerLine.objects.aggregate(s=Sum("amount"))["s"],
        "gross": Payout.objects.aggregate(s=Sum("gross"))["s"],
        "net": Payout.objects.aggregate(s=Sum("net"))["s"],
    }


def register(kind: str, **who: object) -> DataSubjectRequest:
    return request_register(new=NewRequest(kind=kind, received_on=dt.date(2026, 4, 10), **who), actor=ACTOR)


def test_access_export_holds_every_personal_value_seeded_across_apps_and_downloads_once(time_machine):
    time_machine.move_to("2026-04-10 12:00")
    seed()
    req = request_search(req=register("access", email=EMAIL.upper()), actor=ACTOR)
    assert req.due_on == dt.date(2026, 4, 25)
    for category in ("applicant", "partner_user", "pf_payee_tax", "customer_contact", "sign_in_attempt", "consent",
                     "activity_log"):
        assert req.found.get(category, 0) > 0, category
    name, body = request_download(req=req, actor=ACTOR)
    assert name == f"parceria-dsr-{req.pk}.json"
    text = body.decode()
    document = json.loads(text)
    assert document["format"] == "parceria.dsr-export/1"
    for value in (EMAIL, CPF, NAME, PHONE, PIX, MOTIVATION, "198.51.100.23", "Ana Beatriz"):
        assert value in text, value
    models_found = {r["model"] for rows in document["records"].values() for r in rows}
    assert {"accounts.User", "accounts.LoginAttempt", "partners.Partner", "payouts.Payout", "recruiting.Application",
            "customers.Customer", "leads.Lead", "privacy.ConsentRecord", "common.AuditRecord",
            "sessions.Session"} <= models_found
    with pytest.raises(Conflict):
        request_download(req=req, actor=ACTOR)
    assert AuditRecord.objects.filter(action="dsr.export_downloaded", object_id=str(req.pk)).count() == 1


def test_anonymisation_leaves_no_personal_value_in_any_table_and_money_unchanged_to_the_cent(time_machine):
    time_machine.move_to("2026-04-10 12:00")
    partner = seed()
    before_money = money()
    statement_before = statement_for(partner=partner, month=dt.date(2026, 3, 1)).totals
    assert occurrences(PERSONAL)  # the seed put them everywhere
    req = request_anonymise(req=register("anonymisation", tax_id=CPF_FORMATTED, details=f"Pedido de {NAME}"),
                            actor=ACTOR)
    assert req.status == "answered"
    assert req.answer.startswith("Anonymised:")
    assert req.answer.endswith("Scan afterwards: none of the person's values is left in any text column.")
    assert occurrences(PERSONAL) == {}
    assert money() == before_money == {"ledger": Decimal("800.0000"), "gross": Decimal("800.0000"),
                                       "net": Decimal("788.0000")}
    partner.refresh_from_db()
    assert statement_for(partner=partner, month=dt.date(2026, 3, 1)).totals == statement_before
    user = User.objects.get(partner=partner)
    assert not user.is_active and not user.has_usable_password()
    assert LoginAttempt.objects.count() == 0
    # The payout is under the fiscal hold: its identifiers are sealed until the hold ends, readable with the key only.
    sealed = SealedIdentity.objects.get(request=req)
    assert sealed.hold_until == fiscal_hold_until(dt.date(2026, 4, 5)) == dt.date(2031, 12, 31)
    opened = unseal(sealed.sealed)
    assert {"model": "payouts.Payout"}.items() <= opened[0].items()
    assert opened[0]["fields"]["payee_tax_id"] == CPF
    # Stable pseudonyms: the payout and the partner still share their (pseudonymous) tax id.
    assert Payout.objects.get().payee_tax_id == partner.tax_id != CPF

    # An authority's question: the sealed identifiers are opened by the request's pseudonym, with a reason, audited.
    out = io.StringIO()
    call_command("sealed_open", req.subject_ref, "--reason", "Receita Federal, intimação 42", stdout=out)
    assert json.loads(out.getvalue())[0]["fields"]["payee_name"] == NAME
    opened = AuditRecord.objects.get(action="sealed_identity.opened")
    assert opened.reason == "Receita Federal, intimação 42"
    with pytest.raises(CommandError, match="Say why"):
        call_command("sealed_open", req.subject_ref, "--reason", " ")
    with pytest.raises(CommandError, match="Nothing is sealed"):
        call_command("sealed_open", "anon-000000000000", "--reason", "x")

    again = request_anonymise(req=register("anonymisation", tax_id=CPF), actor=ACTOR)
    assert again.answer == f"Nothing to anonymise: this person was anonymised by request #{req.pk}."
    assert money() == before_money


def test_a_person_under_contract_or_a_legal_hold_is_not_anonymised_and_nothing_changes(time_machine):
    time_machine.move_to("2026-04-10 12:00")
    partner = seed()
    Partner.objects.filter(pk=partner.pk).update(status="active")
    req = register("anonymisation", email=EMAIL)
    with pytest.raises(Conflict, match="contract is in force"):
        request_anonymise(req=req, actor=ACTOR)
    assert User.objects.get(partner=partner).email == EMAIL
    Partner.objects.filter(pk=partner.pk).update(status="terminated")
    LegalHold.objects.create(partner_id=partner.pk, reason="Lawsuit 123", placed_by_label="tests")
    with pytest.raises(Conflict, match="legal hold"):
        request_anonymise(req=req, actor=ACTOR)
    assert len(occurrences([EMAIL])) > 3
    req.refresh_from_db()
    assert req.status == "open"


def test_an_unknown_person_is_an_answer_that_is_recorded():
    req = request_search(req=register("access", email="nobody@nowhere.example"), actor=ACTOR)
    assert req.found == {}
    assert req.export_name == ""
    assert AuditRecord.objects.filter(action="dsr.searched", object_id=str(req.pk), after={"found": {}}).count() == 1
    gone = request_anonymise(req=register("anonymisation", email="no.one@nowhere.example"), actor=ACTOR)
    assert gone.answer == "Nothing was found about this person; nothing was changed."


@pytest.mark.parametrize(
    ("who", "field"),
    [({}, "email"), ({"email": "not-an-address"}, "email"), ({"tax_id": "123.456.789-00"}, "tax_id")],
)
def test_bad_requests_are_refused_and_nothing_is_stored(who, field):
    with pytest.raises(InvalidInput) as error:
        register("access", **who)
    assert error.value.details == {"field": field}
    assert DataSubjectRequest.objects.count() == 0
