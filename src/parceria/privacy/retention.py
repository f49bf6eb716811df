"""The retention rules and their runner (`parceria retention`, docs/privacy.md).

A rule names the records it removes (rows deleted, or personal fields cleared while the rows stay), takes its period
from the schedule (retention_data.py), and has two functions: `candidates(scope)`, the queryset of what is past its
period on `scope.today` and not kept by a legal hold, and `apply(queryset)`, which removes them and returns how many.
The dry run and `--apply` count the same queryset, so the report says exactly what `--apply` then removes; a second
run finds nothing.

Apps own the rules of their tables: each registers its rule with `register_rule` in its `AppConfig.ready()` (privacy
sits below them). The rules of tables below privacy (sign-in attempts, Django's sessions) and of privacy's own
(sealed identities) are here. No rule touches a fiscal record (payouts, withholdings, informes, the ledger, bank
files): those are kept under the fiscal hold (holds.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Min, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from parceria.accounts.models import LoginAttempt, username_canonical
from parceria.common.audit import Actor, audit_record_create
from parceria.privacy import retention_data
from parceria.privacy.holds import held_emails, held_partner_ids
from parceria.privacy.models import SealedIdentity

AUDIT_ACTION = "retention.applied"


@dataclass(frozen=True)
class Scope:
    """What a rule judges by: the day, the first day kept (records dated before `cutoff` are past the period; a
    rule's own `cutoff_at` is the start of that day, local time) and the explicit holds in force."""

    today: dt.date
    cutoff: dt.date
    partner_ids: frozenset[int] = frozenset()
    emails: frozenset[str] = frozenset()

    @property
    def cutoff_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.cutoff, dt.time.min))

    def without_holds(self) -> Scope:
        return replace(self, partner_ids=frozenset(), emails=frozenset())

    def held_user_ids(self) -> set[int]:
        """Users an explicit hold covers: by their partner or their e-mail."""
        if not self.partner_ids and not self.emails:
            return set()
        users = get_user_model().objects.annotate(email_lower=Lower("email"))
        held = users.filter(Q(partner_id__in=self.partner_ids) | Q(email_lower__in=self.emails))
        return set(held.values_list("pk", flat=True))


@dataclass(frozen=True)
class Rule:
    name: str
    model: type[models.Model]
    date_field: str
    candidates: Callable[[Scope], QuerySet[Any]]
    apply: Callable[[QuerySet[Any]], int]


_RULES: dict[str, Rule] = {}


def register_rule(rule: Rule) -> None:
    """Add a rule (an app's ready()). Its period must be in the schedule; registering a name again replaces it."""
    retention_data.period(rule.name, dt.date.max)  # KeyError: a rule without a period
    _RULES[rule.name] = rule


def rules() -> list[Rule]:
    """The registered rules, in the schedule's order."""
    order = [p.rule for p in retention_data.SCHEDULE]
    return sorted(_RULES.values(), key=lambda r: order.index(r.name))


@dataclass
class RuleReport:
    name: str
    what: str
    action: str
    period: str
    cutoff: dt.date
    count: int
    oldest: dt.date | None
    held: int
    removed: int = 0
    applied: bool = False

    def line(self) -> str:
        oldest = self.oldest.isoformat() if self.oldest else "-"
        verb = (
            ("removed" if self.applied else "to remove")
            if self.action == "delete"
            else ("cleared" if self.applied else "to clear")
        )
        figure = self.removed if self.applied else self.count
        return (
            f"{self.name}: {figure} {verb} (kept {self.period}, before {self.cutoff.isoformat()}; "
            f"oldest {oldest}; held back by holds {self.held})"
        )


@dataclass
class RetentionRun:
    today: dt.date
    applied: bool
    reports: list[RuleReport] = field(default_factory=list)

    def summary(self) -> str:
        if self.applied:
            total = sum(r.removed for r in self.reports)
            return f"Retention applied on {self.today.isoformat()}: {total} record(s) removed or cleared."
        total = sum(r.count for r in self.reports)
        return f"Dry run on {self.today.isoformat()}: {total} record(s) would be removed or cleared; --apply does it."


def _scope(rule: Rule, today: dt.date, partner_ids: frozenset[int], emails: frozenset[str]) -> Scope:
    entry = retention_data.period(rule.name, today)
    return Scope(today=today, cutoff=retention_data.cutoff_day(entry, today), partner_ids=partner_ids, emails=emails)


def _oldest(rule: Rule, queryset: QuerySet[Any]) -> dt.date | None:
    value = queryset.order_by().aggregate(oldest=Min(rule.date_field))["oldest"]
    if isinstance(value, dt.datetime):
        return timezone.localdate(value)
    return value


def _judge(rule: Rule, today: dt.date, holds: tuple[frozenset[int], frozenset[str]]) -> tuple[RuleReport, QuerySet]:
    scope = _scope(rule, today, *holds)
    entry = retention_data.period(rule.name, today)
    queryset = rule.candidates(scope)
    count = queryset.count()
    held = rule.candidates(scope.without_holds()).count() - count if any(holds) else 0
    report = RuleReport(
        rule.name,
        str(entry.what),
        entry.action,
        retention_data.period_text(entry),
        scope.cutoff,
        count,
        _oldest(rule, queryset),
        held,
    )
    return report, queryset


def _holds(today: dt.date) -> tuple[frozenset[int], frozenset[str]]:
    return frozenset(held_partner_ids(today)), frozenset(held_emails(today))


def retention_plan(*, today: dt.date) -> RetentionRun:
    """The dry run: per rule what `retention_apply` would remove on `today`. Writes nothing."""
    holds = _holds(today)
    return RetentionRun(today, False, [_judge(rule, today, holds)[0] for rule in rules()])


def retention_apply(*, today: dt.date, actor: Actor) -> RetentionRun:
    """Apply every rule, each in one transaction, audited when it removed something."""
    run = RetentionRun(today, True)
    for rule in rules():
        with transaction.atomic():
            report, queryset = _judge(rule, today, _holds(today))
            report.removed = rule.apply(queryset) if report.count else 0
            report.applied = True
            if report.removed:
                audit_record_create(
                    actor=actor,
                    action=AUDIT_ACTION,
                    obj=SimpleNamespace(_meta=rule.model._meta, pk=rule.name),
                    after={
                        "rule": rule.name,
                        "action": report.action,
                        "removed": report.removed,
                        "before": report.cutoff.isoformat(),
                        "oldest": report.oldest.isoformat() if report.oldest else None,
                        "held_back": report.held,
                        "today": today.isoformat(),
                    },
                )
        run.reports.append(report)
    return run


def delete_rows(queryset: QuerySet[Any]) -> int:
    """Delete the candidates; the number of rows of the rule's own table."""
    return queryset.order_by().delete()[1].get(queryset.model._meta.label, 0)


# --- the rules of tables below privacy, and of privacy's own --------------------------------------------------------


def _expired_sessions(scope: Scope) -> QuerySet[Session]:
    expired = Session.objects.filter(expire_date__lt=scope.cutoff_at)
    held = scope.held_user_ids()
    if not held:
        return expired
    keys = {str(pk) for pk in held}
    kept = [s.pk for s in expired.iterator() if str(s.get_decoded().get("_auth_user_id", "")) in keys]
    return expired.exclude(pk__in=kept)


def _sign_in_attempts(scope: Scope) -> QuerySet[LoginAttempt]:
    old = LoginAttempt.objects.filter(at__lt=scope.cutoff_at)
    held = scope.held_user_ids()
    if not held and not scope.emails:
        return old
    names = {username_canonical(e)[:150] for e in scope.emails}
    names |= set(get_user_model().objects.filter(pk__in=held).values_list("username", flat=True))
    return old.exclude(username__in=names)


def _sealed_identities(scope: Scope) -> QuerySet[SealedIdentity]:
    ended = SealedIdentity.objects.filter(hold_until__lt=scope.cutoff)
    if not scope.emails:
        return ended
    held = Q()
    for email in scope.emails:
        held |= Q(request__subject_email__iexact=email)
    return ended.exclude(held)


register_rule(Rule("expired_sessions", Session, "expire_date", _expired_sessions, delete_rows))
register_rule(Rule("sign_in_attempts", LoginAttempt, "at", _sign_in_attempts, delete_rows))
register_rule(Rule("sealed_identities", SealedIdentity, "hold_until", _sealed_identities, delete_rows))
