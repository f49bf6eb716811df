"""Deal registration: every conflict rule with its exact outcome, what the partner may read of a refusal, bad input
that stores nothing, staff decisions, and the race between two partners on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from stdnum.br import cnpj

from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.common.models import AuditRecord
from parceria.deals.models import DealRegistration, DealStatus
from parceria.deals.names import is_public_email_domain, normalise_name
from parceria.deals.services import (
    REASON_APPROVED,
    REASON_CUSTOMER,
    REASON_DUPLICATE,
    REASON_REVIEW,
    REASON_TAKEN,
    DealFields,
    deal_decide,
    deal_register,
)
from tests.factories import ACTOR, make_customer, make_partner

pytestmark = pytest.mark.django_db

ROOT = "45997418"
CNPJ_HQ = ROOT + "0001" + cnpj.calc_check_digits(ROOT + "0001")
CNPJ_BRANCH = ROOT + "0002" + cnpj.calc_check_digits(ROOT + "0002")
OTHER_CNPJ = "11222333000181"


def fields(**overrides) -> DealFields:
    data = {
        "company_name": "Padaria São João Ltda.", "country": "BR", "tax_id": CNPJ_HQ, "domain": "padariasj.com.br",
        "contact_name": "Joana Lima", "contact_email": "joana@padariasj.com.br", "estimated_value": "12500.50",
        "currency": "BRL", "vertical": "retail", "region": "SP",
    }
    data.update(overrides)
    return DealFields(**data)


def stored() -> tuple[int, int]:
    return DealRegistration.objects.count(), AuditRecord.objects.filter(action__startswith="deal_").count()


def test_a_new_company_is_approved_for_90_days_and_audited():
    partner = make_partner()

    reg = deal_register(partner=partner, fields=fields(domain="https://www.PadariaSJ.com.br/contato"), actor=ACTOR)

    assert (reg.status, reg.reason, reg.conflict) == (DealStatus.APPROVED, REASON_APPROVED, None)
    assert (reg.tax_id, reg.cnpj_root, reg.domain) == (CNPJ_HQ, ROOT, "padariasj.com.br")
    assert (reg.normalised_name, reg.estimated_value, reg.currency) == ("padaria sao joao", Decimal("12500.50"), "BRL")
    assert reg.expires_on == timezone.localdate() + timedelta(days=90)
    assert reg.decided_at is not None
    audit = AuditRecord.objects.get(action="deal_registration.created")
    assert (audit.object_id, audit.after["status"]) == (str(reg.pk), "approved")


def test_the_validity_is_a_setting(settings):
    settings.PARCERIA = {**settings.PARCERIA, "DEAL_REGISTRATION_DAYS": 30}

    reg = deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)

    assert reg.expires_on == timezone.localdate() + timedelta(days=30)


@pytest.mark.parametrize(("customer", "match"), [
    ({"tax_id": CNPJ_HQ}, "tax_id"),
    ({"tax_id": CNPJ_BRANCH}, "cnpj_root"),
    ({"domain": "padariasj.com.br"}, "domain"),
])
def test_an_existing_customer_rejects_by_tax_id_cnpj_root_or_domain(customer, match):
    owner = make_partner(name="Dona do Cliente")
    existing = make_customer(owner, name="Panificadora Central", **customer)
    partner = make_partner()
    identity = {"tax_id": CNPJ_HQ, "domain": ""} if match != "domain" else {"tax_id": "", "domain": "padariasj.com.br"}

    reg = deal_register(partner=partner, fields=fields(**identity), actor=ACTOR)

    assert (reg.status, reg.reason) == (DealStatus.REJECTED, REASON_CUSTOMER)
    assert reg.conflict == {"kind": "customer", "id": existing.pk, "name": "Panificadora Central",
                            "external_id": existing.external_id, "partner_id": owner.pk, "match": match}


def test_another_partners_active_registration_rejects_and_the_reason_names_nobody():
    first = make_partner(name="Alfa Integradora", legal_name="Alfa Integradora Ltda")
    second = make_partner(name="Bravo Consultoria")
    won = deal_register(partner=first, fields=fields(), actor=ACTOR)

    lost = deal_register(partner=second, fields=fields(company_name="Outra Padaria", tax_id=CNPJ_BRANCH,
                                                       domain="outra.com.br"), actor=ACTOR)

    assert (lost.status, lost.reason) == (DealStatus.REJECTED, REASON_TAKEN)
    assert lost.conflict == {"kind": "registration", "id": won.pk, "name": "Padaria São João Ltda.",
                             "partner_id": first.pk, "match": "cnpj_root"}
    for secret in ("Alfa", "Integradora", "Padaria", CNPJ_HQ, "padariasj"):
        assert secret not in lost.reason


def test_the_same_partner_registering_twice_is_a_duplicate():
    partner = make_partner()
    first = deal_register(partner=partner, fields=fields(), actor=ACTOR)

    again = deal_register(partner=partner, fields=fields(), actor=ACTOR)

    assert (again.status, again.reason, again.conflict["id"]) == (DealStatus.REJECTED, REASON_DUPLICATE, first.pk)


def test_an_expired_registration_does_not_block():
    first = make_partner()
    old = deal_register(partner=first, fields=fields(), actor=ACTOR)
    DealRegistration.objects.filter(pk=old.pk).update(expires_on=timezone.localdate())

    reg = deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)

    assert (reg.status, reg.conflict) == (DealStatus.APPROVED, None)


def test_a_rejected_registration_does_not_block():
    make_customer(None, domain="padariasj.com.br")
    deal_register(partner=make_partner(), fields=fields(tax_id=""), actor=ACTOR)
    make_customer(None, external_id="x", domain="other.com.br")  # the customer above is still there: same answer

    reg = deal_register(partner=make_partner(), fields=fields(domain=""), actor=ACTOR)

    assert reg.status == DealStatus.APPROVED


@pytest.mark.parametrize("name", ["PADARIA SAO JOAO S.A.", "Padaria São João ME", "padaria sao joão eireli",
                                  "Padaria Sao Joao SAS", "Padaria São Joãoo Ltda"])
def test_a_similar_name_of_another_partners_registration_goes_to_review(name):
    first = make_partner()
    held = deal_register(partner=first, fields=fields(), actor=ACTOR)

    reg = deal_register(partner=make_partner(), fields=fields(company_name=name, tax_id=OTHER_CNPJ,
                                                              domain="x.com.br"), actor=ACTOR)

    assert (reg.status, reg.reason, reg.decided_at) == (DealStatus.IN_REVIEW, REASON_REVIEW, None)
    assert (reg.conflict["kind"], reg.conflict["id"], reg.conflict["name"], reg.conflict["match"]) == (
        "registration", held.pk, "Padaria São João Ltda.", "name")
    assert reg.conflict["similarity"] >= 0.9


def test_a_similar_name_of_a_customer_goes_to_review():
    customer = make_customer(None, name="Acme Comércio S.A. de C.V.", country="MX")

    reg = deal_register(partner=make_partner(), fields=fields(company_name="ACME COMERCIO", tax_id=OTHER_CNPJ,
                                                              domain="acme.com.br"), actor=ACTOR)

    assert (reg.status, reg.conflict) == (DealStatus.IN_REVIEW, {
        "kind": "customer", "id": customer.pk, "name": "Acme Comércio S.A. de C.V.", "partner_id": None,
        "match": "name", "similarity": 1.0})


def test_a_different_name_is_approved():
    deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)

    reg = deal_register(partner=make_partner(), fields=fields(company_name="Padaria Santa Luzia",
                                                              tax_id=OTHER_CNPJ, domain="x.com.br"), actor=ACTOR)

    assert reg.status == DealStatus.APPROVED


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"domain": "gmail.com", "tax_id": ""}, "public_email_domain", "domain"),
    ({"domain": "https://www.UOL.com.br/"}, "public_email_domain", "domain"),
    ({"domain": "terra.com.br"}, "public_email_domain", "domain"),
    ({"tax_id": "45.997.418/0001-00"}, "invalid_tax_id", "tax_id"),
    ({"tax_id": "11.111.111/0001-91"}, "invalid_tax_id", "tax_id"),
    ({"tax_id": "", "domain": ""}, "identity_required", "tax_id"),
    ({"domain": "not a domain"}, "invalid", "domain"),
    ({"contact_email": "joana"}, "invalid", "contact_email"),
    ({"estimated_value": "-1"}, "invalid_amount", "estimated_value"),
    ({"currency": "XYZ"}, "invalid_choice", "currency"),
    ({"country": "ZZ"}, "invalid", "country"),
    ({"company_name": "--- ..."}, "invalid", "company_name"),
    ({"company_name": " "}, "invalid_field", "company_name"),
])
def test_bad_input_is_refused_and_nothing_is_stored(overrides, code, field):
    partner = make_partner()
    before = stored()

    with pytest.raises(InvalidInput) as refused:
        deal_register(partner=partner, fields=fields(**overrides), actor=ACTOR)

    assert (refused.value.code, refused.value.details) == (code, {"field": field})
    assert stored() == before


def test_a_terminated_partner_cannot_register():
    partner = make_partner(status="terminated")
    before = stored()

    with pytest.raises(InvalidInput) as refused:
        deal_register(partner=partner, fields=fields(), actor=ACTOR)

    assert refused.value.code == "partner_terminated"
    assert stored() == before


def in_review() -> DealRegistration:
    deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)
    return deal_register(partner=make_partner(), fields=fields(company_name="Padaria Sao Joao SA", tax_id=OTHER_CNPJ,
                                                               domain="x.com.br"), actor=ACTOR)


@pytest.mark.parametrize(("approve", "status"), [(True, DealStatus.APPROVED), (False, DealStatus.REJECTED)])
def test_staff_decide_a_registration_in_review(approve, status):
    reg = in_review()
    staff = Actor(label="user:gerente")

    decided = deal_decide(registration=reg, approve=approve, reason="Checked with the sales team", actor=staff)

    reg.refresh_from_db()
    assert (reg.status, reg.reason, reg.decided_by_label) == (status, "Checked with the sales team", "user:gerente")
    assert decided.decided_at is not None
    audit = AuditRecord.objects.get(action="deal_registration.decided")
    assert (audit.before["status"], audit.after["status"], audit.reason) == ("in_review", status,
                                                                             "Checked with the sales team")


def test_a_decided_registration_cannot_be_decided_again():
    reg = deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)
    before = stored()

    with pytest.raises(InvalidInput) as refused:
        deal_decide(registration=reg, approve=False, reason="no", actor=ACTOR)

    assert refused.value.code == "invalid_transition"
    assert stored() == before
    reg.refresh_from_db()
    assert reg.status == DealStatus.APPROVED


def test_a_decision_needs_a_reason():
    reg = in_review()

    with pytest.raises(InvalidInput):
        deal_decide(registration=reg, approve=True, reason="  ", actor=ACTOR)

    reg.refresh_from_db()
    assert reg.status == DealStatus.IN_REVIEW


@pytest.mark.parametrize(("name", "normalised"), [
    ("Padaria São João Ltda.", "padaria sao joao"),
    ("ACME S.A. de C.V.", "acme"),
    ("Acme, S.A.S.", "acme"),
    ("Ótica Visão EIRELI - ME", "otica visao"),
    ("Construtora Lima S/A", "construtora lima"),
    ("Ltda", "ltda"),
])
def test_company_names_are_normalised(name, normalised):
    assert normalise_name(name) == normalised


@given(st.text(max_size=60))
def test_normalising_twice_changes_nothing(name):
    once = normalise_name(name)
    assert normalise_name(once) == once


def test_public_email_domains_and_their_subdomains():
    assert [is_public_email_domain(d) for d in ("gmail.com", "mail.yahoo.com.br", "bol.com.br", "padaria.com.br",
                                                "com.br")] == [True, True, True, False, False]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_partners_registering_the_same_company_at_once_end_with_one_approved():
    partners = [make_partner() for _ in range(6)]
    barrier = threading.Barrier(len(partners))
    results, errors = [], []

    def register(partner) -> None:
        try:
            barrier.wait()
            results.append(deal_register(partner=partner, fields=fields(), actor=ACTOR).status)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(p,)) for p in partners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert errors == []
    assert sorted(results) == ["approved"] + ["rejected"] * 5
    assert DealRegistration.objects.filter(status="approved").count() == 1


def test_a_refused_decision_names_the_status_in_words_not_its_code():
    from django.utils import translation

    registration = deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)
    assert registration.status == DealStatus.APPROVED
    with translation.override("pt-br"), pytest.raises(InvalidInput) as refused:
        deal_decide(registration=registration, approve=True, reason="ok", actor=ACTOR)
    assert refused.value.message == "Só um registro em análise pode ser decidido; este está aprovado."
