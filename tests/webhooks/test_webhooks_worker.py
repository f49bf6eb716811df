"""A delivery worker killed with SIGKILL in the middle of a delivery: its lease runs out and the next run delivers
again, so the receiver sees every event at least once and, deduplicating by event id, processes each exactly once.
PostgreSQL only: the claim relies on SELECT … FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from parceria.common.audit import Actor
from parceria.webhooks.delivery import claim_due, deliver_due
from parceria.webhooks.models import Attempt, Delivery, DeliveryState
from parceria.webhooks.outbox import emit
from parceria.webhooks.services import endpoint_create
from tests.factories import make_partner
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the claim's row locks (FOR UPDATE SKIP LOCKED) are PostgreSQL's")


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_delivery_is_redelivered_by_the_next_run_exactly_once_after_deduplication(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": True}
    partner = make_partner()
    with receiver(hold_first=True) as hook:
        _endpoint, hook.secret = endpoint_create(partner=partner, url=hook.url, event_types=["payout.paid"],
                                                 actor=Actor.system("tests"))
        with transaction.atomic():
            events = [emit("payout.paid", partner=partner, data={"payout_id": n}) for n in range(3)]
        env = {**os.environ, "DATABASE_URL": _database_url(), "PARCERIA_SECRET_KEY": settings.SECRET_KEY,
               "PARCERIA_WEBHOOKS_ALLOW_LOOPBACK": "1", "PARCERIA_WEBHOOKS_LEASE_SECONDS": "2"}
        connections.close_all()
        worker = subprocess.Popen([sys.executable, "-m", "parceria.cli", "webhooks-deliver", "--loop"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            assert hook.arrived.wait(60), "the worker never delivered"
            worker.send_signal(signal.SIGKILL)
            assert worker.wait(30) == -signal.SIGKILL
        finally:
            if worker.poll() is None:
                worker.kill()
        hook.release.set()
        assert not Attempt.objects.exists()  # the killed attempt recorded nothing
        assert Delivery.objects.filter(leased_until__isnull=False).count() == 3  # still leased to the dead worker
        assert deliver_due() == 0  # not before the lease runs out
        assert deliver_due(now=timezone.now() + timedelta(seconds=3)) == 3
    ids = [str(e.event_id) for e in events if e is not None]
    assert hook.event_ids.count(ids[0]) == 2  # the first was received twice: at least once
    assert hook.unique_event_ids == set(ids)  # deduplicated by event id: each exactly once
    assert hook.bad_signatures == 0
    assert sorted(Delivery.objects.values_list("state", flat=True)) == [DeliveryState.DELIVERED] * 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_claiming_at_once_never_take_the_same_delivery(settings):
    settings.PARCERIA = {**settings.PARCERIA, "WEBHOOKS_ALLOW_LOOPBACK": True}
    partner = make_partner()
    endpoint_create(partner=partner, url="http://127.0.0.1:9/", event_types=["payout.paid"],
                    actor=Actor.system("tests"))
    with transaction.atomic():
        for n in range(6):
            emit("payout.paid", partner=partner, data={"payout_id": n})
    claimed: list[int] = []

    def other_worker() -> None:
        try:
            claimed.extend(claim_due(10))
        finally:
            connections.close_all()

    with transaction.atomic():  # one worker holds its claim's row locks ...
        held = list(Delivery.objects.select_for_update().order_by("id").values_list("id", flat=True)[:4])
        thread = threading.Thread(target=other_worker)  # ... while another claims from its own connection
        thread.start()
        thread.join(30)
    assert len(held) == 4 and len(claimed) == 2 and set(held).isdisjoint(claimed)  # skipped, not waited for
    assert set(claim_due(10)) == set(held)  # the rest, once released
