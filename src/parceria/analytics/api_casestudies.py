"""GET /api/v1/analytics/case-studies and /case-studies/{id}: the case studies and one study's document (its latest
version, or `version`), with its results as numbers (money in R$ as decimal strings). Read by analytics, finance
and admin keys; a partner key gets 403 (a study names customers and other partners' figures), and so does a
platform key."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from ninja import Field, Query, Schema

from parceria.accounts.tenancy import Ability, Principal
from parceria.analytics.api import router
from parceria.analytics.casestudies import SECTIONS, customer_display, latest_version, partner_display
from parceria.analytics.models import CaseStudy, CaseStudyVersion
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, RowId
from parceria.common.errors import NotFound
from parceria.customers.models import Customer


def _require_reader(principal: Principal) -> None:
    principal.require(Ability.ANALYTICS)


class CaseStudySummaryOut(Schema):
    id: int
    partner_id: int
    title: str
    versions: int
    updated_at: str


class CaseStudySectionOut(Schema):
    key: str = Field(description="executive_summary, challenge, solution, implementation, results or future_plans.")
    text: str | None = Field(description="Staff's text; null while the section is still the draft, to edit.")


class CaseStudyCustomerOut(Schema):
    id: int
    named: bool
    shown_as: str = Field(description="The name, or the description the document uses when it does not name it.")
    first_paid_on: str | None
    days_to_value: int | None
    active: bool | None


class CaseStudyResultsOut(Schema):
    through: str
    customers: int
    new_customers_window: int
    revenue_window: str
    revenue_previous: str
    revenue_growth: str | None
    arr: str
    retention_cohort: int
    retention_retained: int
    retention_rate: str | None
    agreement_start: str | None
    first_customer_on: str | None
    time_to_first_customer_days: int | None
    median_days_to_value: str | None
    unconverted: int


class CaseStudyOut(Schema):
    id: int
    partner_id: int
    version: int
    kind: str
    author: str
    created_at: str
    title: str
    partner_named: bool
    partner_shown_as: str
    sections: list[CaseStudySectionOut]
    customers: list[CaseStudyCustomerOut]
    results: CaseStudyResultsOut


class CaseStudyParams(Schema):
    version: RowId | None = Field(None, description="A version's number (default: the latest).")


@router.get("/case-studies", response={200: list[CaseStudySummaryOut], **ERRORS},
            summary="The case studies, most recently saved first")
def case_study_list(request: HttpRequest) -> Any:
    _require_reader(principal_of(request))
    rows = CaseStudy.objects.annotate(n=Count("versions")).order_by("-updated_at", "-id")[:1000]
    titles = {v.case_study_id: v.title for v in CaseStudyVersion.objects.filter(case_study__in=rows)
              .order_by("case_study_id", "number")}
    return [{"id": r.pk, "partner_id": r.partner_id, "title": titles.get(r.pk, ""), "versions": r.n,
             "updated_at": r.updated_at.isoformat()} for r in rows]


@router.get("/case-studies/{study_id}", response={200: CaseStudyOut, **ERRORS},
            summary="A case study's document: sections, featured customers and results")
def case_study_get(request: HttpRequest, study_id: RowId, params: Query[CaseStudyParams]) -> Any:
    _require_reader(principal_of(request))
    study = CaseStudy.objects.select_related("partner").filter(pk=study_id).first()
    if study is None:
        raise NotFound(f"case study {study_id} not found")
    if params.version is None:
        version = latest_version(study)
    else:
        found = study.versions.filter(number=params.version).first()
        if found is None:
            raise NotFound(f"case study {study_id} has no version {params.version}")
        version = found
    results = version.results
    figures = {f["id"]: f for f in results.get("featured", [])}
    customers = Customer.objects.in_bulk([c["id"] for c in version.customers])
    return {
        "id": study.pk, "partner_id": study.partner_id, "version": version.number, "kind": version.kind,
        "author": version.author_label, "created_at": version.created_at.isoformat(), "title": version.title,
        "partner_named": version.partner_named, "partner_shown_as": partner_display(study.partner, version),
        "sections": [{"key": key, "text": version.sections.get(key)} for key in SECTIONS],
        "customers": [{"id": c["id"], "named": c["named"], "shown_as": customer_display(customers.get(c["id"]), c),
                       "first_paid_on": figures.get(c["id"], {}).get("first_paid_on"),
                       "days_to_value": figures.get(c["id"], {}).get("days_to_value"),
                       "active": figures.get(c["id"], {}).get("active")} for c in version.customers],
        "results": {k: results.get(k) for k in CaseStudyResultsOut.model_fields},
    }
