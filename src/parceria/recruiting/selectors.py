"""Reads of recruiting: the applications for staff, and the public directory (only active partners that opted in
and consented to the listing).

The directory is read in a fixed number of queries whatever its size: the listed partners (one query, filtered and
ordered in Python: the filters on lists of verticals read the same on SQLite and PostgreSQL), then for the page shown
the certifications held (two queries) and the tier definitions in force (one)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from parceria.enablement.models import Certification
from parceria.enablement.selectors import certifications_held
from parceria.partners.models import Partner, PartnerStatus
from parceria.privacy.consent import consenting_partner_ids
from parceria.privacy.models import ConsentPurpose
from parceria.recruiting.models import Application, DirectoryListing
from parceria.tiers.definitions import definitions_in_force
from parceria.tiers.rules import is_integration_partner, rank

INTEGRATION = "integration"


def application_list(*, status: str = "", kind: str = "", country: str = "") -> QuerySet[Application]:
    rows = Application.objects.select_related("partner")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if country:
        rows = rows.filter(partner__country=country)
    return rows


@dataclass
class DirectoryEntry:
    listing: DirectoryListing
    partner: Partner
    preferred: bool
    certifications: list[str] = field(default_factory=list)


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def listed() -> QuerySet[DirectoryListing]:
    """The listings the public sees: opted in, with the partner's consent to the listing in force (privacy.consent:
    a withdrawal unlists it at once), of an active partner. The one rule of who is listed."""
    return DirectoryListing.objects.filter(
        opted_in=True, partner__status=PartnerStatus.ACTIVE,
        partner_id__in=consenting_partner_ids(ConsentPurpose.DIRECTORY_LISTING))


def _benefits(on: date | None) -> dict[str, dict[str, object]]:
    """The benefits of each tier definition in force on `on` (today by default), by tier (one query)."""
    return {tier: dict(d.benefits) for tier, d in definitions_in_force(on or timezone.localdate()).items()}


def _preferred(partner: Partner, benefits: dict[str, dict[str, object]]) -> bool:
    """Whether the definition the partner is judged by (the integration partner's, else its tier's) grants
    preferred placement in the directory (the `directory_placement` benefit)."""
    if is_integration_partner(partner) and benefits.get(INTEGRATION, {}).get("directory_placement"):
        return True
    return bool(partner.tier and benefits.get(partner.tier, {}).get("directory_placement"))


@dataclass(frozen=True)
class DirectoryQuery:
    q: str = ""
    category: str = ""
    vertical: str = ""
    country: str = ""
    tier: str = ""


def directory(query: DirectoryQuery, *, on: date | None = None) -> list[DirectoryEntry]:
    """Every listed partner matching `query`, preferred placement first, then by tier (highest first), then name."""
    benefits = _benefits(on)
    words = _folded(query.q).split()
    entries = []
    for listing in listed().select_related("partner").order_by("partner__name", "pk"):
        p = listing.partner
        if query.category and p.category != query.category:
            continue
        if query.vertical and query.vertical not in (p.verticals or []):
            continue
        if query.country and p.country != query.country:
            continue
        if query.tier and p.tier != query.tier:
            continue
        if words:
            text = _folded(" ".join([p.name, listing.headline, listing.description, " ".join(p.verticals or []),
                                     " ".join(listing.regions or [])]))
            if not all(w in text for w in words):
                continue
        entries.append(DirectoryEntry(listing, p, _preferred(p, benefits)))
    entries.sort(key=lambda e: (not e.preferred, -rank(e.partner.tier), _folded(e.partner.name)))
    return entries


def with_certifications(entries: list[DirectoryEntry], now: datetime | None = None) -> list[DirectoryEntry]:
    """Fill in the names of the certifications each entry's partner holds now (two queries for the lot)."""
    held = certifications_held([e.partner.pk for e in entries], now or timezone.now())
    codes = set().union(*held.values()) if held else set()
    names = dict(Certification.objects.filter(code__in=codes).values_list("code", "name"))
    for entry in entries:
        entry.certifications = sorted(names.get(c, c) for c in held.get(entry.partner.pk, ()))
    return entries


def directory_entry(slug: str, *, on: date | None = None) -> DirectoryEntry | None:
    listing = listed().select_related("partner").filter(slug=slug).first()
    if listing is None:
        return None
    benefits = _benefits(on)
    return with_certifications([DirectoryEntry(listing, listing.partner, _preferred(listing.partner, benefits))])[0]


def directory_verticals() -> list[str]:
    """The verticals the listed partners name (for the filter)."""
    found: set[str] = set()
    for verticals in listed().values_list("partner__verticals", flat=True):
        found.update(v for v in verticals or [] if isinstance(v, str))
    return sorted(found, key=_folded)
