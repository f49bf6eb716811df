"""Case studies (seed §7.1): a document about a partner and some of its customers with the seed's structure —
executive summary, challenge, solution, implementation, results, future plans.

The **results** are computed from the platform's data when a study is created and again only when staff ask
("refresh the results"); they are kept in the version, so a document reads the same until then. Over the
*window*, the 12 months ending with the month the results run through (by default the last full month):

* **customers**: the partner's customers whose first invoice was paid by the end of that month, and the new ones
  of the window (`facts.new_customers_by_month`);
* **revenue** of the window and of the 12 months before, net of refunds, in R$ (`facts.revenue_by_month`), and its
  **growth** = window ÷ previous − 1 (none when the previous 12 months had no revenue); **ARR** of the last month
  (`facts.arr_by_month`);
* **12-month retention**: of the partner's customers whose first invoice was paid at least 12 months before the end
  of the window, the share not churned by then (none when no customer is that old);
* **time to value**: the days from the start of the partner's first channel or technology agreement (not a draft)
  to the first paid invoice of its first customer paid on or after it; and for each featured customer the days
  from its attribution to its first paid invoice, with their median.

The other sections start as drafts written from those figures in the reader's language and are marked "to edit"
until staff write their own text. Every save writes a new version (who, when, the whole text); older versions
stay readable. The partner and each customer are named only where staff chose it; otherwise the document calls
them by the label staff gave or a neutral description ("A customer in Brazil").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parceria.agreements.models import Agreement, AgreementStatus, AgreementType
from parceria.analytics.facts import arr_by_month, new_customers_by_month, revenue_by_month
from parceria.analytics.models import CaseStudy, CaseStudyKind, CaseStudyVersion
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.formatting import country_name, format_money, format_number, format_percent, in_sentence
from parceria.common.months import add_months, month_end, month_start
from parceria.customers.models import Customer, Invoice
from parceria.partners.models import Partner

#: The seed's structure, in its order.
SECTIONS = ("executive_summary", "challenge", "solution", "implementation", "results", "future_plans")
TITLE_MAX, LABEL_MAX, TEXT_MAX = 200, 200, 20_000
MAX_CUSTOMERS = 50
_EPOCH = date(2000, 1, 1)
_TIME_TO_VALUE_AGREEMENTS = (AgreementType.CHANNEL_PARTNER, AgreementType.TECHNOLOGY_INTEGRATION)


@dataclass(frozen=True)
class FeaturedCustomer:
    """A customer the study is about: shown by name when `named`, otherwise by `label` (or a neutral description)."""

    id: int
    named: bool = False
    label: str = ""


def last_full_month(today: date | None = None) -> date:
    return add_months(month_start(today or timezone.localdate()), months=-1)


def _end_of(month: date) -> datetime:
    """The moment the month ends (the next month's first instant, local time)."""
    return datetime.combine(add_months(month, months=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01"), ROUND_HALF_EVEN), "f")


def _rate(numerator: Decimal, denominator: Decimal) -> str | None:
    return None if denominator <= 0 else format((numerator / denominator).quantize(Decimal("0.0001"),
                                                                                  ROUND_HALF_EVEN), "f")


def _first_paid() -> Subquery:
    return Subquery(Invoice.objects.filter(customer=OuterRef("pk")).order_by("paid_at").values("paid_at")[:1])


def compute_results(partner: Partner, customer_ids: Sequence[int], through: date) -> dict[str, Any]:
    """The results of a study of `partner` featuring `customer_ids`, through `through`'s month (module docstring).
    Money in R$ to the cent as decimal strings, rates to 4 places, a fixed number of queries."""
    last = month_start(through)
    window_first, previous_first = add_months(last, months=-11), add_months(last, months=-23)
    end = _end_of(last)
    revenue = revenue_by_month(previous_first, last)
    window = revenue.partner_totals(window_first, last).get(partner.pk, Decimal(0))
    previous = revenue.partner_totals(previous_first, add_months(window_first, months=-1)).get(partner.pk, Decimal(0))
    arr = arr_by_month(last, last).values.get((last, partner.pk), Decimal(0))
    new = new_customers_by_month(_EPOCH, last)
    customers = sum(n for (_m, p), n in new.items() if p == partner.pk)
    new_in_window = sum(n for (m, p), n in new.items() if p == partner.pk and m >= window_first)

    tz = ZoneInfo(settings.TIME_ZONE)
    rows = list(Customer.objects.filter(partner_id=partner.pk).annotate(first_paid=_first_paid())
                .filter(first_paid__lt=end).values("id", "first_paid", "attributed_at", "churned_at"))
    cohort_end = _end_of(add_months(last, months=-12))
    cohort = [r for r in rows if r["first_paid"] < cohort_end]
    retained = [r for r in cohort if r["churned_at"] is None or r["churned_at"] >= end]

    agreement_start = (Agreement.objects.filter(partner_id=partner.pk, type__in=_TIME_TO_VALUE_AGREEMENTS)
                       .exclude(status=AgreementStatus.DRAFT).order_by("start_date")
                       .values_list("start_date", flat=True).first())
    first_customer_on = None
    if agreement_start is not None:
        after = [r["first_paid"].astimezone(tz).date() for r in rows]
        after = [d for d in after if d >= agreement_start]
        first_customer_on = min(after) if after else None

    by_id = {r["id"]: r for r in rows}
    featured: list[dict[str, Any]] = []
    for pk in customer_ids:
        row = by_id.get(pk)
        first_paid = row["first_paid"].astimezone(tz).date() if row else None
        attributed = row["attributed_at"].astimezone(tz).date() if row and row["attributed_at"] else None
        days = (first_paid - attributed).days if first_paid and attributed and first_paid >= attributed else None
        featured.append({"id": pk, "first_paid_on": first_paid.isoformat() if first_paid else None,
                         "days_to_value": days,
                         "active": row is not None and (row["churned_at"] is None or row["churned_at"] >= end)})
    waits = [f["days_to_value"] for f in featured if f["days_to_value"] is not None]
    return {
        "through": f"{last:%Y-%m}",
        "window_first": f"{window_first:%Y-%m}",
        "customers": customers,
        "new_customers_window": new_in_window,
        "revenue_window": _money(window),
        "revenue_previous": _money(previous),
        "revenue_growth": _rate(window - previous, previous),
        "arr": _money(arr),
        "retention_cohort": len(cohort),
        "retention_retained": len(retained),
        "retention_rate": _rate(Decimal(len(retained)), Decimal(len(cohort))),
        "agreement_start": agreement_start.isoformat() if agreement_start else None,
        "first_customer_on": first_customer_on.isoformat() if first_customer_on else None,
        "time_to_first_customer_days": (first_customer_on - agreement_start).days
        if agreement_start and first_customer_on else None,
        "featured": featured,
        "median_days_to_value": format(median(Decimal(w) for w in waits), "f") if waits else None,
        "unconverted": revenue.unconverted,
    }


# --- writing ---------------------------------------------------------------------------------------------------


def _clean_text(value: object, *, field: str, limit: int, required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise InvalidInput(_("This field is required."), code="required", details={"field": field})
    if len(text) > limit:
        raise InvalidInput(_("Write at most %(limit)s characters.") % {"limit": limit}, code="too_long",
                           details={"field": field})
    return text


def _clean_customers(partner: Partner, customers: Sequence[FeaturedCustomer]) -> list[dict[str, Any]]:
    """The featured customers as stored; each must be one of the partner's own (InvalidInput otherwise)."""
    ids = [c.id for c in customers]
    if len(set(ids)) != len(ids):
        raise InvalidInput(_("A customer is listed twice."), code="invalid", details={"field": "customers"})
    if len(ids) > MAX_CUSTOMERS:
        raise InvalidInput(_("Feature at most %(n)s customers.") % {"n": MAX_CUSTOMERS}, code="invalid",
                           details={"field": "customers"})
    own = set(Customer.objects.filter(pk__in=ids, partner_id=partner.pk).values_list("pk", flat=True))
    if set(ids) - own:
        raise InvalidInput(_("Only the partner's own customers can be featured."), code="not_partner_customer",
                           details={"field": "customers"})
    return [{"id": c.id, "named": bool(c.named),
             "label": _clean_text(c.label, field="customers", limit=LABEL_MAX)} for c in customers]


def _clean_sections(sections: dict[str, str | None]) -> dict[str, str | None]:
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise InvalidInput(_("Unknown section %(name)s.") % {"name": sorted(unknown)[0]}, code="invalid",
                           details={"field": "sections"})
    out: dict[str, str | None] = {}
    for key in SECTIONS:
        value = sections.get(key)
        out[key] = (_clean_text(value, field=key, limit=TEXT_MAX) or None) if value is not None else None
    return out


def _write(study: CaseStudy, *, number: int, kind: str, title: str, partner_named: bool, partner_label: str,
           customers: list[dict[str, Any]], sections: dict[str, str | None], results: dict[str, Any],
           actor: Actor) -> CaseStudyVersion:
    version = CaseStudyVersion.objects.create(
        case_study=study, number=number, kind=kind, title=title, partner_named=partner_named,
        partner_label=partner_label, customers=customers, sections=sections, results=results,
        author_label=actor.label[:200])
    study.save(update_fields=["updated_at"])
    action = {CaseStudyKind.CREATED: "case_study.created", CaseStudyKind.EDITED: "case_study.saved",
              CaseStudyKind.REFRESHED: "case_study.results_refreshed"}[CaseStudyKind(kind)]
    audit_record_create(actor=actor, action=action, obj=study,
                        after={"version": number, "title": title, "partner_id": study.partner_id,
                               "customers": [c["id"] for c in customers]})
    return version


def case_study_create(*, partner: Partner, title: str, customers: Sequence[FeaturedCustomer], actor: Actor,
                      partner_named: bool = True, partner_label: str = "", through: date | None = None,
                      ) -> CaseStudy:
    """A new study of `partner` featuring `customers` (its own), its results computed now and every other
    section a draft. Bad input raises InvalidInput and stores nothing."""
    clean_title = _clean_text(title, field="title", limit=TITLE_MAX, required=True)
    label = _clean_text(partner_label, field="partner_label", limit=LABEL_MAX)
    featured = _clean_customers(partner, customers)
    last = month_start(through) if through else last_full_month()
    with transaction.atomic():
        study = CaseStudy.objects.create(partner=partner, created_by_label=actor.label[:200])
        _write(study, number=1, kind=CaseStudyKind.CREATED, title=clean_title, partner_named=partner_named,
               partner_label=label, customers=featured, sections=dict.fromkeys(SECTIONS),
               results=compute_results(partner, [c["id"] for c in featured], last), actor=actor)
    return study


def _locked_latest(study: CaseStudy, base_version: int | None) -> CaseStudyVersion:
    CaseStudy.objects.select_for_update().filter(pk=study.pk).first()
    latest = study.versions.order_by("-number").first()
    assert latest is not None
    if base_version is not None and base_version != latest.number:
        raise Conflict(_("Someone saved this case study after you opened it (version %(n)s); reload it and "
                         "make your changes again.") % {"n": latest.number}, code="stale",
                       details={"field": "base_version"})
    return latest


def case_study_save(*, study: CaseStudy, title: str, sections: dict[str, str | None],
                    customers: Sequence[FeaturedCustomer], partner_named: bool, partner_label: str, actor: Actor,
                    base_version: int | None = None) -> CaseStudyVersion:
    """Save staff's text as a new version (the results stay as they were). A section given as None (or blank)
    stays the draft. Bad input raises InvalidInput; a save based on an older version than the latest, Conflict;
    either way nothing is stored."""
    clean_title = _clean_text(title, field="title", limit=TITLE_MAX, required=True)
    label = _clean_text(partner_label, field="partner_label", limit=LABEL_MAX)
    clean_sections = _clean_sections(sections)
    featured = _clean_customers(study.partner, customers)
    with transaction.atomic():
        latest = _locked_latest(study, base_version)
        results = latest.results
        if [c["id"] for c in featured] != [c["id"] for c in latest.customers]:
            # the per-customer figures follow the featured customers; the partner's figures stay as computed
            fresh = compute_results(study.partner, [c["id"] for c in featured], month_start(
                date.fromisoformat(results["through"] + "-01")))
            results = {**results, "featured": fresh["featured"],
                       "median_days_to_value": fresh["median_days_to_value"]}
        return _write(study, number=latest.number + 1, kind=CaseStudyKind.EDITED, title=clean_title,
                      partner_named=partner_named, partner_label=label, customers=featured,
                      sections=clean_sections, results=results, actor=actor)


def case_study_refresh(*, study: CaseStudy, actor: Actor, through: date | None = None,
                       base_version: int | None = None) -> CaseStudyVersion:
    """Compute the results again (through `through`'s month, by default the last full month) as a new version
    with the same text."""
    last = month_start(through) if through else last_full_month()
    if last > month_start(timezone.localdate()):
        raise InvalidInput(_("The results cannot run through a month that has not begun."), code="invalid",
                           details={"field": "through"})
    with transaction.atomic():
        latest = _locked_latest(study, base_version)
        results = compute_results(study.partner, [c["id"] for c in latest.customers], last)
        return _write(study, number=latest.number + 1, kind=CaseStudyKind.REFRESHED, title=latest.title,
                      partner_named=latest.partner_named, partner_label=latest.partner_label,
                      customers=latest.customers, sections=latest.sections, results=results, actor=actor)


def latest_version(study: CaseStudy) -> CaseStudyVersion:
    found = study.versions.order_by("-number").first()
    assert found is not None
    return found


PICK_LIMIT = 500


def partner_customers(partner: Partner, *, featured: Sequence[int] = ()) -> list[Customer]:
    """The partner's customers offered for featuring: those with a paid invoice, by name, at most PICK_LIMIT, and
    always the ones already featured (so that a save never drops one the list did not show)."""
    offered: list[Customer] = list(Customer.objects.filter(partner_id=partner.pk).annotate(first_paid=_first_paid())
                                   .exclude(first_paid=None).order_by("name", "pk")[:PICK_LIMIT])
    missing = set(featured) - {c.pk for c in offered}
    if missing:
        offered += Customer.objects.filter(partner_id=partner.pk, pk__in=missing).order_by("name", "pk")
    return offered


def month_end_of(results: dict[str, Any]) -> date:
    return month_end(date.fromisoformat(results["through"] + "-01"))


# --- the document, in the reader's language --------------------------------------------------------------------


def section_headings() -> dict[str, str]:
    return {"executive_summary": _("Executive summary"), "challenge": _("Challenge"), "solution": _("Solution"),
            "implementation": _("Implementation"), "results": _("Results"), "future_plans": _("Future plans")}


def _language() -> str:
    return (get_language() or "en").lower()


def _money_text(value: str | None) -> str:
    return "—" if value is None else format_money(Decimal(value), "BRL", language=_language())


def _percent_text(value: str | None, places: int = 1) -> str:
    return "—" if value is None else format_percent(Decimal(value), language=_language(), places=places)


def _month_text(key: str) -> str:
    return in_sentence(date_format(date.fromisoformat(key + "-01"), "YEAR_MONTH_FORMAT"), _language())


def _date_text(iso: str | None) -> str:
    return "—" if iso is None else date_format(date.fromisoformat(iso), "SHORT_DATE_FORMAT")


def partner_display(partner: Partner, version: CaseStudyVersion) -> str:
    if version.partner_named:
        return partner.name
    return version.partner_label or _("A partner of the program")


def customer_display(customer: Customer | None, entry: dict[str, Any]) -> str:
    if customer is not None and entry.get("named"):
        return customer.name
    if entry.get("label"):
        return str(entry["label"])
    country = country_name(customer.country) if customer is not None else ""
    if customer is not None and customer.vertical:
        return _("A customer in %(vertical)s, %(country)s") % {"vertical": customer.vertical, "country": country}
    return _("A customer in %(country)s") % {"country": country} if country else _("A customer")


def draft_text(key: str, partner_name: str, results: dict[str, Any]) -> str:
    """The generated draft of a section, from the results, in the active language (marked "to edit")."""
    if key == "executive_summary":
        text = _("%(partner)s brought %(count)s customers to the platform. Their revenue over the 12 months to "
                 "%(month)s was %(revenue)s (ARR %(arr)s).") % {
            "partner": partner_name, "count": results["customers"], "month": _month_text(results["through"]),
            "revenue": _money_text(results["revenue_window"]), "arr": _money_text(results["arr"])}
        if results.get("revenue_growth") is not None:
            text += " " + _("That is %(growth)s compared with the 12 months before.") % {
                "growth": _percent_text(results["revenue_growth"])}
        return text
    if key == "challenge":
        return _("Describe the business challenge the partnership addressed: the customers' situation before "
                 "%(partner)s introduced the platform.") % {"partner": partner_name}
    if key == "solution":
        return _("Describe how %(partner)s delivered unique value: the solution it recommended and why it "
                 "fitted.") % {"partner": partner_name}
    if key == "implementation":
        text = _("Describe how the partnership was developed and integrated.")
        if results.get("time_to_first_customer_days") is not None:
            text += " " + _("The first customer paid its first invoice %(days)s days after the agreement "
                            "started.") % {"days": results["time_to_first_customer_days"]}
        return text
    if key == "results":
        return _("Explain what the figures above mean for the customers: their return on the investment and the "
                 "impact on their business.")
    return _("Describe the next steps of the partnership: expansion, new customers, joint plans.")


def result_figures(results: dict[str, Any]) -> list[tuple[str, str]]:
    """The results as (label, value) lines in the active language."""
    month = _month_text(results["through"])
    retention = results.get("retention_rate")
    return [
        (_("Customers brought to the platform"), format_number(Decimal(results["customers"]), 0,
                                                               language=_language())),
        (_("New customers in the 12 months to %(month)s") % {"month": month},
         format_number(Decimal(results["new_customers_window"]), 0, language=_language())),
        (_("Revenue in the 12 months to %(month)s") % {"month": month}, _money_text(results["revenue_window"])),
        (_("Revenue in the 12 months before"), _money_text(results["revenue_previous"])),
        (_("Revenue growth"), _percent_text(results.get("revenue_growth"))),
        (_("ARR in %(month)s") % {"month": month}, _money_text(results["arr"])),
        (_("12-month retention"), "—" if retention is None else _("%(rate)s (%(kept)s of %(cohort)s customers)") % {
            "rate": _percent_text(retention), "kept": results["retention_retained"],
            "cohort": results["retention_cohort"]}),
        (_("Days from the agreement to the first customer"),
         "—" if results.get("time_to_first_customer_days") is None else str(results["time_to_first_customer_days"])),
        (_("Median days from referral to first payment (featured customers)"),
         "—" if results.get("median_days_to_value") is None else format_number(
             Decimal(results["median_days_to_value"]), 1 if "." in results["median_days_to_value"] else 0,
             language=_language())),
    ]


def document(study: CaseStudy, version: CaseStudyVersion) -> dict[str, Any]:
    """What the document shows of `version`, in the active language: names only where staff chose them."""
    partner_name = partner_display(study.partner, version)
    results = version.results
    customers = Customer.objects.in_bulk([c["id"] for c in version.customers])
    figures_by_id = {f["id"]: f for f in results.get("featured", [])}
    featured = []
    for entry in version.customers:
        figures = figures_by_id.get(entry["id"], {})
        featured.append({"name": customer_display(customers.get(entry["id"]), entry),
                         "since": _date_text(figures.get("first_paid_on")),
                         "days": "—" if figures.get("days_to_value") is None else str(figures["days_to_value"]),
                         "active": figures.get("active")})
    headings = section_headings()
    sections = []
    for key in SECTIONS:
        text = version.sections.get(key)
        sections.append({"key": key, "heading": headings[key], "draft": text is None,
                         "text": draft_text(key, partner_name, results) if text is None else text})
    return {"title": version.title, "partner_name": partner_name, "sections": sections,
            "figures": result_figures(results), "featured": featured, "version": version,
            "through": _month_text(results["through"]), "unconverted": results.get("unconverted", 0),
            "drafts": sum(1 for s in sections if s["draft"])}


def result_values(results: dict[str, Any]) -> list[tuple[str, Decimal | int | None]]:
    """The results as (label, raw value) in the order of `result_figures`, for the CSV/Excel export: money in R$,
    rates as fractions, days and counts as numbers; None where the figure has no value."""
    def dec(key: str) -> Decimal | None:
        value = results.get(key)
        return None if value is None else Decimal(value)

    raw: list[Decimal | int | None] = [
        results["customers"], results["new_customers_window"], dec("revenue_window"), dec("revenue_previous"),
        dec("revenue_growth"), dec("arr"), dec("retention_rate"), results.get("time_to_first_customer_days"),
        dec("median_days_to_value")]
    return [(label, value) for (label, _shown), value in zip(result_figures(results), raw, strict=True)]
