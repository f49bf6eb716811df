"""The Safeguards pages: the list (open flags by default) with the evidence in plain words, filters and export; a
flag's page; clearing with a note behind a confirmation step (finance and admins only); the count on the partner's
console page; the close page's reason for a flagged partner."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client

from parceria.common.audit import Actor
from parceria.common.models import AuditRecord
from parceria.payouts.close import period_close
from parceria.safeguards.models import FlagStatus, SafeguardFlag
from parceria.safeguards.services import flag_clear, safeguards_scan
from tests.factories import SP, credit, make_customer, make_partner, staff_client

ACTOR = Actor.system("tests")
NOW = datetime(2026, 4, 5, 10, 0, tzinfo=SP)


@pytest.fixture
def flagged(db):
    partner = make_partner(name="Agência Norte")
    customer = make_customer(partner, tax_id=partner.tax_id, name="Loja Própria", external_id="cus_own")
    safeguards_scan(actor=ACTOR, now=NOW)
    return partner, customer, SafeguardFlag.objects.get()


@pytest.fixture
def admin_client(db) -> Client:
    return staff_client("root", "admin")


def test_the_list_shows_open_flags_with_their_evidence_in_words(flagged, admin_client):
    _partner, _customer, flag = flagged
    body = admin_client.get("/console/safeguards/").content.decode()
    assert "Agência Norte" in body and "Self-referral" in body
    assert ("The customer Loja Própria (cus_own) is attributed to this partner and has the partner&#x27;s own tax "
            "id") in body
    assert '"match"' not in body and "customer_value" not in body  # no raw JSON
    flag_clear(flag=flag, note="ok", actor=ACTOR)
    assert "Agência Norte" not in admin_client.get("/console/safeguards/").content.decode()
    assert "Agência Norte" in admin_client.get("/console/safeguards/?status=cleared").content.decode()
    assert "Agência Norte" in admin_client.get("/console/safeguards/?status=").content.decode()
    assert "Agência Norte" not in admin_client.get("/console/safeguards/?status=&kind=click_burst").content.decode()


def test_the_list_exports_csv_in_the_readers_language(flagged, admin_client):
    _partner, _customer, flag = flagged
    response = admin_client.get("/console/safeguards/?export=csv", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Flag,Partner,Kind,Status,Why,Raised,Cleared,Cleared by,Note"
    assert lines[1].startswith(f"{flag.pk},Agência Norte,Self-referral,Open,The customer Loja Própria (cus_own)")
    assert len(lines) == 2


def test_clearing_asks_for_confirmation_then_clears_and_audits(flagged, admin_client):
    _partner, _customer, flag = flagged
    url = f"/console/safeguards/{flag.pk}/clear/"
    first = admin_client.post(url, {"note": "Own subscription, agreed in the contract."})
    assert first.status_code == 200 and b'name="confirmed"' in first.content
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN and not AuditRecord.objects.filter(action="safeguard_flag.cleared").exists()
    done = admin_client.post(url, {"note": "Own subscription, agreed in the contract.", "confirmed": "1"})
    assert done.status_code == 302 and done["Location"] == f"/console/safeguards/{flag.pk}/"
    flag.refresh_from_db()
    assert (flag.status, flag.clear_note, flag.cleared_by_label) == (
        FlagStatus.CLEARED, "Own subscription, agreed in the contract.", "user:root")
    record = AuditRecord.objects.get(action="safeguard_flag.cleared")
    assert record.reason == "Own subscription, agreed in the contract."
    page = admin_client.get(f"/console/safeguards/{flag.pk}/").content.decode()
    assert "Own subscription, agreed in the contract." in page and "root" in page


def test_an_empty_note_is_refused_and_nothing_changes(flagged, admin_client):
    _partner, _customer, flag = flagged
    response = admin_client.post(f"/console/safeguards/{flag.pk}/clear/", {"note": "", "confirmed": "1"})
    assert response.status_code == 422
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_a_partner_manager_reads_but_may_not_clear(flagged):
    _partner, _customer, flag = flagged
    manager = staff_client("pm", "partner_manager")
    assert manager.get(f"/console/safeguards/{flag.pk}/").status_code == 200
    assert b"Clear the flag" not in manager.get(f"/console/safeguards/{flag.pk}/").content
    response = manager.post(f"/console/safeguards/{flag.pk}/clear/", {"note": "x", "confirmed": "1"})
    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_the_partner_page_counts_open_flags(flagged, admin_client):
    partner, _customer, flag = flagged
    body = admin_client.get(f"/console/partners/{partner.pk}/").content.decode()
    assert "1 open flag: payouts held" in body and f"/console/safeguards/?partner={partner.pk}" in body
    flag_clear(flag=flag, note="ok", actor=ACTOR)
    assert "none open" in admin_client.get(f"/console/partners/{partner.pk}/").content.decode()


def test_the_partner_filter_lists_only_that_partners_flags(flagged, admin_client):
    partner, _customer, _flag = flagged
    other = make_partner(name="Outra Parceira")
    make_customer(other, tax_id=other.tax_id)
    safeguards_scan(actor=ACTOR, now=NOW)
    body = admin_client.get(f"/console/safeguards/?partner={partner.pk}").content.decode()
    assert "Agência Norte" in body and "Outra Parceira" not in body


def test_the_close_page_says_why_a_flagged_partner_is_carried(flagged, admin_client):
    partner, _customer, _flag = flagged
    credit(partner, "500.00")
    preview = admin_client.get("/console/close/2026-03/").content.decode()
    assert "open safeguard flag: payouts held until staff clear it" in preview
    period_close(month=datetime(2026, 3, 1).date(), actor=ACTOR, now=NOW)
    from parceria.payouts.models import PayoutBatch

    batch = PayoutBatch.objects.get()
    body = admin_client.get(f"/console/batches/{batch.pk}/").content.decode()
    assert "open safeguard flag: payouts held until staff clear it" in body


def test_the_partner_portal_says_payouts_are_on_hold_without_the_evidence(flagged):
    from datetime import timedelta

    from django.utils import timezone

    from tests.portal.test_home import next_payout_of
    from tests.portal.test_home import page as portal_home

    partner, _customer, flag = flagged
    credit(partner, "500.00", at=timezone.now() - timedelta(minutes=1))
    assert next_payout_of(partner).reason == "flagged"
    html = portal_home(partner)
    assert "Payouts are on hold while our team reviews how some of your customers were attributed." in html
    assert "Loja Própria" not in html and "Self-referral" not in html
    flag_clear(flag=flag, note="ok", actor=ACTOR)
    assert next_payout_of(partner).reason == ""


def test_the_list_reads_in_a_fixed_number_of_queries(flagged, admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get("/console/safeguards/").status_code == 200
        return len(queries)

    one = count()
    for _ in range(4):
        partner = make_partner()
        make_customer(partner, tax_id=partner.tax_id)
    safeguards_scan(actor=ACTOR, now=NOW)
    assert SafeguardFlag.objects.count() == 5
    assert count() == one


def test_a_shared_bank_account_flag_shows_the_account_masked_in_the_readers_language(admin_client):
    a = make_partner(name="Alfa MX", country="MX", payout_method="mx_spei",
                     payout_details={"clabe": "002010077777777771"})
    make_partner(name="Beta MX", country="MX", payout_method="mx_spei", payout_details={"clabe": "002010077777777771"})
    safeguards_scan(actor=ACTOR, now=NOW)
    flag = SafeguardFlag.objects.get(partner=a)
    body = admin_client.get(f"/console/safeguards/{flag.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Payout account shared with another partner" in body
    assert ("The partner&#x27;s payouts go to an account (SPEI (CLABE): SPEI Banamex · CLABE ••••7771) that also "
            "receives the payouts of: Beta MX.") in body
    assert "002010077777777771" not in body and "account_masked" not in body
    pt = admin_client.get(f"/console/safeguards/{flag.pk}/", HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert "Conta de pagamento compartilhada com outro parceiro" in pt
    assert ("Os pagamentos do parceiro vão para uma conta (SPEI (CLABE): SPEI Banamex · CLABE ••••7771) que também "
            "recebe os pagamentos de: Beta MX.") in pt
    es = admin_client.get("/console/safeguards/?kind=shared_pix_key", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cuenta de pago compartida con otro socio" in es
    assert "Los pagos del socio van a una cuenta (" in es and "CLABE ••••7771) que también recibe los pagos de: " in es
    assert "002010077777777771" not in es
