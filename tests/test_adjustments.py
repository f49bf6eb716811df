"""Manual adjustments (SPEC §6.6, §16; issue #3 item 5): reason, author, a second approver above the threshold,
posted once through the ledger writer, every move audited, and every denial leaves the ledger as it was."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg
import pytest
from django.db import IntegrityError, transaction

from parceria.accounts.models import ApiKey, hash_api_key
from parceria.accounts.services import user_create
from parceria.accounts.tenancy import Principal
from parceria.commissions.engine import Posting
from parceria.commissions.ledger import ledger_post
from parceria.commissions.models import LedgerLine
from parceria.commissions.selectors import partner_balance
from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput, PermissionDenied
from parceria.common.models import AuditRecord
from parceria.disputes.adjustments import adjustment_approve, adjustment_reject, adjustment_request
from parceria.disputes.models import Adjustment, AdjustmentApproval
from tests.conftest import ApiClient
from tests.factories import ACTOR, ingest, make_customer, make_key, make_partner, paid

pytestmark = pytest.mark.django_db

def finance_actor(name: str) -> Actor:
    user = user_create(username=name, password="x-" * 8, role="finance", actor=ACTOR)
    return Principal.for_user(user).actor


def ledger() -> list[tuple[Any, ...]]:
    return list(LedgerLine.objects.order_by("id").values_list("partner_id", "kind", "amount", "dedupe_key"))


def state() -> dict[str, Any]:
    """Everything an adjustment write could touch."""
    return {
        "ledger": ledger(),
        "adjustments": list(Adjustment.objects.order_by("id").values()),
        "approvals": list(AdjustmentApproval.objects.order_by("id").values()),
        "audit": AuditRecord.objects.count(),
    }


def label_of(key: str) -> str:
    return f"api-key:{ApiKey.objects.get(key_hash=hash_api_key(key)).name}"


def call(method: str, path: str, key: str, body: Any = None):
    return ApiClient(key).request(method, path, body)


@pytest.fixture
def partner():
    partner = make_partner()
    ingest(paid(make_customer(partner), "1500.00"))  # the entry rate, 20 %, of 1500.00 → balance 300.0000
    assert partner_balance(partner).balance == Decimal("300.0000")
    return partner


@pytest.fixture
def ana():
    return finance_actor("ana")


@pytest.fixture
def bruno():
    return finance_actor("bruno")


# --- posting at once ---------------------------------------------------------------------------------------------


def test_small_adjustment_posts_at_once_with_its_explanation(partner, ana):
    adjustment = adjustment_request(partner=partner, amount="123.45", reason="Bonus for the March webinar", actor=ana)

    adjustment.refresh_from_db()
    line = LedgerLine.objects.get(dedupe_key=f"adj:{adjustment.pk}")
    assert (adjustment.status, adjustment.required_approvals, adjustment.ledger_line_id) == (
        "posted", 1, f"adj:{adjustment.pk}",
    )
    assert (line.partner_id, line.kind, line.rule, line.amount, line.currency) == (
        partner.pk, "adjustment", "manual", Decimal("123.4500"), "BRL",
    )
    assert (line.rate, line.base, line.event_id, line.reverses_id, line.created_by) == (
        None, None, None, None, "user:ana",
    )
    assert line.explanation == (
        "Manual adjustment: Bonus for the March webinar (requested by user:ana, approved by user:ana)"
    )
    balance = partner_balance(partner)
    assert (balance.balance, balance.adjusted, balance.accrued) == (
        Decimal("423.4500"), Decimal("123.4500"), Decimal("300.0000"),
    )
    actions = list(AuditRecord.objects.filter(object_type="disputes.adjustment").order_by("id")
                   .values_list("action", "actor_label"))
    assert actions == [("adjustment.requested", "user:ana"), ("adjustment.approved", "user:ana"),
                       ("adjustment.posted", "user:ana")]


@pytest.mark.parametrize(
    ("amount", "status", "balance"),
    [
        ("1000.00", "posted", "1300.0000"),
        ("1000.0000", "posted", "1300.0000"),
        ("1000.01", "pending_approval", "300.0000"),
        ("1000.0001", "pending_approval", "300.0000"),
        ("-1000.00", "posted", "-700.0000"),
        ("-1000.01", "pending_approval", "300.0000"),
        ("0.0001", "posted", "300.0001"),
        ("-0.01", "posted", "299.9900"),
    ],
)
def test_the_threshold_boundary(partner, ana, amount, status, balance):
    adjustment = adjustment_request(partner=partner, amount=amount, reason="Boundary", actor=ana)

    assert adjustment.status == status
    assert adjustment.required_approvals == (1 if status == "posted" else 2)
    assert partner_balance(partner).balance == Decimal(balance)
    assert LedgerLine.objects.filter(dedupe_key=f"adj:{adjustment.pk}").exists() == (status == "posted")


def test_a_large_adjustment_posts_when_a_second_person_approves(partner, ana, bruno):
    adjustment = adjustment_request(partner=partner, amount="-1500.25", reason="Duplicate accrual", actor=ana)
    assert partner_balance(partner).balance == Decimal("300.0000")

    approved = adjustment_approve(adjustment=adjustment, actor=bruno)

    assert approved.status == "posted"
    line = LedgerLine.objects.get(dedupe_key=f"adj:{adjustment.pk}")
    assert line.amount == Decimal("-1500.2500")
    assert line.explanation == "Manual adjustment: Duplicate accrual (requested by user:ana, approved by user:bruno)"
    assert partner_balance(partner).balance == Decimal("-1200.2500")  # a negative balance carries
    assert list(approved.approvals.values_list("approver_label", flat=True)) == ["user:ana", "user:bruno"]


def test_the_requester_cannot_approve_their_own(partner, ana):
    adjustment = adjustment_request(partner=partner, amount="5000.00", reason="Big one", actor=ana)
    before = state()

    with pytest.raises(PermissionDenied) as denied:
        adjustment_approve(adjustment=adjustment, actor=ana)

    assert denied.value.code == "same_approver"
    assert state() == before
    assert partner_balance(partner).balance == Decimal("300.0000")


def test_the_same_user_or_key_under_another_label_is_still_the_same_approver(partner):
    user = user_create(username="carla", password="x-" * 8, role="finance", actor=ACTOR)
    adjustment = adjustment_request(partner=partner, amount="5000.00", reason="Big one",
                                    actor=Actor(label="user:carla", user=user))
    before = state()

    with pytest.raises(PermissionDenied):
        adjustment_approve(adjustment=adjustment, actor=Actor(label="console:carla", user=user))

    assert state() == before


def test_approving_twice_posts_once(partner, ana, bruno):
    adjustment = adjustment_request(partner=partner, amount="2500.00", reason="Late attribution", actor=ana)
    carla = finance_actor("carla")

    first = adjustment_approve(adjustment=adjustment, actor=bruno)
    after_first = state()
    second = adjustment_approve(adjustment=adjustment, actor=bruno)
    third = adjustment_approve(adjustment=adjustment, actor=carla)

    assert (first.status, second.status, third.status) == ("posted", "posted", "posted")
    assert state() == after_first
    assert LedgerLine.objects.filter(dedupe_key=f"adj:{adjustment.pk}").count() == 1
    assert partner_balance(partner).balance == Decimal("2800.0000")


def test_the_dedupe_key_refuses_a_second_line_at_database_level(partner, ana):
    adjustment = adjustment_request(partner=partner, amount="10.00", reason="Once", actor=ana)
    again = Posting(partner_id=partner.pk, kind="adjustment", rule="manual", amount=Decimal("10.00"), currency="BRL",
                    rate=None, base=None, explanation="again", dedupe_key=f"adj:{adjustment.pk}")

    # On PostgreSQL the ledger writer uses COPY on the raw psycopg cursor, whose error Django does not wrap.
    with pytest.raises((IntegrityError, psycopg.IntegrityError)), transaction.atomic():
        ledger_post([(again, {"occurred_at": adjustment.requested_at})], created_by="tests")

    assert partner_balance(partner).balance == Decimal("310.0000")


def test_rejection_posts_nothing_and_is_final(partner, ana, bruno):
    adjustment = adjustment_request(partner=partner, amount="1000.01", reason="Too generous", actor=ana)

    rejected = adjustment_reject(adjustment=adjustment, reason="Not agreed with the partner", actor=bruno)
    after = state()

    assert (rejected.status, rejected.rejected_by_label, rejected.rejection_reason) == (
        "rejected", "user:bruno", "Not agreed with the partner",
    )
    assert not LedgerLine.objects.filter(kind="adjustment").exists()
    assert partner_balance(partner).balance == Decimal("300.0000")
    for attempt in (
        lambda: adjustment_approve(adjustment=adjustment, actor=bruno),
        lambda: adjustment_reject(adjustment=adjustment, reason="again", actor=bruno),
    ):
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert refused.value.code == "invalid_transition"
    assert state() == after
    assert AuditRecord.objects.filter(action="adjustment.rejected", object_id=str(adjustment.pk)).count() == 1


def test_a_posted_adjustment_cannot_be_rejected(partner, ana, bruno):
    adjustment = adjustment_request(partner=partner, amount="50.00", reason="Small", actor=ana)
    before = state()

    with pytest.raises(InvalidInput) as refused:
        adjustment_reject(adjustment=adjustment, reason="changed my mind", actor=bruno)

    assert refused.value.code == "invalid_transition"
    assert state() == before


@pytest.mark.parametrize(
    ("amount", "reason"),
    [("0", "zero"), ("0.00", "zero"), ("1.23456", "five places"), ("abc", "text"), (1.5, "float"), ("", "empty"),
     ("NaN", "nan"), ("1e20", "huge"), ("10.00", ""), ("10.00", "   "), ("10.00", "x" * 2001)],
)
def test_bad_input_is_refused_and_changes_nothing(partner, ana, amount, reason):
    before = state()

    with pytest.raises(InvalidInput):
        adjustment_request(partner=partner, amount=amount, reason=reason, actor=ana)

    assert state() == before


def test_the_amount_is_in_the_partners_currency_and_the_threshold_may_be_per_currency(settings, ana):
    settings.PARCERIA = {**settings.PARCERIA, "ADJUSTMENT_SECOND_APPROVAL_ABOVE": {"CLP": "900000", "default": "1000"}}
    chile = make_partner(country="CL")

    small = adjustment_request(partner=chile, amount="900000", reason="CLP within threshold", actor=ana)
    large = adjustment_request(partner=chile, amount="900001", reason="CLP above threshold", actor=ana)

    assert (small.currency, small.status, large.status) == ("CLP", "posted", "pending_approval")
    assert partner_balance(chile).balance == Decimal("900000.0000")
    assert LedgerLine.objects.get(dedupe_key=f"adj:{small.pk}").currency == "CLP"


# --- the API -----------------------------------------------------------------------------------------------------


def test_api_request_approve_and_list(partner):
    ana_key, bruno_key = make_key("finance"), make_key("admin")

    small = call("POST", "/adjustments", ana_key, {"partner_id": partner.pk, "amount": "10.10", "reason": "Small"})
    large = call("POST", "/adjustments", ana_key, {"partner_id": partner.pk, "amount": "1000.01", "reason": "Large"})
    own = call("POST", f"/adjustments/{large.json()['id']}/approve", ana_key)
    pending = call("GET", "/adjustments?status=pending_approval", bruno_key)
    approved = call("POST", f"/adjustments/{large.json()['id']}/approve", bruno_key)
    again = call("POST", f"/adjustments/{large.json()['id']}/approve", bruno_key)

    assert small.status_code == 201
    assert (small.json()["status"], small.json()["amount"], small.json()["ledger_line"]) == (
        "posted", "10.1000", f"adj:{small.json()['id']}",
    )
    assert (large.status_code, large.json()["status"], large.json()["required_approvals"]) == (
        201, "pending_approval", 2,
    )
    assert (own.status_code, own.json()["error"]["code"]) == (403, "same_approver")
    assert [item["id"] for item in pending.json()["items"]] == [large.json()["id"]]
    assert (approved.status_code, approved.json()["status"]) == (200, "posted")
    assert [a["approver"] for a in approved.json()["approvals"]] == [label_of(ana_key), label_of(bruno_key)]
    assert large.json()["requested_by"] == label_of(ana_key)
    assert again.status_code == 200 and again.json() == approved.json()
    assert partner_balance(partner).balance == Decimal("1310.1100")
    assert LedgerLine.objects.filter(kind="adjustment").count() == 2


def test_api_reject(partner):
    ana_key, bruno_key = make_key("finance"), make_key("finance")
    large = call("POST", "/adjustments", ana_key, {"partner_id": partner.pk, "amount": "-2000", "reason": "Large"})

    rejected = call("POST", f"/adjustments/{large.json()['id']}/reject", bruno_key, {"reason": "No"})
    approve_after = call("POST", f"/adjustments/{large.json()['id']}/approve", bruno_key)

    assert (rejected.status_code, rejected.json()["status"], rejected.json()["rejection_reason"]) == (
        200, "rejected", "No",
    )
    assert (approve_after.status_code, approve_after.json()["error"]["code"]) == (422, "invalid_transition")
    assert partner_balance(partner).balance == Decimal("300.0000")


@pytest.mark.parametrize(
    "body",
    [
        {"partner_id": "PARTNER", "amount": "10.00", "reason": "string id"},
        {"partner_id": 1.5, "amount": "10.00", "reason": "an id with a fraction"},
        {"partner_id": True, "amount": "10.00", "reason": "bool id"},
        {"partner_id": "PARTNER", "amount": 10.5, "reason": "float amount"},
        {"partner_id": "PARTNER", "amount": "10.00", "reason": "extra", "approved_by": "me"},
        {"partner_id": "PARTNER", "amount": "10.00"},
        {"partner_id": "PARTNER", "amount": "0", "reason": "zero"},
        {"partner_id": "PARTNER", "amount": "10.123456", "reason": "precision"},
    ],
)
def test_api_bad_input_is_422_and_changes_nothing(partner, body):
    key = make_key("finance")
    body = {k: (partner.pk if v == "PARTNER" else v) for k, v in body.items()}
    if body.get("reason") == "string id":
        body["partner_id"] = str(partner.pk)
    before = state()

    response = call("POST", "/adjustments", key, body)

    assert response.status_code == 422, response.content
    assert state() == before


def test_api_unknown_partner_or_adjustment_is_404(partner):
    key = make_key("finance")
    before = state()

    missing_partner = call("POST", "/adjustments", key, {"partner_id": 999999, "amount": "1.00", "reason": "x"})
    missing_adjustment = call("POST", "/adjustments/999999/approve", key)

    assert (missing_partner.status_code, missing_adjustment.status_code) == (404, 404)
    assert state() == before


@pytest.mark.parametrize("scope", ["partner", "platform", "analytics"])
def test_api_needs_finance_rights(partner, scope):
    key = make_key(scope, partner if scope == "partner" else None)
    pending = adjustment_request(partner=partner, amount="1000.01", reason="pending", actor=finance_actor("dora"))
    before = state()

    responses = [
        call("POST", "/adjustments", key, {"partner_id": partner.pk, "amount": "1.00", "reason": "mine"}),
        call("GET", "/adjustments", key),
        call("GET", f"/adjustments/{pending.pk}", key),
        call("POST", f"/adjustments/{pending.pk}/approve", key),
        call("POST", f"/adjustments/{pending.pk}/reject", key, {"reason": "no"}),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert {r.json()["error"]["code"] for r in responses} == {"forbidden_scope"}
    assert state() == before


def test_api_list_filters_refuse_an_unknown_status():
    key = make_key("finance")

    response = call("GET", "/adjustments?status=approved", key)

    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid")


def test_a_pending_adjustment_is_not_posted_in_a_currency_the_partner_no_longer_uses(partner, ana, bruno):
    from parceria.common.errors import Conflict
    from parceria.partners.services import PartnerChanges, partner_update

    adjustment = adjustment_request(partner=partner, amount="2000.00", reason="BRL", actor=ana)
    partner_update(partner=partner, changes=PartnerChanges(currency="USD"), actor=ACTOR)
    before = state()

    with pytest.raises(Conflict) as refused:
        adjustment_approve(adjustment=adjustment, actor=bruno)

    assert refused.value.code == "currency_changed"
    assert state() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_approvers_at_once_post_the_adjustment_once():
    import threading

    from django.db import connections

    partner = make_partner()
    requester = finance_actor("requester")
    approvers = [finance_actor(f"approver{n}") for n in range(10)]
    adjustment = adjustment_request(partner=partner, amount="4321.09", reason="Race", actor=requester)
    barrier = threading.Barrier(len(approvers))
    results, errors = [], []

    def approve(actor: Actor) -> None:
        try:
            barrier.wait()
            results.append(adjustment_approve(adjustment=adjustment, actor=actor).status)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(actor,)) for actor in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert errors == []
    assert results == ["posted"] * 10
    assert LedgerLine.objects.filter(dedupe_key=f"adj:{adjustment.pk}").count() == 1
    assert AdjustmentApproval.objects.filter(adjustment=adjustment).count() == 2
    assert partner_balance(partner).balance == Decimal("4321.0900")
