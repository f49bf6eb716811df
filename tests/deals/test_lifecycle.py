"""The life of a deal registration after it is decided: the daily expiry job and its one warning e-mail, the one
extension a partner may ask for and staff decide, and the automatic conversion when the company arrives as a
customer (matched, or named by the platform)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from stdnum.br import cpf

from parceria.accounts.services import user_create
from parceria.common.errors import Conflict
from parceria.common.models import AuditRecord
from parceria.customers.models import AttributionClaim, ClaimSource, Customer
from parceria.deals.models import DealRegistration, DealStatus, ExtensionStatus
from parceria.deals.services import deal_extension_decide, deal_extension_request, deal_register
from parceria.partners.models import Partner, PartnerStatus
from tests.conftest import ApiClient
from tests.deals.test_services import CNPJ_BRANCH, CNPJ_HQ, OTHER_CNPJ, fields
from tests.factories import ACTOR, make_customer, make_key, make_partner

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def stored() -> dict[str, Any]:
    """Everything the lifecycle writes."""
    return {
        "registrations": list(DealRegistration.objects.order_by("id").values()),
        "customers": list(Customer.objects.order_by("id").values()),
        "claims": list(AttributionClaim.objects.order_by("id").values()),
        "audit": list(AuditRecord.objects.order_by("id").values_list("id", flat=True)),
    }


def expire(**options: Any) -> str:
    out = StringIO()
    call_command("deals_expire", stdout=out, **options)
    return out.getvalue()


def registered(partner: Partner, *, expires_in: int, **overrides: Any) -> DealRegistration:
    reg = deal_register(partner=partner, fields=fields(**overrides), actor=ACTOR)
    DealRegistration.objects.filter(pk=reg.pk).update(expires_on=TODAY + timedelta(days=expires_in))
    reg.refresh_from_db()
    return reg


@pytest.fixture
def alfa():
    return make_partner(name="Alfa Integradora")


@pytest.fixture
def bravo():
    return make_partner(name="Bravo Consultoria")


# --- expiry -----------------------------------------------------------------------------------------------------


def test_the_command_expires_approved_and_in_review_registrations_whose_day_has_come_once(alfa, bravo):
    past = registered(alfa, expires_in=5)
    due_today = registered(bravo, expires_in=0, tax_id=OTHER_CNPJ, domain="outra.com.br", company_name="Outra")
    review = registered(make_partner(name="Charlie"), expires_in=0, tax_id="", domain="padaria-sj.com.br",
                        company_name="Padaria Sao Joao SA")
    ahead = registered(make_partner(name="Delta"), expires_in=1, tax_id="", domain="delta.com.br",
                       company_name="Delta Comércio")
    DealRegistration.objects.filter(pk=past.pk).update(expires_on=TODAY - timedelta(days=1))
    assert review.status == DealStatus.IN_REVIEW

    first = expire()

    statuses = dict(DealRegistration.objects.values_list("id", "status"))
    assert statuses == {past.pk: "expired", due_today.pk: "expired", review.pk: "expired", ahead.pk: "approved"}
    audits = AuditRecord.objects.filter(action="deal_registration.expired").order_by("id")
    assert [(a.object_id, a.before["status"], a.after["status"]) for a in audits] == [
        (str(past.pk), "approved", "expired"), (str(due_today.pk), "approved", "expired"),
        (str(review.pk), "in_review", "expired")]
    assert first.splitlines()[-1] == f"{TODAY.isoformat()}: 3 deal registration(s) expired, 1 expiry warning(s) sent"
    before = stored()

    second = expire()

    assert stored() == before
    assert second.splitlines() == [f"{TODAY.isoformat()}: 0 deal registration(s) expired, 0 expiry warning(s) sent"]


def test_rejected_and_converted_registrations_do_not_expire(alfa, bravo):
    registered(alfa, expires_in=5)
    rejected = registered(bravo, expires_in=-3)
    assert rejected.status == DealStatus.REJECTED
    DealRegistration.objects.filter(pk=rejected.pk).update(expires_on=TODAY - timedelta(days=3))

    expire(today=(TODAY + timedelta(days=10)).isoformat(), dry_run=True)

    assert DealRegistration.objects.get(pk=rejected.pk).status == DealStatus.REJECTED


def test_a_dry_run_writes_nothing_and_sends_nothing(alfa):
    user_create(username="ana", password=None, role="partner_admin", partner=alfa, email="ana@alfa.example",
                actor=ACTOR)
    registered(alfa, expires_in=-1)
    registered(alfa, expires_in=3, tax_id=OTHER_CNPJ, domain="outra.com.br", company_name="Outra")
    before = stored()

    out = expire(dry_run=True)

    assert stored() == before and mail.outbox == []
    assert out.splitlines()[-1] == (f"{TODAY.isoformat()}: 1 deal registration(s) expired, 1 expiry warning(s) sent "
                                    "(dry run: nothing written)")


def test_a_bad_day_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--today must be a date"):
        expire(today="amanhã")


# --- the warning ----------------------------------------------------------------------------------------------------


def test_the_partner_admins_are_warned_once_in_their_language(alfa, django_capture_on_commit_callbacks):
    admin = user_create(username="ana", password=None, role="partner_admin", partner=alfa, email="ana@alfa.example",
                        actor=ACTOR)
    admin.language = "pt-br"
    admin.save(update_fields=["language"])
    user_create(username="bia", password=None, role="partner_member", partner=alfa, email="bia@alfa.example",
                actor=ACTOR)
    soon = registered(alfa, expires_in=14)
    later = registered(alfa, expires_in=15, tax_id=OTHER_CNPJ, domain="outra.com.br", company_name="Outra")

    with django_capture_on_commit_callbacks(execute=True):
        out = expire()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    day = soon.expires_on.strftime("%d/%m/%Y")
    assert message.to == ["ana@alfa.example"]
    assert message.subject == f"Parceria: o registro de oportunidade de Padaria São João Ltda. expira em {day}"
    assert message.body.splitlines()[0] == (
        f"O registro de oportunidade de Padaria São João Ltda. por Alfa Integradora expira em {day}, em 14 dias.")
    assert f"(Oportunidades, registro nº {soon.pk})" in message.body
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.expiry_warned_at is not None and later.expiry_warned_at is None
    audit = AuditRecord.objects.get(action="deal_registration.expiry_warned")
    assert (audit.object_id, audit.after["expires_on"]) == (str(soon.pk), soon.expires_on.isoformat())
    assert out.splitlines()[0] == f"warned   #{soon.pk} Padaria São João Ltda. — expires on {soon.expires_on}"
    before = stored()

    with django_capture_on_commit_callbacks(execute=True):
        expire()
        expire(today=(TODAY + timedelta(days=1)).isoformat())

    assert len(mail.outbox) == 2  # only the later one, the next day; the first is never warned again
    assert [m.subject.endswith(later.expires_on.strftime("%d/%m/%Y")) for m in mail.outbox] == [False, True]
    assert stored()["registrations"][0] == before["registrations"][0]


def test_the_warning_days_are_a_setting(alfa, settings):
    settings.PARCERIA = {**settings.PARCERIA, "DEAL_EXPIRY_WARNING_DAYS": 3}
    far = registered(alfa, expires_in=4)

    expire()
    assert DealRegistration.objects.get(pk=far.pk).expiry_warned_at is None
    expire(today=(TODAY + timedelta(days=1)).isoformat())
    assert DealRegistration.objects.get(pk=far.pk).expiry_warned_at is not None


# --- the extension --------------------------------------------------------------------------------------------------


def test_a_partner_asks_once_and_staff_approve_moving_the_expiry_30_days(alfa):
    reg = registered(alfa, expires_in=10)

    asked = deal_extension_request(registration=reg, reason="Aguardando a diretoria", actor=ACTOR)

    assert (asked.extension_status, asked.extension_reason, asked.expires_on) == (
        ExtensionStatus.REQUESTED, "Aguardando a diretoria", TODAY + timedelta(days=10))
    assert asked.extension_requested_at is not None
    before = stored()
    with pytest.raises(Conflict) as again:
        deal_extension_request(registration=reg, reason="De novo", actor=ACTOR)
    assert (again.value.status, again.value.code) == (409, "extension_already_requested")
    assert stored() == before

    decided = deal_extension_decide(registration=reg, approve=True, reason="", actor=ACTOR)

    assert (decided.extension_status, decided.expires_on) == (ExtensionStatus.APPROVED, TODAY + timedelta(days=40))
    audits = AuditRecord.objects.filter(action__startswith="deal_registration.extension").order_by("id")
    assert [(a.action, a.before["extension_status"], a.after["extension_status"], a.after["expires_on"])
            for a in audits] == [
        ("deal_registration.extension_requested", "", "requested", (TODAY + timedelta(days=10)).isoformat()),
        ("deal_registration.extension_decided", "requested", "approved", (TODAY + timedelta(days=40)).isoformat())]
    before = stored()
    with pytest.raises(Conflict) as after_approval:
        deal_extension_request(registration=reg, reason="Mais uma vez", actor=ACTOR)
    with pytest.raises(Conflict) as decided_again:
        deal_extension_decide(registration=reg, approve=True, reason="", actor=ACTOR)
    assert after_approval.value.code == "extension_already_requested"
    assert decided_again.value.code == "invalid_transition"
    assert stored() == before


def test_a_refusal_keeps_the_expiry_and_the_extension_days_are_a_setting(alfa, settings):
    settings.PARCERIA = {**settings.PARCERIA, "DEAL_EXTENSION_DAYS": 15}
    reg = registered(alfa, expires_in=10)
    other = registered(alfa, expires_in=10, tax_id=OTHER_CNPJ, domain="outra.com.br", company_name="Outra")
    for r in (reg, other):
        deal_extension_request(registration=r, reason="Mais tempo", actor=ACTOR)

    refused = deal_extension_decide(registration=reg, approve=False, reason="Prazo suficiente", actor=ACTOR)
    approved = deal_extension_decide(registration=other, approve=True, reason="", actor=ACTOR)

    assert (refused.extension_status, refused.expires_on, refused.extension_decision_reason) == (
        ExtensionStatus.REFUSED, TODAY + timedelta(days=10), "Prazo suficiente")
    assert approved.expires_on == TODAY + timedelta(days=25)


@pytest.mark.parametrize(("state", "code"), [
    ("expired_by_date", "registration_expired"), ("expired", "registration_expired"),
    ("in_review", "invalid_transition"), ("rejected", "invalid_transition"), ("converted", "invalid_transition"),
])
def test_only_an_approved_unexpired_registration_may_be_extended(alfa, state, code):
    reg = registered(alfa, expires_in=10)
    change = {"expired_by_date": {"expires_on": TODAY}}.get(state, {"status": state})
    DealRegistration.objects.filter(pk=reg.pk).update(**change)
    before = stored()

    with pytest.raises(Conflict) as refused:
        deal_extension_request(registration=reg, reason="Mais tempo", actor=ACTOR)

    assert (refused.value.status, refused.value.code) == (409, code)
    assert stored() == before


def test_an_extension_of_a_registration_that_expired_meanwhile_is_not_approved_but_may_be_refused(alfa):
    reg = registered(alfa, expires_in=1)
    deal_extension_request(registration=reg, reason="Mais tempo", actor=ACTOR)
    expire(today=(TODAY + timedelta(days=1)).isoformat())
    before = stored()

    with pytest.raises(Conflict) as late:
        deal_extension_decide(registration=reg, approve=True, reason="", actor=ACTOR)
    assert late.value.code == "registration_expired" and stored() == before
    refused = deal_extension_decide(registration=reg, approve=False, reason="Venceu", actor=ACTOR)
    assert (refused.status, refused.extension_status) == (DealStatus.EXPIRED, ExtensionStatus.REFUSED)


def test_the_extension_api(alfa, bravo):
    reg = registered(alfa, expires_in=10)
    partner = ApiClient(make_key("partner", alfa))

    empty = partner.post(f"/deal-registrations/{reg.pk}/extension", {"reason": " "})
    other = ApiClient(make_key("partner", bravo)).post(f"/deal-registrations/{reg.pk}/extension", {"reason": "x"})
    staff_asks = ApiClient(make_key("admin")).post(f"/deal-registrations/{reg.pk}/extension", {"reason": "x"})
    partner_decides = partner.post(f"/deal-registrations/{reg.pk}/extension/decide", {"approve": True})
    assert [r.status_code for r in (empty, other, staff_asks, partner_decides)] == [422, 404, 403, 403]
    assert DealRegistration.objects.get().extension_status == ""

    asked = partner.post(f"/deal-registrations/{reg.pk}/extension", {"reason": "Aguardando a diretoria"})
    before = stored()
    again = partner.post(f"/deal-registrations/{reg.pk}/extension", {"reason": "De novo"})

    assert asked.status_code == 200
    assert (asked.json()["extension_status"], asked.json()["extension_reason"]) == ("requested",
                                                                                    "Aguardando a diretoria")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "extension_already_requested")
    assert stored() == before

    decided = ApiClient(make_key("admin")).post(f"/deal-registrations/{reg.pk}/extension/decide",
                                                {"approve": True, "reason": "Ok"})

    assert decided.status_code == 200
    assert (decided.json()["extension_status"], decided.json()["expires_on"],
            decided.json()["extension_decision_reason"]) == (
        "approved", (TODAY + timedelta(days=40)).isoformat(), "Ok")


# --- automatic conversion -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("customer", "match"), [
    ({"tax_id": CNPJ_HQ}, "tax_id"),
    ({"tax_id": CNPJ_BRANCH}, "cnpj_root"),
    ({"domain": "https://www.padariasj.com.br/"}, "domain"),
])
def test_a_customer_of_the_same_company_converts_the_approved_registration(alfa, customer, match):
    reg = registered(alfa, expires_in=30)

    created = make_customer(name="Padaria SJ", external_id="plat-1", **customer)

    reg.refresh_from_db()
    created.refresh_from_db()
    assert (reg.status, reg.customer_id) == (DealStatus.CONVERTED, created.pk)
    assert created.partner_id == alfa.pk
    assert list(AttributionClaim.objects.values_list("customer_id", "partner_id", "source", "won")) == [
        (created.pk, alfa.pk, ClaimSource.DEAL, True)]
    assert AuditRecord.objects.filter(action="deal_registration.converted", object_id=str(reg.pk)).count() == 1


def test_another_company_or_a_registration_not_approved_or_expired_converts_nothing(alfa, bravo):
    expired = registered(alfa, expires_in=30)
    review = registered(bravo, expires_in=30, tax_id="", domain="padaria-sj.com.br",
                        company_name="Padaria Sao Joao SA")
    assert review.status == DealStatus.IN_REVIEW
    DealRegistration.objects.filter(pk=expired.pk).update(expires_on=TODAY)
    before = stored()["registrations"]

    make_customer(external_id="plat-1", tax_id=CNPJ_HQ)
    make_customer(external_id="plat-2", domain="padaria-sj.com.br")
    make_customer(external_id="plat-3", tax_id=OTHER_CNPJ, domain="outra.com.br")

    assert stored()["registrations"] == before
    assert AttributionClaim.objects.count() == 0
    assert set(Customer.objects.values_list("partner_id", flat=True)) == {None}
    assert expired.status == DealStatus.APPROVED


def test_with_two_candidates_the_first_valid_registration_wins(alfa, bravo):
    by_tax_id = registered(alfa, expires_in=30, domain="")
    by_domain = registered(bravo, expires_in=30, tax_id=OTHER_CNPJ, company_name="Padaria do Centro")
    assert (by_tax_id.status, by_domain.status) == (DealStatus.APPROVED, DealStatus.APPROVED)

    customer = make_customer(external_id="plat-1", tax_id=CNPJ_HQ, domain="padariasj.com.br")

    customer.refresh_from_db()
    by_tax_id.refresh_from_db()
    by_domain.refresh_from_db()
    assert customer.partner_id == alfa.pk
    assert (by_tax_id.status, by_tax_id.customer_id) == (DealStatus.CONVERTED, customer.pk)
    assert (by_domain.status, by_domain.customer_id) == (DealStatus.APPROVED, None)


def test_a_first_registration_of_a_terminated_partner_is_skipped_for_the_next(alfa, bravo):
    by_tax_id = registered(alfa, expires_in=30, domain="")
    by_domain = registered(bravo, expires_in=30, tax_id=OTHER_CNPJ, company_name="Padaria do Centro")
    Partner.objects.filter(pk=alfa.pk).update(status=PartnerStatus.TERMINATED)

    customer = make_customer(external_id="plat-1", tax_id=CNPJ_HQ, domain="padariasj.com.br")

    customer.refresh_from_db()
    assert customer.partner_id == bravo.pk
    assert dict(DealRegistration.objects.values_list("id", "status")) == {by_tax_id.pk: "approved",
                                                                          by_domain.pk: "converted"}


def test_a_conversion_by_staff_creates_its_customer_without_converting_twice(alfa):
    from parceria.deals.services import deal_convert

    reg = registered(alfa, expires_in=30)

    result = deal_convert(registration=reg, actor=ACTOR)

    assert AuditRecord.objects.filter(action="deal_registration.converted").count() == 1
    assert list(AttributionClaim.objects.values_list("partner_id", "source", "won")) == [
        (alfa.pk, ClaimSource.DEAL, True)]
    assert result.customer.partner_id == alfa.pk


# --- the platform names the registration ---------------------------------------------------------------------------

CUSTOMER = {"external_id": "plat-1", "name": "Padaria São João", "country": "BR", "tax_id": OTHER_CNPJ}


def test_the_platform_names_the_registration_and_it_converts_with_the_customer(alfa):
    reg = registered(alfa, expires_in=30)

    response = ApiClient(make_key("platform")).post("/customers", {**CUSTOMER, "deal_registration_id": reg.pk})

    assert response.status_code == 201, response.json()
    customer = Customer.objects.get()
    reg.refresh_from_db()
    assert (response.json()["id"], response.json()["partner_id"]) == (customer.pk, alfa.pk)
    assert (reg.status, reg.customer_id) == (DealStatus.CONVERTED, customer.pk)
    retry = ApiClient(make_key("platform")).post("/customers", {**CUSTOMER, "deal_registration_id": reg.pk})
    assert (retry.status_code, retry.json()["id"], Customer.objects.count()) == (200, customer.pk, 1)
    assert AttributionClaim.objects.count() == 1


def test_a_named_registration_must_be_of_the_customers_partner(alfa, bravo):
    reg = registered(alfa, expires_in=30)

    mine = ApiClient(make_key("platform")).post("/customers", {**CUSTOMER, "partner_id": alfa.pk,
                                                               "deal_registration_id": reg.pk})

    assert mine.status_code == 201
    reg.refresh_from_db()
    assert (reg.status, Customer.objects.get().partner_id) == (DealStatus.CONVERTED, alfa.pk)


@pytest.mark.parametrize(("case", "status", "code"), [
    ("unknown", 422, "unknown_deal_registration"),
    ("other_partner", 422, "deal_registration_partner_mismatch"),
    ("expired", 409, "registration_expired"),
    ("in_review", 409, "invalid_transition"),
    ("rejected", 409, "invalid_transition"),
])
def test_a_wrong_registration_creates_no_customer(alfa, bravo, case, status, code):
    reg = registered(alfa, expires_in=30)
    body: dict[str, Any] = {**CUSTOMER, "deal_registration_id": reg.pk}
    if case == "unknown":
        body["deal_registration_id"] = reg.pk + 100
    elif case == "other_partner":
        body["partner_id"] = bravo.pk
    elif case == "expired":
        DealRegistration.objects.filter(pk=reg.pk).update(expires_on=TODAY)
    else:
        DealRegistration.objects.filter(pk=reg.pk).update(status=case)
    platform = ApiClient(make_key("platform"))
    before = stored()

    response = platform.post("/customers", {**body, "referral_code": "NADA"})

    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert stored() == before


def test_a_cpf_that_starts_like_a_cnpj_root_converts_nothing(alfa):
    reg = registered(alfa, expires_in=30, domain="")
    person = reg.cnpj_root + "0" + cpf._calc_check_digits(reg.cnpj_root + "0")
    assert cpf.is_valid(person)

    make_customer(external_id="plat-1", tax_id=person)

    reg.refresh_from_db()
    assert (reg.status, AttributionClaim.objects.count()) == (DealStatus.APPROVED, 0)
