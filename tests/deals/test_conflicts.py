"""The conflict checks beyond customers and registrations: the direct-sales pipeline's open opportunities,
exclusive territories and verticals of other partners' agreements, alike names of open opportunities; the customers'
normalised names; and the trigram search on PostgreSQL."""

from __future__ import annotations

from datetime import date
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parceria.agreements.services import exclusivity_grant
from parceria.common.names import SIMILARITY_THRESHOLD, normalise_label, similar_rows
from parceria.customers.models import Customer
from parceria.customers.services import CustomerChanges, customer_update
from parceria.deals.models import DealRegistration, DealStatus, Opportunity
from parceria.deals.names import normalise_name as reexported_normaliser
from parceria.deals.services import (
    REASON_APPROVED,
    REASON_CUSTOMER,
    REASON_EXCLUSIVE,
    REASON_PIPELINE,
    REASON_REVIEW,
    deal_register,
)
from parceria.deals.uploads import opportunity_upsert
from tests.agreements.helpers import make_agreement
from tests.deals.test_services import CNPJ_BRANCH, CNPJ_HQ, OTHER_CNPJ, fields
from tests.factories import ACTOR, make_customer, make_partner

pytestmark = pytest.mark.django_db


def opportunity(**overrides) -> Opportunity:
    values = {"external_id": "crm-1", "company_name": "Padaria São João Ltda", "country": "BR", "tax_id": CNPJ_HQ,
              "domain": "padariasj.com.br", "stage": "open", "owner": "Ana Souza"}
    values.update(overrides)
    return opportunity_upsert(values=values, actor=ACTOR)[0]


@pytest.mark.parametrize(("given", "match"), [
    ({"tax_id": CNPJ_HQ, "domain": ""}, "tax_id"),
    ({"tax_id": CNPJ_BRANCH, "domain": ""}, "cnpj_root"),
    ({"tax_id": "", "domain": "padariasj.com.br"}, "domain"),
])
def test_an_open_opportunity_of_the_same_company_rejects(given, match):
    held = opportunity(**given)

    reg = deal_register(partner=make_partner(), fields=fields(company_name="Outra Coisa"), actor=ACTOR)

    assert (reg.status, reg.reason) == (DealStatus.REJECTED, REASON_PIPELINE)
    assert reg.reason == "This company is already in talks with our team."
    assert reg.conflict == {"kind": "opportunity", "id": held.pk, "name": "Padaria São João Ltda",
                            "external_id": "crm-1", "owner": "Ana Souza", "match": match}


@pytest.mark.parametrize("stage", ["won", "lost"])
def test_a_won_or_lost_opportunity_blocks_nothing(stage):
    opportunity(stage=stage)

    reg = deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)

    assert (reg.status, reg.reason, reg.conflict) == (DealStatus.APPROVED, REASON_APPROVED, None)


def test_a_customer_is_checked_before_the_pipeline():
    customer = make_customer(None, name="Padaria", tax_id=CNPJ_HQ)
    opportunity()

    reg = deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)

    assert (reg.status, reg.reason, reg.conflict["kind"], reg.conflict["id"]) == (
        DealStatus.REJECTED, REASON_CUSTOMER, "customer", customer.pk)


def test_a_similar_name_of_an_open_opportunity_goes_to_review():
    held = opportunity(tax_id="", domain="other.com.br", company_name="PADARIA SAO JOAO S.A.")

    reg = deal_register(partner=make_partner(), fields=fields(company_name="Padaria São João ME"), actor=ACTOR)

    assert (reg.status, reg.reason, reg.decided_at) == (DealStatus.IN_REVIEW, REASON_REVIEW, None)
    assert reg.conflict == {"kind": "opportunity", "id": held.pk, "name": "PADARIA SAO JOAO S.A.",
                            "external_id": "crm-1", "owner": "Ana Souza", "match": "name", "similarity": 1.0}


def test_the_partner_reads_nothing_of_the_opportunity():
    opportunity()

    reg = deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)

    assert "Ana" not in reg.reason and "crm-1" not in reg.reason


@pytest.mark.parametrize(("kind", "value", "given", "field"), [
    ("territory_exclusivity", "São Paulo", {"region": "SAO PAULO"}, "region"),
    ("territory_exclusivity", "BR-SP", {"region": "br sp"}, "region"),
    ("vertical_exclusivity", "Saúde", {"vertical": "saude"}, "vertical"),
    ("vertical_exclusivity", "Health care", {"vertical": "  health   CARE "}, "vertical"),
])
def test_another_partners_exclusive_territory_or_vertical_rejects(kind, value, given, field):
    holder = make_partner(name="Exclusiva")
    agreement = make_agreement(holder, start_date=date(2025, 1, 1))
    exclusivity_grant(agreement=agreement, kind=kind, value=value, actor=ACTOR)

    reg = deal_register(partner=make_partner(), fields=fields(**{"region": "", "vertical": "", **given}), actor=ACTOR)

    assert (reg.status, reg.reason) == (DealStatus.REJECTED, REASON_EXCLUSIVE)
    assert reg.reason == "This region or vertical is reserved by an exclusive partner agreement."
    assert reg.conflict == {"kind": "exclusivity", "term": kind, "value": value, "match": field,
                            "partner_id": holder.pk, "agreement_id": agreement.pk}


@pytest.mark.parametrize("given", [{"region": "São Paulo capital"}, {"region": "SP"}, {"region": ""}])
def test_a_region_that_is_not_the_same_label_is_not_exclusive(given):
    agreement = make_agreement(make_partner(), start_date=date(2025, 1, 1))
    exclusivity_grant(agreement=agreement, kind="territory_exclusivity", value="São Paulo", actor=ACTOR)

    reg = deal_register(partner=make_partner(), fields=fields(**given), actor=ACTOR)

    assert reg.status == DealStatus.APPROVED


def test_the_partners_own_exclusivity_does_not_reject_it():
    holder = make_partner()
    exclusivity_grant(agreement=make_agreement(holder, start_date=date(2025, 1, 1)), kind="territory_exclusivity",
                      value="SP", actor=ACTOR)

    reg = deal_register(partner=holder, fields=fields(region="sp"), actor=ACTOR)

    assert reg.status == DealStatus.APPROVED


def test_an_agreement_not_in_force_grants_no_exclusivity():
    today = timezone.localdate()
    draft = make_agreement(make_partner(), active=False, start_date=date(2025, 1, 1))
    ended = make_agreement(make_partner(), start_date=date(2024, 1, 1), initial_term_months=12, auto_renewal=False)
    future = make_agreement(make_partner(), start_date=date(today.year + 1, 1, 1))
    for agreement in (draft, ended, future):
        exclusivity_grant(agreement=agreement, kind="territory_exclusivity", value="SP", actor=ACTOR)

    reg = deal_register(partner=make_partner(), fields=fields(region="SP"), actor=ACTOR)

    assert reg.status == DealStatus.APPROVED


def test_labels_compare_without_accents_case_or_punctuation():
    assert normalise_label("  São-Paulo / SP ") == "sao paulo sp"
    assert normalise_label("Saúde") == normalise_label("SAUDE") == "saude"


# --- Customers' normalised names ----------------------------------------------------------------------------------


def test_a_customer_keeps_its_normalised_name():
    customer = make_customer(None, name="Acme Comércio S.A. de C.V.", country="MX")
    assert customer.normalised_name == "acme comercio"

    updated = customer_update(customer=customer, changes=CustomerChanges(name="Padaria Sol Ltda."), actor=ACTOR)

    assert Customer.objects.get(pk=updated.pk).normalised_name == "padaria sol"


def test_the_migration_fills_the_normalised_names_of_existing_customers():
    customer = make_customer(None, name="PADARIA SÃO JOÃO EIRELI")
    Customer.objects.filter(pk=customer.pk).update(normalised_name="")

    import_module("parceria.customers.migrations.0004_normalised_name").fill(apps, None)

    assert Customer.objects.get(pk=customer.pk).normalised_name == "padaria sao joao"


def test_the_normaliser_stays_importable_from_deals():
    assert reexported_normaliser("Padaria São João Ltda.") == "padaria sao joao"


def test_similar_rows_finds_the_most_alike_first():
    make_customer(None, name="Padaria Sao Joaoo")
    exact = make_customer(None, name="Padaria São João Ltda")
    make_customer(None, name="Mercado Central")

    found = similar_rows(Customer.objects.all(), "padaria sao joao", "name")

    assert found[0] == (1.0, (exact.pk, "Padaria São João Ltda"))
    assert len(found) == 2 and all(score >= SIMILARITY_THRESHOLD for score, _ in found)


def test_a_registration_of_a_customer_name_alike_goes_to_review_without_reading_every_customer():
    for n in range(30):
        make_customer(None, name=f"Empresa de nome bem diferente numero {n}")
    alike = make_customer(None, name="Padaria Sao Joao")

    with CaptureQueriesContext(connection) as queries:
        reg = deal_register(partner=make_partner(), fields=fields(tax_id=OTHER_CNPJ, domain="x.com.br"), actor=ACTOR)

    assert (reg.status, reg.conflict["id"]) == (DealStatus.IN_REVIEW, alike.pk)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    searched = ('"customers_customer"."normalised_name" %' if connection.vendor == "postgresql"
                else 'LENGTH("customers_customer"."normalised_name")')
    assert searched in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's")
def test_the_trigram_indexes_exist_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s ORDER BY indexname",
                       ["%_normalised_name_trgm"])
        rows = cursor.fetchall()
    assert [name for name, _ in rows] == ["customers_customer_normalised_name_trgm",
                                         "deals_dealregistration_normalised_name_trgm",
                                         "deals_opportunity_normalised_name_trgm"]
    assert all("gin_trgm_ops" in definition for _, definition in rows)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram search is PostgreSQL's")
def test_on_postgresql_the_trigram_index_proposes_and_difflib_decides():
    make_customer(None, name="Padaria São Joãoo")  # trigram 0.89, difflib 0.97: alike
    make_customer(None, name="Padaria São Jorge")  # trigram 0.6x, difflib 0.84: not alike
    with CaptureQueriesContext(connection) as queries:
        found = similar_rows(Customer.objects.all(), "padaria sao joao", "name")

    assert [(score, row[1]) for score, row in found] == [(0.97, "Padaria São Joãoo")]
    assert "SIMILARITY(" in queries.captured_queries[-1]["sql"].upper()


def test_nothing_of_a_rejected_registration_is_half_stored():
    opportunity()
    before = DealRegistration.objects.count()

    reg = deal_register(partner=make_partner(), fields=fields(), actor=ACTOR)

    assert DealRegistration.objects.count() == before + 1 and reg.status == DealStatus.REJECTED
