"""The asset library and the joint marketing activities in the partner portal. The partner always comes from
`request.user`; an asset its tier does not reach (or any asset while it is not active) is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parceria.accounts.models import Role
from parceria.marketing import files, selectors, services
from parceria.marketing.forms import ActivityForm, AssetFilterForm, LogoForm
from parceria.marketing.models import Asset
from parceria.marketing.views.common import file_bytes, file_response, preview_response
from parceria.web.access import actor, partner_of, partner_required, portal_user, principal_for
from parceria.web.forms import attempt


def _is_admin(request: HttpRequest) -> bool:
    return portal_user(request).role == Role.PARTNER_ADMIN


def _visible(request: HttpRequest, asset_id: int) -> Asset:
    found = selectors.asset_for_partner(partner_of(request), asset_id)
    if found is None:
        raise Http404("no such asset")
    return found


@partner_required
def assets(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request)
    every = list(selectors.visible_assets(partner))
    filters = AssetFilterForm(request.GET or None, verticals=selectors.asset_verticals(every))
    chosen = filters.cleaned_data if filters.is_valid() else {}
    shown = selectors.filter_assets(selectors.visible_assets(partner), language=chosen.get("language", ""),
                                    vertical=chosen.get("vertical", ""), kind=chosen.get("kind", ""))
    current = selectors.current_versions([a.pk for a in shown])
    counts = selectors.partner_download_counts(principal_for(request), partner.pk)
    items = [{"asset": a, "version": current[a.pk], "downloads": counts.get(a.pk, 0)}
             for a in shown if a.pk in current]
    brand = selectors.brand_of(principal_for(request), partner.pk)
    return render(request, "marketing/portal/assets.html",
                  {"nav": "assets", "items": items, "filters": filters, "is_admin": _is_admin(request),
                   "brand": brand, "logo_form": LogoForm()})


@partner_required
def asset_preview(request: HttpRequest, asset_id: int) -> HttpResponse:
    found = _visible(request, asset_id)
    return preview_response(selectors.current_versions([found.pk]).get(found.pk))


@partner_required
def asset_download(request: HttpRequest, asset_id: int) -> HttpResponse:
    """The asset's current file (a co-brandable PDF stamped with the partner's name and logo), counted."""
    partner = partner_of(request)
    found = _visible(request, asset_id)
    version = selectors.current_versions([found.pk]).get(found.pk)
    if version is None:
        raise Http404("no file")
    content = None
    if found.co_brandable and version.content_type == files.PDF:
        brand = selectors.brand_of(principal_for(request), partner.pk)
        logo = None
        if brand is not None and brand.logo:
            with brand.logo.open("rb") as handle:
                logo = handle.read()
        content = files.co_branded(file_bytes(version), name=partner.name, logo=logo)
    services.download_record(asset=found, version=version, partner=partner, user=portal_user(request),
                             co_branded=content is not None)
    return file_response(version, content, suffix=f"-{partner.pk}" if content is not None else "")


@partner_required
@require_POST
def brand_logo(request: HttpRequest) -> HttpResponse:
    """The partner admin uploads the logo stamped on co-branded PDFs."""
    if not _is_admin(request):
        raise PermissionDenied("only the partner's admin sets its logo")
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid() and attempt(form, lambda: services.brand_logo_set(
            partner=partner_of(request), upload=form.cleaned_data["logo"], actor=actor(request))) is not None:
        messages.success(request, _("Logo saved: it is stamped on co-branded PDFs."))
        return redirect("marketing_portal:assets")
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))
    return redirect("marketing_portal:assets")


@partner_required
def brand_logo_image(request: HttpRequest) -> HttpResponse:
    brand = selectors.brand_of(principal_for(request), partner_of(request).pk)
    if brand is None or not brand.logo:
        raise Http404("no logo")
    with brand.logo.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type="image/png" if data.startswith(b"\x89PNG") else "image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@partner_required
def activities(request: HttpRequest) -> HttpResponse:
    """The partner's joint marketing activities and this quarter's progress; its admin records them."""
    partner = partner_of(request)
    principal = principal_for(request)
    form = ActivityForm(request.POST or None, initial={"held_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if not _is_admin(request):
            raise PermissionDenied("only the partner's admin records activities")
        if form.is_valid():
            data = form.cleaned_data
            done = attempt(form, lambda: services.activity_record(
                partner=partner, kind=data["kind"], title=data["title"], held_on=data["held_on"],
                status=data["status"], notes=data["notes"], link=data["link"], actor=actor(request)))
            if done is not None:
                messages.success(request, _("Activity recorded."))
                return redirect("marketing_portal:activities")
        status = 422
    return render(request, "marketing/portal/activities.html",
                  {"nav": "assets", "form": form, "is_admin": _is_admin(request),
                   "progress": selectors.quarter_progress(principal, partner.pk, timezone.localdate()),
                   "activities": list(selectors.activities(principal, partner.pk)[:100])}, status=status)
