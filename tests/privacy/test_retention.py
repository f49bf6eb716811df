"""`parceria retention`: the dry run reports exactly what --apply then removes, holds keep what they cover, fiscal
records are never touched, and a second run is a no-op."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError

from parceria.accounts.models import LoginAttempt, User
from parceria.accounts.services import user_create
from parceria.commissions.models import LedgerLine, LedgerTotal
from parceria.common.audit import ACTION_LABELS
from parceria.common.models import AuditRecord
from parceria.customers.models import EventBatch
from parceria.notifications.models import Notification
from parceria.payouts.models import (
    BatchExport,
    CarriedBalance,
    Payout,
    PayoutBatch,
    PayoutEmployerContribution,
    PayoutStatusChange,
    PayoutWithholding,
)
from parceria.privacy import retention_data
from parceria.privacy.models import DataSubjectRequest, LegalHold, SealedIdentity
from parceria.privacy.retention import retention_plan, rules
from parceria.referrals.models import ReferralClick, ReferralLink
from parceria.webhooks.models import OutboxEvent
from tests.factories import ACTOR, SP, credit, make_partner, make_payout

TODAY = "2026-12-04"
#: The first moment kept of each rule on TODAY.
CLICKS_CUT = datetime(2025, 11, 4, tzinfo=SP)  # 13 months
NINETY_CUT = datetime(2026, 9, 5, tzinfo=SP)  # 90 days
SIX_MONTHS_CUT = datetime(2026, 6, 4, tzinfo=SP)  # 6 months (sign-in attempts: Marco Civil art. 15)
TODAY_START = datetime(2026, 12, 4, tzinfo=SP)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("retention", "--today", TODAY, *args, stdout=out)
    return out.getvalue()


def click(link: ReferralLink, at: datetime, ip_hash: str = "", **fields: Any) -> ReferralClick:
    return ReferralClick.objects.create(
        link=link,
        at=at,
        ip_hash=ip_hash or f"hash-{at.isoformat()}",
        user_agent=fields.get("user_agent", "Mozilla/5.0"),
        referrer=fields.get("referrer", "https://blog.example.com/post"),
    )


def link_of(partner: Any, code: str) -> ReferralLink:
    return ReferralLink.objects.create(partner=partner, code=code, landing_url="https://example.com/")


def attempt(username: str, at: datetime) -> LoginAttempt:
    row = LoginAttempt.objects.create(username=username, address="192.0.2.7")
    LoginAttempt.objects.filter(pk=row.pk).update(at=at)
    return row


def session(key: str, expires: datetime, user_id: int | None = None) -> Session:
    data = {"_auth_user_id": str(user_id)} if user_id else {"lang": "pt-br"}
    return Session.objects.create(session_key=key, session_data=SessionStore().encode(data), expire_date=expires)


def batch(received: datetime, rejected: list[dict[str, Any]], submitted_by: str = "api-key:billing") -> EventBatch:
    row = EventBatch.objects.create(
        source="api", submitted_by=submitted_by, received=len(rejected) + 1, accepted=1, duplicates=0, rejected=rejected
    )
    EventBatch.objects.filter(pk=row.pk).update(received_at=received)
    row.refresh_from_db()
    return row


def sealed(hold_until: date, email: str = "ana@example.com") -> SealedIdentity:
    request = DataSubjectRequest.objects.create(
        kind="anonymisation", subject_email=email, channel="console", received_at=TODAY_START, due_on=date(2026, 12, 19)
    )
    return SealedIdentity.objects.create(
        request=request, pseudonym=f"p-{hold_until}", sealed="x", hold_until=hold_until
    )


def snapshot() -> dict[str, Any]:
    return {
        "clicks": sorted(ReferralClick.objects.values_list("pk", "ip_hash", "user_agent", "referrer")),
        "sessions": sorted(Session.objects.values_list("session_key", flat=True)),
        "attempts": sorted(LoginAttempt.objects.values_list("pk", flat=True)),
        "batches": sorted((b.pk, str(b.rejected)) for b in EventBatch.objects.all()),
        "sealed": sorted(SealedIdentity.objects.values_list("pk", flat=True)),
        "audit": AuditRecord.objects.filter(action="retention.applied").count(),
    }


def outbox(partner: Any, at: datetime, *, pending: bool = False) -> OutboxEvent:
    """An outbox event of `at` (delivered, or with a notification still pending)."""
    event = OutboxEvent.objects.create(type="payout.paid", partner=partner, payload={"payout": 1})
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=at)
    user = User.objects.filter(username="notified@example.com").first() or user_create(
        username="notified@example.com", password=None, role="finance", actor=ACTOR)
    Notification.objects.create(event=event, event_type=event.type, partner=partner, channel="email", user=user,
                                status="pending" if pending else "sent")
    return event


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """Records of every rule, old and new, and a partner under a legal hold."""
    free, held = make_partner(), make_partner()
    LegalHold.objects.create(partner_id=held.pk, reason="Lawsuit 0001234-56.2026", placed_by_label="user:legal")
    free_link, held_link = link_of(free, "free1"), link_of(held, "held1")
    old = [click(free_link, datetime(2025, 6, 1, h, tzinfo=SP)) for h in (9, 10, 11)]
    kept = click(free_link, datetime(2026, 1, 1, 9, tzinfo=SP))
    on_the_day = click(free_link, CLICKS_CUT)  # the cut's own day is kept
    held_old = [click(held_link, datetime(2025, 3, 1, h, tzinfo=SP)) for h in (9, 10)]
    session("expired-1", TODAY_START - timedelta(days=2))
    session("expired-2", TODAY_START - timedelta(minutes=1))
    session("today", TODAY_START + timedelta(hours=10))
    session("valid", TODAY_START + timedelta(days=1))
    attempts_old = [
        attempt("ana", datetime(2026, 6, 3, 23, 59, tzinfo=SP)),
        attempt("bia", datetime(2026, 1, 1, tzinfo=SP)),
    ]
    attempt("ana", SIX_MONTHS_CUT)
    quoted = batch(
        datetime(2026, 8, 1, tzinfo=SP),
        [
            {
                "index": 0,
                "id": "evt_1",
                "error": "unknown customer 'ana@example.com'",
                "code": "unknown_customer",
                "field": "customer",
            },
            {
                "index": 2,
                "id": None,
                "error": "amount: Input should be greater than 0",
                "code": "invalid_event",
                "field": "amount",
            },
        ],
    )
    plain = batch(
        datetime(2026, 8, 1, tzinfo=SP),
        [
            {
                "index": 0,
                "id": "evt_2",
                "error": "an event must be a JSON object",
                "code": "invalid_event",
                "field": None,
            }
        ],
    )
    recent = batch(
        datetime(2026, 11, 1, tzinfo=SP),
        [
            {
                "index": 0,
                "id": "evt_3",
                "error": "unknown customer 'bia@example.com'",
                "code": "unknown_customer",
                "field": "customer",
            }
        ],
    )
    ended, holding = sealed(date(2026, 12, 3)), sealed(date(2026, 12, 4))
    sent_old = outbox(free, datetime(2026, 3, 1, tzinfo=SP))
    outbox(free, datetime(2026, 2, 1, tzinfo=SP), pending=True)  # still to be sent: kept
    outbox(held, datetime(2026, 1, 1, tzinfo=SP))  # a held partner's: kept
    outbox(free, SIX_MONTHS_CUT)  # the cut's own day is kept
    return {
        "sent_old": sent_old,
        "free": free,
        "held": held,
        "old": old,
        "kept": kept,
        "on_the_day": on_the_day,
        "held_old": held_old,
        "attempts_old": attempts_old,
        "quoted": quoted,
        "plain": plain,
        "recent": recent,
        "ended": ended,
        "holding": holding,
    }


EXPECTED_DRY_RUN = [
    "referral_clicks: 3 to clear (kept 13 months, before 2025-11-04; oldest 2025-06-01; held back by holds 2)",
    "event_batch_rejections: 1 to clear (kept 90 days, before 2026-09-05; oldest 2026-08-01; held back by holds 0)",
    "expired_sessions: 2 to remove (kept 0 days, before 2026-12-04; oldest 2026-12-02; held back by holds 0)",
    "sign_in_attempts: 2 to remove (kept 6 months, before 2026-06-04; oldest 2026-01-01; held back by holds 0)",
    "sealed_identities: 1 to remove (kept 0 days, before 2026-12-04; oldest 2026-12-03; held back by holds 0)",
    "webhook_events: 1 to remove (kept 6 months, before 2026-06-04; oldest 2026-03-01; held back by holds 1)",
    "Dry run on 2026-12-04: 10 record(s) would be removed or cleared; --apply does it.",
]


def test_the_dry_run_reports_exact_figures_and_changes_nothing(world):
    before = snapshot()
    assert run().splitlines() == EXPECTED_DRY_RUN
    assert snapshot() == before


def test_apply_removes_exactly_what_the_dry_run_reported_audits_each_rule_and_a_second_run_is_a_no_op(world):
    plan = {r.name: r.count for r in retention_plan(today=date.fromisoformat(TODAY)).reports}
    out = run("--apply").splitlines()
    assert (
        out[0]
        == "referral_clicks: 3 cleared (kept 13 months, before 2025-11-04; oldest 2025-06-01; held back by holds 2)"
    )
    assert out[-1] == "Retention applied on 2026-12-04: 10 record(s) removed or cleared."
    # Outbox events: the old one sent is gone with its notification; pending, held and recent ones stay.
    assert not OutboxEvent.objects.filter(pk=world["sent_old"].pk).exists()
    assert OutboxEvent.objects.count() == Notification.objects.count() == 3
    # Clicks: the old ones lose what points at the visitor and keep their link and time (the counts stay).
    assert ReferralClick.objects.count() == 7
    for old in world["old"]:
        old.refresh_from_db()
        assert (old.ip_hash, old.user_agent, old.referrer) == (f"anon:{old.pk}", "", "")
        assert old.link.code == "free1"
    for kept in (world["kept"], world["on_the_day"], *world["held_old"]):
        kept.refresh_from_db()
        assert kept.ip_hash.startswith("hash-") and kept.user_agent == "Mozilla/5.0"
    # Rejections: the quoted value is gone, the rest of the item stays; batches without quotes or recent: untouched.
    world["quoted"].refresh_from_db()
    assert world["quoted"].rejected == [
        {"index": 0, "id": "evt_1", "error": "unknown customer '…'", "code": "unknown_customer", "field": "customer"},
        {
            "index": 2,
            "id": None,
            "error": "amount: Input should be greater than 0",
            "code": "invalid_event",
            "field": "amount",
        },
    ]
    assert (world["quoted"].received, world["quoted"].accepted) == (3, 1)
    world["recent"].refresh_from_db()
    assert world["recent"].rejected[0]["error"] == "unknown customer 'bia@example.com'"
    assert sorted(Session.objects.values_list("session_key", flat=True)) == ["today", "valid"]
    assert list(LoginAttempt.objects.values_list("username", "at")) == [("ana", SIX_MONTHS_CUT)]
    assert list(SealedIdentity.objects.values_list("pk", flat=True)) == [world["holding"].pk]
    audits = {a.object_id: a for a in AuditRecord.objects.filter(action="retention.applied")}
    assert {name: a.after["removed"] for name, a in audits.items()} == plan
    assert audits["referral_clicks"].object_type == "referrals.referralclick"
    assert audits["referral_clicks"].after["held_back"] == 2
    assert audits["referral_clicks"].actor_label == "command:retention"

    before = snapshot()
    assert run("--apply").splitlines()[-1] == "Retention applied on 2026-12-04: 0 record(s) removed or cleared."
    assert snapshot() == before
    assert run().splitlines()[-1] == "Dry run on 2026-12-04: 0 record(s) would be removed or cleared; --apply does it."


def test_a_partner_under_a_legal_hold_keeps_its_clicks_until_the_hold_is_released(world):
    run("--apply")
    assert sorted(ReferralClick.objects.filter(link__partner=world["held"]).values_list("ip_hash", flat=True)) == [
        c.ip_hash for c in world["held_old"]
    ]
    LegalHold.objects.filter(partner_id=world["held"].pk).update(
        released_at=TODAY_START, released_by_label="user:legal"
    )
    assert run().splitlines()[0] == (
        "referral_clicks: 2 to clear (kept 13 months, before 2025-11-04; oldest 2025-03-01; held back by holds 0)"
    )
    run("--apply")
    assert not ReferralClick.objects.filter(link__partner=world["held"], ip_hash__startswith="hash-").exists()


def test_a_hold_that_ended_before_the_day_holds_nothing(db):
    partner = make_partner()
    LegalHold.objects.create(
        partner_id=partner.pk, reason="audit", placed_by_label="user:legal", until=date(2026, 12, 3)
    )
    click(link_of(partner, "p1"), datetime(2025, 1, 1, tzinfo=SP))
    assert run().splitlines()[0].startswith("referral_clicks: 1 to clear")


def test_a_person_under_a_hold_keeps_their_sign_in_attempts_sessions_and_sealed_identity(db):
    partner = make_partner()
    LegalHold.objects.create(subject_email="Ana@Example.com", reason="ANPD inquiry", placed_by_label="user:dpo")
    ana = user_create(username="ana", password=None, role="finance", email="ana@example.com", actor=ACTOR)
    bia = user_create(
        username="bia", password=None, role="partner_admin", email="bia@example.com", partner=partner, actor=ACTOR
    )
    old = datetime(2026, 1, 1, tzinfo=SP)
    attempt("ana", old), attempt("ana@example.com", old), attempt("bia", old)
    session("ana-old", old, ana.pk), session("bia-old", old, bia.pk), session("nobody-old", old)
    sealed(date(2026, 1, 1), "ANA@example.com"), sealed(date(2026, 1, 1), "bia@example.com")
    lines = run().splitlines()
    assert (
        lines[2]
        == "expired_sessions: 2 to remove (kept 0 days, before 2026-12-04; oldest 2026-01-01; held back by holds 1)"
    )
    assert (
        lines[3]
        == "sign_in_attempts: 1 to remove (kept 6 months, before 2026-06-04; oldest 2026-01-01; held back by holds 2)"
    )
    assert (
        lines[4]
        == "sealed_identities: 1 to remove (kept 0 days, before 2026-12-04; oldest 2026-01-01; held back by holds 1)"
    )
    run("--apply")
    assert sorted(LoginAttempt.objects.values_list("username", flat=True)) == ["ana", "ana@example.com"]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["ana-old"]
    assert list(SealedIdentity.objects.values_list("request__subject_email", flat=True)) == ["ANA@example.com"]
    # A partner's hold covers its users' attempts too.
    LegalHold.objects.create(partner_id=partner.pk, reason="lawsuit", placed_by_label="user:legal")
    attempt("bia", old)
    assert run().splitlines()[3].startswith("sign_in_attempts: 0 to remove")


def test_clicks_that_could_still_join_a_burst_with_newer_clicks_are_kept_until_they_cannot(db):
    link = link_of(make_partner(), "burst")
    minutes = [-20, -8, -3, 2]  # around the cut; bursts are judged over 10 minutes
    rows = [click(link, CLICKS_CUT + timedelta(minutes=m), ip_hash="same-address") for m in minutes]
    other = click(link, CLICKS_CUT - timedelta(minutes=3), ip_hash="other-address")  # nothing newer: cleared
    run("--apply")
    hashes = [ReferralClick.objects.get(pk=r.pk).ip_hash for r in rows]
    assert hashes == [f"anon:{rows[0].pk}", "same-address", "same-address", "same-address"]
    assert ReferralClick.objects.get(pk=other.pk).ip_hash == f"anon:{other.pk}"
    # A day later the whole chain is past the cut and separated from newer clicks: it is cleared.
    call_command("retention", "--today", "2026-12-05", "--apply", stdout=io.StringIO())
    assert ReferralClick.objects.filter(ip_hash="same-address").count() == 0


def test_no_rule_touches_fiscal_records(world):
    fiscal = (
        Payout,
        PayoutBatch,
        PayoutWithholding,
        PayoutEmployerContribution,
        PayoutStatusChange,
        CarriedBalance,
        BatchExport,
        LedgerLine,
        LedgerTotal,
    )
    assert not {rule.model for rule in rules()} & set(fiscal)
    partner = world["free"]
    make_payout(partner, date(2015, 1, 1), "1000.00", payment_date=date(2015, 2, 10), withheld={"IRRF": "15.00"})
    credit(partner, "500.00", at="2015-01-15T12:00:00-03:00")
    before = {m.__name__: sorted(m._default_manager.values_list("pk", flat=True)) for m in fiscal}
    assert [len(before[m.__name__]) for m in (Payout, PayoutWithholding, LedgerLine)] == [1, 1, 1]
    run("--apply")
    assert {m.__name__: sorted(m._default_manager.values_list("pk", flat=True)) for m in fiscal} == before


def test_every_scheduled_period_has_its_rule_and_the_audited_action_its_label():
    assert [r.name for r in rules()] == [p.rule for p in retention_data.SCHEDULE]
    assert "retention.applied" in ACTION_LABELS
    for entry in retention_data.SCHEDULE:
        assert "[verify]" in entry.reason


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["2026-13-01", "yesterday", "04/12/2026"])
def test_a_bad_day_is_refused_and_nothing_is_removed(day):
    attempt("ana", datetime(2020, 1, 1, tzinfo=SP))
    with pytest.raises(CommandError, match="--today must be a date"):
        call_command("retention", "--today", day, "--apply", stdout=io.StringIO())
    assert LoginAttempt.objects.count() == 1
    assert not AuditRecord.objects.filter(action="retention.applied").exists()


def test_months_are_counted_on_the_calendar():
    entry = retention_data.period("referral_clicks", date(2026, 1, 1))
    assert retention_data.cutoff_day(entry, date(2026, 12, 31)) == date(2025, 11, 30)
    assert retention_data.cutoff_day(entry, date(2027, 3, 31)) == date(2026, 2, 28)
    assert retention_data.cutoff_day(entry, date(2026, 1, 15)) == date(2024, 12, 15)


def test_the_click_burst_safeguard_raises_nothing_new_after_retention(db):
    """A burst straddling the cut: 10 clicks before it and 30 after, 20 seconds apart. Clearing the 10 would leave 30
    clicks within 10 minutes, a burst with another first click, flagged again; they are kept instead."""
    from parceria.safeguards.models import SafeguardFlag
    from parceria.safeguards.services import safeguards_scan

    link = link_of(make_partner(), "burst2")
    start = CLICKS_CUT - timedelta(seconds=200)
    for i in range(40):
        click(link, start + timedelta(seconds=20 * i), ip_hash="bursty")
    assert safeguards_scan(actor=ACTOR).raised["click_burst"] == 1
    assert run("--apply").splitlines()[0].startswith("referral_clicks: 0 cleared")
    assert safeguards_scan(actor=ACTOR).raised["click_burst"] == 0
    assert SafeguardFlag.objects.count() == 1
