"""Lock, then check, then write: a service that changes a partner, an agreement or a customer reads the row it
locked, never the copy its caller holds. Two updates in a row, the second from a copy read before the first,
leave the first's result in place (the second sees it), and a status move is judged on the status as it is."""

from __future__ import annotations

from datetime import date

import pytest

from parceria.agreements.models import Agreement
from parceria.agreements.services import AgreementChanges, agreement_move, agreement_update
from parceria.common.errors import InvalidInput
from parceria.common.models import AuditRecord
from parceria.customers.models import Customer
from parceria.customers.services import CustomerChanges, customer_update
from parceria.partners.models import Partner, PartnerTerms
from parceria.partners.services import PartnerChanges, partner_update
from tests.agreements.helpers import make_agreement
from tests.factories import ACTOR, make_customer, make_partner

pytestmark = pytest.mark.django_db


def test_a_partner_update_from_a_stale_copy_keeps_the_first_update():
    partner = make_partner(tier="preferred")
    stale = Partner.objects.get(pk=partner.pk)
    partner_update(partner=partner, changes=PartnerChanges(status="suspended", tier="strategic"), actor=ACTOR)

    second = partner_update(partner=stale, changes=PartnerChanges(name="Renamed Co"), actor=ACTOR)

    assert (second.name, second.status, second.tier) == ("Renamed Co", "suspended", "strategic")
    row = Partner.objects.get(pk=partner.pk)
    assert (row.name, row.status, row.tier) == ("Renamed Co", "suspended", "strategic")
    versions = list(PartnerTerms.objects.filter(partner=partner).order_by("id").values_list("tier", flat=True))
    assert versions == ["preferred", "strategic"]  # the rename started no terms version and undid none


def test_a_partner_status_move_is_judged_on_the_status_it_has_now():
    partner = make_partner()  # active
    stale = Partner.objects.get(pk=partner.pk)
    partner_update(partner=partner, changes=PartnerChanges(status="terminated"), actor=ACTOR)
    audits = AuditRecord.objects.count()

    with pytest.raises(InvalidInput, match="cannot move from terminated to suspended") as caught:
        partner_update(partner=stale, changes=PartnerChanges(status="suspended"), actor=ACTOR)

    assert caught.value.code == "invalid_transition"
    assert Partner.objects.get(pk=partner.pk).status == "terminated"
    assert AuditRecord.objects.count() == audits


def test_an_agreement_move_from_a_stale_copy_sees_the_first_move():
    agreement = make_agreement(make_partner(), start_date=date(2025, 1, 1))  # active
    stale = Agreement.objects.get(pk=agreement.pk)
    agreement_move(agreement=agreement, status="terminated", on=date(2025, 6, 1), actor=ACTOR)
    audits = AuditRecord.objects.count()

    with pytest.raises(InvalidInput, match="cannot move from terminated to terminated") as caught:
        agreement_move(agreement=stale, status="terminated", on=date(2025, 9, 1), actor=ACTOR)

    assert caught.value.code == "invalid_transition"
    row = Agreement.objects.get(pk=agreement.pk)
    assert (row.status, row.terminated_on) == ("terminated", date(2025, 6, 1))  # the first day stands
    assert AuditRecord.objects.count() == audits


def test_an_agreement_update_from_a_stale_copy_keeps_the_first_update():
    agreement = make_agreement(make_partner(), start_date=date(2025, 1, 1))
    stale = Agreement.objects.get(pk=agreement.pk)
    agreement_update(agreement=agreement, changes=AgreementChanges(notice_days=30), actor=ACTOR)

    second = agreement_update(agreement=stale, changes=AgreementChanges(title="Renewed terms"), actor=ACTOR)

    assert (second.title, second.notice_days) == ("Renewed terms", 30)
    assert Agreement.objects.get(pk=agreement.pk).notice_days == 30


def test_a_customer_update_from_a_stale_copy_keeps_the_first_update():
    customer = make_customer(make_partner(), name="Padaria")
    stale = Customer.objects.get(pk=customer.pk)
    customer_update(customer=customer, changes=CustomerChanges(vertical="retail"), actor=ACTOR)

    second = customer_update(customer=stale, changes=CustomerChanges(name="Padaria Central"), actor=ACTOR)

    assert (second.name, second.vertical) == ("Padaria Central", "retail")
    assert Customer.objects.get(pk=customer.pk).vertical == "retail"
