"""API keys (SPEC §14.2; issue #2 §2): authentication, scopes, and the create-api-key command."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client

from parceria.accounts.models import ApiKey, hash_api_key
from parceria.accounts.services import api_key_create, api_key_revoke
from parceria.cli import main as parceria_main
from parceria.commissions.models import LedgerLine
from parceria.common.models import AuditRecord
from parceria.customers.models import Customer, Event, Invoice, Refund
from parceria.partners.models import Partner, PartnerTerms
from tests.conftest import ApiClient
from tests.factories import ACTOR, ingest, make_customer, make_key, make_partner, paid, staff_client

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {"error": {
    "code": "unauthorized", "message": "a valid, unrevoked API key is required (Authorization: Bearer <key>)",
}}


def stored() -> dict[str, Any]:
    return {
        "partners": list(Partner.objects.order_by("id").values()),
        "terms": PartnerTerms.objects.count(),
        "customers": list(Customer.objects.order_by("id").values()),
        "events": Event.objects.count(),
        "invoices": Invoice.objects.count(),
        "refunds": Refund.objects.count(),
        "ledger": list(LedgerLine.objects.order_by("id").values_list("id", "amount")),
        "audit": AuditRecord.objects.count(),
    }


def partner_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Nova", "legal_name": "Nova Ltda", "country": "BR", "tax_id": "11222333000181", "currency": "BRL",
        "tax_regime": "pj", "category": "consulting_agency", "subcategory": "digital_agency", **overrides,
    }


@pytest.fixture
def data(db):
    partner = make_partner(status="active")
    customer = make_customer(partner)
    assert ingest(paid(customer, "100.00", event_id="evt_auth_1", invoice_id="inv_auth_1")).accepted == 1
    return partner, customer


# --- authentication ---------------------------------------------------------------------------------------------------


def raw_get(path: str, **headers: str):
    return Client(**headers).get(f"/api/v1{path}")


def test_missing_key_is_401(data):
    response = raw_get("/partners")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc", "bearer-abc", "Bearer a b", "prc_plat_abc",
     "Bearer " + "x" * 5000],
)
def test_malformed_authorization_header_is_401(data, header):
    response = raw_get("/partners", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401, response.content
    assert response.json() == UNAUTHORIZED


def test_key_in_another_header_or_the_query_string_is_ignored(data):
    key = make_key("admin")

    assert raw_get("/partners", HTTP_X_API_KEY=key).status_code == 401
    assert Client().get("/api/v1/partners", {"api_key": key}).status_code == 401


def test_unknown_key_is_401(data):
    key = make_key("admin")
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")

    assert raw_get("/partners", HTTP_AUTHORIZATION=f"Bearer {tampered}").json() == UNAUTHORIZED
    assert raw_get("/partners", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_the_hash_itself_is_not_a_key(data):
    issued = api_key_create(name="h", scope="admin", actor=ACTOR)

    response = raw_get("/partners", HTTP_AUTHORIZATION=f"Bearer {issued.api_key.key_hash}")

    assert response.status_code == 401


def test_revoked_key_is_401_everywhere_and_changes_nothing(data):
    partner, customer = data
    issued = api_key_create(name="to-revoke", scope="admin", actor=ACTOR)
    client = ApiClient(issued.raw_key)
    assert client.get("/partners").status_code == 200

    api_key_revoke(api_key=issued.api_key, actor=ACTOR)
    before = stored()

    responses = [
        client.get("/partners"),
        client.get(f"/partners/{partner.pk}/balance"),
        client.post("/partners", partner_body()),
        client.patch(f"/partners/{partner.pk}", {"status": "terminated"}),
        client.post("/customers", {"external_id": "x", "name": "X", "country": "BR"}),
        client.patch(f"/customers/{customer.pk}", {"name": "Changed"}),
        client.post("/events", {"events": [paid(customer, "5.00", event_id="evt_after_revoke")]}),
    ]

    assert [r.status_code for r in responses] == [401] * len(responses)
    assert all(r.json() == UNAUTHORIZED for r in responses)
    assert stored() == before


def test_revoking_twice_keeps_the_first_date(data):
    issued = api_key_create(name="twice", scope="platform", actor=ACTOR)
    first = api_key_revoke(api_key=issued.api_key, actor=ACTOR).revoked_at

    api_key_revoke(api_key=ApiKey.objects.get(pk=issued.api_key.pk), actor=ACTOR)

    assert ApiKey.objects.get(pk=issued.api_key.pk).revoked_at == first


def test_staff_revoke_keys_from_the_admin_list_through_the_revocation_service(data):
    leaked = api_key_create(name="leaked", scope="platform", actor=ACTOR)
    kept = api_key_create(name="kept", scope="platform", actor=ACTOR)
    admin = staff_client("root", "admin")

    response = admin.post("/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [leaked.api_key.pk]})

    assert response.status_code == 302
    assert ApiKey.objects.get(pk=leaked.api_key.pk).revoked_at is not None
    assert ApiKey.objects.get(pk=kept.api_key.pk).revoked_at is None
    assert list(AuditRecord.objects.filter(action="api_key.revoked").values_list("actor_label", "object_id")) == [
        ("admin:root", str(leaked.api_key.pk))]
    assert ApiClient(leaked.raw_key).get("/partners").status_code == 401
    assert ApiClient(kept.raw_key).get("/customers").status_code == 200


def test_the_admin_change_form_neither_sets_nor_clears_a_revocation(data):
    revoked = api_key_create(name="revoked", scope="platform", actor=ACTOR).api_key
    first = api_key_revoke(api_key=revoked, actor=ACTOR).revoked_at
    live = api_key_create(name="live", scope="platform", actor=ACTOR).api_key
    admin = staff_client("root", "admin")

    for key, moment in ((revoked, ("", "")), (live, ("2026-01-01", "10:00:00"))):
        admin.post(f"/admin/accounts/apikey/{key.pk}/change/", {"revoked_at_0": moment[0], "revoked_at_1": moment[1]})

    assert ApiKey.objects.get(pk=revoked.pk).revoked_at == first
    assert ApiKey.objects.get(pk=live.pk).revoked_at is None


def test_use_is_recorded(data):
    issued = api_key_create(name="used", scope="analytics", actor=ACTOR)
    assert issued.api_key.last_used_at is None

    ApiClient(issued.raw_key).get("/partners")

    assert ApiKey.objects.get(pk=issued.api_key.pk).last_used_at is not None


# --- scopes -----------------------------------------------------------------------------------------------------------


def test_platform_key_sends_events_and_customers_but_not_partners(data):
    partner, customer = data
    client = ApiClient(make_key("platform"))

    events = client.post("/events", {"events": [paid(customer, "10.00", event_id="evt_platform")]})
    created = client.post("/customers", {"external_id": "cus_platform", "name": "P", "country": "BR"})
    patched = client.patch(f"/customers/{customer.pk}", {"vertical": "retail"})
    before = stored()
    partner_create = client.post("/partners", partner_body())
    partner_patch = client.patch(f"/partners/{partner.pk}", {"status": "suspended"})

    assert (events.status_code, events.json()["accepted"]) == (200, 1)
    assert created.status_code == 201
    assert patched.status_code == 200
    assert (partner_create.status_code, partner_patch.status_code) == (403, 403)
    assert partner_create.json()["error"]["code"] == partner_patch.json()["error"]["code"] == "forbidden_scope"
    assert stored() == before
    # and it reads
    assert client.get(f"/partners/{partner.pk}/ledger").json()["count"] == 2


def test_analytics_key_reads_everything_and_writes_nothing(data):
    partner, customer = data
    other = make_partner()
    client = ApiClient(make_key("analytics"))
    before = stored()

    reads = [
        client.get("/partners"), client.get(f"/partners/{partner.pk}"), client.get(f"/partners/{other.pk}"),
        client.get(f"/partners/{partner.pk}/balance"), client.get(f"/partners/{partner.pk}/ledger"),
        client.get("/customers"), client.get(f"/customers/{customer.pk}"),
    ]
    writes = [
        client.post("/partners", partner_body()),
        client.patch(f"/partners/{partner.pk}", {"name": "Renamed"}),
        client.post("/customers", {"external_id": "cus_analytics", "name": "A", "country": "BR"}),
        client.patch(f"/customers/{customer.pk}", {"name": "Renamed"}),
        client.post("/events", {"events": [paid(customer, "10.00", event_id="evt_analytics")]}),
    ]

    assert [r.status_code for r in reads] == [200] * len(reads)
    assert [r.status_code for r in writes] == [403] * len(writes)
    assert {r.json()["error"]["code"] for r in writes} == {"forbidden_scope"}
    assert stored() == before
    assert client.get("/partners").json()["count"] == 2
    assert client.get(f"/partners/{partner.pk}/balance").json()["balances"][0]["accrued"] == "20.0000"


def test_partner_key_reads_its_own_data_and_writes_nothing(data):
    partner, customer = data
    client = ApiClient(make_key("partner", partner))
    before = stored()

    reads = [
        client.get("/partners"), client.get(f"/partners/{partner.pk}"), client.get(f"/partners/{partner.pk}/balance"),
        client.get(f"/partners/{partner.pk}/ledger"), client.get("/customers"), client.get(f"/customers/{customer.pk}"),
    ]
    writes = [
        client.post("/partners", partner_body()),
        client.patch(f"/partners/{partner.pk}", {"tier": "strategic"}),
        client.post("/customers", {"external_id": "cus_p", "name": "P", "country": "BR", "partner_id": partner.pk}),
        client.patch(f"/customers/{customer.pk}", {"name": "Mine"}),
        client.post("/events", {"events": [paid(customer, "10.00", event_id="evt_partner")]}),
    ]

    assert [r.status_code for r in reads] == [200] * len(reads)
    assert reads[2].json()["balances"][0]["balance"] == "20.0000"
    assert [r.status_code for r in writes] == [403] * len(writes)
    assert {r.json()["error"]["code"] for r in writes} == {"forbidden_scope"}
    assert stored() == before


def test_admin_key_may_do_everything(data):
    partner, customer = data
    client = ApiClient(make_key("admin"))

    assert client.post("/partners", partner_body()).status_code == 201
    assert client.patch(f"/partners/{partner.pk}", {"tier": "preferred"}).status_code == 200
    assert client.post("/customers", {"external_id": "cus_admin", "name": "A", "country": "BR"}).status_code == 201
    assert client.post("/events", {"events": [paid(customer, "10.00", event_id="evt_admin")]}).status_code == 200


# --- the create-api-key command ---------------------------------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("scope", ["platform", "analytics", "admin"])
def test_create_api_key_prints_the_key_alone_on_its_last_line_and_it_works(data, scope):
    out, err = run_command("--scope", scope, "--name", f"ci {scope}")

    key = out.rstrip("\n").splitlines()[-1]
    assert key == key.strip() and " " not in key and len(key) >= 32
    assert "not shown again" in err
    stored_key = ApiKey.objects.get(name=f"ci {scope}")
    assert (stored_key.scope, stored_key.partner_id, stored_key.revoked_at) == (scope, None, None)
    assert ApiClient(key).get("/partners").status_code == 200


def test_create_api_key_for_a_partner(data):
    partner, _ = data
    other = make_partner()

    out, _ = run_command("--scope", "partner", "--partner", str(partner.pk), "--name", "portal")

    client = ApiClient(out.splitlines()[-1])
    assert client.get(f"/partners/{partner.pk}/balance").json()["balances"][0]["balance"] == "20.0000"
    assert client.get(f"/partners/{other.pk}").status_code == 404


def test_the_stored_row_holds_only_a_hash(data):
    out, _ = run_command("--scope", "admin", "--name", "hashed")
    key = out.splitlines()[-1]

    row = ApiKey.objects.filter(name="hashed").values().get()

    assert row["key_hash"] == hash_api_key(key)
    for column, value in row.items():
        assert key not in str(value), f"the raw key is stored in {column}"
    assert len(row["prefix"]) < len(key) // 2
    assert key not in str(list(AuditRecord.objects.values()))


def test_partner_scope_without_partner_is_a_clear_command_error(data):
    before = ApiKey.objects.count()

    with pytest.raises(CommandError, match="partner key needs --partner"):
        run_command("--scope", "partner", "--name", "orphan")

    assert ApiKey.objects.count() == before


def test_unknown_partner_is_a_command_error(data):
    before = ApiKey.objects.count()

    with pytest.raises(CommandError, match="987654"):
        run_command("--scope", "partner", "--partner", "987654", "--name", "ghost")

    assert ApiKey.objects.count() == before


def test_partner_given_for_another_scope_is_a_command_error(data):
    partner, _ = data
    before = ApiKey.objects.count()

    with pytest.raises(CommandError, match="partner"):
        run_command("--scope", "platform", "--partner", str(partner.pk), "--name", "confused")

    assert ApiKey.objects.count() == before


def test_unknown_scope_is_a_command_error(data):
    with pytest.raises(CommandError):
        run_command("--scope", "root", "--name", "x")
    assert not ApiKey.objects.filter(name="x").exists()


def test_the_parceria_command_line_takes_the_hyphenated_name(data, capsys, monkeypatch):
    # a command run from the command line closes the database connections when it ends; the test's transaction
    # must outlive it
    monkeypatch.setattr(connections, "close_all", lambda: None)

    parceria_main(["parceria", "create-api-key", "--scope", "analytics", "--name", "from the cli"])

    key = capsys.readouterr().out.rstrip("\n").splitlines()[-1]
    assert ApiKey.objects.get(name="from the cli").key_hash == hash_api_key(key)
    assert ApiClient(key).get("/customers").status_code == 200
