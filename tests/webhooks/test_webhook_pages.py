"""The webhook pages: a partner admin registers an endpoint and sees its secret once, manages only its own
endpoints; staff manage theirs and see every partner's read-only, with re-send. Every change is audited."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.common.models import AuditRecord
from parceria.webhooks.models import Delivery, Endpoint
from parceria.webhooks.outbox import emit
from parceria.webhooks.services import endpoint_create
from tests.factories import make_partner, staff_client

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


@pytest.fixture(autouse=True)
def loopback(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": True}


def _portal(partner, role="partner_admin") -> Client:
    user = user_create(username=f"{role}-{partner.pk}@example.com", password=None, role=role,
                       email=f"{role}-{partner.pk}@example.com", partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    return client


def test_a_partner_admin_registers_an_endpoint_and_sees_its_secret_only_once():
    partner = make_partner()
    client = _portal(partner)
    answer = client.post("/portal/webhooks/", {"url": "http://127.0.0.1:9/in", "description": "ERP",
                                               "event_types": ["payout.paid", "commission.accrued"]})
    assert answer.status_code == 201
    endpoint = Endpoint.objects.get()
    assert (endpoint.partner, endpoint.event_types) == (partner, ["commission.accrued", "payout.paid"])
    secret = answer.context["secret"]
    assert secret.startswith("whsec_") and secret in answer.content.decode()
    again = client.get(f"/portal/webhooks/{endpoint.pk}/")
    assert again.status_code == 200 and secret not in again.content.decode()
    assert endpoint.secret_hint in again.content.decode()
    assert AuditRecord.objects.filter(action="webhook_endpoint.created", object_id=str(endpoint.pk)).count() == 1


def test_a_refused_address_answers_422_with_the_reason_and_registers_nothing(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": False}
    client = _portal(make_partner())
    answer = client.post("/portal/webhooks/", {"url": "https://10.0.0.1/in", "event_types": ["payout.paid"]})
    assert answer.status_code == 422
    assert "private, loopback" in answer.content.decode()
    assert not Endpoint.objects.exists()
    answer = client.post("/portal/webhooks/", {"url": "http://127.0.0.1:9/in"})
    assert answer.status_code == 422 and not Endpoint.objects.exists()


def test_a_partner_sees_and_acts_on_its_own_endpoints_only_and_a_partner_user_not_at_all():
    ana, bia = make_partner(), make_partner()
    theirs, _secret = endpoint_create(partner=bia, url="http://127.0.0.1:9/b", event_types=["payout.paid"],
                                      actor=ACTOR)
    client = _portal(ana)
    assert client.get(f"/portal/webhooks/{theirs.pk}/").status_code == 404
    assert client.post(f"/portal/webhooks/{theirs.pk}/delete/").status_code == 404
    assert "127.0.0.1:9/b" not in client.get("/portal/webhooks/").content.decode()
    assert _portal(ana, role="partner_member").get("/portal/webhooks/").status_code == 403
    assert Endpoint.objects.filter(pk=theirs.pk).exists()


def test_the_owner_pings_disables_enables_and_deletes_its_endpoint_each_audited():
    partner = make_partner()
    endpoint, _secret = endpoint_create(partner=partner, url="http://127.0.0.1:9/a", event_types=["payout.paid"],
                                        actor=ACTOR)
    client = _portal(partner)
    base = f"/portal/webhooks/{endpoint.pk}"
    assert client.post(f"{base}/ping/").status_code == 302
    assert Delivery.objects.get().event.type == "ping"
    assert client.post(f"{base}/disable/").status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert client.post(f"{base}/enable/").status_code == 302
    assert client.post(f"{base}/explode/").status_code == 404
    assert client.post(f"{base}/delete/").status_code == 302
    assert not Endpoint.objects.exists()
    assert sorted(AuditRecord.objects.filter(action__startswith="webhook_endpoint.").values_list("action", flat=True)) \
        == ["webhook_endpoint.created", "webhook_endpoint.deleted", "webhook_endpoint.disabled",
            "webhook_endpoint.enabled", "webhook_endpoint.pinged"]


def test_staff_see_every_partners_endpoints_read_only_and_may_send_a_delivery_again():
    partner = make_partner(name="Parceira Ana")
    endpoint, _secret = endpoint_create(partner=partner, url="http://127.0.0.1:9/a", event_types=["payout.paid"],
                                        actor=ACTOR)
    with transaction.atomic():
        emit("payout.paid", partner=partner, data={"payout_id": 1})
    delivery = Delivery.objects.get()
    manager = staff_client("marta", "partner_manager")
    page = manager.get("/console/webhooks/").content.decode()
    assert "Parceira Ana" in page and "127.0.0.1:9/a" in page
    assert manager.get(f"/console/webhooks/{endpoint.pk}/").status_code == 200
    assert manager.post(f"/console/webhooks/{endpoint.pk}/delete/").status_code == 403
    assert manager.post(f"/console/webhooks/{endpoint.pk}/resend/", {"delivery": delivery.pk}).status_code == 302
    assert AuditRecord.objects.filter(action="webhook_delivery.resent").count() == 1
    analyst = staff_client("ivo", "analyst")
    assert analyst.post(f"/console/webhooks/{endpoint.pk}/resend/", {"delivery": delivery.pk}).status_code == 403
    assert analyst.post("/console/webhooks/", {"url": "http://127.0.0.1:9/s",
                                               "event_types": ["payout.paid"]}).status_code == 403
    assert Endpoint.objects.count() == 1


def test_staff_register_a_staff_endpoint_that_receives_every_partners_events():
    manager = staff_client("marta", "partner_manager")
    answer = manager.post("/console/webhooks/", {"url": "http://127.0.0.1:9/s", "event_types": ["tier.changed"]})
    assert answer.status_code == 201
    assert Endpoint.objects.get().partner is None
