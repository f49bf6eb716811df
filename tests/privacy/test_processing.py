"""The record of processing (LGPD art. 37): versioned data that names real models, a legal basis of art. 7 for each
kind of personal data, shown to staff in the console (the version in force, earlier ones by name) and exported as
CSV, Excel and JSON; an unknown version or format is a 4xx."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.apps import apps
from django.test import Client

from parceria.accounts.services import user_create
from parceria.privacy import processing_data
from parceria.privacy.models import LegalBasis
from parceria.privacy.processing_data import VERSIONS, ProcessingVersion, version_in_force, version_named
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db

REQUIRED = {"partner_contact", "partner_user", "customer_contact", "pf_payee_tax", "pix_key", "click_data",
            "applicant", "directory_contact", "survey_answer", "sign_in_attempt"}


def test_every_version_names_real_models_and_a_legal_basis_of_article_7():
    assert [v.version for v in VERSIONS] == sorted(v.version for v in VERSIONS)
    assert [v.effective_from for v in VERSIONS] == sorted(v.effective_from for v in VERSIONS)
    for version in VERSIONS:
        keys = [e.key for e in version.entries]
        assert len(keys) == len(set(keys)) and set(keys) >= REQUIRED
        for entry in version.entries:
            assert entry.legal_basis in LegalBasis.values
            assert entry.data_items and str(entry.purpose) and str(entry.retention)
            for label in entry.stored_in:
                assert apps.get_model(label) is not None, label  # raises LookupError for a model that is not there


def test_the_entries_say_what_the_code_does():
    v = version_in_force(dt.date(2026, 12, 4))
    assert v.entry("pf_payee_tax").legal_basis == LegalBasis.LEGAL_OBLIGATION
    assert v.entry("pix_key").legal_basis == LegalBasis.CONTRACT
    assert v.entry("click_data").retention_months == 13
    assert v.entry("account_mapping").legal_basis == LegalBasis.CONSENT
    assert v.entry("nothing") is None
    # Version 2026-12-b (payout methods beyond PIX): the payout account entry names bank accounts and their history.
    assert v.version == "2026-12-b" and "partners.PayoutMethodChange" in v.entry("pix_key").stored_in
    assert version_in_force(dt.date(2026, 12, 3)).entry("pix_key").name == "PIX key"


def test_the_version_in_force_is_the_latest_started(monkeypatch):
    first, second = VERSIONS[0], ProcessingVersion(version="2027-06", effective_from=dt.date(2027, 6, 1),
                                                   entries=VERSIONS[0].entries)
    monkeypatch.setattr(processing_data, "VERSIONS", (first, second))

    assert version_in_force(dt.date(2027, 5, 31)) == first
    assert version_in_force(dt.date(2027, 6, 1)) == second
    assert version_in_force(dt.date(2000, 1, 1)) == first
    assert version_named("2027-06") == second and version_named("1999-01") is None


def test_staff_read_the_version_in_force(analyst):
    page = analyst.get("/console/privacy/processing/")

    assert page.status_code == 200
    assert page.context["version"] == version_in_force(dt.date.today())
    html = page.content.decode()
    assert 'id="entry-pf_payee_tax"' in html and "Legal or regulatory obligation (art. 7 II)" in html
    assert "payouts.Payout" in html


def test_an_earlier_version_is_shown_by_name_and_an_unknown_one_is_not_found(analyst):
    assert analyst.get(f"/console/privacy/processing/?version={VERSIONS[0].version}").context["version"] == VERSIONS[0]
    assert analyst.get("/console/privacy/processing/?version=1999-01").status_code == 404


def test_the_record_exports_as_csv_excel_and_json(analyst):
    version = VERSIONS[-1]

    csv = analyst.get("/console/privacy/processing/?export=csv", HTTP_ACCEPT_LANGUAGE="en")
    xlsx = analyst.get("/console/privacy/processing/?export=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    data = analyst.get("/console/privacy/processing/?export=json", HTTP_ACCEPT_LANGUAGE="en")

    lines = csv.content.decode("utf-8-sig").splitlines()
    assert csv["Content-Disposition"].endswith(f'filename="record-of-processing-{version.version}.csv"')
    assert lines[0] == ("Key,Kind of personal data,Data items,Purpose,Legal basis,Retention,Retention (months),"
                        "Shared with,Stored in")
    assert len(lines) == 1 + len(version.entries)
    assert lines[6].startswith("click_data,Referral link clicks,")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats") and xlsx.content[:2] == b"PK"
    body = json.loads(data.content)
    assert data["Content-Type"] == "application/json"
    assert (body["version"], body["effective_from"]) == (version.version, version.effective_from.isoformat())
    assert [e["key"] for e in body["entries"]] == [e.key for e in version.entries]
    assert body["entries"][3] == {
        "key": "pf_payee_tax", "name": "Payee tax data of individual partners (PF)",
        "data_items": ["CPF and name of the payee",
                       "amounts paid, withholdings (IRRF, INSS) and employer contributions",
                       "income statement (informe de rendimentos)"],
        "purpose": "Pay commissions and meet tax obligations: withholding, the income statement and the tax "
                   "authority's returns.",
        "legal_basis": "legal_obligation", "legal_basis_label": "Legal or regulatory obligation (art. 7 II)",
        "retention": "Five years after the end of the fiscal year of the payment (fiscal hold), then anonymised.",
        "retention_months": None,
        "shared_with": ["the bank (payment files)", "the tax authority (Receita Federal)",
                        "the partner itself (statements and income statements)"],
        "stored_in": ["payouts.Payout", "payouts.PayoutWithholding", "payouts.PayoutEmployerContribution",
                      "payouts.BatchExport"]}


def test_an_unknown_export_format_is_refused(analyst):
    assert analyst.get("/console/privacy/processing/?export=pdf").status_code == 400


def test_the_record_is_for_staff_only():
    user = user_create(username="ana@example.com", email="ana@example.com", password=None, role="partner_admin",
                       partner=make_partner(), actor=ACTOR)
    client = Client()
    client.force_login(user)

    assert client.get("/console/privacy/processing/")["Location"] == "/portal/"
    assert Client().get("/console/privacy/processing/")["Location"].startswith("/login/")
