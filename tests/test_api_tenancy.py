"""The tenancy sweep (SPEC §14.2, §16; DESIGN rule 6; issue #2 "Tests that must exist").

Every route of the API is enumerated from the ninja API object and from Django's URL resolver, so a route added
later is swept without anyone remembering to add it here. A partner key of partner A calls each route with the ids
of partner B and must get 403 or 404 and not one byte of B's data; lists answer 200 with A's rows only. Without a
key, or with a revoked key, every route answers 401, except the API's documentation, which is public.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from parceria.accounts.models import ApiKey
from parceria.accounts.services import api_key_create, api_key_revoke
from parceria.agreements.models import Agreement
from parceria.commissions.models import ClosedPeriod, CommissionPlan, LedgerLine
from parceria.common.models import AuditRecord, FxRate
from parceria.config.api import api
from parceria.customers.models import CsatScore, Customer, Event, Invoice, Refund, UsageRecord
from parceria.deals.models import DealRegistration, Opportunity
from parceria.disputes.models import Adjustment, AdjustmentApproval, Dispute, DisputeAttachment, DisputeComment
from parceria.leads.models import Lead, LeadOffer
from parceria.leads.services import lead_create, lead_offer
from parceria.mapping.models import AccountMapping
from parceria.partners.models import Evaluation, Partner, PartnerLifecycle, PartnerTerms, TierAssessment
from parceria.payouts.models import BatchApproval, BatchExport, PayoutBatch, PayoutStatusChange
from parceria.referrals.models import ReferralLink
from parceria.referrals.services import link_create
from tests.conftest import ApiClient
from tests.factories import ACTOR, ingest, make_customer, make_key, make_partner, paid, refunded

pytestmark = pytest.mark.django_db

API_PREFIX = "/api/v1"
#: The routes of the API as of issue #2. The sweep must cover at least these; new ones are swept automatically.
MIN_ROUTES = 11
#: What may be read without a key: the OpenAPI document and its docs page (SPEC §14.2).
PUBLIC_PATHS = {"/openapi.json", "/docs"}
#: Routes that take no API key: the sender proves itself by signing the body (Stripe's webhook, whose tests are in
#: tests/integrations/); unsigned, they refuse the request with a 400 and store nothing.
SIGNED_ROUTES = {("POST", "/integrations/stripe/webhook")}
# Program-wide reference data every key may read: no partner owns these rows (B's markers are still checked).
SHARED_REFERENCE_ROUTES = {"/plans", "/fx-rates", "/enablement/courses"}

_PARAM = re.compile(r"\{(?:\w+:)?(\w+)\}|<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # "/partners/{partner_id}/balance", relative to /api/v1

    @property
    def params(self) -> list[str]:
        return [a or b for a, b in _PARAM.findall(self.template)]

    def path(self, values: dict[str, Any]) -> str:
        missing = [p for p in self.params if p not in values]
        assert not missing, (
            f"{self.method} {self.template} has path parameters {missing} that the tenancy sweep does not know: "
            "add to `path_values()` an id of partner B's object for each, so that the route is swept"
        )
        return _PARAM.sub(lambda m: str(values[m.group(1) or m.group(2)]), self.template)


def _canonical(template: str) -> str:
    path = "/" + "/".join(part for part in _PARAM.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}",
                                                        template).split("/") if part)
    return path


def api_routes() -> list[Route]:
    """Every (method, path) operation of the ninja API, nested routers included."""
    api.urls  # noqa: B018 -- binds the routers, which fills api._routers with every (prefix, router), nested ones too
    routes = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    routes.add(Route(method.upper(), _canonical(f"{prefix}/{path}")))
    return sorted(routes, key=lambda r: (r.template, r.method))


def resolver_paths() -> set[str]:
    """Every URL Django serves under /api/v1/, whoever defined it."""
    found: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.add(prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "")
    return {_canonical(path[len("api/v1/"):]) for path in found if path.startswith("api/v1/")}


# --- the world: partner A and partner B, each with customers and ledger lines ---------------------------------------


@dataclass
class World:
    a: Partner
    b: Partner
    a_customers: list[Customer]
    b_customers: list[Customer]
    b_markers: list[str]  # strings that only B's data contains
    batch_id: int = 999_999  # set by close_march()
    b_payout_id: int = 999_999
    export_id: int = 999_999
    b_agreement_id: int = 999_999
    b_dispute_id: int = 999_999  # set by dispute_of_b()
    b_attachment_id: int = 999_999
    b_adjustment_id: int = 999_999
    b_registration_id: int = 999_999
    b_lead_id: int = 999_999
    b_mapping_id: int = 999_999
    b_study_id: int = 999_999


@pytest.fixture
def world(db) -> World:
    a = make_partner(name="Alfa Parceira", legal_name="Alfa Parceira Ltda", status="active")
    b = make_partner(name="Bravo Segredo", legal_name="Bravo Segredo Consultoria Ltda", status="active",
                     tier="strategic", verticals=["bravo-vertical"], territories=["bravo-territory"])
    a_customers = [make_customer(a, external_id=f"alfa-cus-{i}", name=f"Alfa Cliente {i}") for i in range(2)]
    b_customers = [make_customer(b, external_id=f"bravo-cus-{i}", name=f"Bravo Cliente {i}",
                                 domain=f"bravo-cliente-{i}.com.br") for i in range(3)]
    result = ingest(
        paid(a_customers[0], "500.00", event_id="alfa-evt-1", invoice_id="alfa-inv-1"),
        paid(b_customers[0], "1000.00", event_id="bravo-evt-1", invoice_id="bravo-inv-1"),
        paid(b_customers[1], "2000.00", event_id="bravo-evt-2", invoice_id="bravo-inv-2"),
        refunded(b_customers[1], "bravo-inv-2", "500.00", event_id="bravo-evt-3"),
    )
    assert (result.accepted, result.rejected) == (4, [])
    assert LedgerLine.objects.filter(partner=b).count() == 3
    link_create(partner=b, landing_url="https://bravo-landing.example.com/", actor=ACTOR)
    markers = ["Bravo Segredo", b.tax_id, "bravo-"]
    return World(a, b, a_customers, b_customers, markers)


def close_march(w: World) -> None:
    """Close March so that B has a payout (750.00) the sweep can aim at."""
    from parceria.payouts.close import period_close
    from parceria.payouts.models import Payout

    plan = period_close(month=date(2026, 3, 1), actor=ACTOR)
    w.batch_id = plan.batch_id or 0
    w.b_payout_id = Payout.objects.get(partner=w.b).pk
    from parceria.common.audit import Actor
    from parceria.payouts.bank_files import batch_export
    from parceria.payouts.services import batch_approve

    batch = PayoutBatch.objects.get(pk=w.batch_id)
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    w.export_id = batch_export(batch=batch, kind="csv", actor=ACTOR).export.pk


def dispute_of_b(w: World) -> None:
    """B disputes one of its lines, with an attachment, and finance has a pending adjustment for it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from parceria.disputes.adjustments import adjustment_request
    from parceria.disputes.services import DisputeClaim, dispute_attachment_add, dispute_open

    line = LedgerLine.objects.filter(partner=w.b).first()
    dispute = dispute_open(partner=w.b, subject="ledger_line", actor=ACTOR,
                           claim=DisputeClaim(ledger_line_id=line.pk, description="bravo-dispute"))
    attachment = dispute_attachment_add(dispute=dispute, filename="bravo.pdf", content=SimpleUploadedFile(
        "bravo.pdf", b"%PDF-1.4 bravo-file"), actor=ACTOR, is_staff=False)
    adjustment = adjustment_request(partner=w.b, amount="5000.00", reason="bravo-adjustment", actor=ACTOR)
    w.b_dispute_id, w.b_attachment_id, w.b_adjustment_id = dispute.pk, attachment.pk, adjustment.pk
    from parceria.agreements.services import AgreementFields, agreement_create

    w.b_agreement_id = agreement_create(partner=w.b, actor=ACTOR, fields=AgreementFields(
        type="channel_partner", title="bravo-agreement", start_date="2026-01-01")).pk
    from parceria.deals.services import DealFields, deal_register

    deal_register(partner=w.b, actor=ACTOR, fields=DealFields(
        company_name="bravo-prospect Padaria", country="BR", domain="bravo-prospect.com.br",
        contact_name="bravo-contact", contact_email="bravo@bravo-prospect.com.br", estimated_value="1000",
        currency="BRL"))
    # a second one, named like a customer, waits in review: the route that decides it has one to decide
    w.b_registration_id = deal_register(partner=w.b, actor=ACTOR, fields=DealFields(
        company_name="Bravo Cliente 0 Ltda", country="BR", domain="bravo-prospect-2.com.br",
        contact_name="bravo-contact", contact_email="bravo@bravo-prospect.com.br", estimated_value="1000",
        currency="BRL")).pk
    assert DealRegistration.objects.get(pk=w.b_registration_id).status == "in_review"
    # a lead offered to B, waiting for its answer: the routes that accept or decline it have one to answer
    lead = lead_create(actor=ACTOR, fields=DealFields(
        company_name="bravo-lead Mercado", country="BR", domain="bravo-lead.com.br", contact_name="bravo-contact",
        contact_email="bravo@bravo-lead.com.br", estimated_value="1000", currency="BRL"))[0]
    lead_offer(lead=lead, partner=w.b, actor=ACTOR)
    w.b_lead_id = lead.pk
    from parceria.mapping.services import mapping_create

    w.b_mapping_id = mapping_create(partner=w.b, actor=ACTOR, data=b"domain,segment\nbravo-cliente-0.com.br,bravo-seg\n"
                                    b"bravo-list.com.br,bravo-seg\n").pk
    from parceria.analytics.casestudies import FeaturedCustomer, case_study_create

    w.b_study_id = case_study_create(partner=w.b, title="bravo-study", actor=ACTOR,
                                     customers=[FeaturedCustomer(w.b_customers[0].pk, named=True)]).pk


def path_values(w: World) -> dict[str, Any]:
    """B's ids for every path parameter an API route may have."""
    return {
        "partner_id": w.b.pk, "customer_id": w.b_customers[0].pk, "period": "2026-03", "batch_id": w.batch_id,
        "payout_id": w.b_payout_id, "plan_id": 1, "year": 2026, "dispute_id": w.b_dispute_id,
        "attachment_id": w.b_attachment_id, "adjustment_id": w.b_adjustment_id, "export_id": w.export_id,
        "agreement_id": w.b_agreement_id, "registration_id": w.b_registration_id, "external_id": "crm-alfa-1",
        "lead_id": w.b_lead_id, "mapping_id": w.b_mapping_id, "study_id": w.b_study_id,
    }


def plausible_body(route: Route, w: World) -> Any:
    """A request body that would succeed for B's admin, aimed at B's data."""
    b_customer = w.b_customers[0]
    bodies = {
        ("POST", "/partners"): {
            "name": "Bravo Clone", "legal_name": "Bravo Clone Ltda", "country": "BR", "tax_id": "11222333000181",
            "currency": "BRL", "tax_regime": "pj", "category": "consulting_agency", "subcategory": "digital_agency",
        },
        ("PATCH", "/partners/{partner_id}"): {"name": "Hijacked", "status": "terminated", "tier": None},
        ("PUT", "/partners/{partner_id}/payout-method"): {"method": "pix", "details": {"key_type": "email",
                                                                                  "key": "thief@example.com"}},
        ("POST", "/customers"): {"external_id": b_customer.external_id, "name": "Stolen", "country": "BR",
                                 "partner_id": w.a.pk},
        ("PATCH", "/customers/{customer_id}"): {"partner_id": w.a.pk, "name": "Stolen"},
        ("POST", "/events"): {"events": [
            paid(b_customer, "999.00", event_id="alfa-attack-1", invoice_id="alfa-attack-inv"),
            refunded(w.b_customers[1], "bravo-inv-2", "1500.00", event_id="alfa-attack-2"),
            {"id": "alfa-attack-3", "type": "customer.churned", "occurred_at": "2026-04-01T00:00:00-03:00",
             "customer": b_customer.external_id},
        ]},
        ("POST", "/periods/{period}/close"): None,
        ("POST", "/payout-batches/{batch_id}/approve"): None,
        ("POST", "/payouts/{payout_id}/mark-paid"): {"reference": "alfa was here"},
        ("POST", "/payouts/{payout_id}/mark-failed"): {"reference": "alfa was here"},
        ("POST", "/fx-rates/import"): {"csv": "02032026;220;A;USD;5,4321;5,4327;1,0000;1,0000", "use": "sell"},
        ("POST", "/plans"): {"name": "Alfa plan", "referral_rates": {"certified": "0.9", "preferred": "0.9",
                                                                     "strategic": "0.9"}, "entry_rate": "0.9"},
        ("POST", "/plans/{plan_id}/what-if"): {"from": "2026-03", "to": "2026-03"},
        ("POST", "/payout-batches/{batch_id}/exports"): {"format": "csv"},
        ("POST", "/payout-returns"): {"filename": "alfa.ret", "content": "alfa was here"},
        ("POST", "/disputes"): {"subject": "ledger_line", "description": "alfa was here",
                                "ledger_line_id": LedgerLine.objects.filter(partner=w.b).first().pk},
        ("POST", "/disputes/{dispute_id}/comments"): {"text": "alfa was here"},
        ("POST", "/disputes/{dispute_id}/attachments"): None,
        ("POST", "/disputes/{dispute_id}/withdraw"): {"reason": "alfa was here"},
        ("POST", "/disputes/{dispute_id}/review"): None,
        ("POST", "/disputes/{dispute_id}/resolve"): {"adjustment_amount": "-750.00", "resolution": "alfa was here"},
        ("POST", "/disputes/{dispute_id}/reject"): {"reason": "alfa was here"},
        ("POST", "/adjustments"): {"partner_id": w.b.pk, "amount": "-750.00", "reason": "alfa was here"},
        ("POST", "/adjustments/{adjustment_id}/approve"): None,
        ("POST", "/adjustments/{adjustment_id}/reject"): {"reason": "alfa was here"},
        ("POST", "/partners/{partner_id}/enablement/completions"): {"user_id": 1, "module_id": 1},
        ("POST", "/evaluation-weights"): {"weights": {"customer_overlap": 1, "integration_complexity": 1,
                                                      "market_size": 1, "competitive_advantage": 1,
                                                      "partner_willingness": 1}, "note": "alfa was here"},
        ("POST", "/partners/{partner_id}/evaluations"): {"scores": {"customer_overlap": {"score": 9}}},
        ("POST", "/partners/{partner_id}/lifecycle/moves"): {"to": "rejected", "reason": "alfa was here"},
        ("POST", "/partners/{partner_id}/lifecycle/checklist"): {"stage": "identification_research",
                                                                   "item": "x", "done": True},
        ("POST", "/agreements"): {"partner_id": w.b.pk, "type": "letter_of_intent", "start_date": "2026-03-01"},
        ("POST", "/tier-assessments"): {"partner_id": w.b.pk},
        ("POST", "/agreements/{agreement_id}/status"): {"status": "terminated"},
        ("POST", "/agreements/{agreement_id}/rate-overrides"): {"rate": "0.99", "effective_from": "2026-03-01"},
        ("POST", "/deal-registrations"): {"partner_id": w.b.pk, "company_name": "Alfa Steals", "country": "BR",
                                          "domain": "alfa-steals.com.br", "contact_name": "Alfa",
                                          "contact_email": "a@alfa-steals.com.br", "estimated_value": "10",
                                          "currency": "BRL"},
        ("POST", "/deal-registrations/{registration_id}/decide"): {"approve": False, "reason": "alfa was here"},
        ("POST", "/deal-registrations/{registration_id}/convert"): {"customer_id": b_customer.pk},
        ("POST", "/deal-registrations/{registration_id}/extension"): {"reason": "alfa was here"},
        ("POST", "/deal-registrations/{registration_id}/extension/decide"): {"approve": True, "reason": "alfa"},
        ("POST", "/referral-links"): {"partner_id": w.b.pk, "landing_url": "https://alfa-was-here.example.com/"},
        ("PUT", "/opportunities/{external_id}"): {"company_name": "Alfa Pipeline", "country": "BR",
                                                  "domain": "alfa-pipeline.com.br"},
        ("POST", "/opportunities/import"): [{"external_id": "crm-alfa-2", "company_name": "Alfa Pipeline 2",
                                             "country": "BR", "domain": "alfa-pipeline-2.com.br"}],
        ("POST", "/leads"): {"company_name": "Alfa Steals", "country": "BR", "domain": "alfa-steals.com.br",
                             "contact_name": "Alfa", "contact_email": "a@alfa-steals.com.br", "estimated_value": "10",
                             "currency": "BRL"},
        ("POST", "/leads/{lead_id}/accept"): None,
        ("POST", "/leads/{lead_id}/offer"): {"partner_id": w.b.pk},
        ("POST", "/leads/{lead_id}/decline"): {"reason": "alfa was here"},
        ("POST", "/account-mappings"): Multipart({"partner_id": w.b.pk, "file": b"domain\nalfa-was-here.com.br\n"}),
        ("PUT", "/analytics/figures"): [{"key": "joint_marketing_activities", "month": "2026-03",
                                         "partner_id": w.b.pk, "value": "7"}],
        ("POST", "/integrations/stripe/webhook"): {
            "id": "evt_alfa", "object": "event", "type": "customer.subscription.deleted", "created": 1775000000,
            "data": {"object": {"id": "sub_alfa", "object": "subscription", "customer": b_customer.external_id}}},
    }
    if route.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return None
    key = (route.method, route.template)
    assert key in bodies, (
        f"{route.method} {route.template} takes a body: add a plausible one to `plausible_body()` so the tenancy "
        "sweep can try it against partner B's data"
    )
    return bodies[key]


@dataclass(frozen=True)
class Multipart:
    """A body sent as multipart/form-data (a `bytes` value is a file part), for routes that take a file."""

    fields: dict[str, Any]


def stored_state() -> dict[str, Any]:
    """Everything stored, row by row: a denial must leave it exactly as it was."""
    return {
        "partners": list(Partner.objects.order_by("id").values()),
        "terms": list(PartnerTerms.objects.order_by("id").values()),
        "customers": list(Customer.objects.order_by("id").values()),
        "events": Event.objects.count(),
        "invoices": Invoice.objects.count(),
        "refunds": Refund.objects.count(),
        "usage": UsageRecord.objects.count(),
        "csat": CsatScore.objects.count(),
        "ledger": list(LedgerLine.objects.order_by("id").values_list("id", "partner_id", "amount")),
        "audit": AuditRecord.objects.count(),
        "api_keys": ApiKey.objects.count(),
        "closed_periods": ClosedPeriod.objects.count(),
        "batches": PayoutBatch.objects.count(),
        "approvals": BatchApproval.objects.count(),
        "payout_statuses": PayoutStatusChange.objects.count(),
        "plans": CommissionPlan.objects.count(),
        "fx_rates": FxRate.objects.count(),
        "exports": BatchExport.objects.count(),
        "disputes": list(Dispute.objects.order_by("id").values()),
        "dispute_comments": DisputeComment.objects.count(),
        "dispute_attachments": DisputeAttachment.objects.count(),
        "adjustments": list(Adjustment.objects.order_by("id").values()),
        "adjustment_approvals": AdjustmentApproval.objects.count(),
        "agreements": list(Agreement.objects.order_by("id").values()),
        "evaluations": Evaluation.objects.count(),
        "lifecycles": list(PartnerLifecycle.objects.order_by("id").values()),
        "tier_assessments": TierAssessment.objects.count(),
        "deal_registrations": list(DealRegistration.objects.order_by("id").values()),
        "leads": list(Lead.objects.order_by("id").values()),
        "lead_offers": list(LeadOffer.objects.order_by("id").values()),
        "referral_links": list(ReferralLink.objects.order_by("id").values()),
        "opportunities": list(Opportunity.objects.order_by("id").values()),
        "account_mappings": AccountMapping.objects.count(),
    }


def required_query(route: Route, w: World) -> dict[str, Any]:
    """Query parameters a route cannot do without (so the call reaches its permission check)."""
    required = {"/evaluations/compare": {"a": w.b.pk, "b": w.b.pk}, "/evaluations/ranking": {"category": w.b.category}}
    return required.get(route.template, {})


def call(client: ApiClient, route: Route, w: World, query: dict[str, Any] | None = None):
    path = route.path(path_values(w))
    query = {**required_query(route, w), **(query or {})}
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    body = plausible_body(route, w)
    if isinstance(body, Multipart):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client._client.post(f"{API_PREFIX}{path}", {
            k: SimpleUploadedFile(f"{k}.csv", v) if isinstance(v, bytes) else v for k, v in body.fields.items()})
    return client.request(route.method, path, body)


def assert_no_data_of_b(response, w: World, what: str, *, rows_of_a: bool = False) -> None:
    text = response.content.decode()
    for marker in w.b_markers:
        assert marker not in text, f"{what}: the answer holds {marker!r} of partner B: {text[:500]}"
    if rows_of_a and response.status_code == 200:
        body = response.json()
        for item in body.get("items", []) if isinstance(body, dict) else body:
            # a customer row names its partner; a partner row is the partner
            owner = item["partner_id"] if "partner_id" in item else item["id"]
            assert owner == w.a.pk, f"{what}: a row that is not partner A's: {item}"


# --- the sweep --------------------------------------------------------------------------------------------------------


def test_every_served_api_url_is_a_known_route_or_public_docs():
    """Nothing is served under /api/v1/ that the sweep below does not call."""
    operations = {r.template for r in api_routes()}
    served = resolver_paths()
    assert served - operations - PUBLIC_PATHS == {"/"}, served  # "/" is ninja's root, a 404 (checked below)
    assert operations <= served
    schema_paths = {
        _canonical(p[len(API_PREFIX):]) for p in api.get_openapi_schema()["paths"]
    }
    assert schema_paths <= operations
    assert len(api_routes()) >= MIN_ROUTES


def test_partner_key_of_a_reaches_nothing_of_b_by_any_route(world):
    close_march(world)
    dispute_of_b(world)
    client = ApiClient(make_key("partner", world.a))
    before = stored_state()
    swept = []

    for route in api_routes():
        for query in (None, {"partner_id": world.b.pk, "customer_id": world.b_customers[0].pk}):
            response = call(client, route, world, query)
            what = f"{route.method} {route.template} {query or ''}"
            if (route.method, route.template) in SIGNED_ROUTES:
                assert response.json()["error"]["code"] == "invalid_signature", what
            elif route.params or route.method != "GET":
                assert response.status_code in (403, 404), f"{what}: {response.status_code} {response.content[:300]}"
                assert response.json()["error"]["code"] in ("forbidden", "forbidden_scope", "not_found"), what
            else:
                assert response.status_code in (200, 403, 404), f"{what}: {response.status_code}"
            owned = not route.params and route.template not in SHARED_REFERENCE_ROUTES
            assert_no_data_of_b(response, world, what, rows_of_a=owned)
            swept.append((route, response.status_code))

    assert len({r for r, _ in swept}) >= MIN_ROUTES
    assert {r.template for r, _ in swept} >= {
        "/partners", "/partners/{partner_id}", "/partners/{partner_id}/balance", "/partners/{partner_id}/ledger",
        "/customers", "/customers/{customer_id}", "/events",
    }
    assert stored_state() == before


@pytest.mark.parametrize("customer", [0, 1, 2])
def test_partner_key_of_a_cannot_read_or_change_any_customer_of_b(world, customer):
    client = ApiClient(make_key("partner", world.a))
    target = world.b_customers[customer]
    before = stored_state()

    read = client.get(f"/customers/{target.pk}")
    change = client.patch(f"/customers/{target.pk}", {"partner_id": world.a.pk})

    assert (read.status_code, change.status_code) == (404, 404)
    assert_no_data_of_b(read, world, "read")
    assert_no_data_of_b(change, world, "change")
    assert stored_state() == before


def test_partner_key_of_a_lists_only_its_own_rows(world):
    client = ApiClient(make_key("partner", world.a))

    partners = client.get("/partners").json()
    customers = client.get("/customers").json()
    b_filtered = client.get("/customers", partner_id=world.b.pk).json()
    by_status = client.get("/partners", status="active").json()

    assert (partners["count"], [p["id"] for p in partners["items"]]) == (1, [world.a.pk])
    assert (by_status["count"], [p["id"] for p in by_status["items"]]) == (1, [world.a.pk])
    for response in (client.get("/partners"), client.get("/customers")):
        assert_no_data_of_b(response, world, "list", rows_of_a=True)
    assert customers["count"] == 2
    assert [c["id"] for c in customers["items"]] == [c.pk for c in world.a_customers]
    assert {c["partner_id"] for c in customers["items"]} == {world.a.pk}
    assert (b_filtered["count"], b_filtered["items"]) == (0, [])


def test_partner_key_of_a_reads_its_own_balance_and_ledger(world):
    client = ApiClient(make_key("partner", world.a))

    balance = client.get(f"/partners/{world.a.pk}/balance")
    ledger = client.get(f"/partners/{world.a.pk}/ledger")
    own = client.get(f"/partners/{world.a.pk}")

    assert balance.status_code == 200
    assert balance.json() == {"partner_id": world.a.pk, "payout_currency": "BRL", "balances": [
        {"currency": "BRL", "balance": "100.0000", "accrued": "100.0000", "clawed_back": "0.0000",
         "adjusted": "0.0000", "paid_out": "0.0000"}]}
    assert ledger.status_code == 200
    assert [(line["kind"], line["amount"], line["event_id"]) for line in ledger.json()["items"]] == [
        ("accrual", "100.0000", "alfa-evt-1"),
    ]
    assert own.status_code == 200 and own.json()["name"] == "Alfa Parceira"
    for response in (balance, ledger, own):
        assert_no_data_of_b(response, world, "own data")


def test_b_data_is_really_there_for_a_staff_key(world):
    """The sweep would pass trivially if B had nothing: B's balance is 30 % of 1000 + 30 % of 2000 − 30 % of 500."""
    staff = ApiClient(make_key("analytics"))

    (balance,) = staff.get(f"/partners/{world.b.pk}/balance").json()["balances"]

    assert (balance["accrued"], balance["clawed_back"], balance["balance"]) == ("900.0000", "150.0000", "750.0000")
    assert staff.get("/customers", partner_id=world.b.pk).json()["count"] == 3
    assert "Bravo Segredo" in staff.get(f"/partners/{world.b.pk}").content.decode()


def test_partner_key_of_b_is_not_hurt_by_the_sweep(world):
    """After A's attempts, B still reads its own data unchanged."""
    ApiClient(make_key("partner", world.a)).patch(f"/partners/{world.b.pk}", {"status": "terminated"})
    b_client = ApiClient(make_key("partner", world.b))

    assert b_client.get(f"/partners/{world.b.pk}").json()["status"] == "active"
    (balance,) = b_client.get(f"/partners/{world.b.pk}/balance").json()["balances"]
    assert (balance["currency"], Decimal(balance["balance"])) == ("BRL", Decimal("750"))


# --- without a valid key ----------------------------------------------------------------------------------------------


def _revoked_key(world: World) -> str:
    issued = api_key_create(name="revoked", scope="admin", actor=ACTOR)
    api_key_revoke(api_key=issued.api_key, actor=ACTOR)
    return issued.raw_key


@pytest.mark.parametrize("credential", ["none", "revoked admin key", "revoked partner key", "unknown key"])
def test_every_route_needs_a_valid_key(world, credential):
    if credential == "none":
        client = ApiClient(None)
    elif credential == "revoked admin key":
        client = ApiClient(_revoked_key(world))
    elif credential == "revoked partner key":
        issued = api_key_create(name="revoked-partner", scope="partner", partner_id=world.b.pk, actor=ACTOR)
        api_key_revoke(api_key=issued.api_key, actor=ACTOR)
        client = ApiClient(issued.raw_key)
    else:
        client = ApiClient("prc_admi_" + "x" * 43)
    before = stored_state()
    swept = 0

    for route in api_routes():
        response = call(client, route, world)
        what = f"{route.method} {route.template}"
        if (route.method, route.template) in SIGNED_ROUTES:
            assert response.json()["error"]["code"] == "invalid_signature", what
            continue
        assert response.status_code == 401, f"{what}: {response.status_code} {response.content[:300]}"
        assert response.json() == {"error": {
            "code": "unauthorized",
            "message": "a valid, unrevoked API key is required (Authorization: Bearer <key>)",
        }}, what
        swept += 1

    assert swept >= MIN_ROUTES
    assert stored_state() == before


def test_only_the_docs_are_public(world):
    client = ApiClient(None)
    served = resolver_paths()
    public = set()

    for path in sorted(served):
        concrete = Route("GET", path).path(path_values(world))
        if client.get(concrete).status_code == 200:
            public.add(path)

    assert public == PUBLIC_PATHS
    schema = client.get("/openapi.json")
    assert schema["Content-Type"].startswith("application/json")
    assert f"{API_PREFIX}/events" in schema.json()["paths"]
    assert "swagger" in client.get("/docs").content.decode().lower()
    for path in PUBLIC_PATHS:
        assert_no_data_of_b(client.get(path), world, path)
    assert client.get("/").status_code == 404


def test_public_docs_carry_no_data(world):
    text = json.dumps(ApiClient(None).get("/openapi.json").json())

    for marker in (*world.b_markers, "Alfa Parceira", "alfa-"):
        assert marker not in text
