"""The audit trail in a real browser: a finance member filters the trail by actor and action and sees only the
matching rows, with the changed values marked. Screenshots at 1280 and 390 px (var/screenshots/audit-trail-*.png)."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from parceria.common.audit import Actor, audit_record_create
from parceria.common.models import AuditRecord
from tests.browser.conftest import staff_page
from tests.factories import SP, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def trail() -> None:
    aurora, boreal = make_partner(name="Agência Aurora"), make_partner(name="Boreal Sistemas")

    def record(day: int, hour: int, actor: str, action: str, obj, before, after, reason: str = "") -> None:
        with time_machine.travel(datetime(2026, 3, day, hour, tzinfo=SP), tick=False):
            audit_record_create(actor=Actor(label=actor), action=action, obj=obj, before=before, after=after,
                                reason=reason)

    record(2, 10, "user:ana", "partner.stage_overridden", aurora, {"status": "prospect", "tier": "silver"},
           {"status": "active", "tier": "silver"}, "contrato assinado em 01/03")
    record(3, 11, "user:ana", "partner.evaluated", boreal, None, {"score": 72})
    record(4, 12, "user:bruno", "partner.stage_overridden", boreal, {"status": "prospect"}, {"status": "active"},
           "aprovado pelo comitê")
    record(5, 13, "api-key:Faturamento", "partner.payout_details_changed", aurora,
           {"pix_key_type": "email", "pix_key": "financeiro@aurora.com.br"},
           {"pix_key_type": "email", "pix_key": "pagamentos@aurora.com.br"})


@pytest.mark.parametrize(("width", "name"), [(1280, "audit-trail"), (390, "audit-trail-phone")])
def test_finance_filters_the_trail_by_actor_and_action(browser, live_server, screenshot, width, name):
    trail()
    context, page = staff_page(browser, live_server, width, "pt-BR", username="fin", role="finance")
    try:
        page.goto("/console/privacy/audit/")
        rows = page.locator("main table.audit-trail tbody tr")
        # The four, the two partners and "fin" created, "fin" signed in.
        assert rows.count() == AuditRecord.objects.count() == 8
        assert "financeiro@aurora.com.br" not in page.content()  # PIX keys masked in the trail too
        screenshot(page, f"{name}-all")
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.fill("#id_actor", "ana")
        page.select_option("#id_action", "partner.stage_overridden")
        page.locator("form.audit-filter button[type=submit]").click()
        page.wait_for_url("**/console/privacy/audit/?*actor=ana*")
        assert rows.count() == 1
        row = rows.first
        assert "user:ana" in row.inner_text() and "contrato assinado em 01/03" in row.inner_text()
        changed = row.locator("ul.audit-diff li.changed")
        assert changed.count() == 1 and "status" in changed.inner_text()
        assert changed.locator("del").inner_text() == "prospect" and changed.locator("ins").inner_text() == "active"
        assert row.locator("ul.audit-diff li:not(.changed)").inner_text().startswith("tier")
        screenshot(page, f"{name}-filtered")
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.fill("#id_since", "2026-03-04")
        page.fill("#id_actor", "")
        page.locator("form.audit-filter button[type=submit]").click()
        page.wait_for_url("**since=2026-03-04*")
        assert rows.count() == 1 and "aprovado pelo comitê" in rows.first.inner_text()
    finally:
        context.close()
