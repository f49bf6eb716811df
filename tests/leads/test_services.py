"""Lead routing's writes: creating a lead (idempotent by external id, bad input stores nothing), offering it (the
e-mail to the partner's admins, the ranking kept), accepting (a deal registration through the conflict check),
declining and expiring, and every refused transition writing nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from parceria.accounts.services import user_create
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.models import AuditRecord
from parceria.deals.models import DealRegistration
from parceria.deals.services import REASON_APPROVED, REASON_TAKEN, deal_register
from parceria.leads.models import Lead, LeadOffer
from parceria.leads.services import lead_accept, lead_create, lead_decline, lead_offer, leads_expire
from tests.factories import ACTOR, PASSWORD, make_partner
from tests.leads.helpers import LEAD_CNPJ, ROOT, lead_fields, make_lead, other_company

pytestmark = pytest.mark.django_db


def written() -> tuple[int, int, int, int]:
    """Leads, offers, deal registrations and audit records: what a refusal must leave as it was."""
    return (Lead.objects.count(), LeadOffer.objects.count(), DealRegistration.objects.count(),
            AuditRecord.objects.count())


def states(lead: Lead) -> tuple[str, list[str]]:
    lead.refresh_from_db()
    return lead.status, list(lead.offers.order_by("id").values_list("status", flat=True))


@pytest.fixture
def partner():
    partner = make_partner(name="Alfa Vendas", tier="preferred", verticals=["retail"], territories=["SP"])
    admin = user_create(username="admin@alfa.example", email="admin@alfa.example", password=PASSWORD,
                        role="partner_admin", partner=partner, actor=ACTOR)
    type(admin).objects.filter(pk=admin.pk).update(language="es")
    user_create(username="member@alfa.example", email="member@alfa.example", password=PASSWORD,
                role="partner_member", partner=partner, actor=ACTOR)
    return partner


# --- creating ---------------------------------------------------------------------------------------------------


def test_a_lead_is_cleaned_as_a_registration_and_audited():
    lead, created = lead_create(fields=lead_fields(domain="https://www.BomPreco.com.br/contato",
                                                   tax_id="61.238.412/0001-" + LEAD_CNPJ[-2:]),
                                external_id="crm-1", actor=ACTOR)

    assert created is True
    assert (lead.tax_id, lead.cnpj_root, lead.domain, lead.normalised_name) == (LEAD_CNPJ, ROOT, "bompreco.com.br",
                                                                                "mercado bom preco")
    assert (lead.status, str(lead.estimated_value), lead.external_id) == ("open", "48000.00", "crm-1")
    assert AuditRecord.objects.get(action="lead.created").object_id == str(lead.pk)


def test_the_same_external_id_answers_the_same_lead_and_other_data_is_a_conflict():
    first, _ = lead_create(fields=lead_fields(), external_id="crm-1", actor=ACTOR)
    before = written()

    again, created = lead_create(fields=lead_fields(), external_id="crm-1", actor=ACTOR)
    with pytest.raises(Conflict) as refused:
        lead_create(fields=lead_fields(estimated_value="1.00"), external_id="crm-1", actor=ACTOR)

    assert (again.pk, created) == (first.pk, False)
    assert refused.value.code == "duplicate_lead"
    assert written() == before


@pytest.mark.parametrize(("change", "code"), [
    ({"tax_id": "11.111.111/1111-11"}, "invalid_tax_id"),
    ({"domain": "gmail.com", "tax_id": ""}, "public_email_domain"),
    ({"tax_id": "", "domain": ""}, "identity_required"),
    ({"contact_email": "not-an-address"}, "invalid"),
    ({"currency": "XYZ"}, "invalid_choice"),
])
def test_bad_input_is_refused_with_the_field_and_stores_nothing(change, code):
    with pytest.raises(InvalidInput) as refused:
        lead_create(fields=lead_fields(**change), actor=ACTOR)

    assert refused.value.code == code
    assert written() == (0, 0, 0, 0)


# --- offering ---------------------------------------------------------------------------------------------------


def test_an_offer_keeps_the_ranking_tells_the_admins_and_is_audited(partner, django_capture_on_commit_callbacks):
    lead = make_lead()
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        offer = lead_offer(lead=lead, partner=partner, actor=ACTOR, base_url="https://parceria.example/", now=now)

    assert states(lead) == ("offered", ["pending"])
    assert offer.deadline == now + timedelta(hours=72)
    assert offer.ranking["position"] == 1 and offer.ranking["points"] == "80.00"
    assert [(r["key"], r["weight"], r["points"]) for r in offer.ranking["reasons"]] == [
        ("exclusivity", "50", "0.00"), ("vertical", "30", "30.00"), ("region", "25", "25.00"),
        ("tier", "15", "10.00"), ("capacity", "15", "15.00"), ("conversion", "15", "0.00")]
    assert [m.to for m in mail.outbox] == [["admin@alfa.example"]]  # admins only, in their language
    assert mail.outbox[0].subject == "Parceria: un lead para Alfa Vendas — Mercado Bom Preço Ltda"
    assert f"https://parceria.example/portal/leads/{lead.pk}/" in mail.outbox[0].body
    assert AuditRecord.objects.get(action="lead_offer.created").after["partner_id"] == partner.pk


def test_the_offer_hours_are_a_setting(partner, settings):
    settings.PARCERIA = {**settings.PARCERIA, "LEAD_OFFER_HOURS": 24}
    now = timezone.now()

    offer = lead_offer(lead=make_lead(), partner=partner, actor=ACTOR, now=now)

    assert offer.deadline == now + timedelta(hours=24)


def test_a_lead_waiting_for_an_answer_is_not_offered_again(partner):
    lead = make_lead()
    lead_offer(lead=lead, partner=partner, actor=ACTOR)
    bravo = make_partner(name="Bravo")
    before = written()

    with pytest.raises(Conflict) as refused:
        lead_offer(lead=lead, partner=bravo, actor=ACTOR)

    assert refused.value.code == "invalid_transition"
    assert written() == before and states(lead) == ("offered", ["pending"])


def test_once_the_deadline_passed_staff_offer_it_to_another_and_the_first_offer_expires(partner):
    lead = make_lead()
    first = lead_offer(lead=lead, partner=partner, actor=ACTOR)
    bravo = make_partner(name="Bravo")

    second = lead_offer(lead=lead, partner=bravo, actor=ACTOR, now=first.deadline)

    assert states(lead) == ("offered", ["expired", "pending"])
    assert (second.partner_id, AuditRecord.objects.filter(action="lead_offer.expired").count()) == (bravo.pk, 1)


def test_a_conflicting_or_inactive_partner_is_refused_and_nothing_is_written(partner):
    lead = make_lead()
    deal_register(partner=partner, fields=other_company(1, domain="bompreco.com.br"), actor=ACTOR)
    suspended = make_partner(name="Prospect", status="prospect")
    before = written()

    with pytest.raises(Conflict) as excluded:
        lead_offer(lead=lead, partner=partner, actor=ACTOR)
    with pytest.raises(InvalidInput) as inactive:
        lead_offer(lead=lead, partner=suspended, actor=ACTOR)

    assert excluded.value.code == "partner_excluded"
    assert "already holds an active registration" in excluded.value.message
    assert inactive.value.code == "partner_inactive"
    assert written() == before and states(lead) == ("open", [])


# --- answering --------------------------------------------------------------------------------------------------


def test_accepting_registers_the_deal_for_the_partner(partner):
    lead = make_lead()
    offer = lead_offer(lead=lead, partner=partner, actor=ACTOR)

    accepted = lead_accept(offer=offer, actor=ACTOR)

    registration = DealRegistration.objects.get()
    assert (registration.partner_id, registration.status, registration.reason) == (partner.pk, "approved",
                                                                                   REASON_APPROVED)
    assert (registration.tax_id, registration.domain, registration.region) == (LEAD_CNPJ, "bompreco.com.br", "SP")
    assert accepted.offer.registration_id == registration.pk
    assert states(lead) == ("accepted", ["accepted"])
    audit = AuditRecord.objects.get(action="lead_offer.accepted")
    assert (audit.after["registration_status"], audit.before["status"]) == ("approved", "pending")


def test_a_company_taken_since_is_rejected_by_the_conflict_check_and_the_lead_goes_back_to_staff(partner):
    lead = make_lead()
    offer = lead_offer(lead=lead, partner=partner, actor=ACTOR)
    deal_register(partner=make_partner(name="Bravo"), fields=other_company(1, domain="bompreco.com.br"), actor=ACTOR)

    accepted = lead_accept(offer=offer, actor=ACTOR)

    assert (accepted.offer.registration.status, accepted.offer.registration.reason) == ("rejected", REASON_TAKEN)
    assert states(lead) == ("open", ["accepted"])


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_an_answer_after_the_deadline_is_refused_and_writes_nothing(partner, answer):
    lead = make_lead()
    offer = lead_offer(lead=lead, partner=partner, actor=ACTOR)
    before = written()

    with pytest.raises(Conflict) as refused:
        if answer == "accept":
            lead_accept(offer=offer, actor=ACTOR, now=offer.deadline)
        else:
            lead_decline(offer=offer, reason="no", actor=ACTOR, now=offer.deadline + timedelta(seconds=1))

    assert refused.value.code == "offer_expired"
    assert written() == before and states(lead) == ("offered", ["pending"])


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_an_answered_offer_cannot_be_answered_again(partner, answer):
    lead = make_lead()
    offer = lead_offer(lead=lead, partner=partner, actor=ACTOR)
    lead_decline(offer=offer, reason="Not our region", actor=ACTOR)
    before = written()

    with pytest.raises(Conflict) as refused:
        if answer == "accept":
            lead_accept(offer=offer, actor=ACTOR)
        else:
            lead_decline(offer=offer, reason="again", actor=ACTOR)

    assert refused.value.code == "invalid_transition"
    assert written() == before and states(lead) == ("open", ["declined"])


def test_declining_keeps_the_reason_and_sends_the_lead_back_to_staff(partner):
    lead = make_lead()
    offer = lead_offer(lead=lead, partner=partner, actor=ACTOR)

    declined = lead_decline(offer=offer, reason="  Not our region  ", actor=ACTOR)

    assert (declined.decline_reason, declined.responded_by_label) == ("Not our region", ACTOR.label)
    assert states(lead) == ("open", ["declined"])
    assert AuditRecord.objects.get(action="lead_offer.declined").reason == "Not our region"
    assert DealRegistration.objects.count() == 0


def test_a_decline_without_a_reason_is_refused_and_writes_nothing(partner):
    lead = make_lead()
    offer = lead_offer(lead=lead, partner=partner, actor=ACTOR)
    before = written()

    with pytest.raises(InvalidInput):
        lead_decline(offer=offer, reason="   ", actor=ACTOR)

    assert written() == before and states(lead) == ("offered", ["pending"])


def test_a_partner_terminated_since_cannot_accept_and_nothing_is_written(partner):
    lead = make_lead()
    offer = lead_offer(lead=lead, partner=partner, actor=ACTOR)
    type(partner).objects.filter(pk=partner.pk).update(status="terminated")
    before = written()

    with pytest.raises(InvalidInput) as refused:
        lead_accept(offer=offer, actor=ACTOR)

    assert refused.value.code == "partner_terminated"
    assert written() == before and states(lead) == ("offered", ["pending"])


# --- expiring ---------------------------------------------------------------------------------------------------


def test_expiry_sends_past_deadline_leads_back_to_staff_and_is_idempotent(partner):
    due, later = make_lead(), make_lead(external_id="later", company_name="Outra", tax_id="", domain="outra.com.br")
    offer = lead_offer(lead=due, partner=partner, actor=ACTOR)
    lead_offer(lead=later, partner=partner, actor=ACTOR, now=offer.offered_at + timedelta(hours=1))

    assert leads_expire(actor=ACTOR, now=offer.deadline - timedelta(seconds=1)) == 0
    assert leads_expire(actor=ACTOR, now=offer.deadline) == 1
    assert leads_expire(actor=ACTOR, now=offer.deadline) == 0

    assert states(due) == ("open", ["expired"]) and states(later) == ("offered", ["pending"])
    assert AuditRecord.objects.filter(action="lead_offer.expired").count() == 1


def test_the_command_expires_and_says_how_many(partner, capsys):
    offer = lead_offer(lead=make_lead(), partner=partner, actor=ACTOR,
                       now=timezone.now() - timedelta(hours=73))

    call_command("leads_expire")
    call_command("leads_expire")

    assert capsys.readouterr().out.splitlines() == ["1 lead offer(s) expired", "0 lead offer(s) expired"]
    offer.refresh_from_db()
    assert offer.status == "expired"
