"""Case studies in the console (/console/program/case-studies/): the list, a new study for a partner, a study's
page (its current text, the form staff who manage partners edit it with, the refresh of its results), its
versions, and the document as a print-friendly HTML page and as a PDF, in the reader's language. Analysts read;
staff who manage partners write."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.analytics.casestudies import (
    LABEL_MAX,
    SECTIONS,
    TEXT_MAX,
    TITLE_MAX,
    FeaturedCustomer,
    case_study_create,
    case_study_refresh,
    case_study_save,
    document,
    draft_text,
    latest_version,
    partner_customers,
    partner_display,
    result_values,
    section_headings,
)
from parceria.analytics.models import CaseStudy, CaseStudyVersion
from parceria.common.downloads import attachment
from parceria.common.errors import Conflict, ParceriaError
from parceria.partners.models import Partner
from parceria.payouts.statements.pdf import render_pdf
from parceria.web.access import actor, console_view
from parceria.web.forms import add_domain_error
from parceria.web.pages import page
from parceria.web.tables import build_table, export_response, wants_export

NAV = "casestudies"
SORTS = {"updated": "updated_at", "partner": "partner__name", "title": "latest_title", "versions": "version_count"}


class PartnerPickForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.order_by("name"), label=gettext_lazy("Partner"))


class CaseStudyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX)
    partner_named = forms.BooleanField(label=gettext_lazy("Name the partner in the document"), required=False)
    partner_label = forms.CharField(label=gettext_lazy("How to call the partner otherwise"), max_length=LABEL_MAX,
                                    required=False,
                                    help_text=gettext_lazy('For example "A digital agency in São Paulo".'))
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, sections: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sections:
            for key, heading in section_headings().items():
                self.fields[key] = forms.CharField(label=heading, required=False, max_length=TEXT_MAX,
                                                   widget=forms.Textarea(attrs={"rows": 5}))


def _featured(request: HttpRequest, form: forms.Form) -> list[FeaturedCustomer] | None:
    """The featured customers the form posted (ticked, named, labelled), or None with an error on the form."""
    try:
        ids = [int(v) for v in request.POST.getlist("customers")]
        named = {int(v) for v in request.POST.getlist("named")}
    except ValueError:
        form.add_error(None, _("Choose customers from the list."))
        return None
    return [FeaturedCustomer(id=pk, named=pk in named, label=request.POST.get(f"label_{pk}", "")) for pk in ids]


def _customer_rows(partner: Partner, featured: list[dict[str, Any]]) -> list[dict[str, Any]]:
    chosen = {c["id"]: c for c in featured}
    return [{"customer": c, "chosen": c.pk in chosen, "named": chosen.get(c.pk, {}).get("named", False),
             "label": chosen.get(c.pk, {}).get("label", "")} for c in partner_customers(partner, featured=list(chosen))]


def _posted_rows(request: HttpRequest, partner: Partner) -> list[dict[str, Any]]:
    ids, named = set(request.POST.getlist("customers")), set(request.POST.getlist("named"))
    return [{"customer": c, "chosen": str(c.pk) in ids, "named": str(c.pk) in named,
             "label": request.POST.get(f"label_{c.pk}", "")}
            for c in partner_customers(partner, featured=[int(v) for v in ids if v.isdigit()])]


@console_view()
def case_studies(request: HttpRequest) -> HttpResponse:
    latest = CaseStudyVersion.objects.filter(case_study=OuterRef("pk")).order_by("-number")
    rows = (CaseStudy.objects.select_related("partner")
            .annotate(latest_title=Subquery(latest.values("title")[:1]),
                      latest_author=Subquery(latest.values("author_label")[:1]),
                      version_count=Count("versions")))
    export = wants_export(request)
    table = build_table(request, rows, sortable=SORTS, default_sort="-updated", per_page=10**9 if export else 25)
    if export:
        return export_response(request, "case-studies",
                               [_("Title"), _("Partner"), _("Versions"), _("Last saved"), _("By")],
                               ([r.latest_title, r.partner.name, r.version_count, r.updated_at, r.latest_author]
                                for r in table.page.object_list))
    return page(request, "analytics/console/casestudy_list.html", {"table": table}, nav=NAV)


@console_view(write=Ability.MANAGE_PARTNERS)
def case_study_new(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    pick = PartnerPickForm(source if "partner" in source else None)
    if not pick.is_valid():
        status = 422 if request.method == "POST" or "partner" in source else 200
        return page(request, "analytics/console/casestudy_new.html", {"pick": pick}, nav=NAV, status=status)
    partner = pick.cleaned_data["partner"]
    if request.method != "POST":
        form = CaseStudyForm(initial={"title": _("%(partner)s: a case study") % {"partner": partner.name},
                                      "partner_named": True})
        return page(request, "analytics/console/casestudy_new.html",
                    {"pick": pick, "partner": partner, "form": form, "rows": _customer_rows(partner, [])}, nav=NAV)
    form = CaseStudyForm(request.POST)
    featured = _featured(request, form)
    if form.is_valid() and featured is not None:
        data = form.cleaned_data
        try:
            study = case_study_create(partner=partner, title=data["title"], customers=featured,
                                      partner_named=data["partner_named"], partner_label=data["partner_label"],
                                      actor=actor(request))
        except ParceriaError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The case study is created; its results are computed and the other "
                                        "sections are drafts to edit."))
            return redirect("analytics_console:casestudy", study_id=study.pk)
    return page(request, "analytics/console/casestudy_new.html",
                {"pick": pick, "partner": partner, "form": form, "rows": _posted_rows(request, partner)},
                nav=NAV, status=422)


def _study(study_id: int) -> CaseStudy:
    return get_object_or_404(CaseStudy.objects.select_related("partner"), pk=study_id)


def _edit_initial(study: CaseStudy, version: CaseStudyVersion) -> dict[str, Any]:
    name = partner_display(study.partner, version)
    initial: dict[str, Any] = {"title": version.title, "partner_named": version.partner_named,
                               "partner_label": version.partner_label, "base_version": version.number}
    for key in SECTIONS:
        text = version.sections.get(key)
        initial[key] = draft_text(key, name, version.results) if text is None else text
    return initial


def _detail(request: HttpRequest, study: CaseStudy, *, form: CaseStudyForm | None = None,
            rows: list[dict[str, Any]] | None = None, status: int = 200) -> HttpResponse:
    version = latest_version(study)
    context = {"study": study, "doc": document(study, version), "version": version,
               "form": form or CaseStudyForm(initial=_edit_initial(study, version), sections=True),
               "rows": rows if rows is not None else _customer_rows(study.partner, version.customers)}
    return page(request, "analytics/console/casestudy_detail.html", context, nav=NAV, status=status)


def _export_results(request: HttpRequest, study: CaseStudy) -> HttpResponse:
    """The results as a file: the figures (`?export=csv`), or the featured customers (`&table=customers`)."""
    version = latest_version(study)
    if request.GET.get("table") == "customers":
        doc = document(study, version)
        figures = {f["id"]: f for f in version.results.get("featured", [])}
        rows = [(shown["name"], figures.get(entry["id"], {}).get("first_paid_on"),
                 figures.get(entry["id"], {}).get("days_to_value"), shown["active"])
                for entry, shown in zip(version.customers, doc["featured"], strict=True)]
        return export_response(request, f"case-study-{study.pk}-customers",
                               [_("Customer"), _("Customer since"), _("Days from referral to first payment"),
                                _("Still a customer")],
                               ([name, date.fromisoformat(since) if since else None, days, active]
                                for name, since, days, active in rows))
    return export_response(request, f"case-study-{study.pk}-results", [_("Figure"), _("Value")],
                           result_values(version.results))


def _same_as_draft(text: str, draft: str) -> bool:
    return " ".join(text.split()) == " ".join(draft.split())


@console_view(write=Ability.MANAGE_PARTNERS)
def case_study(request: HttpRequest, study_id: int) -> HttpResponse:
    study = _study(study_id)
    if request.method != "POST":
        if wants_export(request):
            return _export_results(request, study)
        return _detail(request, study)
    form = CaseStudyForm(request.POST, sections=True)
    featured = _featured(request, form)
    if form.is_valid() and featured is not None:
        data = form.cleaned_data
        current = latest_version(study)
        name = partner_display(study.partner, current)
        sections: dict[str, str | None] = {}
        for key in SECTIONS:
            text = data[key].strip()
            # the draft as shown (in the editor's language) left untouched stays a draft, to edit
            untouched = current.sections.get(key) is None and _same_as_draft(text, draft_text(key, name,
                                                                                             current.results))
            sections[key] = None if untouched or not text else text
        try:
            case_study_save(study=study, title=data["title"], sections=sections, customers=featured,
                            partner_named=data["partner_named"], partner_label=data["partner_label"],
                            base_version=data["base_version"], actor=actor(request))
        except Conflict as exc:  # said above the form: the field it names is hidden
            form.add_error(None, exc.message)
            return _detail(request, study, form=form, rows=_posted_rows(request, study.partner), status=409)
        except ParceriaError as exc:
            add_domain_error(form, exc)
            return _detail(request, study, form=form, rows=_posted_rows(request, study.partner),
                           status=409 if isinstance(exc, Conflict) else 422)
        messages.success(request, _("Saved as a new version."))
        return redirect("analytics_console:casestudy", study_id=study.pk)
    return _detail(request, study, form=form, rows=_posted_rows(request, study.partner), status=422)


@console_view(read=None, write=Ability.MANAGE_PARTNERS)
def case_study_refresh_results(request: HttpRequest, study_id: int) -> HttpResponse:
    study = _study(study_id)
    base = request.POST.get("base_version", "")
    try:
        case_study_refresh(study=study, actor=actor(request), base_version=int(base) if base.isdigit() else None)
    except ParceriaError as exc:
        messages.error(request, exc.message)
        return _detail(request, study, status=409 if isinstance(exc, Conflict) else 422)
    messages.success(request, _("The results are computed again, as a new version."))
    return redirect("analytics_console:casestudy", study_id=study.pk)


@console_view()
def case_study_versions(request: HttpRequest, study_id: int) -> HttpResponse:
    study = _study(study_id)
    export = wants_export(request)
    table = build_table(request, study.versions.all(), sortable={"number": "number"}, default_sort="-number",
                        per_page=10**9 if export else 25)
    if export:
        return export_response(request, f"case-study-{study.pk}-versions",
                               [_("Version"), _("What"), _("Title"), _("By"), _("When")],
                               ([v.number, v.get_kind_display(), v.title, v.author_label, v.created_at]
                                for v in table.page.object_list))
    return page(request, "analytics/console/casestudy_versions.html",
                {"study": study, "table": table, "current": latest_version(study)}, nav=NAV)


def _version(study: CaseStudy, request: HttpRequest) -> CaseStudyVersion:
    number = request.GET.get("version", "")
    if not number:
        return latest_version(study)
    if not number.isdigit():
        raise Http404("no such version")
    return get_object_or_404(CaseStudyVersion, case_study=study, number=int(number))


def _document_context(study: CaseStudy, version: CaseStudyVersion, *, pdf: bool) -> dict[str, Any]:
    context: dict[str, Any] = {"study": study, "doc": document(study, version), "pdf": pdf,
                               "language": get_language() or "en",
                               "is_latest": version.number == latest_version(study).number}
    if pdf:
        path = finders.find("analytics/casestudy.css")
        with open(str(path), encoding="utf-8") as handle:
            context["stylesheet"] = handle.read()
    return context


@console_view()
def case_study_document(request: HttpRequest, study_id: int) -> HttpResponse:
    study = _study(study_id)
    return render(request, "analytics/casestudy_document.html",
                  _document_context(study, _version(study, request), pdf=False))


@console_view()
def case_study_pdf(request: HttpRequest, study_id: int) -> HttpResponse:
    study = _study(study_id)
    version = _version(study, request)
    content = render_pdf("analytics/casestudy_document.html", _document_context(study, version, pdf=True))
    name = slugify(version.title)[:60] or "case-study"
    return attachment(content, content_type="application/pdf",
                      filename=f"{name}-v{version.number}-{(get_language() or 'en').lower()}.pdf")
