"""Every console URL, whatever app its page lives in, refuses anonymous visitors, partner users and staff without a
second factor; each staff role opens what its abilities allow; the analyst reads but every POST of theirs is
refused with 403 and changes nothing. The URLs come from the resolver: a new console page is swept by construction
(a new kind of id in an address needs a value in URL_VALUES)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from parceria.accounts.services import user_create
from parceria.accounts.tenancy import Ability, Principal
from parceria.agreements.services import document_attach
from parceria.analytics.casestudies import case_study_create
from parceria.common.audit import Actor
from parceria.common.errors import PermissionDenied
from parceria.common.models import AuditRecord
from parceria.community.services import announcement_create, nps_answer, ticket_open
from parceria.customers.models import EventBatch, EventSource
from parceria.deals.services import DealFields, deal_register
from parceria.disputes.adjustments import adjustment_request
from parceria.disputes.models import Dispute
from parceria.disputes.services import DisputeClaim, dispute_attachment_add, dispute_open
from parceria.leads.services import lead_create
from parceria.mapping.services import mapping_create
from parceria.marketing.services import activity_record, asset_create
from parceria.mdf.models import FundRequest
from parceria.payouts.bank_files import batch_export
from parceria.payouts.models import Payout
from parceria.payouts.services import batch_approve
from parceria.privacy.services import NewRequest, hold_place, request_register
from parceria.safeguards.detection import Finding
from parceria.safeguards.services import flags_raise
from parceria.webhooks.services import endpoint_create
from tests.agreements.helpers import make_agreement
from tests.console.conftest import close_march
from tests.factories import ACTOR, PASSWORD, credit, make_partner, staff_client
from tests.marketing.conftest import png_bytes
from tests.mdf.conftest import claimed_fund
from tests.sweep import Route, missing_values, routes_under

MIN_ROUTES = 56  # the console's own, payouts, disputes, customers, partners (pipeline, tiers), agreements, enablement
PDF = b"%PDF-1.4\n%%EOF\n"


from parceria.common.taxids import synthetic_tax_id  # noqa: E402
from parceria.recruiting.services import ApplicationFields, application_submit  # noqa: E402


def console_routes() -> list[Route]:
    return routes_under("console/")


@pytest.fixture
def urls(db) -> list[tuple[Route, str]]:
    partner = make_partner()
    credit(partner, "500.00")
    batch = close_march()
    batch_approve(batch=batch, actor=Actor(label="other"))
    export = batch_export(batch=batch, kind="csv", actor=ACTOR).export
    dispute = dispute_open(partner=partner, subject="missing_attribution", actor=ACTOR,
                           claim=DisputeClaim(customer_name="Loja X", description="Loja X veio por nós"))
    adjustment = adjustment_request(partner=partner, amount="5000.00", reason="bônus", actor=Actor(label="req"))
    events = EventBatch.objects.create(source=EventSource.API, submitted_by="tests", received=1, accepted=0,
                                       duplicates=0, rejected=[{"index": 0, "id": "e1", "error": "bad"}])
    attachment = dispute_attachment_add(dispute=dispute, filename="nota.pdf", actor=ACTOR, is_staff=False,
                                        content=SimpleUploadedFile("nota.pdf", b"%PDF-1.4 nota"))
    agreement = make_agreement(partner, start_date=date(2025, 1, 1))
    document = document_attach(agreement=agreement, upload=SimpleUploadedFile("cpa.pdf", PDF), actor=ACTOR)
    registration = deal_register(partner=partner, actor=ACTOR, fields=DealFields(
        company_name="Loja X", country="BR", domain="lojax.com.br", contact_name="Ana",
        contact_email="ana@lojax.com.br", estimated_value="100", currency="BRL"))
    flag = flags_raise([Finding("shared_pix_key", partner.pk, {"pix_key_type": "evp", "pix_key_masked": "••••1234",
                                "other_partner_ids": [], "other_partner_names": []}, ("k",))], actor=ACTOR).flags[0]
    lead = lead_create(actor=ACTOR, fields=DealFields(
        company_name="Loja Y", country="BR", domain="lojay.com.br", contact_name="Ana",
        contact_email="ana@lojay.com.br", estimated_value="100", currency="BRL"))[0]
    values = {"attachment_id": attachment.pk, "partner_id": partner.pk, "batch_id": batch.pk,
              "export_id": export.pk, "payout_id": Payout.objects.get().pk, "dispute_id": dispute.pk,
              "adjustment_id": adjustment.pk, "event_batch_id": events.pk, "month": "2026-03", "year": 2026,
              "agreement_id": agreement.pk, "document_id": document.pk,
              "registration_id": registration.pk, "flag_id": flag.pk, "lead_id": lead.pk,
              "mapping_id": mapping_create(partner=partner, data=b"domain\nlojax.com.br\n", actor=ACTOR).pk}
    values["study_id"] = case_study_create(partner=partner, title="Case study", customers=[], actor=ACTOR).pk
    ticket = ticket_open(actor=ACTOR, partner=partner, type="technical", severity="low", subject="s", description="d")
    values["ticket_id"] = ticket.pk
    values["announcement_id"] = announcement_create(actor=ACTOR, title="t", body="b", publish_at=timezone.now()).pk
    answer = nps_answer(actor=ACTOR, partner=partner, score=3,
                        user=user_create(username="nps@example.com", password=PASSWORD, role="partner_member",
                                         partner=partner, actor=ACTOR))
    values["follow_up_id"] = answer.follow_up.pk
    values["job_id"] = "00000000-0000-0000-0000-000000000000"  # the Jobs page's retry (any id: POST-only)
    values["endpoint_id"] = endpoint_create(partner=None, url="https://93.184.216.34/hooks",
                                            event_types=["payout.paid"], actor=ACTOR)[0].pk
    values["action"] = "ping"
    values["application_id"] = application_submit(fields=ApplicationFields(
        kind="agency", name="Aurora", legal_name="Aurora Ltda", country="BR", tax_id=synthetic_tax_id("BR", 777),
        contact_name="Lia", contact_email="lia@aurora.example", customers_served="Lojas", motivation="ERP",
        consent=True), address="203.0.113.1", base_url="http://testserver/").pk
    asset = asset_create(title="Deck", kind="deck", language="en", actor=ACTOR,
                         upload=SimpleUploadedFile("deck.png", png_bytes(40, 30)))
    values.update(asset_id=asset.pk, number=1, activity_id=activity_record(
        partner=partner, kind="webinar", title="Webinar", held_on=date(2026, 3, 2), actor=ACTOR).pk)
    values["request_id"], values["proof_id"] = claimed_fund(partner)
    values["budget_id"] = FundRequest.objects.get(pk=values["request_id"]).budget_id
    values["dsr_id"] = request_register(new=NewRequest(kind="access", email="ana@lojax.com.br"), actor=ACTOR).pk
    values["hold_id"] = hold_place(partner_id=partner.pk, subject_email="", reason="lawsuit", until=None,
                                   actor=ACTOR).pk
    routes = console_routes()
    assert not missing_values(routes, values), "a console URL the sweep cannot build: add its id to `values`"
    return [(route, url) for route in routes for url in route.urls(values)]


def test_every_console_url_is_swept_and_guarded_by_console_view(urls):
    assert len(urls) >= MIN_ROUTES
    assert {url for _route, url in urls} >= {"/console/", "/console/agreements/", "/console/enablement/",
                                              "/console/pipeline/", "/console/tiers/", "/console/payouts/"}
    unguarded = [route.name for route, _url in urls if not hasattr(route.view, "console_access")]
    assert unguarded == []


def test_anonymous_visitors_are_sent_to_sign_in(urls):
    client = Client()
    for _route, url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_partner_users_are_kept_out(urls):
    partner = make_partner()
    user = user_create(username="p@x", password=PASSWORD, role="partner_admin", partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    for _route, url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 403), url
            if response.status_code == 302:
                assert response["Location"] == "/portal/", url


def test_staff_without_the_second_factor_are_sent_to_it(urls):
    user = user_create(username="f@x", password=PASSWORD, role="finance", actor=ACTOR)
    client = Client()
    client.force_login(user)
    for _route, url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302 and response["Location"] == "/login/two-factor/", url


@pytest.mark.parametrize("role", ["partner_manager", "finance", "admin"])
def test_each_staff_role_opens_the_pages_its_abilities_allow(urls, role):
    client = staff_client(f"{role}@x", role)
    principal = Principal.for_user(client.user)  # type: ignore[attr-defined]
    for route, url in urls:
        read, _write = route.view.console_access
        status = client.get(url).status_code
        if read is None:
            assert status == 405, url
        elif principal.can(read):
            assert status in (200, 302), (url, status)
        else:
            assert status == 403, url


def test_the_analyst_reads_but_every_post_is_refused(urls, analyst):
    audit_before = AuditRecord.objects.count()
    disputes_before = list(Dispute.objects.values_list("status", flat=True))
    for _route, url in urls:
        response = analyst.post(url, {"confirmed": "1", "reason": "x", "text": "x", "kind": "cnab",
                                      "adjustment_amount": "1", "resolution": "x", "status": "paid", "to": "rejected",
                                      "decision": "approve"})
        assert response.status_code == 403, url
    assert AuditRecord.objects.count() == audit_before
    assert list(Dispute.objects.values_list("status", flat=True)) == disputes_before
    # The analyst reads the program and its payouts (a whole PIX key too, audited), nothing more.
    analyst_reads = (Ability.READ, Ability.READ_PAYOUTS)
    reading = [url for route, url in urls if route.view.console_access[0] in analyst_reads]
    for url in reading:
        assert analyst.get(url).status_code in (200, 302), url
    finance_only = [url for route, url in urls if route.view.console_access[0] not in (*analyst_reads, None)]
    assert finance_only and all(analyst.get(url).status_code == 403 for url in finance_only)
    batch_page = next(u for u in reading if "/batches/" in u)
    assert "<button" not in analyst.get(batch_page).content.decode().split("<main")[1]  # no action buttons
    dispute_page = next(u for u in reading if "/disputes/" in u and u != "/console/disputes/")
    assert "<button" not in analyst.get(dispute_page).content.decode().split("<main")[1]


ROLE_ABILITIES = {
    "admin": {Ability.READ, Ability.READ_PAYOUTS, Ability.INGEST, Ability.MANAGE_PARTNERS, Ability.FINANCE,
              Ability.RESOLVE_DISPUTES, Ability.ANALYTICS, Ability.PRIVACY},
    "partner_manager": {Ability.READ, Ability.READ_PAYOUTS, Ability.MANAGE_PARTNERS, Ability.RESOLVE_DISPUTES,
                        Ability.ANALYTICS},
    "finance": {Ability.READ, Ability.READ_PAYOUTS, Ability.INGEST, Ability.FINANCE, Ability.RESOLVE_DISPUTES,
                Ability.ANALYTICS},
    "analyst": {Ability.READ, Ability.READ_PAYOUTS, Ability.ANALYTICS},
}


@pytest.mark.parametrize("role", sorted(ROLE_ABILITIES))
def test_a_staff_members_principal_has_the_abilities_of_its_role_and_the_console_agrees(db, role):
    """One permission system: what the console lets a role do is what its principal may do."""
    client = staff_client(f"{role}@x", role)
    principal = Principal.for_user(client.user)  # type: ignore[attr-defined]
    assert principal.abilities == ROLE_ABILITIES[role]
    assert principal.read_only is (role == "analyst")
    opens_new_adjustment = client.get("/console/adjustments/new/").status_code == 200
    assert opens_new_adjustment is (Ability.FINANCE in ROLE_ABILITIES[role])
    if Ability.FINANCE not in ROLE_ABILITIES[role]:
        with pytest.raises(PermissionDenied):
            principal.require(Ability.FINANCE)


def test_a_partner_admin_may_manage_its_users_and_a_partner_user_may_not(db):
    partner = make_partner()
    admin = user_create(username="pa@x", password=PASSWORD, role="partner_admin", partner=partner, actor=ACTOR)
    member = user_create(username="pm@x", password=PASSWORD, role="partner_member", partner=partner, actor=ACTOR)
    assert Principal.for_user(admin).abilities == {Ability.READ, Ability.READ_PAYOUTS, Ability.DISPUTE,
                                                   Ability.MANAGE_USERS, Ability.REGISTER_DEALS}
    assert Principal.for_user(member).abilities == {Ability.READ, Ability.READ_PAYOUTS, Ability.DISPUTE,
                                                    Ability.REGISTER_DEALS}
