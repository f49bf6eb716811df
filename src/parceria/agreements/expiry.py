"""The daily agreements job (`parceria agreements-expire`): agreements whose term is over and that do not renew
by themselves move to expired (their rate override ends the next day); agreements that renew by themselves have
each renewal that took effect recorded. The dates come from `parceria.agreements.dates`, the one computation
the pages and alerts use. Safe to re-run and to run twice at once: each agreement is locked and judged again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from parceria.agreements.dates import current_term_end, expired_after, renewals_passed
from parceria.agreements.models import Agreement, AgreementStatus
from parceria.agreements.services import rate_override_end, snapshot
from parceria.common.audit import Actor, audit_record_create


@dataclass(frozen=True)
class ExpiryOutcome:
    agreement_id: int
    subject: str
    action: str  # "expired" or "renewed"
    term_end: date  # the last day of the term that ended
    next_term_end: date | None = None  # for a renewal: the end of the term it started

    def line(self) -> str:
        if self.action == "expired":
            return f"expired  {self.subject} — its term ended on {self.term_end.isoformat()}"
        assert self.next_term_end is not None
        return (
            f"renewed  {self.subject} — the term ending {self.term_end.isoformat()} renewed until "
            f"{self.next_term_end.isoformat()}"
        )


@dataclass
class ExpiryRun:
    today: date
    dry_run: bool = False
    outcomes: list[ExpiryOutcome] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    def summary(self) -> str:
        if not self.outcomes:
            return f"{self.today.isoformat()}: no agreement expired or renewed"
        note = " (dry run: nothing written)" if self.dry_run else ""
        return (
            f"{self.today.isoformat()}: {self.count('expired')} expired, "
            f"{self.count('renewed')} renewal(s) recorded{note}"
        )


def _subject(agreement: Agreement) -> str:
    return f"{agreement.partner.name}: {agreement.get_type_display()} #{agreement.pk}"


def agreements_expire(*, today: date, actor: Actor, dry_run: bool = False) -> ExpiryRun:
    """Expire or record the renewals of every active agreement as of `today` (a term ending on `today` is
    still in force). One transaction per agreement, so a failure leaves the others done."""
    run = ExpiryRun(today, dry_run)
    for agreement_id in (
        Agreement.objects.filter(status=AgreementStatus.ACTIVE).order_by("id").values_list("id", flat=True)
    ):
        with transaction.atomic():
            agreement = (
                Agreement.objects.select_for_update(of=("self",))
                .select_related("partner")
                .filter(pk=agreement_id, status=AgreementStatus.ACTIVE)
                .first()
            )
            if agreement is None:  # moved by someone else meanwhile
                continue
            run.outcomes.extend(_expire_or_renew(agreement, today, actor, dry_run))
    return run


def _expire_or_renew(agreement: Agreement, today: date, actor: Actor, dry_run: bool) -> list[ExpiryOutcome]:
    rule = agreement.rule
    last_day = expired_after(rule, today)
    if last_day is not None:
        if not dry_run:
            before = snapshot(agreement)
            agreement.status = AgreementStatus.EXPIRED
            agreement.save(update_fields=["status", "updated_at"])
            audit_record_create(
                actor=actor,
                action="agreement.expired",
                obj=agreement,
                before=before,
                after={**snapshot(agreement), "last_day": last_day.isoformat()},
            )
            rate_override_end(agreement=agreement, day=last_day + timedelta(days=1), actor=actor)
        return [ExpiryOutcome(agreement.pk, _subject(agreement), "expired", last_day)]
    outcomes = []
    for ended in renewals_passed(rule, after=agreement.renewed_through, on=today):
        following = current_term_end(rule, ended + timedelta(days=1))
        outcomes.append(ExpiryOutcome(agreement.pk, _subject(agreement), "renewed", ended, following))
        if not dry_run:
            audit_record_create(
                actor=actor,
                action="agreement.renewed",
                obj=agreement,
                before={"renewed_through": agreement.renewed_through and agreement.renewed_through.isoformat()},
                after={"renewed_through": ended.isoformat(), "term_end": following and following.isoformat()},
            )
            agreement.renewed_through = ended
    if outcomes and not dry_run:
        agreement.save(update_fields=["renewed_through", "updated_at"])
    return outcomes
