"""The account mapping API through /api/v1: a partner key maps its own list (201 with the counts), staff name the
partner, another partner's mapping is a 404, and a bad or oversized file is refused with nothing stored."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parceria.mapping.models import AccountMapping, MappedAccount, SharingLevel
from parceria.mapping.services import partner_sharing_set, program_sharing_set
from parceria.mapping.upload import MAX_BYTES
from tests.conftest import ApiClient
from tests.factories import make_customer, make_key, make_partner
from tests.mapping.test_services import ACTOR, admin_of, cnpj_of, csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def alfa():
    return make_partner(name="Alfa Integradora")


def test_a_partner_key_maps_its_list_and_reads_the_counts(alfa):
    customer = make_customer(tax_id=cnpj_of(1), domain="nossa.com.br", name="Nossa Cliente")
    client = ApiClient(make_key("partner", alfa))

    response = client.upload("/account-mappings", "list.csv",
                             csv(f"{cnpj_of(1, '0002')},,customer", ",outra.com.br,prospect", "1,,x"))

    mapping = AccountMapping.objects.get()
    body = response.json()
    assert response.status_code == 201
    assert (body["id"], body["partner_id"], body["rows"], body["accounts"], body["issue_count"]) == (
        mapping.pk, alfa.pk, 3, 2, 2)
    assert body["total"] == {"segment": None, "accounts": 2, "our_customers": 1, "our_open_opportunities": 0,
                             "not_ours": 1}
    assert body["segments"] == [
        {"segment": "customer", "accounts": 1, "our_customers": 1, "our_open_opportunities": 0, "not_ours": 0},
        {"segment": "prospect", "accounts": 1, "our_customers": 0, "our_open_opportunities": 0, "not_ours": 1}]
    assert body["issues"] == [{"line": 4, "column": "tax_id", "code": "invalid_tax_id", "first_line": None},
                              {"line": 4, "column": "", "code": "no_key", "first_line": None}]
    assert (body["effective_level"], body["matches"]) == ("counts", [])

    program_sharing_set(level=SharingLevel.OVERLAPS, actor=ACTOR)
    partner_sharing_set(partner=alfa, partner_level=SharingLevel.ALL, actor=admin_of(alfa))
    detail = client.get(f"/account-mappings/{mapping.pk}").json()
    assert (detail["effective_level"], detail["matches"]) == ("overlaps", [
        {"line": 2, "segment": "customer", "match": "customer", "company_name": customer.name,
         "domain": "nossa.com.br"}])
    assert client.get("/account-mappings").json()["count"] == 1


def test_another_partners_mapping_is_not_found_and_not_listed(alfa):
    ApiClient(make_key("partner", alfa)).upload("/account-mappings", "l.csv", csv(",alfa.com.br,"))
    mapping = AccountMapping.objects.get()
    bravo = ApiClient(make_key("partner", make_partner()))

    assert bravo.get(f"/account-mappings/{mapping.pk}").status_code == 404
    assert bravo.get("/account-mappings").json()["count"] == 0


def test_a_partner_key_may_not_map_for_another_partner(alfa):
    other = make_partner()
    client = ApiClient(make_key("partner", alfa))._client
    response = client.post("/api/v1/account-mappings", {"partner_id": other.pk,
                                                         "file": SimpleUploadedFile("l.csv", csv(",a.com.br,"))})

    assert response.status_code == 403
    assert AccountMapping.objects.count() == 0


def test_staff_name_the_partner(alfa, admin_api):
    missing = admin_api.upload("/account-mappings", "l.csv", csv(",a.com.br,"))
    named = admin_api._client.post("/api/v1/account-mappings",
                                   {"partner_id": alfa.pk, "file": SimpleUploadedFile("l.csv", csv(",a.com.br,"))})

    assert (missing.status_code, missing.json()["error"]["code"]) == (422, "partner_required")
    assert named.status_code == 201
    assert AccountMapping.objects.get().partner_id == alfa.pk


@pytest.mark.parametrize(("content", "status", "code"), [
    (b"domain\n" + b"a.com.br\n" * (MAX_BYTES // 9 + 1), 413, "too_large"),
    (b"name\nx\n", 422, "invalid_header"),
    (b"tax_id\n123\n", 422, "no_accounts"),
])
def test_a_file_that_cannot_be_mapped_is_refused_and_nothing_is_stored(alfa, content, status, code):
    response = ApiClient(make_key("partner", alfa)).upload("/account-mappings", "l.csv", content)

    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert (AccountMapping.objects.count(), MappedAccount.objects.count()) == (0, 0)


def test_no_file_is_a_clear_422(alfa):
    response = ApiClient(make_key("partner", alfa))._client.post("/api/v1/account-mappings", {})

    assert (response.status_code, response.json()["error"]["code"]) == (422, "file_required")


@pytest.mark.parametrize(("language", "expected"), [
    ("pt-br", "A primeira linha deve ser um cabeçalho com tax_id e/ou domain"),
    ("es", "La primera línea debe ser un encabezado con tax_id y/o domain"),
])
def test_a_refused_file_is_explained_in_the_readers_language(alfa, language, expected):
    client = ApiClient(make_key("partner", alfa))
    client._client.defaults["HTTP_ACCEPT_LANGUAGE"] = language

    response = client.upload("/account-mappings", "l.csv", b"name\nx\n")

    assert response.status_code == 422 and response.json()["error"]["message"].startswith(expected)
