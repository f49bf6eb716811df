"""Reads of attribution safeguards: which partners are held by an open flag (the close asks), counts for the
partner's page, and the staff list."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from parceria.common import fixedsql
from parceria.safeguards.models import FlagStatus, SafeguardFlag


def held_partner_ids(partner_ids: Iterable[int]) -> frozenset[int]:
    """The partners among `partner_ids` with an open flag: their payouts are held (one query)."""
    ids = list(partner_ids)
    if not ids:
        return frozenset()
    # Fixed SQL: the dashboard asks it on every request, and the close with every partner's id.
    where, params = fixedsql.any_of("partner_id", ids)
    sql = f"SELECT DISTINCT partner_id FROM {fixedsql.table(SafeguardFlag)} WHERE {where} AND status = %s"
    return frozenset(row[0] for row in fixedsql.fetch(sql, [*params, FlagStatus.OPEN.value], [None]))


def open_flag_count(partner_id: int) -> int:
    return SafeguardFlag.objects.filter(partner_id=partner_id, status=FlagStatus.OPEN).count()


def flag_list(*, status: str = "", kind: str = "", partner_id: int | None = None) -> QuerySet[SafeguardFlag]:
    """Flags for staff, newest first, filtered by status, kind and partner when given."""
    rows = SafeguardFlag.objects.select_related("partner")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if partner_id is not None:
        rows = rows.filter(partner_id=partner_id)
    return rows
