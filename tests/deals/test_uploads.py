"""The direct-sales pipeline's import (CSV page and API, all or nothing, idempotent by CRM id) and deal registrations
by CSV upload (portal and console): every bad row reported with its line, nothing stored, each row's outcome."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parceria.common.audit import Actor
from parceria.common.csvfile import CsvFileError, read_table
from parceria.common.models import AuditRecord
from parceria.deals import uploads
from parceria.deals.models import DealRegistration, DealStatus, Opportunity
from parceria.deals.services import REASON_APPROVED, REASON_PIPELINE, REASON_TAKEN
from tests.conftest import ApiClient
from tests.deals.test_pages import partner_client
from tests.deals.test_services import CNPJ_BRANCH, CNPJ_HQ, OTHER_CNPJ
from tests.factories import ACTOR, make_key, make_partner, staff_client

pytestmark = pytest.mark.django_db

HEADER = "external_id,company_name,country,tax_id,domain,stage,owner,amount,currency,expected_close_on\n"
GOOD = (HEADER
        + f"crm-1,Padaria São João Ltda,BR,{CNPJ_HQ},padariasj.com.br,open,Ana Souza,48000.00,BRL,2027-03-31\n"
        + "crm-2,Acme Comercio SA de CV,MX,,acme.mx,,Luis,,,\n")


def opportunity_rows(text: str):
    return read_table(text.encode(), columns=uploads.OPPORTUNITY_COLUMNS, required=uploads.OPPORTUNITY_REQUIRED,
                      max_rows=uploads.OPPORTUNITY_MAX_ROWS)


def stored_opportunities():
    return (sorted(Opportunity.objects.values_list("external_id", "stage", "amount", "currency")),
            AuditRecord.objects.filter(action__startswith="opportunity.").count())


def test_an_import_creates_each_opportunity_and_audits_it():
    result = uploads.opportunities_import(rows=opportunity_rows(GOOD), actor=ACTOR)

    assert result.as_dict() == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    first = Opportunity.objects.get(external_id="crm-1")
    assert (first.tax_id, first.cnpj_root, first.domain, first.normalised_name, first.owner_label, first.amount,
            str(first.expected_close_on)) == (CNPJ_HQ, CNPJ_HQ[:8], "padariasj.com.br", "padaria sao joao",
                                              "Ana Souza", Decimal("48000"), "2027-03-31")
    assert Opportunity.objects.get(external_id="crm-2").stage == "open"
    assert stored_opportunities() == ([("crm-1", "open", Decimal("48000"), "BRL"), ("crm-2", "open", None, "")], 2)


def test_the_same_file_twice_changes_nothing():
    uploads.opportunities_import(rows=opportunity_rows(GOOD), actor=ACTOR)
    before = (list(Opportunity.objects.values()), stored_opportunities())

    result = uploads.opportunities_import(rows=opportunity_rows(GOOD), actor=ACTOR)

    assert result.as_dict() == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2}
    assert (list(Opportunity.objects.values()), stored_opportunities()) == before


def test_a_changed_row_updates_its_opportunity_with_before_and_after():
    uploads.opportunities_import(rows=opportunity_rows(GOOD), actor=ACTOR)

    result = uploads.opportunities_import(rows=opportunity_rows(GOOD.replace(",open,Ana", ",won,Ana")), actor=ACTOR)

    assert result.as_dict() == {"rows": 2, "created": 0, "updated": 1, "unchanged": 1}
    record = AuditRecord.objects.get(action="opportunity.updated")
    assert (record.before["stage"], record.after["stage"]) == ("open", "won")


@pytest.mark.parametrize(("line", "field", "code_text"), [
    ("crm-3,Loja,BR,11222333000199,,,,,,", "tax_id", "is not a valid tax id of BR"),
    ("crm-3,Loja,BR,,gmail.com,,,,,", "domain", "gmail.com is a public e-mail provider"),
    ("crm-3,Loja,BR,,loja.com.br,pending,,,,", "stage", "The stage must be one of open, won, lost."),
    ("crm-3,Loja,BR,,loja.com.br,,,12.5,,", "currency", "An amount needs its currency."),
    ("crm-3,Loja,BR,,loja.com.br,,,,,31/03/2027", "expected_close_on", "31/03/2027 is not a date (YYYY-MM-DD)."),
    ("crm-3,Loja,XX,,loja.com.br,,,,,", "country", "The country must be an ISO 3166 two-letter code"),
])
def test_a_bad_line_refuses_the_whole_file_with_its_line(line, field, code_text):
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.opportunities_import(rows=opportunity_rows(GOOD + line + "\n"), actor=ACTOR)

    [error] = refused.value.errors
    assert (error.line, error.field) == (4, field) and code_text in error.message
    assert stored_opportunities() == ([], 0)


def test_duplicate_external_ids_are_reported_with_both_lines():
    text = GOOD + "crm-1,Outra,BR,,outra.com.br,,,,,\n\ncrm-2,Mais,BR,,mais.com.br,,,,,\n"

    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.opportunities_import(rows=opportunity_rows(text), actor=ACTOR)

    assert [e.as_dict() for e in refused.value.errors] == [
        {"line": 4, "field": "external_id", "message": "Line 4 repeats line 2 (the same external_id)."},
        {"line": 6, "field": "external_id", "message": "Line 6 repeats line 3 (the same external_id)."}]
    assert stored_opportunities() == ([], 0)


def test_a_file_over_its_row_limit_is_too_large():
    text = HEADER + "".join(f"crm-{n},Loja {n},BR,,loja{n}.com.br,,,,,\n" for n in range(4))

    with pytest.raises(CsvFileError) as refused:
        read_table(text.encode(), columns=uploads.OPPORTUNITY_COLUMNS, max_rows=3)

    assert (refused.value.status, refused.value.code, refused.value.line) == (413, "too_large", 5)


# --- The API ------------------------------------------------------------------------------------------------------


BODY = {"company_name": "Padaria São João Ltda", "country": "BR", "tax_id": CNPJ_HQ, "domain": "padariasj.com.br",
        "stage": "open", "owner": "Ana Souza", "amount": "48000.00", "currency": "BRL",
        "expected_close_on": "2027-03-31"}


def test_put_creates_then_changes_nothing_then_updates():
    client = ApiClient(make_key("platform"))

    created = client.request("PUT", "/opportunities/crm-1", BODY)
    again = client.request("PUT", "/opportunities/crm-1", BODY)
    won = client.request("PUT", "/opportunities/crm-1", {**BODY, "stage": "won"})

    assert (created.status_code, created.json()["outcome"], created.json()["amount"]) == (201, "created", "48000.0000")
    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")
    assert (won.status_code, won.json()["outcome"], won.json()["stage"]) == (200, "updated", "won")
    assert AuditRecord.objects.filter(action__startswith="opportunity.").count() == 2


def test_a_partner_key_may_not_touch_the_pipeline():
    client = ApiClient(make_key("partner", make_partner()))

    answers = [client.request("PUT", "/opportunities/crm-1", BODY).status_code,
               client.post("/opportunities/import", [BODY]).status_code, client.get("/opportunities").status_code]

    assert answers == [403, 403, 403] and not Opportunity.objects.exists()


def test_import_takes_a_csv_body_or_a_json_list():
    client = ApiClient(make_key("admin"))
    csv_answer = client._client.post("/api/v1/opportunities/import", GOOD.encode(), content_type="text/csv")
    json_answer = client.post("/opportunities/import", [{**BODY, "external_id": "crm-1"}])

    assert (csv_answer.status_code, csv_answer.json()) == (200, {"rows": 2, "created": 2, "updated": 0,
                                                                 "unchanged": 0})
    assert (json_answer.status_code, json_answer.json()) == (200, {"rows": 1, "created": 0, "updated": 0,
                                                                   "unchanged": 1})


def test_import_lists_every_bad_row_and_stores_nothing():
    client = ApiClient(make_key("admin"))

    answer = client.post("/opportunities/import", [{**BODY, "external_id": "a"}, {**BODY, "external_id": "a"},
                                                   {**BODY, "external_id": "b", "domain": "hotmail.com"}, "x"])

    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_rows"
    assert [(e["line"], e["field"]) for e in answer.json()["error"]["details"]["errors"]] == [
        (2, "external_id"), (3, "domain"), (4, "")]
    assert stored_opportunities() == ([], 0)


def test_an_oversized_body_is_413_and_a_wrong_type_415(settings):
    client = ApiClient(make_key("admin"))
    big = (HEADER + "x" * (uploads.OPPORTUNITY_MAX_BYTES + 1)).encode()

    large = client._client.post("/api/v1/opportunities/import", big, content_type="text/csv")
    wrong = client._client.post("/api/v1/opportunities/import", b"<xml/>", content_type="application/xml")

    assert (large.status_code, large.json()["error"]["code"]) == (413, "too_large")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (415, "unsupported_media_type")
    assert not Opportunity.objects.exists()


def test_an_open_opportunity_put_by_the_api_rejects_a_registration():
    ApiClient(make_key("platform")).request("PUT", "/opportunities/crm-1", BODY)
    reg = ApiClient(make_key("partner", make_partner())).post("/deal-registrations", {
        "company_name": "Padaria", "country": "BR", "tax_id": CNPJ_BRANCH, "contact_name": "Joana",
        "contact_email": "joana@x.com.br", "estimated_value": "10", "currency": "BRL"})

    assert (reg.status_code, reg.json()["status"], reg.json()["reason"]) == (201, "rejected", REASON_PIPELINE)


# --- Deal registrations by CSV ------------------------------------------------------------------------------------


REG_HEADER = "company_name,country,tax_id,domain,contact_name,contact_email,estimated_value,currency\n"


def reg_rows(text: str, *, staff: bool = False):
    columns = (uploads.PARTNER_COLUMN, *uploads.REGISTRATION_COLUMNS) if staff else uploads.REGISTRATION_COLUMNS
    return read_table(text.encode(), columns=columns, max_rows=uploads.REGISTRATION_MAX_ROWS)


def test_each_row_goes_through_the_conflict_checks_and_reports_its_outcome():
    other = make_partner()
    uploads.registrations_upload(reg_rows(REG_HEADER + f"Held,BR,{CNPJ_HQ},,Ana,ana@x.com.br,1,BRL\n"),
                                 actor=ACTOR, partner=other)
    partner = make_partner()
    text = (REG_HEADER + "Nova Empresa,BR,,nova.com.br,Ana,ana@nova.com.br,1500.00,BRL\n"
            + f"Filial,BR,{CNPJ_BRANCH},,Bia,bia@f.com.br,10,BRL\n")

    outcomes = uploads.registrations_upload(reg_rows(text), actor=ACTOR, partner=partner)

    assert [(o.line, o.registration.status, o.registration.reason) for o in outcomes] == [
        (2, DealStatus.APPROVED, REASON_APPROVED), (3, DealStatus.REJECTED, REASON_TAKEN)]
    assert {o.registration.partner_id for o in outcomes} == {partner.pk}


def test_a_bad_row_or_a_repeated_company_stores_nothing_and_names_the_lines():
    partner = make_partner()
    text = (REG_HEADER + f"Um,BR,{OTHER_CNPJ},,Ana,ana@um.com.br,10,BRL\n"
            + "Dois,BR,,gmail.com,Bia,bia@dois.com.br,10,BRL\n"
            + f"Tres,BR,{OTHER_CNPJ},,Caio,caio@tres.com.br,10,BRL\n"
            + "Quatro,BR,,quatro.com.br,Duda,not-an-email,10,BRL\n"
            + "Cinco,BR,,cinco.com.br,Eva,eva@cinco.com.br,dez,BRL\n")

    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.registrations_upload(reg_rows(text), actor=ACTOR, partner=partner)

    assert [(e.line, e.field) for e in refused.value.errors] == [
        (3, "domain"), (4, "tax_id"), (5, "contact_email"), (6, "estimated_value")]
    assert refused.value.errors[1].message == "Line 4 repeats line 2 (the same tax id)."
    assert not DealRegistration.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="deal_").exists()


def test_the_console_file_names_each_rows_partner_by_id_or_name():
    alfa, bravo = make_partner(name="Alfa Integradora"), make_partner(name="Bravo")
    text = ("partner," + REG_HEADER + f"{alfa.pk},Um,BR,,um.com.br,Ana,ana@um.com.br,10,BRL\n"
            + "bravo,Dois,BR,,dois.com.br,Bia,bia@dois.com.br,10,BRL\n"
            + "Ninguém,Tres,BR,,tres.com.br,Caio,caio@tres.com.br,10,BRL\n")

    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.registrations_upload(reg_rows(text, staff=True), actor=ACTOR)
    assert [(e.line, e.field) for e in refused.value.errors] == [(4, "partner")]

    outcomes = uploads.registrations_upload(reg_rows(text.rsplit("Ninguém", 1)[0], staff=True), actor=ACTOR)
    assert [o.registration.partner_id for o in outcomes] == [alfa.pk, bravo.pk]


def upload(client: Client, url: str, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return client.post(url, {"file": SimpleUploadedFile("rows.csv", data, "text/csv")})


def test_the_portal_page_shows_each_rows_outcome():
    partner = make_partner(name="Alfa")
    client = partner_client(partner, "alfa@x")
    text = REG_HEADER + "Nova Empresa,BR,,nova.com.br,Ana,ana@nova.com.br,1500.00,BRL\n"

    page = client.get("/portal/deals/upload/")
    answer = upload(client, "/portal/deals/upload/", text)

    assert page.status_code == 200 and b"/portal/deals/upload/template.csv" in page.content
    assert answer.status_code == 200
    reg = DealRegistration.objects.get()
    assert (reg.partner_id, reg.status) == (partner.pk, DealStatus.APPROVED)
    assert f"/portal/deals/{reg.pk}/".encode() in answer.content


def test_the_portal_page_lists_the_bad_lines_and_stores_nothing():
    client = partner_client(make_partner(name="Alfa"), "alfa@x")
    text = REG_HEADER + "Um,BR,,um.com.br,Ana,ana@um.com.br,10,BRL\nDois,BR,123,,Bia,bia@d.com.br,10,BRL\n"

    answer = upload(client, "/portal/deals/upload/", text)

    assert answer.status_code == 422
    assert b"<td class=\"num\">3</td><td>tax_id</td>" in answer.content
    assert not DealRegistration.objects.exists()


def test_an_oversized_upload_is_refused_before_it_is_read():
    client = partner_client(make_partner(name="Alfa"), "alfa@x")

    answer = upload(client, "/portal/deals/upload/", REG_HEADER + "x" * uploads.REGISTRATION_MAX_BYTES)

    assert answer.status_code == 413 and not DealRegistration.objects.exists()


def test_the_templates_are_the_columns_and_an_example():
    partner_page = partner_client(make_partner(name="Alfa"), "alfa@x").get("/portal/deals/upload/template.csv")
    staff = staff_client("pm@x", "partner_manager")
    console = staff.get("/console/deal-registrations/upload/template.csv")
    pipeline = staff.get("/console/opportunities/template.csv")

    assert partner_page.content.decode().splitlines()[0] == ",".join(uploads.REGISTRATION_COLUMNS)
    assert console.content.decode().splitlines()[0] == ",".join(("partner", *uploads.REGISTRATION_COLUMNS))
    assert pipeline.content.decode().splitlines()[0] == ",".join(uploads.OPPORTUNITY_COLUMNS)
    # the examples pass the checks themselves
    uploads.registrations_check(reg_rows(partner_page.content.decode()), partner=make_partner())
    uploads.opportunities_import(rows=opportunity_rows(pipeline.content.decode()), actor=ACTOR)


def test_staff_upload_the_pipeline_in_the_console():
    staff = staff_client("pm@x", "partner_manager")

    good = upload(staff, "/console/opportunities/import/", GOOD)
    listed = staff.get("/console/opportunities/?stage=open")
    bad = upload(staff, "/console/opportunities/import/", HEADER + "crm-9,Loja,BR,123,,,,,,\n")

    assert (good.status_code, good["Location"]) == (302, "/console/opportunities/")
    assert b"Padaria S\xc3\xa3o Jo\xc3\xa3o Ltda" in listed.content and b"crm-2" in listed.content
    assert bad.status_code == 422 and b"<td class=\"num\">2</td><td>tax_id</td>" in bad.content
    assert Opportunity.objects.count() == 2
    exported = staff.get("/console/opportunities/?export=csv").content.decode().splitlines()
    assert exported[0].startswith("\ufeffCRM id,Company,Country")
    assert exported[1].startswith("crm-2,Acme Comercio SA de CV")


def test_an_analyst_may_read_the_pipeline_but_not_upload():
    analyst = staff_client("an@x", "analyst")

    assert analyst.get("/console/opportunities/").status_code == 200
    assert upload(analyst, "/console/opportunities/import/", GOOD).status_code == 403
    assert not Opportunity.objects.exists()


def test_a_registration_upload_through_the_console_names_partners():
    alfa = make_partner(name="Alfa")
    staff = staff_client("pm@x", "partner_manager")

    answer = upload(staff, "/console/deal-registrations/upload/",
                    "partner," + REG_HEADER + "Alfa,Um,BR,,um.com.br,Ana,ana@um.com.br,10,BRL\n")

    assert answer.status_code == 200
    assert DealRegistration.objects.get().partner_id == alfa.pk
    assert isinstance(ACTOR, Actor)
