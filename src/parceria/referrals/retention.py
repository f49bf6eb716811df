"""The retention rule of referral clicks (privacy.retention; the period and its reason: privacy.retention_data).

Past the period a click keeps its link and time, so the links' click counts stay, and loses what points at a visitor:
the hashed address becomes `anon:<id>` (one of its own, so it never joins another click in a burst), the browser
and the referring page are cleared. Nothing reads old clicks but the click-burst safeguard, which walks each address's
clicks in time order: a click that could still be in one burst window with a click inside the period (a chain of
clicks less than BURST_MINUTES apart reaching past the cut) is kept until the chain is wholly past it, so the
safeguard never sees the tail of a burst as a new one. The clicks of a partner under a legal hold are kept.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat

from parceria.privacy.retention import Rule, Scope, register_rule
from parceria.referrals.models import ReferralClick

ANONYMOUS_PREFIX = "anon:"
_BURST_MINUTES_DEFAULT = 10  # safeguards.detection.Thresholds.burst_minutes


def _burst_span() -> timedelta:
    conf = cast(dict[str, Any], settings.PARCERIA.get("SAFEGUARDS") or {})
    return timedelta(minutes=int(conf.get("BURST_MINUTES", _BURST_MINUTES_DEFAULT)))


def _chained_to_newer(scope: Scope, span: timedelta) -> list[int]:
    """The clicks before the cut that a chain of clicks less than `span` apart (per partner and address) links to a
    click at or after it."""
    cut = scope.cutoff_at
    live = ReferralClick.objects.exclude(ip_hash__startswith=ANONYMOUS_PREFIX)
    edges = live.filter(at__gte=cut - span, at__lt=cut).order_by().values_list("link__partner_id", "ip_hash").distinct()
    kept: list[int] = []
    for partner_id, ip_hash in edges:
        rows = (
            live.filter(link__partner_id=partner_id, ip_hash=ip_hash, at__lt=cut + span)
            .order_by("-at", "-pk")
            .values_list("pk", "at")
        )
        later = None
        for pk, at in rows.iterator():
            if at >= cut:
                later = at
                continue
            if later is None or later - at >= span:
                break
            kept.append(pk)
            later = at
    return kept


def referral_click_candidates(scope: Scope) -> QuerySet[ReferralClick]:
    old = ReferralClick.objects.filter(at__lt=scope.cutoff_at).exclude(ip_hash__startswith=ANONYMOUS_PREFIX)
    if scope.partner_ids:
        old = old.exclude(link__partner_id__in=scope.partner_ids)
    kept = _chained_to_newer(scope, _burst_span())
    return old.exclude(pk__in=kept) if kept else old


def referral_clicks_clear(queryset: QuerySet[ReferralClick]) -> int:
    return queryset.order_by().update(
        ip_hash=Concat(Value(ANONYMOUS_PREFIX), Cast("pk", CharField()), output_field=CharField()),
        user_agent="",
        referrer="",
    )


register_rule(Rule("referral_clicks", ReferralClick, "at", referral_click_candidates, referral_clicks_clear))
