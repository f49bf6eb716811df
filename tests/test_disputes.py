"""Disputes (SPEC §8, §16; issue #3 item 6): a partner disputes its own ledger line, payout or a missing
attribution; staff review, reject or resolve with an adjustment that posts a linked ledger line; the response SLA;
comments and attachments; tenancy; and every refusal leaves the stored data as it was."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parceria.accounts.models import ApiKey, hash_api_key
from parceria.accounts.tenancy import Principal
from parceria.api.parser import NUL_MESSAGE
from parceria.commissions.models import LedgerLine
from parceria.commissions.selectors import partner_balance
from parceria.common.audit import Actor
from parceria.common.models import AuditRecord
from parceria.disputes import services
from parceria.disputes.adjustments import adjustment_approve, adjustment_reject
from parceria.disputes.api import router
from parceria.disputes.models import (
    Adjustment,
    AdjustmentApproval,
    Dispute,
    DisputeAttachment,
    DisputeComment,
)
from parceria.disputes.selectors import dispute_is_overdue, dispute_list
from parceria.disputes.services import COMMENT_MAX_LENGTH
from parceria.disputes.sla import add_business_days, national_holidays
from parceria.payouts.models import Payout, PayoutBatch
from tests.conftest import ApiClient
from tests.factories import at, ingest, make_customer, make_key, make_partner, make_payout, paid

pytestmark = pytest.mark.django_db


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MB = 1024 * 1024


def call(method: str, path: str, key: str, body: Any = None):
    return ApiClient(key).request(method, path, body)


def upload(path: str, key: str, name: str, content: bytes, content_type: str = "application/octet-stream"):
    return ApiClient(key).upload(path, name, content, content_type)


def key_label(key: str) -> str:
    return f"api-key:{ApiKey.objects.get(key_hash=hash_api_key(key)).name}"


def actor_of(key: str) -> Actor:
    return Principal.for_api_key(ApiKey.objects.get(key_hash=hash_api_key(key))).actor


def stored() -> dict[str, Any]:
    """Everything a dispute write could touch."""
    return {
        "disputes": list(Dispute.objects.order_by("id").values()),
        "comments": list(DisputeComment.objects.order_by("id").values()),
        "attachments": list(DisputeAttachment.objects.order_by("id").values()),
        "adjustments": list(Adjustment.objects.order_by("id").values()),
        "approvals": AdjustmentApproval.objects.count(),
        "ledger": list(LedgerLine.objects.order_by("id").values_list("id", "partner_id", "amount")),
        "audit": AuditRecord.objects.count(),
        "files": sorted(str(p) for p in _media().rglob("*") if p.is_file()) if _media().exists() else [],
    }


def _media() -> Path:
    """The attachments' folder: the test's own (tests/conftest.py gives each test its MEDIA_ROOT)."""
    return Path(DisputeAttachment._meta.get_field("file").storage.location)


@dataclass
class World:
    a: Any
    b: Any
    a_key: str
    b_key: str
    staff_key: str
    a_line: LedgerLine
    b_line: LedgerLine
    a_payout: Payout
    b_payout: Payout


def _payout(partner: Any, batch: PayoutBatch) -> Payout:
    return make_payout(partner, batch.period, "300.00", payment_date=date(2026, 4, 2))


@pytest.fixture
def w() -> World:
    a = make_partner(name="Alfa Parceira", legal_name="Alfa Parceira Ltda")
    b = make_partner(name="Bravo Segredo", legal_name="Bravo Segredo Ltda")
    ingest(paid(make_customer(a, external_id="alfa-cus"), "1500.00", event_id="alfa-evt"),
           paid(make_customer(b, external_id="bravo-cus"), "1500.00", event_id="bravo-evt"))
    batch = PayoutBatch.objects.create(period=date(2026, 3, 1), created_by="tests")
    return World(
        a=a, b=b, a_key=make_key("partner", a), b_key=make_key("partner", b), staff_key=make_key("finance"),
        a_line=LedgerLine.objects.get(partner=a), b_line=LedgerLine.objects.get(partner=b),
        a_payout=_payout(a, batch), b_payout=_payout(b, batch),
    )


def open_line_dispute(w: World, partner: str = "a", now: datetime | None = None) -> Dispute:
    line = w.a_line if partner == "a" else w.b_line
    return services.dispute_open(
        partner=line.partner, subject="ledger_line", actor=Actor(label=f"partner-{partner}"), now=now,
        claim=services.DisputeClaim(ledger_line_id=line.pk, description=f"Rate should be 30 % ({partner})"),
    )


# --- opening ------------------------------------------------------------------------------------------------------


def test_a_partner_opens_a_dispute_on_its_own_ledger_line(w):
    response = call("POST", "/disputes", w.a_key, {"subject": "ledger_line", "ledger_line_id": w.a_line.pk,
                                                   "description": "My tier is strategic since March"})

    assert response.status_code == 201, response.content
    body = response.json()
    dispute = Dispute.objects.get(pk=body["id"])
    assert (body["partner_id"], body["subject"], body["ledger_line_id"], body["status"]) == (
        w.a.pk, "ledger_line", w.a_line.pk, "open",
    )
    assert (body["overdue"], body["comments"], body["attachments"], body["adjustments"]) == (False, [], [], [])
    assert dispute.response_due_at == add_business_days(dispute.opened_at, 5)
    assert body["opened_by"] == key_label(w.a_key)
    assert AuditRecord.objects.filter(action="dispute.opened", object_id=str(dispute.pk)).count() == 1


def test_a_partner_disputes_its_own_payout_and_a_missing_attribution(w):
    payout = call("POST", "/disputes", w.a_key, {"subject": "payout", "payout_id": w.a_payout.pk,
                                                 "description": "IRRF withheld twice"})
    missing = call("POST", "/disputes", w.a_key, {"subject": "missing_attribution", "customer_external_id": "cus_77",
                                                  "customer_name": "Padaria Boa", "description": "I referred them"})
    duplicate = call("POST", "/disputes", w.a_key, {"subject": "missing_attribution",
                                                    "customer_external_id": "cus_77", "description": "again"})

    assert (payout.status_code, payout.json()["payout_id"]) == (201, w.a_payout.pk)
    assert (missing.status_code, missing.json()["customer_external_id"], missing.json()["customer_name"]) == (
        201, "cus_77", "Padaria Boa",
    )
    assert (duplicate.status_code, duplicate.json()["error"]["code"]) == (409, "already_disputed")
    assert Dispute.objects.count() == 2


def test_one_active_dispute_per_line_and_a_new_one_after_withdrawal(w):
    body = {"subject": "ledger_line", "ledger_line_id": w.a_line.pk, "description": "wrong"}

    first = call("POST", "/disputes", w.a_key, body)
    second = call("POST", "/disputes", w.a_key, body)
    withdrawn = call("POST", f"/disputes/{first.json()['id']}/withdraw", w.a_key, {"reason": "my mistake"})
    third = call("POST", "/disputes", w.a_key, body)

    assert (first.status_code, second.status_code, withdrawn.status_code, third.status_code) == (201, 409, 200, 201)
    assert withdrawn.json()["status"] == "withdrawn"


@pytest.mark.parametrize(
    "body",
    [
        {"subject": "ledger_line", "ledger_line_id": "B_LINE", "description": "another partner's line"},
        {"subject": "payout", "payout_id": "B_PAYOUT", "description": "another partner's payout"},
        {"subject": "ledger_line", "ledger_line_id": 99999999, "description": "no such line"},
    ],
)
def test_another_partners_line_or_payout_is_not_found(w, body):
    body = {k: {"B_LINE": w.b_line.pk, "B_PAYOUT": w.b_payout.pk}.get(v, v) if isinstance(v, str) else v
            for k, v in body.items()}
    before = stored()

    response = call("POST", "/disputes", w.a_key, body)

    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    assert "Bravo" not in response.content.decode()
    assert stored() == before


@pytest.mark.parametrize(
    "body",
    [
        {"subject": "ledger_line", "description": "no line"},
        {"subject": "ledger_line", "ledger_line_id": "A_LINE", "payout_id": "A_PAYOUT", "description": "two"},
        {"subject": "payout", "ledger_line_id": "A_LINE", "description": "wrong id"},
        {"subject": "missing_attribution", "description": "no customer"},
        {"subject": "refund", "ledger_line_id": "A_LINE", "description": "unknown subject"},
        {"subject": "ledger_line", "ledger_line_id": "A_LINE", "description": "   "},
        {"subject": "ledger_line", "ledger_line_id": "A_LINE"},
        {"subject": "ledger_line", "ledger_line_id": "A_LINE", "description": "x", "status": "resolved"},
        {"subject": "ledger_line", "ledger_line_id": "A_LINE_STR", "description": "string id"},
        {"subject": "ledger_line", "ledger_line_id": 1.5, "description": "an id with a fraction"},
        {"subject": "missing_attribution", "customer_external_id": "c" * 201, "description": "long"},
    ],
)
def test_bad_dispute_input_is_422_and_changes_nothing(w, body):
    values = {"A_LINE": w.a_line.pk, "A_PAYOUT": w.a_payout.pk, "A_LINE_STR": str(w.a_line.pk)}
    body = {k: values.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = stored()

    response = call("POST", "/disputes", w.a_key, body)

    assert response.status_code == 422, response.content
    assert stored() == before


def test_staff_do_not_open_disputes(w):
    before = stored()

    response = call("POST", "/disputes", w.staff_key, {"subject": "ledger_line", "ledger_line_id": w.a_line.pk,
                                                       "description": "on behalf"})

    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden_scope")
    assert stored() == before


# --- resolution -----------------------------------------------------------------------------------------------------


def test_resolve_with_an_adjustment_posts_a_linked_ledger_line(w):
    dispute = open_line_dispute(w)
    review = call("POST", f"/disputes/{dispute.pk}/review", w.staff_key)

    resolved = call("POST", f"/disputes/{dispute.pk}/resolve", w.staff_key,
                    {"adjustment_amount": "12.34", "resolution": "Tier upgrade applied late"})

    assert (review.status_code, review.json()["status"]) == (200, "in_review")
    assert resolved.status_code == 200, resolved.content
    body = resolved.json()
    adjustment = Adjustment.objects.get(dispute=dispute)
    line = LedgerLine.objects.get(dedupe_key=f"adj:{adjustment.pk}")
    assert (body["status"], body["resolution"]) == ("resolved_with_adjustment", "Tier upgrade applied late")
    assert body["adjustments"] == [{"id": adjustment.pk, "amount": "12.3400", "currency": "BRL", "status": "posted",
                                    "ledger_line": f"adj:{adjustment.pk}"}]
    assert (line.kind, line.rule, line.amount, line.partner_id) == ("adjustment", "manual", Decimal("12.3400"), w.a.pk)
    assert (line.reverses_id, line.customer_id) == (w.a_line.dedupe_key, w.a_line.customer_id)
    label = key_label(w.staff_key)
    assert line.explanation == (f"Manual adjustment: Tier upgrade applied late (dispute #{dispute.pk}; "
                                f"requested by {label}, approved by {label})")
    assert partner_balance(w.a).balance == Decimal("312.3400")
    assert partner_balance(w.b).balance == Decimal("300.0000")
    actions = list(AuditRecord.objects.filter(object_type="disputes.dispute", object_id=str(dispute.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["dispute.opened", "dispute.in_review", "dispute.resolved_with_adjustment"]


def test_an_open_dispute_may_be_resolved_directly(w):
    dispute = open_line_dispute(w)

    resolved = services.dispute_resolve(dispute=dispute, adjustment_amount="-0.01", resolution="Rounding",
                                        actor=actor_of(w.staff_key))

    assert resolved.status == "resolved_with_adjustment"
    assert resolved.first_staff_response_at is not None
    assert partner_balance(w.a).balance == Decimal("299.9900")


def test_a_large_resolution_waits_for_a_second_approver(w):
    dispute = open_line_dispute(w)
    second_key = make_key("admin")

    waiting = call("POST", f"/disputes/{dispute.pk}/resolve", w.staff_key,
                   {"adjustment_amount": "1000.01", "resolution": "Whole quarter missed"})
    adjustment = Adjustment.objects.get(dispute=dispute)
    blocked = [
        call("POST", f"/disputes/{dispute.pk}/reject", w.staff_key, {"reason": "no"}),
        call("POST", f"/disputes/{dispute.pk}/withdraw", w.a_key, {}),
        call("POST", f"/disputes/{dispute.pk}/resolve", w.staff_key, {"adjustment_amount": "1.00", "resolution": "x"}),
    ]
    balance_while_waiting = partner_balance(w.a).balance
    own = call("POST", f"/adjustments/{adjustment.pk}/approve", w.staff_key)
    approved = call("POST", f"/adjustments/{adjustment.pk}/approve", second_key)
    after = call("GET", f"/disputes/{dispute.pk}", w.a_key)

    assert (waiting.status_code, waiting.json()["status"]) == (200, "in_review")
    assert waiting.json()["adjustments"][0]["status"] == "pending_approval"
    assert [(r.status_code, r.json()["error"]["code"]) for r in blocked] == [(409, "adjustment_pending")] * 3
    assert balance_while_waiting == Decimal("300.0000")
    assert (own.status_code, own.json()["error"]["code"]) == (403, "same_approver")
    assert (approved.status_code, approved.json()["status"], approved.json()["dispute_id"]) == (
        200, "posted", dispute.pk,
    )
    assert after.json()["status"] == "resolved_with_adjustment"
    assert partner_balance(w.a).balance == Decimal("1300.0100")
    record = AuditRecord.objects.get(action="dispute.resolved_with_adjustment", object_id=str(dispute.pk))
    assert record.actor_label == key_label(second_key)


def test_a_rejected_adjustment_leaves_the_dispute_in_review(w):
    dispute = open_line_dispute(w)
    services.dispute_resolve(dispute=dispute, adjustment_amount="5000", resolution="Big", actor=actor_of(w.staff_key))
    adjustment = Adjustment.objects.get(dispute=dispute)

    adjustment_reject(adjustment=adjustment, reason="Not justified", actor=Actor(label="finance-2"))
    rejected = services.dispute_reject(dispute=dispute, reason="Rate was right", actor=actor_of(w.staff_key))

    assert rejected.status == "rejected"
    assert rejected.resolution == "Rate was right"
    assert not LedgerLine.objects.filter(kind="adjustment").exists()
    assert partner_balance(w.a).balance == Decimal("300.0000")
    with pytest.raises(Exception) as refused:
        adjustment_approve(adjustment=adjustment, actor=Actor(label="finance-3"))
    assert getattr(refused.value, "code", None) == "invalid_transition"


def test_reject_posts_nothing(w):
    dispute = open_line_dispute(w)

    response = call("POST", f"/disputes/{dispute.pk}/reject", w.staff_key, {"reason": "The rate was right"})

    assert (response.status_code, response.json()["status"], response.json()["resolution"]) == (
        200, "rejected", "The rate was right",
    )
    assert Adjustment.objects.count() == 0
    assert LedgerLine.objects.filter(kind="adjustment").count() == 0


@pytest.mark.parametrize(
    ("setup", "method", "suffix", "body", "who"),
    [
        ("withdrawn", "POST", "withdraw", {}, "partner"),
        ("withdrawn", "POST", "review", None, "staff"),
        ("withdrawn", "POST", "resolve", {"adjustment_amount": "1.00", "resolution": "x"}, "staff"),
        ("withdrawn", "POST", "reject", {"reason": "x"}, "staff"),
        ("withdrawn", "POST", "comments", {"text": "hello?"}, "partner"),
        ("in_review", "POST", "review", None, "staff"),
        ("rejected", "POST", "withdraw", {}, "partner"),
        ("rejected", "POST", "resolve", {"adjustment_amount": "1.00", "resolution": "x"}, "staff"),
        ("resolved", "POST", "reject", {"reason": "x"}, "staff"),
        ("resolved", "POST", "withdraw", {}, "partner"),
        ("resolved", "POST", "resolve", {"adjustment_amount": "1.00", "resolution": "again"}, "staff"),
    ],
)
def test_invalid_transitions_are_422_and_change_nothing(w, setup, method, suffix, body, who):
    dispute = open_line_dispute(w)
    staff = actor_of(w.staff_key)
    if setup == "withdrawn":
        services.dispute_withdraw(dispute=dispute, actor=Actor(label="partner-a"))
    elif setup == "in_review":
        services.dispute_review(dispute=dispute, actor=staff)
    elif setup == "rejected":
        services.dispute_reject(dispute=dispute, reason="no", actor=staff)
    else:
        services.dispute_resolve(dispute=dispute, adjustment_amount="1.00", resolution="ok", actor=staff)
    before = stored()

    key = w.a_key if who == "partner" else w.staff_key
    response = call(method, f"/disputes/{dispute.pk}/{suffix}", key, body)

    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "invalid_transition"
    assert stored() == before


def test_partner_cannot_take_staff_actions_and_staff_cannot_withdraw(w):
    dispute = open_line_dispute(w)
    before = stored()

    responses = {
        "review": call("POST", f"/disputes/{dispute.pk}/review", w.a_key),
        "resolve": call("POST", f"/disputes/{dispute.pk}/resolve", w.a_key,
                        {"adjustment_amount": "999.99", "resolution": "I win"}),
        "reject": call("POST", f"/disputes/{dispute.pk}/reject", w.a_key, {"reason": "x"}),
        "withdraw by staff": call("POST", f"/disputes/{dispute.pk}/withdraw", w.staff_key, {}),
        "internal note by partner": call("POST", f"/disputes/{dispute.pk}/comments", w.a_key,
                                         {"text": "x", "internal": True}),
    }

    assert {k: r.status_code for k, r in responses.items()} == {
        "review": 403, "resolve": 403, "reject": 403, "withdraw by staff": 403, "internal note by partner": 422,
    }
    assert stored() == before


def test_a_comment_longer_than_its_limit_as_sent_is_422_even_when_the_excess_is_white_space(w):
    dispute = open_line_dispute(w)
    before = stored()

    too_long = call("POST", f"/disputes/{dispute.pk}/comments", w.a_key, {"text": "a" + " " * COMMENT_MAX_LENGTH})
    assert too_long.status_code == 422, too_long.content
    assert too_long.json()["error"]["details"] == {"field": "text"}
    assert stored() == before

    padded = " a" + " " * (COMMENT_MAX_LENGTH - 2)
    at_limit = call("POST", f"/disputes/{dispute.pk}/comments", w.a_key, {"text": padded})
    assert at_limit.status_code == 201, at_limit.content
    assert DisputeComment.objects.get(pk=at_limit.json()["id"]).text == "a"


@pytest.mark.parametrize("text", ["", " ", "\u001f", "\t\u001c\u3000\n"])
def test_a_comment_of_white_space_alone_is_422_and_stores_nothing(w, text):
    dispute = open_line_dispute(w)
    before = stored()

    response = call("POST", f"/disputes/{dispute.pk}/comments", w.a_key, {"text": text})

    assert response.status_code == 422, response.content
    assert response.json()["error"]["details"]["field"] == "text"
    assert stored() == before


@pytest.mark.parametrize(
    "body",
    [
        {"adjustment_amount": "0", "resolution": "zero"},
        {"adjustment_amount": "1.23456", "resolution": "precision"},
        {"adjustment_amount": 12.34, "resolution": "float"},
        {"adjustment_amount": None, "resolution": "null"},
        {"adjustment_amount": "12.34", "resolution": ""},
        {"adjustment_amount": "12.34", "resolution": "x", "approved": True},
    ],
)
def test_bad_resolutions_are_422_and_change_nothing(w, body):
    dispute = open_line_dispute(w)
    before = stored()

    response = call("POST", f"/disputes/{dispute.pk}/resolve", w.staff_key, body)

    assert response.status_code == 422, response.content
    assert stored() == before


# --- conversation and what the partner sees -------------------------------------------------------------------------


def test_comments_and_the_staff_only_parts(w):
    dispute = open_line_dispute(w)
    label = key_label(w.staff_key)

    partner_says = call("POST", f"/disputes/{dispute.pk}/comments", w.a_key, {"text": "Any news?"})
    note = call("POST", f"/disputes/{dispute.pk}/comments", w.staff_key,
                {"text": "SEGREDO: check with sales first", "internal": True})
    after_note = Dispute.objects.get(pk=dispute.pk).first_staff_response_at
    reply = call("POST", f"/disputes/{dispute.pk}/comments", w.staff_key, {"text": "Looking into it"})
    partner_view = call("GET", f"/disputes/{dispute.pk}", w.a_key)
    staff_view = call("GET", f"/disputes/{dispute.pk}", w.staff_key)

    assert (partner_says.status_code, note.status_code, reply.status_code) == (201, 201, 201)
    assert after_note is None  # an internal note is not a response to the partner
    assert Dispute.objects.get(pk=dispute.pk).first_staff_response_at == DisputeComment.objects.get(
        pk=reply.json()["id"]
    ).created_at
    assert [(c["author"], c["is_staff"], c["text"]) for c in partner_view.json()["comments"]] == [
        (key_label(w.a_key), False, "Any news?"), ("Parceria staff", True, "Looking into it"),
    ]
    text = partner_view.content.decode()
    assert "SEGREDO" not in text and label not in text
    assert [(c["author"], c["internal"]) for c in staff_view.json()["comments"]] == [
        (key_label(w.a_key), False), (label, True), (label, False),
    ]
    assert staff_view.json()["first_staff_response_at"] is not None


# --- the response SLA -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        ("2026-03-02T10:00:00-03:00", "2026-03-09T10:00:00-03:00"),  # Monday → next Monday
        ("2026-03-06T17:30:00-03:00", "2026-03-13T17:30:00-03:00"),  # Friday → next Friday
        ("2026-03-07T09:00:00-03:00", "2026-03-13T09:00:00-03:00"),  # Saturday → Friday
        ("2026-04-20T10:00:00-03:00", "2026-04-28T10:00:00-03:00"),  # Tiradentes (Tue 21 April) skipped
        ("2026-03-30T10:00:00-03:00", "2026-04-07T10:00:00-03:00"),  # Good Friday (3 April) skipped
        ("2026-12-23T08:00:00-03:00", "2026-12-31T08:00:00-03:00"),  # Christmas skipped
    ],
)
def test_the_first_response_is_due_five_business_days_after_opening(w, opened, due):
    dispute = open_line_dispute(w, now=at(opened))

    assert dispute.response_due_at == at(due)
    assert not dispute_is_overdue(dispute, now=at(due))
    assert dispute_is_overdue(dispute, now=at(due) + timedelta(microseconds=1))


def test_holidays_of_2026():
    assert sorted(national_holidays(2026)) == [
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 21), date(2026, 5, 1), date(2026, 9, 7),
        date(2026, 10, 12), date(2026, 11, 2), date(2026, 11, 15), date(2026, 11, 20), date(2026, 12, 25),
    ]


def test_the_overdue_filter_at_the_boundary_and_after_a_response(w):
    opened = at("2026-03-02T10:00:00-03:00")
    due = at("2026-03-09T10:00:00-03:00")
    late = open_line_dispute(w, now=opened)
    answered = open_line_dispute(w, "b", now=opened)
    services.dispute_comment_add(dispute=answered, text="On it", actor=actor_of(w.staff_key), is_staff=True,
                                 now=opened + timedelta(days=1))
    principal = Principal.for_api_key(ApiKey.objects.get(key_hash=hash_api_key(w.staff_key)))

    def overdue(now: datetime) -> list[int]:
        return [d.pk for d in dispute_list(principal=principal, overdue=True, now=now)]

    def on_time(now: datetime) -> list[int]:
        return sorted(d.pk for d in dispute_list(principal=principal, overdue=False, now=now))

    assert (overdue(due), on_time(due)) == ([], sorted([late.pk, answered.pk]))
    assert (overdue(due + timedelta(microseconds=1)), on_time(due + timedelta(microseconds=1))) == (
        [late.pk], [answered.pk],
    )
    services.dispute_withdraw(dispute=late, actor=Actor(label="partner-a"))
    assert overdue(due + timedelta(days=30)) == []


def test_the_api_reports_and_filters_overdue_disputes(w):
    old = open_line_dispute(w, now=timezone.now() - timedelta(days=30))
    fresh = services.dispute_open(partner=w.a, subject="payout", actor=Actor(label="a"),
                                  claim=services.DisputeClaim(payout_id=w.a_payout.pk, description="new"))

    overdue = call("GET", "/disputes?overdue=true", w.staff_key)
    not_overdue = call("GET", "/disputes?overdue=false", w.staff_key)
    open_only = call("GET", "/disputes?status=open", w.staff_key)
    bad_status = call("GET", "/disputes?status=closed", w.staff_key)
    bad_flag = call("GET", "/disputes?overdue=maybe", w.staff_key)

    assert [(d["id"], d["overdue"]) for d in overdue.json()["items"]] == [(old.pk, True)]
    assert [(d["id"], d["overdue"]) for d in not_overdue.json()["items"]] == [(fresh.pk, False)]
    assert open_only.json()["count"] == 2
    assert (bad_status.status_code, bad_flag.status_code) == (422, 422)


# --- attachments ----------------------------------------------------------------------------------------------------


def test_attach_and_download_a_file(w):
    dispute = open_line_dispute(w)

    response = upload(f"/disputes/{dispute.pk}/attachments", w.a_key, "../../nota fiscal.pdf", PDF)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["filename"], body["content_type"], body["size"]) == ("nota_fiscal.pdf", "application/pdf", len(PDF))
    attachment = DisputeAttachment.objects.get(pk=body["id"])
    assert not attachment.file.name.startswith("..") and "nota" not in attachment.file.name
    download = call("GET", f"/disputes/{dispute.pk}/attachments/{attachment.pk}", w.a_key)
    assert download.status_code == 200
    assert download.getvalue() == PDF
    assert download["Content-Type"] == "application/pdf"
    detail = call("GET", f"/disputes/{dispute.pk}", w.staff_key).json()
    assert [a["id"] for a in detail["attachments"]] == [attachment.pk]


@pytest.mark.parametrize(("extra", "field"), [
    ({"note": "bad\x00text"}, "note"),
    ({"no\x00te": "text"}, "no\x00te"),
    ({"other": SimpleUploadedFile("x.txt", b"binary \x00 is fine")}, None),
    ({"note": "ignored"}, None),
])
def test_a_nul_in_any_part_of_an_upload_is_422_even_in_a_part_the_route_does_not_read(w, extra, field):
    dispute = open_line_dispute(w)
    before = stored()

    response = ApiClient(w.a_key).upload(f"/disputes/{dispute.pk}/attachments", "nota.pdf", PDF, "application/pdf",
                                         extra=extra)

    if field is None:  # a file part may hold any bytes, and a part the route does not read is ignored
        assert response.status_code == 201, response.content
        assert DisputeAttachment.objects.filter(dispute=dispute).count() == 1
    else:
        assert response.status_code == 422, response.content
        assert response.json()["error"]["details"] == [{"field": field, "message": NUL_MESSAGE}]
        assert stored() == before


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("big.pdf", b"%PDF-" + b"0" * (10 * MB - 4), "file_too_large"),
        ("empty.pdf", b"", "invalid_file"),
        ("virus.exe", b"MZ\x90\x00", "invalid_file_type"),
        ("notes.txt", b"hello", "invalid_file_type"),
        ("noextension", PDF, "invalid_file_type"),
        ("fake.pdf", b"<html>not a pdf</html>", "invalid_file_type"),
        ("fake.png", PDF, "invalid_file_type"),
        ("binary.csv", b"a,b\n\x00\x01,2\n", "invalid_file_type"),
    ],
)
def test_refused_attachments_are_422_and_store_nothing(w, name, content, code):
    dispute = open_line_dispute(w)
    before = stored()

    response = upload(f"/disputes/{dispute.pk}/attachments", w.a_key, name, content)

    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == code
    assert stored() == before


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("exactly-10mb.pdf", b"%PDF-" + b"0" * (10 * MB - 5), "application/pdf"),
        ("screen.PNG", PNG, "image/png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        ("extrato.csv", "data;valor\n2026-03-01;R$ 12,34 — comissão\n".encode(), "text/csv"),
        ("extrato-1252.csv", "valor;comissão\n".encode("cp1252"), "text/csv"),
    ],
)
def test_accepted_attachment_types(w, name, content, content_type):
    dispute = open_line_dispute(w)

    response = upload(f"/disputes/{dispute.pk}/attachments", w.a_key, name, content)

    assert response.status_code == 201, response.content
    assert (response.json()["content_type"], response.json()["size"]) == (content_type, len(content))


@pytest.mark.parametrize(("size", "status"), [(10 * MB, 201), (10 * MB + 1, 422)])
def test_a_real_multipart_request_at_the_size_limit(w, size, status):
    """Through Django's request parsing: the 10 MB file is streamed to an upload handler, not refused as a body."""
    dispute = open_line_dispute(w)
    http = ApiClient(w.a_key)

    response = http.upload(f"/disputes/{dispute.pk}/attachments", "big.pdf", b"%PDF-" + b"0" * (size - 5))

    assert response.status_code == status, response.content[:300]
    assert DisputeAttachment.objects.filter(dispute=dispute).count() == (1 if status == 201 else 0)
    if status == 201:
        stored_file = DisputeAttachment.objects.get(dispute=dispute).file
        assert stored_file.size == size
        assert http.get(f"/disputes/{dispute.pk}/attachments/0").status_code == 404


def test_a_missing_stored_file_is_404_not_500(w):
    dispute = open_line_dispute(w)
    attachment = services.dispute_attachment_add(dispute=dispute, filename="a.pdf", content=SimpleUploadedFile(
        "a.pdf", PDF), actor=Actor(label="a"), is_staff=False)
    attachment.file.storage.delete(attachment.file.name)

    response = call("GET", f"/disputes/{dispute.pk}/attachments/{attachment.pk}", w.a_key)

    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


def test_an_upload_without_a_file_is_422(w):
    dispute = open_line_dispute(w)
    before = stored()

    response = call("POST", f"/disputes/{dispute.pk}/attachments", w.a_key, {"filename": "x.pdf"})

    assert (response.status_code, response.json()["error"]["code"]) == (422, "file_required")
    assert stored() == before


# --- tenancy --------------------------------------------------------------------------------------------------------

_PARAM = re.compile(r"\{(?:\w+:)?(\w+)\}|<(?:\w+:)?(\w+)>")


def dispute_routes() -> list[tuple[str, str]]:
    """Every (method, path) of the disputes router, so that a route added later is swept too."""
    routes = set()
    for route_path, path_view in router.path_operations.items():
        for operation in path_view.operations:
            for method in operation.methods:
                routes.add((method.upper(), "/disputes" + route_path))
    return sorted(routes)


def plausible(method: str, path: str, w: World) -> Any:
    """A body that would succeed for B, aimed at B's dispute."""
    suffix = path.rsplit("/", 1)[-1]
    return {
        "comments": {"text": "A was here"},
        "withdraw": {"reason": "A withdrew it"},
        "resolve": {"adjustment_amount": "-300.00", "resolution": "A says so"},
        "reject": {"reason": "A rejects"},
        "attachments": None,
        "review": None,
        "disputes": {"subject": "ledger_line", "ledger_line_id": w.b_line.pk, "description": "A on B's line"},
    }.get(suffix)


def test_partner_a_reaches_no_dispute_of_b_by_any_route(w):
    b_dispute = open_line_dispute(w, "b")
    attachment = services.dispute_attachment_add(dispute=b_dispute, filename="b.pdf",
                                                 content=SimpleUploadedFile("b.pdf", PDF), actor=Actor(label="b"),
                                                 is_staff=False)
    values = {"dispute_id": b_dispute.pk, "attachment_id": attachment.pk}
    own = open_line_dispute(w, "a")
    before = stored()
    swept = []

    for method, template in dispute_routes():
        url = _PARAM.sub(lambda m: str(values[m.group(1) or m.group(2)]), template)
        body = plausible(method, template, w)
        if template.endswith("/attachments") and method == "POST":
            response = upload(url, w.a_key, "a.pdf", PDF)
        else:
            response = call(method, url, w.a_key, body if method != "GET" else None)
        what = f"{method} {template}"
        if template == "/disputes" and method == "GET":
            assert response.status_code == 200, what
            assert [d["id"] for d in response.json()["items"]] == [own.pk], what
            assert {d["partner_id"] for d in response.json()["items"]} == {w.a.pk}
        else:
            assert response.status_code in (403, 404), f"{what}: {response.status_code} {response.content[:300]}"
        assert b"Bravo" not in response.content and b"(b)" not in response.content, what
        swept.append(what)

    assert len(swept) == 10
    assert stored() == before
    assert Dispute.objects.get(pk=b_dispute.pk).status == "open"


def test_partner_a_lists_only_its_own_even_when_asking_for_b(w):
    own = open_line_dispute(w, "a")
    open_line_dispute(w, "b")

    for query in ("", f"?partner_id={w.b.pk}", "?status=open", "?overdue=false"):
        response = call("GET", f"/disputes{query}", w.a_key)
        assert [d["id"] for d in response.json()["items"]] == ([] if "partner_id" in query else [own.pk]), query


@pytest.mark.parametrize("scope", ["platform", "analytics"])
def test_staff_keys_without_dispute_rights_see_nothing(w, scope):
    dispute = open_line_dispute(w)
    key = make_key(scope)

    responses = [call("GET", "/disputes", key), call("GET", f"/disputes/{dispute.pk}", key)]

    assert [r.status_code for r in responses] == [403, 403]


# --- list pages: the number of queries does not grow with the rows ------------------------------------------------


def test_list_pages_use_a_constant_number_of_queries(w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert call("GET", path, w.staff_key).status_code == 200
        return len(queries)

    open_line_dispute(w)
    services.dispute_resolve(dispute=open_line_dispute(w, "b"), adjustment_amount="2000", resolution="x",
                             actor=actor_of(w.staff_key))
    count("/disputes")  # the key's first use records last_used_at
    few = (count("/disputes"), count("/adjustments"))
    for n in range(8):
        services.dispute_open(partner=w.a, subject="missing_attribution", actor=Actor(label="a"),
                              claim=services.DisputeClaim(customer_external_id=f"c{n}", description="more"))
        services.dispute_resolve(dispute=Dispute.objects.filter(status="open").first(), adjustment_amount="2000",
                                 resolution="more", actor=actor_of(w.staff_key))

    assert (count("/disputes"), count("/adjustments")) == few == (3, 4)


def test_a_second_proposal_on_a_dispute_in_review_is_audited(w):
    dispute = open_line_dispute(w)
    staff = actor_of(w.staff_key)
    services.dispute_review(dispute=dispute, actor=staff)

    services.dispute_resolve(dispute=dispute, adjustment_amount="1500", resolution="Proposal", actor=staff)

    record = AuditRecord.objects.get(action="dispute.adjustment_requested", object_id=str(dispute.pk))
    adjustment = Adjustment.objects.get(dispute=dispute)
    assert record.after == {"status": "in_review", "adjustment_id": adjustment.pk}
    assert Dispute.objects.get(pk=dispute.pk).status == "in_review"
