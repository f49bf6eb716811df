"""ClosedPeriod moved from payouts to commissions (commissions 0008, payouts 0008) by moving Django's state only: the
months closed before the move are the months the ledger posts around after it, the content type (and with it any
permission) follows the model, and the move can be undone."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("commissions", "0007_ledger_totals"), ("payouts", "0007_one_payout_per_partner_and_currency")]
AFTER = [("commissions", "0008_closed_period_from_payouts"), ("payouts", "0008_closed_period_to_commissions")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_closed_months_keep_their_rows_and_permissions_through_the_move_and_back():
    apps = _migrate(BEFORE)
    content_types = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    apps.get_model("payouts", "ClosedPeriod").objects.create(month=date(2026, 1, 1), closed_by="user:fin")
    content_type, _ = content_types.objects.get_or_create(app_label="payouts", model="closedperiod")
    granted, _ = permission.objects.get_or_create(content_type=content_type, codename="view_closedperiod",
                                                  defaults={"name": "Can view closed period"})
    try:
        apps = _migrate(AFTER)
        moved = apps.get_model("commissions", "ClosedPeriod")
        assert list(moved.objects.values_list("month", "closed_by")) == [(date(2026, 1, 1), "user:fin")]
        assert moved._meta.db_table == "payouts_closedperiod"
        assert "closedperiod" not in apps.all_models["payouts"]
        type_after = apps.get_model("contenttypes", "ContentType").objects.get(pk=content_type.pk)
        assert (type_after.app_label, type_after.model) == ("commissions", "closedperiod")
        assert apps.get_model("auth", "Permission").objects.get(pk=granted.pk).content_type_id == content_type.pk

        apps = _migrate(BEFORE)  # and back
        back = apps.get_model("payouts", "ClosedPeriod")
        assert list(back.objects.values_list("month", "closed_by")) == [(date(2026, 1, 1), "user:fin")]
        assert apps.get_model("contenttypes", "ContentType").objects.get(pk=content_type.pk).app_label == "payouts"
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from parceria.commissions.ledger import first_open_period
    from parceria.commissions.models import ClosedPeriod

    assert list(ClosedPeriod.objects.values_list("month", flat=True)) == [date(2026, 1, 1)]
    assert first_open_period() == date(2026, 2, 1)
