"""The retention rule of intake batches' rejections (privacy.retention; the period and its reason:
privacy.retention_data).

A batch keeps its counts and, per rejected item, its index, id, code, field and error; the raw event is never stored.
What an error can carry of the sent event is a value it quotes (`unknown customer 'ana@example.com'`, an invoice id, a
coupon code): past the period every quoted value becomes '…'. The batch row and its counts stay. Batches submitted by a
person under a legal hold are kept.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from parceria.customers.models import EventBatch
from parceria.privacy.retention import Rule, Scope, register_rule

#: A quoted value as Python's repr writes it in the intake's errors: '…' or "…" (with escapes).
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
REDACTED = "'…'"


def redact(text: str) -> str:
    return _QUOTED.sub(REDACTED, text)


def _redacted_items(rejected: Any) -> list[Any] | None:
    """The batch's rejections with their quoted values redacted, or None if nothing changes."""
    if not isinstance(rejected, list):
        return None
    changed = False
    items = []
    for item in rejected:
        if isinstance(item, dict) and isinstance(item.get("error"), str):
            error = redact(item["error"])
            if error != item["error"]:
                item = {**item, "error": error}
                changed = True
        items.append(item)
    return items if changed else None


def event_batch_candidates(scope: Scope) -> QuerySet[EventBatch]:
    old = EventBatch.objects.filter(received_at__lt=scope.cutoff_at).exclude(rejected=[])
    for email in scope.emails:
        old = old.exclude(submitted_by__icontains=email)
    pks = [pk for pk, rejected in old.values_list("pk", "rejected").iterator() if _redacted_items(rejected)]
    return EventBatch.objects.filter(pk__in=pks)


def event_batches_redact(queryset: QuerySet[EventBatch]) -> int:
    changed = 0
    with transaction.atomic():
        for batch in queryset.select_for_update().only("pk", "rejected"):
            items = _redacted_items(batch.rejected)
            if items is not None:
                EventBatch.objects.filter(pk=batch.pk).update(rejected=items)
                changed += 1
    return changed


register_rule(Rule("event_batch_rejections", EventBatch, "received_at", event_batch_candidates, event_batches_redact))
