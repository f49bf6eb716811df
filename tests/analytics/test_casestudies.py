"""Case studies (analytics.casestudies): results from a hand-made history to the cent, versions on every save, the
document in the reader's language with names only where staff chose them, the PDF, and bad input refused with
nothing stored."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from parceria.agreements.models import Agreement, AgreementStatus, AgreementType
from parceria.analytics.casestudies import FeaturedCustomer, case_study_create, compute_results
from parceria.analytics.models import CaseStudy, CaseStudyVersion
from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.common.models import AuditRecord, FxRate
from parceria.customers.models import Customer, CustomerStatus
from tests.conftest import ApiClient
from tests.factories import at, ingest, make_customer, make_key, make_partner, paid, refunded, staff_client

pytestmark = pytest.mark.django_db

MARCH_2026 = date(2026, 3, 1)
ACTOR = Actor(label="user:test")


def _history() -> dict[str, Any]:
    """Partner P: agreement from 10 Jan 2025; customers a, b (featured) and c (churned in Dec 2025); Q another
    partner with customer x. Results through March 2026: window Apr 2025–Mar 2026, previous Apr 2024–Mar 2025."""
    p = make_partner(name="Agência Aurora")
    q = make_partner(name="Other Partner")
    Agreement.objects.create(partner=p, type=AgreementType.CHANNEL_PARTNER, status=AgreementStatus.ACTIVE,
                             start_date=date(2025, 1, 10))
    a = make_customer(p, name="Loja Azul", vertical="retail", attributed_at="2025-01-20T10:00:00-03:00")
    b = make_customer(p, name="Clínica Bela", attributed_at="2025-06-01T10:00:00-03:00")
    c = make_customer(p, name="Café Centro", attributed_at="2025-01-02T10:00:00-03:00")
    x = make_customer(q, name="Xis Ltda")
    FxRate.objects.create(base="USD", quote="BRL", on_date=date(2025, 6, 10), rate=Decimal("5.1234"), source="t")
    ingest(paid(c, "80.00", invoice_id="c1", at="2025-01-15T10:00:00-03:00"),
           paid(a, "100.00", invoice_id="a1", at="2025-02-05T10:00:00-03:00"),
           paid(a, "200.00", invoice_id="a2", at="2025-04-05T10:00:00-03:00"),
           paid(b, "10.00", currency="USD", invoice_id="b1", at="2025-06-11T10:00:00-03:00"),
           paid(a, "300.00", invoice_id="a3", at="2026-03-05T10:00:00-03:00"),
           refunded(a, "a3", "50.00", at="2026-03-20T10:00:00-03:00"),
           paid(x, "999.00", invoice_id="x1", at="2026-03-05T10:00:00-03:00"))
    Customer.objects.filter(pk=c.pk).update(status=CustomerStatus.CHURNED, churned_at=at("2025-12-01"))
    return {"p": p, "q": q, "a": a, "b": b, "c": c, "x": x}


def _create(h: dict[str, Any], **overrides: Any) -> CaseStudy:
    data: dict[str, Any] = {"partner": h["p"], "title": "Aurora and its shops",
                            "customers": [FeaturedCustomer(h["a"].pk, named=True),
                                          FeaturedCustomer(h["b"].pk, named=False, label="A clinic in SP")],
                            "actor": ACTOR, "through": MARCH_2026}
    data.update(overrides)
    return case_study_create(**data)


def test_generation_fills_the_results_with_exact_numbers_from_the_history():
    h = _history()

    results = compute_results(h["p"], [h["a"].pk, h["b"].pk], MARCH_2026)

    assert results["through"] == "2026-03" and results["window_first"] == "2025-04"
    assert results["customers"] == 3  # a, b, c paid by the end of March 2026
    assert results["new_customers_window"] == 1  # b, first paid in June 2025
    assert results["revenue_window"] == "501.23"  # 200 + 10 USD × 5.1234 + 300 − 50 refunded = 501.234
    assert results["revenue_previous"] == "180.00"  # c's 80 + a's 100
    assert results["revenue_growth"] == "1.7846"  # 321.234 ÷ 180
    assert results["arr"] == "3000.00"  # 12 × (300 − 50) in March 2026
    assert (results["retention_cohort"], results["retention_retained"], results["retention_rate"]) == (2, 1, "0.5000")
    assert results["agreement_start"] == "2025-01-10" and results["first_customer_on"] == "2025-01-15"
    assert results["time_to_first_customer_days"] == 5
    assert [(f["id"], f["first_paid_on"], f["days_to_value"], f["active"]) for f in results["featured"]] == [
        (h["a"].pk, "2025-02-05", 16, True), (h["b"].pk, "2025-06-11", 10, True)]
    assert results["median_days_to_value"] == "13"
    assert results["unconverted"] == 0


def test_no_previous_revenue_means_no_growth_and_no_cohort_means_no_retention():
    p = make_partner()
    a = make_customer(p)
    ingest(paid(a, "10.00", at="2026-03-05T10:00:00-03:00"))

    results = compute_results(p, [], MARCH_2026)

    assert results["revenue_growth"] is None and results["retention_rate"] is None
    assert results["time_to_first_customer_days"] is None and results["median_days_to_value"] is None
    assert results["revenue_window"] == "10.00"


def test_creation_writes_version_one_with_drafts_and_an_audit_record():
    h = _history()
    study = _create(h)

    version = study.versions.get()
    assert version.number == 1 and version.kind == "created" and version.author_label == "user:test"
    assert version.sections == dict.fromkeys(version.sections) and len(version.sections) == 6
    assert version.results["revenue_window"] == "501.23"
    assert AuditRecord.objects.filter(action="case_study.created", object_id=str(study.pk)).count() == 1


def test_another_partners_customer_or_an_empty_title_is_refused_and_nothing_is_stored():
    h = _history()
    with pytest.raises(InvalidInput):
        _create(h, customers=[FeaturedCustomer(h["x"].pk)])
    with pytest.raises(InvalidInput):
        _create(h, title="   ")
    assert not CaseStudy.objects.exists() and not CaseStudyVersion.objects.exists()


# --- the console ------------------------------------------------------------------------------------------------


def _edit_data(study: CaseStudy, **overrides: Any) -> dict[str, Any]:
    version = study.versions.order_by("-number").first()
    assert version is not None
    data: dict[str, Any] = {"title": version.title, "partner_named": "on", "partner_label": "",
                            "base_version": version.number, "customers": [c["id"] for c in version.customers],
                            "named": [c["id"] for c in version.customers if c["named"]],
                            "executive_summary": "", "challenge": "", "solution": "", "implementation": "",
                            "results": "", "future_plans": ""}
    for c in version.customers:
        data[f"label_{c['id']}"] = c["label"]
    data.update(overrides)
    return data


def test_staff_create_a_case_study_in_the_console():
    h = _history()
    client = staff_client("pm", "partner_manager")
    url = reverse("analytics_console:casestudy_new")

    assert client.get(url).status_code == 200
    form = client.get(url, {"partner": h["p"].pk})
    assert form.status_code == 200 and "Loja Azul" in form.content.decode() and "Xis Ltda" not in form.content.decode()
    answer = client.post(url, {"partner": h["p"].pk, "title": "Aurora", "partner_named": "on",
                               "customers": [h["a"].pk], "named": [h["a"].pk]})

    study = CaseStudy.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("analytics_console:casestudy", args=[study.pk])
    assert study.versions.get().customers == [{"id": h["a"].pk, "named": True, "label": ""}]


def test_a_console_post_with_another_partners_customer_or_no_title_is_a_4xx_and_stores_nothing():
    h = _history()
    client = staff_client("pm", "partner_manager")
    url = reverse("analytics_console:casestudy_new")

    foreign = client.post(url, {"partner": h["p"].pk, "title": "Aurora", "customers": [h["x"].pk]})
    untitled = client.post(url, {"partner": h["p"].pk, "title": "", "customers": [h["a"].pk]})
    garbage = client.post(url, {"partner": h["p"].pk, "title": "Aurora", "customers": ["abc"]})
    no_partner = client.post(url, {"partner": "999999", "title": "Aurora"})

    assert [r.status_code for r in (foreign, untitled, garbage, no_partner)] == [422, 422, 422, 422]
    assert "Only the partner&#x27;s own customers can be featured." in foreign.content.decode()
    assert not CaseStudy.objects.exists() and not CaseStudyVersion.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="case_study.").exists()


def test_editing_creates_versions_and_keeps_the_old_ones():
    h = _history()
    study = _create(h)
    client = staff_client("pm", "partner_manager")
    url = reverse("analytics_console:casestudy", args=[study.pk])

    first = client.post(url, _edit_data(study, challenge="Shops sold only in person."))
    second = client.post(url, _edit_data(study, challenge="Shops sold only in person, in SP.",
                                         solution="Aurora set up online sales."))

    assert first.status_code == 302 and second.status_code == 302
    versions = {v.number: v for v in study.versions.all()}
    assert sorted(versions) == [1, 2, 3]
    assert versions[1].sections["challenge"] is None
    assert versions[2].sections["challenge"] == "Shops sold only in person."
    assert versions[2].sections["solution"] is None
    assert versions[3].sections["challenge"] == "Shops sold only in person, in SP."
    assert versions[3].sections["solution"] == "Aurora set up online sales."
    assert [versions[n].kind for n in (2, 3)] == ["edited", "edited"]
    assert all(versions[n].author_label == "user:pm" for n in (2, 3))
    assert versions[3].results == versions[1].results  # saving text never recomputes the numbers
    assert AuditRecord.objects.filter(action="case_study.saved", object_id=str(study.pk)).count() == 2
    old = client.get(reverse("analytics_console:casestudy_document", args=[study.pk]), {"version": 2},
                     HTTP_ACCEPT_LANGUAGE="en")
    assert "Shops sold only in person." in old.content.decode() and "Aurora set up online sales." not in \
        old.content.decode()
    page = client.get(reverse("analytics_console:casestudy_versions", args=[study.pk]), {"export": "csv"})
    assert page.status_code == 200 and page.content.decode().count("\n") == 4  # header + 3 versions


def test_an_untouched_draft_stays_a_draft_and_a_stale_save_is_refused():
    h = _history()
    study = _create(h)
    client = staff_client("pm", "partner_manager")
    url = reverse("analytics_console:casestudy", args=[study.pk])
    shown = client.get(url, HTTP_ACCEPT_LANGUAGE="en").context["form"].initial

    client.post(url, _edit_data(study, challenge=shown["challenge"], solution="Our own text."),
                HTTP_ACCEPT_LANGUAGE="en")
    stale = client.post(url, _edit_data(study, base_version=1, solution="Lost?"))

    latest = study.versions.order_by("-number").first()
    assert latest is not None and latest.number == 2
    assert latest.sections["challenge"] is None and latest.sections["solution"] == "Our own text."
    assert stale.status_code == 409 and study.versions.count() == 2
    assert "Someone saved this case study after you opened it (version 2)" in stale.content.decode()


def test_an_analyst_reads_but_cannot_change_anything():
    h = _history()
    study = _create(h)
    analyst = staff_client("an", "analyst")

    assert analyst.get(reverse("analytics_console:casestudies")).status_code == 200
    assert analyst.get(reverse("analytics_console:casestudy", args=[study.pk])).status_code == 200
    assert analyst.post(reverse("analytics_console:casestudy", args=[study.pk]),
                        _edit_data(study, title="Changed")).status_code == 403
    assert analyst.post(reverse("analytics_console:casestudy_refresh", args=[study.pk])).status_code == 403
    finance = staff_client("fi", "finance")
    assert finance.post(reverse("analytics_console:casestudy_new"), {"partner": h["p"].pk, "title": "X"}).status_code \
        == 403
    assert study.versions.count() == 1 and CaseStudy.objects.count() == 1


def test_refreshing_the_results_recomputes_them_as_a_new_version():
    h = _history()
    study = _create(h, through=date(2025, 12, 1))
    assert study.versions.get().results["arr"] == "0.00"  # nothing paid in December 2025
    client = staff_client("pm", "partner_manager")

    answer = client.post(reverse("analytics_console:casestudy_refresh", args=[study.pk]), {"base_version": 1})

    assert answer.status_code == 302
    latest = study.versions.order_by("-number").first()
    assert latest is not None and latest.number == 2 and latest.kind == "refreshed"
    assert latest.results["through"] < "2027" and latest.results["customers"] == 3
    assert study.versions.get(number=1).results["through"] == "2025-12"
    assert AuditRecord.objects.filter(action="case_study.results_refreshed").count() == 1


@pytest.mark.parametrize(("language", "money", "heading", "growth"), [
    ("pt-BR", "R$ 501,23", "Resumo executivo", "178,5 %"),
    ("es", "R$ 501,23", "Resumen ejecutivo", "178,5 %"),
    ("en", "R$ 501.23", "Executive summary", "178.5%"),
])
def test_the_document_follows_the_readers_language(language: str, money: str, heading: str, growth: str):
    h = _history()
    study = _create(h)
    client = staff_client(f"pm-{language}", "partner_manager")

    page = client.get(reverse("analytics_console:casestudy_document", args=[study.pk]),
                      HTTP_ACCEPT_LANGUAGE=language)

    text = page.content.decode()
    assert page.status_code == 200
    assert money in text and heading in text and growth in text and "R$ 3" in text


def test_customers_and_the_partner_are_named_only_where_staff_chose():
    h = _history()
    study = _create(h)
    client = staff_client("pm", "partner_manager")
    doc = reverse("analytics_console:casestudy_document", args=[study.pk])

    text = client.get(doc, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Loja Azul" in text and "Clínica Bela" not in text and "A clinic in SP" in text
    assert "Agência Aurora" in text

    client.post(reverse("analytics_console:casestudy", args=[study.pk]),
                _edit_data(study, partner_named="", partner_label="A digital agency", named=[],
                           **{f"label_{h['a'].pk}": ""}))
    text = client.get(doc, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Agência Aurora" not in text and "Loja Azul" not in text
    assert "A digital agency" in text and "A customer in retail, Brazil" in text


def _pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed: the PDF's text is not checked")
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def test_the_pdf_is_a_real_pdf_with_the_partner_and_a_result_figure():
    h = _history()
    study = _create(h)
    client = staff_client("pm", "partner_manager")

    answer = client.get(reverse("analytics_console:casestudy_pdf", args=[study.pk]), HTTP_ACCEPT_LANGUAGE="pt-BR")

    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert "aurora-and-its-shops-v1-pt-br.pdf" in answer["Content-Disposition"]
    text = _pdf_text(answer.content)
    assert "Agência Aurora" in text and "R$ 501,23" in text and "Resultados" in text


def test_a_version_that_does_not_exist_is_a_404():
    h = _history()
    study = _create(h)
    client = staff_client("pm", "partner_manager")
    url = reverse("analytics_console:casestudy_pdf", args=[study.pk])
    assert client.get(url, {"version": "7"}).status_code == 404
    assert client.get(url, {"version": "x"}).status_code == 404


def test_the_list_exports_csv():
    h = _history()
    _create(h)
    client = staff_client("an", "analyst")
    answer = client.get(reverse("analytics_console:casestudies"), {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    lines = answer.content.decode().splitlines()
    assert answer.status_code == 200 and len(lines) == 2
    assert lines[1].startswith("Aurora and its shops,Agência Aurora,1,")


def test_the_results_and_the_featured_customers_export_with_exact_values():
    h = _history()
    study = _create(h)
    client = staff_client("an", "analyst")
    url = reverse("analytics_console:casestudy", args=[study.pk])

    figures = client.get(url, {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="en").content.decode().splitlines()
    customers = client.get(url, {"export": "csv", "table": "customers"},
                           HTTP_ACCEPT_LANGUAGE="en").content.decode().splitlines()

    assert figures[0].lstrip("\ufeff") == "Figure,Value" and len(figures) == 10
    assert "Revenue in the 12 months to March 2026,501.23" in figures
    assert "Revenue growth,1.7846" in figures and "12-month retention,0.50" in figures  # the writer's 2+ places
    assert "Days from the agreement to the first customer,5" in figures
    assert customers[1:] == ["Loja Azul,2025-02-05,16,Yes", "A clinic in SP,2025-06-11,10,Yes"]
    assert client.get(url, {"export": "xlsx"}).content.startswith(b"PK")


def test_a_featured_customer_stays_offered_beyond_the_lists_limit(monkeypatch):
    h = _history()
    study = _create(h)  # features a (Loja Azul) and b (Clínica Bela)
    monkeypatch.setattr("parceria.analytics.casestudies.PICK_LIMIT", 1)  # the list shows only Café Centro
    client = staff_client("pm", "partner_manager")

    rows = client.get(reverse("analytics_console:casestudy", args=[study.pk])).context["rows"]

    assert [(r["customer"].name, r["chosen"]) for r in rows] == [
        ("Café Centro", False), ("Clínica Bela", True), ("Loja Azul", True)]


# --- the API ----------------------------------------------------------------------------------------------------


def test_the_api_gives_the_document_with_exact_results_to_an_analytics_key():
    h = _history()
    study = _create(h)
    client = ApiClient(make_key("analytics"))

    listed = client.get("/analytics/case-studies")
    one = client.get(f"/analytics/case-studies/{study.pk}")

    assert listed.status_code == 200 and [(r["id"], r["title"], r["versions"]) for r in listed.json()] == [
        (study.pk, "Aurora and its shops", 1)]
    body = one.json()
    assert one.status_code == 200 and body["version"] == 1 and body["partner_shown_as"] == "Agência Aurora"
    assert body["results"]["revenue_window"] == "501.23" and body["results"]["revenue_growth"] == "1.7846"
    assert body["results"]["retention_rate"] == "0.5000" and body["results"]["time_to_first_customer_days"] == 5
    assert [s["text"] for s in body["sections"]] == [None] * 6
    assert [(c["shown_as"], c["days_to_value"]) for c in body["customers"]] == [("Loja Azul", 16),
                                                                                ("A clinic in SP", 10)]


def test_the_api_refuses_partner_and_platform_keys_and_answers_404_and_422_for_bad_ids():
    h = _history()
    study = _create(h)
    partner, platform = ApiClient(make_key("partner", h["p"])), ApiClient(make_key("platform"))
    analytics = ApiClient(make_key("analytics"))

    assert partner.get(f"/analytics/case-studies/{study.pk}").status_code == 403
    assert partner.get("/analytics/case-studies").status_code == 403
    assert platform.get(f"/analytics/case-studies/{study.pk}").status_code == 403
    assert analytics.get(f"/analytics/case-studies/{study.pk + 1}").status_code == 404
    assert analytics.get(f"/analytics/case-studies/{study.pk}", version=2).status_code == 404
    assert analytics.get(f"/analytics/case-studies/{study.pk}", version="x").status_code == 422
    assert analytics.get(f"/analytics/case-studies/{study.pk}", version=1).json()["version"] == 1
