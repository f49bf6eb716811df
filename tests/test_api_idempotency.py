"""Idempotency-Key on every POST of the API (SPEC §14.6; docs/api.md "Idempotent requests"): the same key and the
same request replay the first answer byte for byte and write nothing; the same key with another body or route is a
409 that writes nothing; keys are per principal; a bad key is a 400; a request still running holds its key; a 5xx
answer is not kept; old keys are pruned."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client, RequestFactory
from django.test.client import encode_multipart
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from parceria.accounts.models import ApiKey, hash_api_key
from parceria.api.idempotency import STALE_CLAIM, request_hash
from parceria.api.models import IdempotencyKey
from parceria.commissions.models import LedgerLine
from parceria.common.models import AuditRecord
from parceria.deals.models import DealRegistration
from parceria.disputes.models import Adjustment
from parceria.partners import services as partner_services
from parceria.partners.models import Partner, PartnerTerms
from tests.deals.test_api import BODY as DEAL
from tests.factories import ingest, make_customer, make_key, make_partner, make_payout, paid, staff_client

pytestmark = pytest.mark.django_db

PARTNER = {"name": "Agência Exemplo", "legal_name": "Agência Exemplo Ltda", "country": "BR",
           "tax_id": "11.222.333/0001-81", "currency": "BRL", "tax_regime": "pj", "category": "consulting_agency",
           "subcategory": "digital_agency"}


class Keyed:
    """A client of /api/v1 with an API key that sends an Idempotency-Key with its POSTs."""

    def __init__(self, key: str) -> None:
        self.raw_key = key
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def post(self, path: str, body: Any = None, *, key: str | None = None, raw: bytes | None = None) -> Any:
        headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
        data = raw if raw is not None else ({} if body is None else body)
        return self.client.post(f"/api/v1{path}", data, content_type="application/json", **headers)


@pytest.fixture
def admin() -> Keyed:
    return Keyed(make_key("admin"))


def answer(response: Any) -> tuple[int, str, bytes]:
    return response.status_code, response["Content-Type"], response.content


def partner_rows() -> tuple[int, int, int]:
    return Partner.objects.count(), PartnerTerms.objects.count(), AuditRecord.objects.count()


# --- replay ------------------------------------------------------------------------------------------------------


def test_partners_the_same_key_and_body_replay_the_first_answer_and_write_nothing(admin):
    first = admin.post("/partners", PARTNER, key="create-agencia-1")
    rows = partner_rows()

    again = admin.post("/partners", PARTNER, key="create-agencia-1")
    reordered = admin.post("/partners", raw=json.dumps(dict(reversed(PARTNER.items())), indent=2).encode(),
                           key="create-agencia-1")

    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    assert answer(again) == answer(first) == answer(reordered)
    assert again["Idempotent-Replayed"] == reordered["Idempotent-Replayed"] == "true"
    assert partner_rows() == rows == (1, 1, rows[2])
    record = IdempotencyKey.objects.get()
    assert (record.key, record.method, record.path, record.status) == ("create-agencia-1", "POST", "/api/v1/partners",
                                                                       201)


def test_events_replay_the_first_batch_answer_where_a_resend_without_the_key_counts_duplicates(admin):
    customer = make_customer(make_partner())
    events = {"events": [{"id": "evt_1", "type": "invoice.paid", "occurred_at": "2026-03-01T10:00:00-03:00",
                          "customer": customer.external_id, "invoice_id": "inv_1", "amount": "1000.00",
                          "currency": "BRL", "period_start": "2026-03-01", "period_end": "2026-03-31"}]}

    first = admin.post("/events", events, key="batch-2026-03-01")
    lines = list(LedgerLine.objects.values_list("kind", "amount"))
    replay = admin.post("/events", events, key="batch-2026-03-01")
    resend = admin.post("/events", events)

    assert first.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert answer(replay) == answer(first)
    assert resend.json() == {"accepted": 0, "duplicates": 1, "rejected": []}
    assert lines == [("accrual", Decimal("200.0000"))]  # the entry rate, 20 % of 1000.00
    assert list(LedgerLine.objects.values_list("kind", "amount")) == lines


def test_payouts_a_replayed_mark_paid_is_its_first_answer_and_writes_no_second_audit_record(admin):
    payout = make_payout(make_partner(), date(2026, 3, 1), "500.00", payment_date=date(2026, 4, 10))

    first = admin.post(f"/payouts/{payout.pk}/mark-paid", {"reference": "TED 123"}, key="pay-1")
    audit = AuditRecord.objects.count()
    replay = admin.post(f"/payouts/{payout.pk}/mark-paid", {"reference": "TED 123"}, key="pay-1")
    other_route = admin.post(f"/payouts/{payout.pk}/mark-failed", {"reference": "TED 123"}, key="pay-1")

    assert (first.status_code, first.json()["status"], first.json()["net"]) == (200, "paid", "500.0000")
    assert answer(replay) == answer(first)
    assert (other_route.status_code, other_route.json()["error"]["code"]) == (409, "idempotency_key_reused")
    assert AuditRecord.objects.count() == audit


def test_adjustments_a_kept_4xx_is_replayed_too(admin):
    missing = admin.post("/adjustments", {"partner_id": 999_999, "amount": "10.00", "reason": "Bonus"}, key="adj-1")
    make_partner()  # a partner appears, but the key's answer stays the first one

    again = admin.post("/adjustments", {"partner_id": 999_999, "amount": "10.00", "reason": "Bonus"}, key="adj-1")

    assert missing.status_code == 404
    assert answer(again) == answer(missing) and again["Idempotent-Replayed"] == "true"
    assert Adjustment.objects.count() == 0


# --- conflicts ---------------------------------------------------------------------------------------------------


def test_adjustments_the_same_key_with_another_body_is_a_409_that_writes_nothing(admin):
    partner = make_partner()
    ingest(paid(make_customer(partner), "1500.00"))
    first = admin.post("/adjustments", {"partner_id": partner.pk, "amount": "10.10", "reason": "Bonus"}, key="adj-7")
    before = (list(Adjustment.objects.values_list("amount", flat=True)), LedgerLine.objects.count(),
              AuditRecord.objects.count(), list(IdempotencyKey.objects.values()))

    other = admin.post("/adjustments", {"partner_id": partner.pk, "amount": "10.11", "reason": "Bonus"}, key="adj-7")

    assert first.status_code == 201 and first.json()["amount"] == "10.1000"
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert "Idempotent-Replayed" not in other
    assert (list(Adjustment.objects.values_list("amount", flat=True)), LedgerLine.objects.count(),
            AuditRecord.objects.count(), list(IdempotencyKey.objects.values())) == before
    assert before[0] == [Decimal("10.1000")]


def test_the_same_key_on_another_route_is_a_409_that_writes_nothing(admin):
    admin.post("/partners", PARTNER, key="k")
    rows = partner_rows()

    other = admin.post("/deal-registrations", {**DEAL, "partner_id": Partner.objects.get().pk}, key="k")

    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_key_reused")
    assert partner_rows() == rows
    assert DealRegistration.objects.count() == 0


def test_deal_registrations_another_principal_with_the_same_key_is_independent():
    alfa, bravo = make_partner(name="Alfa Integradora"), make_partner(name="Bravo Consultoria")
    by_alfa, by_bravo = Keyed(make_key("partner", alfa)), Keyed(make_key("partner", bravo))

    first = by_alfa.post("/deal-registrations", DEAL, key="deal-1")
    second = by_bravo.post("/deal-registrations", DEAL, key="deal-1")

    assert (first.status_code, first.json()["status"]) == (201, "approved")
    assert (second.status_code, second.json()["status"]) == (201, "rejected")  # Alfa holds the prospect
    assert "Idempotent-Replayed" not in second
    assert list(DealRegistration.objects.order_by("id").values_list("partner_id", flat=True)) == [alfa.pk, bravo.pk]
    assert IdempotencyKey.objects.count() == 2


# --- bad keys ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "x" * 256, "chave-é", "tab\there", "nul\x00"])
def test_an_invalid_key_is_a_400_that_writes_nothing(admin, key):
    response = admin.post("/partners", PARTNER, key=key)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert response.json()["error"]["message"] == "Idempotency-Key must be 1 to 255 printable ASCII characters"
    assert partner_rows()[:2] == (0, 0)
    assert IdempotencyKey.objects.count() == 0


def test_the_longest_and_the_shortest_keys_of_printable_ascii_work(admin):
    printable = "".join(chr(code) for code in range(0x21, 0x7F)) + " "
    longest = (printable * 3)[:254] + "~"
    person = {**PARTNER, "tax_id": "111.444.777-35", "tax_regime": "pf"}

    created = (admin.post("/partners", PARTNER, key=longest), admin.post("/partners", person, key="1"))

    assert [response.status_code for response in created] == [201, 201]
    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == sorted([longest, "1"])
    assert Partner.objects.count() == 2


def test_a_request_refused_before_the_route_keeps_no_key_so_the_corrected_one_may_use_it(admin):
    invalid = admin.post("/partners", {**PARTNER, "country": 7}, key="fix-and-retry")

    corrected = admin.post("/partners", PARTNER, key="fix-and-retry")

    assert invalid.status_code == 422
    assert corrected.status_code == 201
    assert Partner.objects.count() == 1


# --- what is not kept --------------------------------------------------------------------------------------------


def test_a_5xx_is_not_kept_its_work_rolls_back_and_a_retry_runs_again(admin, monkeypatch):
    real = partner_services.partner_create

    def fails_after_writing(**kwargs: Any) -> Any:
        real(**kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("parceria.partners.api.partner_create", fails_after_writing)
    with pytest.raises(RuntimeError):
        admin.post("/partners", PARTNER, key="retry-me")
    assert partner_rows()[:2] == (0, 0)
    assert IdempotencyKey.objects.count() == 0

    monkeypatch.setattr("parceria.partners.api.partner_create", real)
    retried = admin.post("/partners", PARTNER, key="retry-me")

    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert partner_rows()[:2] == (1, 1)


def test_get_and_patch_ignore_the_header(admin):
    partner_id = admin.post("/partners", PARTNER).json()["id"]
    client = admin.client

    read = client.get(f"/api/v1/partners/{partner_id}", HTTP_IDEMPOTENCY_KEY="")
    changed = client.patch(f"/api/v1/partners/{partner_id}", {"name": "Nova"}, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="p")

    assert (read.status_code, changed.status_code) == (200, 200)
    assert IdempotencyKey.objects.count() == 0


def left_behind(keyed: Keyed, body: dict[str, Any], *, age: timedelta) -> None:
    """The claim of a request that died after claiming `body`'s key "died" on /partners: no answer, no work."""
    api_key = ApiKey.objects.get(key_hash=hash_api_key(keyed.raw_key))
    IdempotencyKey.objects.create(owner=f"api-key:{api_key.pk}", key="died", method="POST", path="/api/v1/partners",
                                  request_hash=request_hash(_post(json.dumps(body).encode())),
                                  created_at=timezone.now() - age)


def test_a_claim_without_an_answer_holds_its_key_until_it_is_stale_then_is_taken_over(admin):
    left_behind(admin, PARTNER, age=STALE_CLAIM - timedelta(seconds=5))
    held = admin.post("/partners", PARTNER, key="died")
    IdempotencyKey.objects.update(created_at=timezone.now() - STALE_CLAIM - timedelta(seconds=1))

    taken_over = admin.post("/partners", PARTNER, key="died")
    replay = admin.post("/partners", PARTNER, key="died")

    assert (held.status_code, held.json()["error"]["code"]) == (409, "idempotency_key_in_use")
    assert taken_over.status_code == 201
    assert answer(replay) == answer(taken_over)
    assert partner_rows()[:2] == (1, 1)
    assert IdempotencyKey.objects.get().status == 201


# --- keeping and pruning ------------------------------------------------------------------------------------------


def test_prune_deletes_keys_older_than_the_setting_and_an_older_key_counts_as_new(admin, settings):
    settings.IDEMPOTENCY_KEY_DAYS = 30
    admin.post("/partners", PARTNER, key="old")
    admin.post("/partners", {**PARTNER, "tax_id": "111.444.777-35", "tax_regime": "pf"}, key="new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=30, seconds=1))

    reused = admin.post("/partners", {**PARTNER, "name": "Outra", "tax_id": "11.444.777/0001-61"}, key="old")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=31))
    out = StringIO()
    call_command("idempotency_prune", stdout=out)
    again = StringIO()
    call_command("idempotency_prune", stdout=again)

    assert reused.status_code == 201 and "Idempotent-Replayed" not in reused
    assert out.getvalue() == "1 idempotency key(s) older than 30 day(s) deleted\n"
    assert again.getvalue() == "0 idempotency key(s) older than 30 day(s) deleted\n"
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


# --- what "the same request" is -----------------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.decimals(allow_nan=False, allow_infinity=False, places=2)
    .map(str) | st.text(st.characters(blacklist_characters="\x00")),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


def _post(body: bytes, path: str = "/api/v1/partners") -> Any:
    return RequestFactory().post(path, body, content_type="application/json")


@given(_json, st.integers(min_value=0, max_value=3))
@example("\ud800", 0)  # a lone surrogate: valid JSON (an escape), not UTF-8
def test_a_json_body_hashes_alike_whatever_its_key_order_and_spacing(value, indent):
    compact = json.dumps(value, separators=(",", ":")).encode()
    spaced = json.dumps(value, indent=indent or None, sort_keys=True).encode()

    assert request_hash(_post(compact)) == request_hash(_post(spaced))


@pytest.mark.parametrize(("one", "other"), [
    (b'{"amount": 1.10}', b'{"amount": 1.1}'),
    (b'{"amount": 1}', b'{"amount": "1"}'),
    (b'{"a": [1, 2]}', b'{"a": [2, 1]}'),
    (b'{"a": null}', b"{}"),
    (b"not json", b"not json "),
])
def test_different_json_values_hash_differently(one, other):
    assert request_hash(_post(one)) != request_hash(_post(other))


def test_a_multipart_body_hashes_alike_whatever_its_boundary_and_the_route_still_reads_the_file():
    def request(boundary: str, content: bytes = b"tax_id\n11222333000181\n") -> Any:
        data = {"partner_id": "7", "file": SimpleUploadedFile("contas.csv", content, "text/csv")}
        return RequestFactory().post("/api/v1/account-mappings", encode_multipart(boundary, data),
                                     content_type=f"multipart/form-data; boundary={boundary}")

    one, other = request("AaB03x"), request("----7d4a6d158c9")

    assert request_hash(one) == request_hash(other)
    assert request_hash(one) != request_hash(request("AaB03x", b"tax_id\n11444777000161\n"))
    assert one.FILES["file"].read() == b"tax_id\n11222333000181\n"


def test_the_query_and_the_path_are_part_of_the_request():
    assert request_hash(_post(b"{}", "/api/v1/partners")) != request_hash(_post(b"{}", "/api/v1/partners?x=1"))
    assert request_hash(_post(b"{}", "/api/v1/a")) != request_hash(_post(b"{}", "/api/v1/b"))


# --- concurrency (PostgreSQL: the claim's row and the route's transaction) ----------------------------------------

pg_only = pytest.mark.skipif(connection.vendor != "postgresql",
                             reason="two requests at once need PostgreSQL's row locks; SQLite locks the whole file")


@pg_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_request_still_running_holds_its_key_and_the_retry_after_it_replays(monkeypatch):
    admin = Keyed(make_key("admin"))
    entered, release = threading.Event(), threading.Event()
    real = partner_services.partner_create

    def slow(**kwargs: Any) -> Any:
        partner = real(**kwargs)
        entered.set()
        release.wait(10)
        return partner

    monkeypatch.setattr("parceria.partners.api.partner_create", slow)
    answers: list[Any] = []

    def first() -> None:
        try:
            answers.append(admin.post("/partners", PARTNER, key="once"))
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert entered.wait(10)
    during = admin.post("/partners", PARTNER, key="once")
    seen_during = Partner.objects.count()
    release.set()
    thread.join(10)
    after = admin.post("/partners", PARTNER, key="once")

    assert (during.status_code, during.json()["error"]["code"]) == (409, "idempotency_key_in_use")
    assert seen_during == 0  # the first request's work is not committed before its answer
    assert answers[0].status_code == 201
    assert answer(after) == answer(answers[0]) and after["Idempotent-Replayed"] == "true"
    assert partner_rows()[:2] == (1, 1)


@pg_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_at_once_with_one_key_do_the_work_once():
    admin = Keyed(make_key("admin"))
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def send() -> None:
        try:
            barrier.wait(10)
            answers.append(admin.post("/partners", PARTNER, key="race"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    created = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a]
    others = [a for a in answers if a not in created]
    assert len(created) == 1 and len(others) == 1
    other = others[0]
    assert (other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_in_use") or (
        answer(other) == answer(created[0]) and other["Idempotent-Replayed"] == "true")
    assert partner_rows()[:2] == (1, 1)
    assert IdempotencyKey.objects.get().status == 201


def test_the_admin_lists_and_shows_the_keys_read_only(admin):
    admin.post("/partners", PARTNER, key="seen-in-the-admin")
    record = IdempotencyKey.objects.get()
    staff = staff_client("root", "admin")

    listed = staff.get("/admin/api/idempotencykey/")
    shown = staff.get(f"/admin/api/idempotencykey/{record.pk}/change/")

    assert listed.status_code == shown.status_code == 200
    assert "seen-in-the-admin" in listed.content.decode()
    assert "Agência" not in shown.content.decode()  # the kept answer's body is not shown


def test_a_body_escaping_a_lone_surrogate_is_refused_with_a_clear_error_and_stores_nothing(admin):
    rows = partner_rows()
    body = json.dumps({**PARTNER, "name": "Ag\ud800ncia"}).encode()  # "\\ud800" in the JSON text
    response = admin.post("/partners", raw=body, key="surrogate-1")
    assert 400 <= response.status_code < 500, response.content
    assert partner_rows() == rows
