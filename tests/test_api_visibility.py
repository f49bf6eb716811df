"""What each credential may see of the rows it may read (accounts/tenancy.py): the API shows a partner what the
portal shows it, through the same functions, and a platform key (the billing system's) reads no payout data."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from parceria.accounts.services import user_create
from parceria.accounts.tenancy import Principal, sees_staff_notes
from parceria.agreements.selectors import scope_agreements
from parceria.disputes.services import DisputeClaim, dispute_comment_add, dispute_open
from parceria.partners.payout_details import shown_pix_key
from tests.agreements.helpers import make_agreement
from tests.conftest import ApiClient
from tests.factories import ACTOR, make_key, make_partner
from tests.test_api_tenancy import World, close_march, world  # noqa: F401

pytestmark = pytest.mark.django_db

PIX_KEY = "parceiro.bravo@example.com"
MASKED = "•" * (len(PIX_KEY) - 4) + ".com"


def portal_client(partner) -> Client:
    user = user_create(username=f"user-{partner.pk}@example.com", email=f"user-{partner.pk}@example.com",
                       password="a long portal password 1", role="partner_admin", partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agreements(db):
    partner = make_partner(name="Agência Sol")
    draft = make_agreement(partner, "letter_of_intent", active=False, notes="staff: still negotiating the rate")
    active = make_agreement(partner, "channel_partner", notes="staff: the partner asked for exclusivity")
    return partner, draft, active


# --- agreements: drafts and notes are staff's ----------------------------------------------------------------------


def test_a_partner_key_lists_its_agreements_without_drafts_or_notes(agreements):
    partner, _draft, active = agreements

    response = ApiClient(make_key("partner", partner)).get("/agreements")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [(item["id"], item["status"], item["notes"]) for item in body["items"]] == [(active.pk, "active", None)]
    assert "negotiating" not in response.content.decode()
    assert "exclusivity" not in response.content.decode()


def test_a_partner_key_cannot_read_a_draft_by_id_nor_the_notes_of_an_active_one(agreements):
    partner, draft, active = agreements
    client = ApiClient(make_key("partner", partner))

    hidden = client.get(f"/agreements/{draft.pk}")
    shown = client.get(f"/agreements/{active.pk}")

    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"
    assert shown.status_code == 200
    assert shown.json()["notes"] is None


def test_the_portal_hides_the_same_draft(agreements):
    partner, draft, active = agreements
    client = portal_client(partner)

    assert client.get(f"/portal/agreements/{draft.pk}/").status_code == 404
    assert client.get(f"/portal/agreements/{active.pk}/").status_code == 200


def test_staff_keys_see_drafts_and_notes(agreements):
    partner, draft, active = agreements

    response = ApiClient(make_key("analytics")).get(f"/agreements?partner_id={partner.pk}")

    assert response.status_code == 200
    notes = {item["id"]: item["notes"] for item in response.json()["items"]}
    assert notes == {draft.pk: "staff: still negotiating the rate",
                     active.pk: "staff: the partner asked for exclusivity"}


def test_one_rule_for_portal_and_api(agreements):
    partner, draft, active = agreements
    partner_principal = Principal(scope="partner", label="p", partner_id=partner.pk)
    staff_principal = Principal(scope="analytics", label="a")

    assert list(scope_agreements(partner_principal).values_list("pk", flat=True)) == [active.pk]
    assert sorted(scope_agreements(staff_principal).values_list("pk", flat=True)) == sorted([draft.pk, active.pk])
    assert (sees_staff_notes(partner_principal), sees_staff_notes(staff_principal)) == (False, True)


# --- disputes: internal notes are staff's --------------------------------------------------------------------------


def test_internal_notes_of_a_dispute_are_hidden_from_the_partner_in_api_and_portal(world):  # noqa: F811
    from parceria.commissions.models import LedgerLine

    line = LedgerLine.objects.filter(partner=world.b).first()
    dispute = dispute_open(partner=world.b, subject="ledger_line", actor=ACTOR,
                           claim=DisputeClaim(ledger_line_id=line.pk, description="why so low?"))
    dispute_comment_add(dispute=dispute, text="staff only: check the plan", actor=ACTOR, is_staff=True,
                        internal=True)
    dispute_comment_add(dispute=dispute, text="We are looking into it", actor=ACTOR, is_staff=True)

    api_answer = ApiClient(make_key("partner", world.b)).get(f"/disputes/{dispute.pk}")
    portal_answer = portal_client(world.b).get(f"/portal/disputes/{dispute.pk}/")
    staff_answer = ApiClient(make_key("finance")).get(f"/disputes/{dispute.pk}")

    assert [c["text"] for c in api_answer.json()["comments"]] == ["We are looking into it"]
    assert "We are looking into it" in portal_answer.content.decode()
    for answer in (api_answer, portal_answer):
        assert "check the plan" not in answer.content.decode()
    assert [c["text"] for c in staff_answer.json()["comments"]] == ["staff only: check the plan",
                                                                    "We are looking into it"]


# --- a platform key: no payout data ----------------------------------------------------------------------------------


@pytest.fixture
def paid_world(world):  # noqa: F811
    from parceria.partners.models import Partner

    # Set directly: a key changed through the service is held for 48 hours, and March's payout would be carried.
    Partner.objects.filter(pk=world.b.pk).update(pix_key_type="email", pix_key=PIX_KEY)
    close_march(world)
    return world


@pytest.mark.parametrize("path", ["/payouts", "/partners/{b}/statements/2026-03.pdf",
                                  "/partners/{b}/statements/2026-03.csv", "/partners/{b}/income-statements/2026.pdf",
                                  "/partners/{b}/income-statements/2026.csv"])
def test_a_platform_key_reads_no_payouts_or_statements(paid_world, path):
    response = ApiClient(make_key("platform")).get(path.format(b=paid_world.b.pk))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_scope"
    assert "886.5" not in response.content.decode()


def test_a_platform_key_sees_pix_keys_masked(paid_world):
    client = ApiClient(make_key("platform"))

    one = client.get(f"/partners/{paid_world.b.pk}")
    listed = client.get("/partners")

    assert one.status_code == 200
    assert one.json()["pix_key"] == MASKED
    assert {p["id"]: p["pix_key"] for p in listed.json()["items"]}[paid_world.b.pk] == MASKED
    assert PIX_KEY not in one.content.decode() + listed.content.decode()


@pytest.mark.parametrize("scope", ["finance", "admin", "analytics", "partner"])
def test_who_may_read_payouts_sees_the_whole_key(paid_world, scope):
    client = ApiClient(make_key(scope, paid_world.b if scope == "partner" else None))

    partner = client.get(f"/partners/{paid_world.b.pk}")
    payouts = client.get(f"/payouts?partner_id={paid_world.b.pk}")

    assert partner.json()["pix_key"] == PIX_KEY
    # B's March: 900.00 accrued; IRRF (DARF 8045) at 1.5 % = 13.50 withheld
    assert [(p["gross"], p["withholdings"], p["net"], p["pix_key"]) for p in payouts.json()["items"]] == [
        ("900.0000", [{"code": "8045", "amount": "13.5000"}], "886.5000", PIX_KEY)]


def test_masking_keeps_the_last_four_characters():
    def key(scope: str) -> Principal:
        return Principal.for_api_key(SimpleNamespace(scope=scope, name=scope, partner_id=None))

    platform, finance = key("platform"), key("finance")

    assert shown_pix_key(platform, PIX_KEY) == MASKED
    assert shown_pix_key(platform, "") == ""
    assert shown_pix_key(finance, PIX_KEY) == PIX_KEY
