"""Reading the asset library and the joint marketing activities. Partner-owned rows (downloads, activities, brand)
are read through accounts.tenancy.partner_owned; the assets a partner sees follow its tier and status."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.common.months import add_months, month_end
from parceria.marketing.models import Activity, ActivityStatus, Asset, AssetDownload, AssetVersion, PartnerBrand
from parceria.partners.models import Partner, PartnerStatus, Tier

#: The tier ladder from the lowest up (Tier's order): a partner sees an asset whose `min_tier` ranks at or below.
TIER_LADDER: tuple[str, ...] = tuple(Tier.values)


def visible_tiers(tier: str | None) -> list[str]:
    """The `min_tier` values a partner of `tier` may see: blank (every active partner) and its tier and below."""
    if tier not in TIER_LADDER:
        return [""]
    return ["", *TIER_LADDER[: TIER_LADDER.index(tier) + 1]]


def visible_assets(partner: Partner) -> QuerySet[Asset]:
    """The active assets `partner` may see: none unless it is active, else those its tier reaches."""
    if partner.status != PartnerStatus.ACTIVE:
        return Asset.objects.none()
    return Asset.objects.filter(is_active=True, min_tier__in=visible_tiers(partner.tier))


def asset_for_partner(partner: Partner, asset_id: int) -> Asset | None:
    return visible_assets(partner).filter(pk=asset_id).first()


def current_versions(asset_ids: list[int]) -> dict[int, AssetVersion]:
    """Each asset's newest file version."""
    current: dict[int, AssetVersion] = {}
    for version in AssetVersion.objects.filter(asset_id__in=asset_ids).order_by("asset_id", "-number"):
        current.setdefault(version.asset_id, version)
    return current


def filter_assets(assets: QuerySet[Asset], *, language: str = "", vertical: str = "", kind: str = ""
                  ) -> list[Asset]:
    if language:
        assets = assets.filter(language=language)
    if kind:
        assets = assets.filter(kind=kind)
    rows = list(assets)
    if vertical:  # a JSON list: filtered here, the same on SQLite and PostgreSQL
        rows = [a for a in rows if vertical in (a.verticals or [])]
    return rows


def asset_verticals(assets: list[Asset]) -> list[str]:
    return sorted({v for a in assets for v in (a.verticals or [])})


def partner_verticals() -> list[str]:
    """The verticals partners declared (what staff tag assets with)."""
    found: set[str] = set()
    for values in Partner.objects.exclude(verticals=[]).values_list("verticals", flat=True):
        found.update(v for v in values or [] if isinstance(v, str))
    return sorted(found)


def download_counts(asset: Asset) -> list[dict[str, Any]]:
    """Downloads of `asset` per partner, the most first (for staff)."""
    rows = (AssetDownload.objects.filter(asset=asset).values("partner_id", "partner__name")
            .annotate(n=Count("id")).order_by("-n", "partner__name"))
    return [{"partner_id": r["partner_id"], "partner": r["partner__name"], "downloads": r["n"]} for r in rows]


def download_totals() -> dict[int, int]:
    """Downloads per asset (for staff)."""
    rows = AssetDownload.objects.order_by().values_list("asset_id").annotate(n=Count("id"))
    return dict(rows.values_list("asset_id", "n"))


def partner_download_counts(principal: Principal, partner_id: int) -> dict[int, int]:
    """The partner's downloads per asset."""
    rows = partner_owned(principal, AssetDownload.objects.filter(partner_id=partner_id))
    return dict(rows.order_by().values_list("asset_id").annotate(n=Count("id")).values_list("asset_id", "n"))


def brand_of(principal: Principal, partner_id: int) -> PartnerBrand | None:
    return partner_owned(principal, PartnerBrand.objects.filter(partner_id=partner_id)).first()


# --- joint marketing activities -----------------------------------------------------------------------------------

def target_per_quarter() -> int:
    return int(settings.MARKETING_ACTIVITIES_PER_QUARTER)


def quarter_of(day: date) -> tuple[date, date]:
    """The first and last day of `day`'s calendar quarter."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first, month_end(add_months(first, months=2))


def quarter_label(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Progress:
    done: int
    target: int
    first_day: date
    last_day: date

    @property
    def label(self) -> str:
        return quarter_label(self.first_day)

    @property
    def met(self) -> bool:
        return self.done >= self.target

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.target)) if self.target else 100


def activities(principal: Principal, partner_id: int) -> QuerySet[Activity]:
    return partner_owned(principal, Activity.objects.filter(partner_id=partner_id)).select_related("asset")


def quarter_progress(principal: Principal, partner_id: int, day: date) -> Progress:
    """The partner's done activities in `day`'s quarter against the target."""
    first, last = quarter_of(day)
    done = activities(principal, partner_id).filter(status=ActivityStatus.DONE, held_on__gte=first,
                                                    held_on__lte=last).count()
    return Progress(done, target_per_quarter(), first, last)


@dataclass(frozen=True)
class PartnerProgress:
    partner: Partner
    done: int
    planned: int


def below_target(day: date) -> tuple[Progress, list[PartnerProgress]]:
    """The active partners below this quarter's target (for staff), fewest done first."""
    first, last = quarter_of(day)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"done": 0, "planned": 0})
    rows = (Activity.objects.filter(held_on__gte=first, held_on__lte=last,
                                    status__in=[ActivityStatus.DONE, ActivityStatus.PLANNED])
            .order_by().values_list("partner_id", "status").annotate(n=Count("id")))
    for partner_id, status, n in rows:
        counts[partner_id][status] = n
    target = target_per_quarter()
    below = [PartnerProgress(p, counts[p.pk]["done"], counts[p.pk]["planned"])
             for p in Partner.objects.filter(status=PartnerStatus.ACTIVE).order_by("name")
             if counts[p.pk]["done"] < target]
    below.sort(key=lambda r: (r.done, r.partner.name))
    return Progress(0, target, first, last), below


def activities_per_month(first: date, last: date) -> dict[tuple[int, date], int]:
    """Per partner and month (first day) from `first`'s month to `last`'s: its done activities, for every partner
    and month that has any recorded activity (whatever its status; 0 when none is done). The scorecard's
    joint_marketing KPI reads this, and keeps imported figures only for the partner-months missing here."""
    rows = (Activity.objects.filter(held_on__gte=first, held_on__lte=month_end(last))
            .order_by().annotate(month=TruncMonth("held_on")).values_list("partner_id", "month", "status")
            .annotate(n=Count("id")))
    found: dict[tuple[int, date], int] = {}
    for partner_id, month, status, n in rows:
        key = (partner_id, month if isinstance(month, date) else date.fromisoformat(str(month)[:10]))
        found[key] = found.get(key, 0) + (n if status == ActivityStatus.DONE else 0)
    return found
