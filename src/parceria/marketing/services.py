"""Changing the asset library and the joint marketing activities: keyword-only, atomic, lock → check → write,
every change audited (the audit record also moves the analytics' version, so kept scorecards are recomputed when an
activity is recorded or changed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import InvalidInput
from parceria.marketing import files
from parceria.marketing.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Asset,
    AssetDownload,
    AssetKind,
    AssetLanguage,
    AssetVersion,
    PartnerBrand,
)
from parceria.partners.models import Partner, Tier

TITLE_MAX = 200
NOTES_MAX = 5000


def _bad(field: str, message: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})


def max_bytes() -> int:
    return int(settings.MARKETING_ASSET_MAX_BYTES)


def read_upload(upload: Any, *, field: str = "file", limit: int | None = None) -> tuple[str, bytes]:
    """The name and bytes of an upload within the size limit (checked before reading it whole)."""
    limit = max_bytes() if limit is None else limit
    if upload is None:
        raise _bad(field, _("choose a file"), "required")
    size = upload.size or 0
    if size == 0:
        raise _bad(field, _("the file is empty"), "empty")
    if size > limit:
        raise _bad(field, _("the file has %(size)s bytes; the limit is %(limit)s bytes")
                   % {"size": f"{size:,}", "limit": f"{limit:,}"}, "too_large")
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _bad(field, _("the file is over the size limit"), "too_large")
    return (upload.name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200], data


def _recognised(name: str, data: bytes) -> files.Recognised:
    """The file's type by its content; refused when none is accepted, or when its name claims another type."""
    try:
        found = files.recognise(data)
    except files.UnknownContent as exc:
        raise _bad("file", _("this file is not an accepted type (PDF, PNG, JPEG, WebP, PPTX, DOCX or XLSX): %(why)s")
                   % {"why": exc}, "unsupported_type") from exc
    claimed = files.name_disagrees(name, found)
    if claimed is not None:
        raise _bad("file", _("the file is named .%(claimed)s but its content is %(found)s")
                   % {"claimed": claimed, "found": found.extension.upper()}, "type_mismatch")
    return found


def _snapshot(asset: Asset) -> dict[str, Any]:
    return {"title": asset.title, "kind": asset.kind, "language": asset.language, "verticals": asset.verticals,
            "min_tier": asset.min_tier, "white_label": asset.white_label, "co_brandable": asset.co_brandable,
            "is_active": asset.is_active}


def _clean_fields(*, title: str, kind: str, language: str, min_tier: str, verticals: Sequence[str],
                  description: str) -> dict[str, Any]:
    title = (title or "").strip()
    if not title:
        raise _bad("title", _("give the asset a title"), "required")
    if len(title) > TITLE_MAX:
        raise _bad("title", _("the title is too long"))
    if kind not in AssetKind.values:
        raise _bad("kind", _("unknown kind of asset"))
    if language not in AssetLanguage.values:
        raise _bad("language", _("unknown language"))
    if min_tier and min_tier not in Tier.values:
        raise _bad("min_tier", _("unknown tier"))
    clean_verticals = sorted({v.strip()[:60] for v in verticals if v and v.strip()})
    return {"title": title, "kind": kind, "language": language, "min_tier": min_tier or "",
            "verticals": clean_verticals, "description": (description or "").strip()[:NOTES_MAX]}


def _store_version(asset: Asset, name: str, data: bytes, found: files.Recognised, actor: Actor) -> AssetVersion:
    number = (asset.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = AssetVersion(asset=asset, number=number, file_name=name, content_type=found.content_type,
                           size=len(data), uploaded_by_label=actor.label[:200])
    stem = f"asset{asset.pk}-v{number}"
    preview = files.preview_png(data, found.content_type)
    version.file.save(f"{stem}.{found.extension}", ContentFile(data), save=False)
    if preview is not None:
        version.preview.save(f"{stem}.png", ContentFile(preview), save=False)
        version.preview_width, version.preview_height = files.image_size(preview)
    version.save()
    return version


def asset_create(*, title: str, kind: str, language: str, upload: Any, actor: Actor, description: str = "",
                 verticals: Sequence[str] = (), min_tier: str = "", white_label: bool = False,
                 co_brandable: bool = False) -> Asset:
    """A new asset with its first file (checked by content, within the size limit, previewed)."""
    clean = _clean_fields(title=title, kind=kind, language=language, min_tier=min_tier, verticals=verticals,
                          description=description)
    name, data = read_upload(upload)
    found = _recognised(name, data)
    if co_brandable and found.content_type != files.PDF:
        raise _bad("co_brandable", _("only a PDF can be co-branded"), "not_pdf")
    with transaction.atomic():
        asset = Asset.objects.create(**clean, white_label=white_label, co_brandable=co_brandable)
        version = _store_version(asset, name, data, found, actor)
        audit_record_create(actor=actor, action="marketing_asset.created", obj=asset,
                            after={**_snapshot(asset), "version": version.number, "file": name})
    return asset


def asset_update(*, asset: Asset, title: str, kind: str, language: str, actor: Actor, description: str = "",
                 verticals: Sequence[str] = (), min_tier: str = "", white_label: bool = False,
                 co_brandable: bool = False, is_active: bool = True) -> Asset:
    clean = _clean_fields(title=title, kind=kind, language=language, min_tier=min_tier, verticals=verticals,
                          description=description)
    with transaction.atomic():
        locked = Asset.objects.select_for_update().get(pk=asset.pk)
        current = locked.versions.order_by("-number").first()
        if co_brandable and (current is None or current.content_type != files.PDF):
            raise _bad("co_brandable", _("only a PDF can be co-branded"), "not_pdf")
        before = _snapshot(locked)
        for key, value in {**clean, "white_label": white_label, "co_brandable": co_brandable,
                           "is_active": is_active}.items():
            setattr(locked, key, value)
        locked.save()
        audit_record_create(actor=actor, action="marketing_asset.changed", obj=locked, before=before,
                            after=_snapshot(locked))
    return locked


def asset_version_add(*, asset: Asset, upload: Any, actor: Actor) -> AssetVersion:
    """A new file for an asset; the downloads counted so far stay with the asset."""
    name, data = read_upload(upload)
    found = _recognised(name, data)
    with transaction.atomic():
        locked = Asset.objects.select_for_update().get(pk=asset.pk)
        if locked.co_brandable and found.content_type != files.PDF:
            raise _bad("file", _("this asset is co-branded: its file must be a PDF"), "not_pdf")
        version = _store_version(locked, name, data, found, actor)
        audit_record_create(actor=actor, action="marketing_asset.version_added", obj=locked,
                            after={"version": version.number, "file": name})
    return version


def download_record(*, asset: Asset, version: AssetVersion, partner: Partner, user: Any, co_branded: bool
                    ) -> AssetDownload:
    """One download of an asset by a partner's user (counted, not audited: it changes nothing)."""
    return AssetDownload.objects.create(asset=asset, version=version, partner=partner,
                                        user=user if getattr(user, "pk", None) else None, co_branded=co_branded)


def brand_logo_set(*, partner: Partner, upload: Any, actor: Actor) -> PartnerBrand:
    """The partner's logo for co-branded PDFs: a PNG or JPEG of at most 2 MB (checked by Pillow)."""
    _name, data = read_upload(upload, field="logo", limit=2 * 1024 * 1024)
    try:
        found = files.recognise(data)
    except files.UnknownContent:
        found = None
    if found is None or found.content_type not in ("image/png", "image/jpeg"):
        raise _bad("logo", _("the logo must be a PNG or JPEG image"), "unsupported_type")
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=partner.pk)
        brand, _created = PartnerBrand.objects.get_or_create(partner=partner)
        old = brand.logo.name
        brand.logo.save(f"partner{partner.pk}-logo.{found.extension}", ContentFile(data), save=False)
        brand.save()
        audit_record_create(actor=actor, action="marketing_brand.logo_set", obj=partner,
                            before={"logo": old or None}, after={"logo": brand.logo.name})
    return brand


# --- joint marketing activities -----------------------------------------------------------------------------------

def _activity_snapshot(activity: Activity) -> dict[str, Any]:
    return {"kind": activity.kind, "title": activity.title, "held_on": activity.held_on.isoformat(),
            "status": activity.status, "asset_id": activity.asset_id}


def _clean_activity(*, kind: str, title: str, held_on: date | None, status: str, notes: str, link: str,
                    asset: Asset | None) -> dict[str, Any]:
    if kind not in ActivityKind.values:
        raise _bad("kind", _("unknown kind of activity"))
    title = (title or "").strip()
    if not title:
        raise _bad("title", _("give the activity a title"), "required")
    if len(title) > TITLE_MAX:
        raise _bad("title", _("the title is too long"))
    if held_on is None:
        raise _bad("held_on", _("give the activity's date"), "required")
    if status not in ActivityStatus.values:
        raise _bad("status", _("unknown status"))
    link = (link or "").strip()
    if link and not link.lower().startswith(("https://", "http://")):
        raise _bad("link", _("the link must be an http(s) address"))
    return {"kind": kind, "title": title, "held_on": held_on, "status": status,
            "notes": (notes or "").strip()[:NOTES_MAX], "link": link[:200], "asset": asset}


def activity_record(*, partner: Partner, kind: str, title: str, held_on: date | None, actor: Actor,
                    status: str = ActivityStatus.PLANNED, notes: str = "", link: str = "",
                    asset: Asset | None = None) -> Activity:
    """A joint marketing activity of `partner` (recorded by staff or by the partner's admin)."""
    clean = _clean_activity(kind=kind, title=title, held_on=held_on, status=status, notes=notes, link=link,
                            asset=asset)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        activity = Activity.objects.create(partner=locked, **clean, recorded_by_label=actor.label[:200])
        audit_record_create(actor=actor, action="marketing_activity.recorded", obj=activity,
                            after=_activity_snapshot(activity))
    return activity


def activity_update(*, activity: Activity, kind: str, title: str, held_on: date | None, status: str, actor: Actor,
                    notes: str = "", link: str = "", asset: Asset | None = None) -> Activity:
    clean = _clean_activity(kind=kind, title=title, held_on=held_on, status=status, notes=notes, link=link,
                            asset=asset)
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=activity.partner_id)
        locked = Activity.objects.select_for_update().get(pk=activity.pk, partner_id=activity.partner_id)
        before = _activity_snapshot(locked)
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.save()
        audit_record_create(actor=actor, action="marketing_activity.changed", obj=locked, before=before,
                            after=_activity_snapshot(locked))
    return locked
