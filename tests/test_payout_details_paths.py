"""A PIX key changed by staff through the partners API or the Django admin goes through the same payout-details
service as the portal: the 48-hour hold, the audit record and the notice to the partner's admins."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core import mail

from parceria.accounts.services import user_create
from parceria.common.models import AuditRecord
from parceria.partners.models import Partner, PartnerTerms
from parceria.payouts.close import period_close
from parceria.payouts.models import Payout
from tests.factories import ACTOR, credit, make_partner, staff_client

MARCH = date(2026, 3, 1)


def funded_partner_with_admin() -> Partner:
    partner = make_partner(pix_key_type="email", pix_key="antiga@example.com")
    user_create(username="admin@parceira.example", email="admin@parceira.example", password="x" * 20,
                role="partner_admin", partner=partner, actor=ACTOR)
    credit(partner, "500.00")
    return partner


def test_registering_a_partner_with_its_first_key_starts_no_hold(db):
    partner = make_partner(pix_key_type="email", pix_key="primeira@example.com")
    assert partner.payout_details_changed_at is None
    assert not AuditRecord.objects.filter(action="partner.payout_details_changed").exists()


@pytest.mark.parametrize(("hours_after_change", "paid"), [(47, False), (49, True)])
def test_a_key_changed_through_the_api_holds_the_next_close_for_48_hours(
    admin_api, django_capture_on_commit_callbacks, hours_after_change, paid
):
    partner = funded_partner_with_admin()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.patch(f"/partners/{partner.pk}", {"pix_key_type": "phone", "pix_key": "11987654321"})
    assert response.status_code == 200, response.content
    assert (response.json()["pix_key_type"], response.json()["pix_key"]) == ("phone", "+5511987654321")
    partner.refresh_from_db()
    assert partner.payout_details_changed_at is not None
    record = AuditRecord.objects.get(action="partner.payout_details_changed")
    assert record.before == {"pix_key_type": "email", "pix_key": "antiga@example.com"}
    assert record.after["pix_key"] == "+5511987654321"
    (message,) = mail.outbox
    assert message.to == ["admin@parceira.example"]
    assert message.subject == f"Parceria: payout details of {partner.name} changed"
    assert "New key (phone): " + "•" * 10 + "4321" in message.body

    plan = period_close(month=MARCH, actor=ACTOR,
                        now=partner.payout_details_changed_at + timedelta(hours=hours_after_change))
    if paid:
        assert [(p.partner_id, p.gross) for p in plan.payouts] == [(partner.pk, D("500.00"))]
        assert Payout.objects.get(partner=partner).pix_key == "+5511987654321"
    else:
        assert plan.payouts == []
        assert [(c.partner_id, c.balance, c.reason) for c in plan.carried] == [
            (partner.pk, D("500.0000"), "details_changed")]


def test_a_patch_that_leaves_the_key_alone_starts_no_hold(admin_api, django_capture_on_commit_callbacks):
    partner = funded_partner_with_admin()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.patch(f"/partners/{partner.pk}", {"name": "Novo Nome", "pix_key": "ANTIGA@example.com"})
    assert response.status_code == 200, response.content
    partner.refresh_from_db()
    assert (partner.name, partner.pix_key, partner.payout_details_changed_at) == (
        "Novo Nome", "antiga@example.com", None)
    assert mail.outbox == []


def test_an_invalid_key_through_the_api_changes_nothing(admin_api, django_capture_on_commit_callbacks):
    partner = funded_partner_with_admin()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.patch(f"/partners/{partner.pk}", {"pix_key_type": "cpf", "pix_key": "123"})
    assert response.status_code == 422
    partner.refresh_from_db()
    assert (partner.pix_key, partner.payout_details_changed_at) == ("antiga@example.com", None)
    assert mail.outbox == [] and not AuditRecord.objects.filter(action="partner.payout_details_changed").exists()


def _admin_form(partner: Partner, **changes: str) -> dict[str, str]:
    data = {
        "name": partner.name, "legal_name": partner.legal_name, "country": partner.country,
        "currency": partner.currency, "tax_regime": partner.tax_regime, "category": partner.category,
        "subcategory": partner.subcategory, "verticals": "[]", "territories": "[]",
        "pix_key_type": partner.pix_key_type, "pix_key": partner.pix_key, "manager": "",
    }
    terms = list(PartnerTerms.objects.filter(partner=partner).order_by("id").values_list("pk", flat=True))
    data |= {"terms_versions-TOTAL_FORMS": str(len(terms)), "terms_versions-INITIAL_FORMS": str(len(terms)),
             "terms_versions-MIN_NUM_FORMS": "0", "terms_versions-MAX_NUM_FORMS": "1000"}
    for i, pk in enumerate(terms):
        data |= {f"terms_versions-{i}-id": str(pk), f"terms_versions-{i}-partner": str(partner.pk)}
    return {**data, **changes}


def test_a_key_changed_in_the_django_admin_starts_the_hold_and_notifies(db, django_capture_on_commit_callbacks):
    partner = funded_partner_with_admin()
    client = staff_client("root", "admin")
    url = f"/admin/partners/partner/{partner.pk}/change/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _admin_form(partner, pix_key_type="evp",
                                                pix_key="123E4567-E89B-12D3-A456-426614174000"))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.pix_key_type, partner.pix_key) == ("evp", "123e4567-e89b-12d3-a456-426614174000")
    record = AuditRecord.objects.get(action="partner.payout_details_changed")
    assert record.actor_label == "user:root"
    assert [m.to for m in mail.outbox] == [["admin@parceira.example"]]
    plan = period_close(month=MARCH, actor=ACTOR, now=partner.payout_details_changed_at + timedelta(hours=1))
    assert [(c.partner_id, c.reason) for c in plan.carried] == [(partner.pk, "details_changed")]


def test_an_invalid_key_in_the_django_admin_is_refused_beside_the_field(db, django_capture_on_commit_callbacks):
    partner = funded_partner_with_admin()
    client = staff_client("root", "admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/partners/partner/{partner.pk}/change/",
                               _admin_form(partner, pix_key_type="cpf", pix_key="123"))
    assert response.status_code == 200
    assert "This is not a valid PIX key of the chosen type." in response.content.decode()
    partner.refresh_from_db()
    assert (partner.pix_key, partner.payout_details_changed_at) == ("antiga@example.com", None)
    assert mail.outbox == []
