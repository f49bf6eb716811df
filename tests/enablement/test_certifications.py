"""Certificates are issued exactly when every requirement is met (course complete, product demo confirmed,
pilot customer closed) and not before; they expire at `expires_at` (exclusive) and renew."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parceria.common.errors import Conflict, InvalidInput
from parceria.common.models import AuditRecord
from parceria.enablement import selectors, services
from parceria.enablement.models import DemoConfirmation, Enrolment, Module, PartnerCertification
from parceria.enablement.services import add_months_at
from tests.enablement.conftest import close_pilot, complete_course, partner_user
from tests.factories import ACTOR, at, make_partner, staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return staff_client("pm@staff", "partner_manager").user  # type: ignore[attr-defined]


def held(partner, now):
    return selectors.certifications_held([partner.pk], now)[partner.pk]


def test_issued_at_the_demo_confirmation_when_course_and_pilot_came_first(partner, member, staff):
    close_pilot(partner)
    modules = list(Module.objects.filter(course__code="technical-integration").select_related("course"))
    for module in modules[:-1]:
        services.module_complete(user=member, module=module, actor=ACTOR, now=at("2026-03-01 10:00"))
    assert not PartnerCertification.objects.exists()  # three of four modules
    services.module_complete(user=member, module=modules[-1], actor=ACTOR, now=at("2026-03-02 10:00"))
    enrolment = Enrolment.objects.get(user=member)
    assert enrolment.completed_at == at("2026-03-02 10:00")
    assert not PartnerCertification.objects.exists()  # the demo is missing
    services.demo_confirm(partner=partner, confirmed_by=staff, actor=ACTOR, now=at("2026-03-05 15:30"))
    cert = PartnerCertification.objects.get()
    assert cert.certification.code == "technical-integration"
    assert (cert.issued_at, cert.expires_at) == (at("2026-03-05 15:30"), at("2027-03-05 15:30"))
    assert cert.basis == "requirements" and cert.earned_by == member and cert.renews is None
    assert AuditRecord.objects.filter(action="enablement.certification_issued", object_id=str(cert.pk)).count() == 1
    # the product certification asks for its own course: not issued
    assert held(partner, at("2026-03-06 00:00")) == {"technical-integration"}


def test_issued_at_the_last_module_when_demo_and_pilot_came_first(partner, member, staff):
    close_pilot(partner)
    services.demo_confirm(partner=partner, confirmed_by=staff, actor=ACTOR, now=at("2026-03-01 09:00"))
    assert not PartnerCertification.objects.exists()
    complete_course(member, "product-deep-dive", at("2026-03-03 11:00"))
    cert = PartnerCertification.objects.get()
    assert cert.certification.code == "product" and cert.issued_at == at("2026-03-03 11:00")


def test_no_pilot_customer_no_certificate_until_one_is_closed(partner, member, staff, monkeypatch):
    services.demo_confirm(partner=partner, confirmed_by=staff, actor=ACTOR, now=at("2026-03-01 09:00"))
    complete_course(member, "technical-integration", at("2026-03-02 09:00"))
    assert not PartnerCertification.objects.exists()
    other = make_partner()
    close_pilot(other)  # another partner's customer does not count
    assert services.certifications_issue_due(partner=partner, actor=ACTOR, now=at("2026-03-03 09:00")) == []
    assert not PartnerCertification.objects.exists()
    monkeypatch.setattr(timezone, "now", lambda: at("2026-03-04 09:05"))
    close_pilot(partner, when="2026-03-04T09:00:00-03:00")  # the intake issues it with the batch
    cert = PartnerCertification.objects.get()
    assert (cert.certification.code, cert.issued_at) == ("technical-integration", at("2026-03-04 09:05"))
    # running it again issues nothing more
    assert services.certifications_issue_due(partner=partner, actor=ACTOR, now=at("2026-03-04 10:00")) == []


def test_another_partners_course_does_not_count(partner, staff):
    other = make_partner()
    complete_course(partner_user(other, "bob@other"), "technical-integration", at("2026-03-01 09:00"))
    close_pilot(partner)
    services.demo_confirm(partner=partner, confirmed_by=staff, actor=ACTOR, now=at("2026-03-02 09:00"))
    assert not PartnerCertification.objects.filter(partner=partner).exists()


@pytest.fixture
def certified(partner, member, staff):
    close_pilot(partner, when="2026-01-05T10:00:00-03:00")
    services.demo_confirm(partner=partner, confirmed_by=staff, actor=ACTOR, now=at("2026-01-10 09:00"))
    complete_course(member, "technical-integration", at("2026-01-31 10:00"))
    return PartnerCertification.objects.get()


def test_expiry_at_the_boundary(partner, certified):
    assert certified.expires_at == at("2027-01-31 10:00")
    assert held(partner, at("2026-01-31 10:00")) == {"technical-integration"}
    assert held(partner, at("2026-01-31 09:59:59.999999")) == set()
    assert held(partner, at("2027-01-31 09:59:59.999999")) == {"technical-integration"}
    assert held(partner, at("2027-01-31 10:00")) == set()


def test_twelve_months_from_a_leap_day_end_on_the_last_day_of_february():
    assert add_months_at(at("2028-02-29 12:00"), 12) == at("2029-02-28 12:00")
    assert add_months_at(at("2026-01-31 12:00"), 1) == at("2026-02-28 12:00")


def test_renewal_course_counts_only_in_the_renewal_window_and_extends_from_the_expiry(partner, member, certified):
    complete_course(member, "recertification", at("2026-11-01 10:00"))  # 91 days before expiry: too early
    assert PartnerCertification.objects.count() == 1
    window_opens = certified.expires_at - timedelta(days=60)  # 2026-12-02 10:00
    services.enrolment_restart(user=member, course_id=Module.objects.get(course__code="recertification").course_id,
                               actor=ACTOR, now=window_opens)
    complete_course(member, "recertification", window_opens)
    renewal = PartnerCertification.objects.latest("issued_at")
    assert renewal.basis == "renewal" and renewal.renews == certified
    assert (renewal.issued_at, renewal.expires_at) == (window_opens, at("2028-01-31 10:00"))
    assert held(partner, at("2027-06-01 00:00")) == {"technical-integration"}


def test_after_expiry_meeting_the_requirements_again_reissues_from_that_day(partner, member, certified):
    colleague = partner_user(partner, "carla@alfa")
    assert held(partner, at("2027-03-01 00:00")) == set()
    complete_course(colleague, "technical-integration", at("2027-03-01 14:00"))
    renewal = PartnerCertification.objects.latest("issued_at")
    assert renewal.renews == certified and renewal.earned_by == colleague
    assert (renewal.issued_at, renewal.expires_at) == (at("2027-03-01 14:00"), at("2028-03-01 14:00"))


def test_completing_a_done_module_again_changes_nothing(partner, member):
    module = Module.objects.filter(course__code="sales-playbooks").first()
    services.module_complete(user=member, module=module, actor=ACTOR, now=at("2026-03-01 10:00"))
    services.module_complete(user=member, module=module, actor=ACTOR, now=at("2026-03-02 10:00"))
    enrolment = Enrolment.objects.get()
    assert [c.completed_at for c in enrolment.completions.all()] == [at("2026-03-01 10:00")]


def test_staff_do_not_take_courses_and_nothing_is_written(staff, course_codes):
    module = Module.objects.first()
    with pytest.raises(InvalidInput):
        services.module_complete(user=staff, module=module, actor=ACTOR)
    assert not Enrolment.objects.exists()


def test_a_demo_is_confirmed_once(partner, staff):
    services.demo_confirm(partner=partner, confirmed_by=staff, actor=ACTOR, now=at("2026-03-01 10:00"), note="ok")
    with pytest.raises(Conflict):
        services.demo_confirm(partner=partner, confirmed_by=staff, actor=ACTOR, note="again")
    assert DemoConfirmation.objects.get().note == "ok"


def test_training_complete_needs_every_core_course(partner, member):
    other = make_partner()
    complete_course(member, "technical-integration", at("2026-03-01 10:00"))
    complete_course(partner_user(partner, "dani@alfa"), "product-deep-dive", at("2026-03-02 10:00"))
    assert selectors.training_complete([partner.pk, other.pk]) == {partner.pk: False, other.pk: False}
    complete_course(member, "sales-playbooks", at("2026-03-03 10:00"))
    assert selectors.training_complete([partner.pk, other.pk]) == {partner.pk: True, other.pk: False}
    assert selectors.training_complete([partner.pk], at("2026-03-03 09:59"))[partner.pk] is False
