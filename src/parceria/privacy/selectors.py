"""Reads for the privacy pages: requests with their deadline state, holds in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from parceria.privacy.holds import active_holds
from parceria.privacy.models import DataSubjectRequest, LegalHold, RequestStatus

#: A request is flagged "due soon" this many days before its deadline.
DUE_SOON_DAYS = 3


@dataclass(frozen=True)
class Deadline:
    state: str  # "overdue", "due_soon", "on_time", "answered"
    days_left: int

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


def deadline(req: DataSubjectRequest, today: dt.date) -> Deadline:
    left = (req.due_on - today).days
    if req.status != RequestStatus.OPEN:
        return Deadline("answered", left)
    if left < 0:
        return Deadline("overdue", left)
    return Deadline("due_soon" if left <= DUE_SOON_DAYS else "on_time", left)


def requests(*, status: str = "", kind: str = "") -> QuerySet[DataSubjectRequest]:
    rows = DataSubjectRequest.objects.select_related("subject_user")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("status", "due_on", "id")


def open_counts(today: dt.date) -> dict[str, int]:
    open_rows = DataSubjectRequest.objects.filter(status=RequestStatus.OPEN)
    return {
        "open": open_rows.count(),
        "overdue": open_rows.filter(due_on__lt=today).count(),
        "due_soon": open_rows.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS)).count(),
    }


def holds(today: dt.date, *, include_released: bool = False) -> QuerySet[LegalHold]:
    rows = LegalHold.objects.all()
    return rows if include_released else rows.filter(active_holds(today))


def own_requests(user: Any) -> QuerySet[DataSubjectRequest]:
    """A portal user's own requests (the tenancy of this app: a person sees only theirs)."""
    return DataSubjectRequest.objects.filter(subject_user=user, channel="portal").order_by("-received_at", "-id")
