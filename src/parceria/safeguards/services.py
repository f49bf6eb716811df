"""Writes of attribution safeguards: the scan that raises flags (idempotent: evidence already flagged, open or
cleared, is not flagged again) and the clearing of a flag by a person, with a note. Both are audited."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import across_partners
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict
from parceria.common.inputs import clean_text
from parceria.safeguards import detection
from parceria.safeguards.detection import Finding, Thresholds
from parceria.safeguards.models import FlagKind, FlagStatus, SafeguardFlag

NOTE_MAX_LENGTH = 2000


@dataclass
class ScanResult:
    """What a scan found per kind (`found`: every finding; `raised`: the new flags among them)."""

    found: Counter[str] = field(default_factory=Counter)
    raised: Counter[str] = field(default_factory=Counter)
    flags: list[SafeguardFlag] = field(default_factory=list)


def flags_raise(findings: list[Finding], *, actor: Actor, now: datetime | None = None) -> ScanResult:
    """Store the findings not flagged before (by their evidence key), each audited."""
    now = now or timezone.now()
    result = ScanResult()
    by_key: dict[str, Finding] = {}
    for finding in findings:
        result.found[finding.kind] += 1
        by_key.setdefault(finding.evidence_key, finding)
    with transaction.atomic():
        known = set(SafeguardFlag.objects.filter(evidence_key__in=list(by_key)).values_list("evidence_key", flat=True))
        for key, finding in by_key.items():
            if key in known:
                continue
            flag = SafeguardFlag.objects.create(kind=finding.kind, partner_id=finding.partner_id,
                                                evidence=finding.evidence, evidence_key=key, raised_at=now,
                                                raised_by=actor.label[:200])
            audit_record_create(actor=actor, action="safeguard_flag.raised", obj=flag,
                                after={"kind": flag.kind, "partner_id": flag.partner_id, "evidence": flag.evidence})
            result.raised[finding.kind] += 1
            result.flags.append(flag)
    return result


def safeguards_scan(*, actor: Actor, now: datetime | None = None, limits: Thresholds | None = None) -> ScanResult:
    """Run every safeguard over the whole program and raise the new flags. Safe to run again: the same evidence
    gives the same flags."""
    now = now or timezone.now()
    limits = limits or Thresholds.from_settings()
    with across_partners():  # staff's scan reads every partner's facts on purpose
        findings = [*detection.self_referrals(), *detection.shared_payout_accounts(),
                    *detection.refund_rates(now, limits), *detection.click_bursts(limits)]
        return flags_raise(findings, actor=actor, now=now)


def customer_check(*, customer_id: int, actor: Actor) -> ScanResult:
    """The cheap check made when a customer's attribution changes: is it a self-referral?"""
    with across_partners():
        return flags_raise(detection.self_referrals([customer_id]), actor=actor)


def flag_clear(*, flag: SafeguardFlag, note: object, actor: Actor, now: datetime | None = None) -> SafeguardFlag:
    """A person clears an open flag, saying why (`note`, required). The partner's payouts are held no more once it
    has no other open flag."""
    text = clean_text(note, field="note", max_length=NOTE_MAX_LENGTH)
    now = now or timezone.now()
    with transaction.atomic():
        locked = SafeguardFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.status != FlagStatus.OPEN:
            raise Conflict(_("This flag is already cleared."), code="already_cleared")
        locked.status = FlagStatus.CLEARED
        locked.cleared_at = now
        locked.cleared_by = actor.user if getattr(actor.user, "pk", None) else None
        locked.cleared_by_label = actor.label[:200]
        locked.clear_note = text
        locked.save(update_fields=["status", "cleared_at", "cleared_by", "cleared_by_label", "clear_note"])
        audit_record_create(actor=actor, action="safeguard_flag.cleared", obj=locked,
                            before={"status": FlagStatus.OPEN}, after={"status": FlagStatus.CLEARED}, reason=text)
    return locked


__all__ = ["FlagKind", "ScanResult", "customer_check", "flag_clear", "flags_raise", "safeguards_scan"]
