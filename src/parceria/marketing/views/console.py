"""The asset library and the joint marketing activities in the staff console: upload and edit assets (a new file
is a new version), downloads per partner, and the partners below this quarter's activity target."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.common.errors import ParceriaError
from parceria.marketing import selectors, services
from parceria.marketing.forms import ActivityForm, AssetCreateForm, AssetEditForm, VersionForm
from parceria.marketing.models import Activity, Asset
from parceria.marketing.views.common import file_response, preview_response
from parceria.partners.models import Partner, PartnerStatus
from parceria.web.access import actor, console_view
from parceria.web.forms import attempt
from parceria.web.pages import page

NAV = "assets"


def _asset_fields(form: AssetCreateForm | AssetEditForm) -> dict:
    data = form.cleaned_data
    return {"title": data["title"], "description": data["description"], "kind": data["kind"],
            "language": data["language"], "verticals": data.get("verticals", []), "min_tier": data["min_tier"] or "",
            "white_label": data["white_label"], "co_brandable": data["co_brandable"]}


@console_view(write=Ability.MANAGE_PARTNERS)
def assets(request: HttpRequest) -> HttpResponse:
    """The library: every asset with its current file, preview and downloads; the upload form."""
    verticals = selectors.partner_verticals()
    form = AssetCreateForm(request.POST or None, request.FILES or None, verticals=verticals)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            asset = attempt(form, lambda: services.asset_create(
                **_asset_fields(form), upload=form.cleaned_data["file"], actor=actor(request)))
            if asset is not None:
                messages.success(request, _("Asset “%(title)s” added.") % {"title": asset.title})
                return redirect("marketing_console:asset", asset_id=asset.pk)
        status = 422
    rows = list(Asset.objects.all())
    current = selectors.current_versions([a.pk for a in rows])
    totals = selectors.download_totals()
    items = [{"asset": a, "version": current.get(a.pk), "downloads": totals.get(a.pk, 0)} for a in rows]
    return page(request, "marketing/console/assets.html", {"items": items, "form": form}, nav=NAV, status=status)


@console_view(write=Ability.MANAGE_PARTNERS)
def asset(request: HttpRequest, asset_id: int) -> HttpResponse:
    """An asset: edit it, upload a new file version, its downloads per partner."""
    found = get_object_or_404(Asset, pk=asset_id)
    verticals = sorted({*selectors.partner_verticals(), *found.verticals})
    initial = {"title": found.title, "description": found.description, "kind": found.kind,
               "language": found.language, "verticals": found.verticals, "min_tier": found.min_tier,
               "white_label": found.white_label, "co_brandable": found.co_brandable, "is_active": found.is_active}
    edit = AssetEditForm(initial=initial, verticals=verticals)
    version_form = VersionForm()
    status = 200
    if request.method == "POST":
        if "file" in request.FILES or request.POST.get("action") == "version":
            version_form = VersionForm(request.POST, request.FILES)
            if version_form.is_valid():
                done = attempt(version_form, lambda: services.asset_version_add(
                    asset=found, upload=version_form.cleaned_data["file"], actor=actor(request)))
                if done is not None:
                    messages.success(request, _("Version %(n)s uploaded.") % {"n": done.number})
                    return redirect("marketing_console:asset", asset_id=found.pk)
        else:
            edit = AssetEditForm(request.POST, verticals=verticals)
            if edit.is_valid():
                done = attempt(edit, lambda: services.asset_update(
                    asset=found, **_asset_fields(edit), is_active=edit.cleaned_data["is_active"],
                    actor=actor(request)))
                if done is not None:
                    messages.success(request, _("Asset saved."))
                    return redirect("marketing_console:asset", asset_id=found.pk)
        status = 422
    context = {"asset": found, "versions": list(found.versions.all()), "edit": edit, "version_form": version_form,
               "counts": selectors.download_counts(found)}
    return page(request, "marketing/console/asset.html", context, nav=NAV, status=status)


@console_view()
def asset_preview(request: HttpRequest, asset_id: int) -> HttpResponse:
    return preview_response(selectors.current_versions([asset_id]).get(asset_id))


@console_view()
def asset_file(request: HttpRequest, asset_id: int, number: int) -> HttpResponse:
    found = get_object_or_404(Asset, pk=asset_id)
    version = found.versions.filter(number=number).first()
    if version is None:
        raise Http404("no such version")
    return file_response(version)


def _activity_form_partner(request: HttpRequest) -> Partner | None:
    partner_id = request.POST.get("partner", "")
    if not partner_id.isdigit():
        return None
    return Partner.objects.filter(pk=int(partner_id), status=PartnerStatus.ACTIVE).first()


@console_view(write=Ability.MANAGE_PARTNERS)
def activities(request: HttpRequest) -> HttpResponse:
    """Joint marketing activities: the partners below this quarter's target, the recent activities, and the form
    that records one for a partner."""
    today = timezone.localdate()
    form = ActivityForm(request.POST or None, initial={"held_on": today})
    partners = list(Partner.objects.filter(status=PartnerStatus.ACTIVE).order_by("name"))
    status = 200
    if request.method == "POST":
        partner = _activity_form_partner(request)
        if partner is None:
            form.is_valid()
            form.add_error(None, _("choose an active partner"))
        elif form.is_valid():
            data = form.cleaned_data
            done = attempt(form, lambda: services.activity_record(
                partner=partner, kind=data["kind"], title=data["title"], held_on=data["held_on"],
                status=data["status"], notes=data["notes"], link=data["link"], actor=actor(request)))
            if done is not None:
                messages.success(request, _("Activity recorded for %(partner)s.") % {"partner": partner.name})
                return redirect("marketing_console:activities")
        status = 422
    quarter, below = selectors.below_target(today)
    recent = list(Activity.objects.select_related("partner").order_by("-held_on", "-id")[:50])
    return page(request, "marketing/console/activities.html",
                {"form": form, "partners": partners, "quarter": quarter, "below": below, "recent": recent,
                 "chosen": request.POST.get("partner", "")}, nav=NAV, status=status)


@console_view(write=Ability.MANAGE_PARTNERS)
def activity_status(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Mark an activity done or cancelled."""
    found = get_object_or_404(Activity, pk=activity_id)
    try:
        services.activity_update(activity=found, kind=found.kind, title=found.title, held_on=found.held_on,
                                 status=request.POST.get("status", ""), notes=found.notes, link=found.link,
                                 asset=found.asset, actor=actor(request))
    except ParceriaError as exc:
        messages.error(request, exc.message)
    return redirect("marketing_console:activities")
