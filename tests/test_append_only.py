"""The one append-only guard (parceria.common.append_only): every immutable record refuses to be changed or
deleted through its model and its querysets, related managers included."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.db.models import F

from parceria.common.append_only import AppendOnlyError, AppendOnlyModel
from parceria.payouts.models import Payout, PayoutStatusChange
from tests.factories import make_partner, make_payout

APPEND_ONLY = {
    "analytics.casestudyversion",
    "commissions.balancesnapshot",
    "commissions.ledgerline", "common.auditrecord", "common.fxrate", "customers.csatscore", "customers.event",
    "customers.invoice", "customers.refund", "customers.usagerecord", "disputes.adjustmentapproval",
    "disputes.disputeattachment", "disputes.disputecomment", "enablement.partnercertification",
    "partners.evaluation", "partners.evaluationweights", "partners.partnerterms", "partners.payoutmethodchange",
    "partners.stagetransition",
    "payouts.batchapproval", "payouts.batchexport", "payouts.carriedbalance", "payouts.payout",
    "payouts.payoutemployercontribution", "payouts.payoutstatuschange", "payouts.payoutwithholding",
    "payouts.reimbursementsnapshot",
    "privacy.consentrecord", "privacy.sharingrecord",
}  # fmt: skip


def test_the_immutable_records_are_the_append_only_models():
    found = {m._meta.label_lower for m in apps.get_models() if issubclass(m, AppendOnlyModel)}
    assert found == APPEND_ONLY


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(APPEND_ONLY))
def test_no_queryset_updates_or_deletes_an_immutable_record(label):
    model = apps.get_model(label)
    with pytest.raises(AppendOnlyError, match="are never updated"):
        model.objects.filter(pk__in=[]).update(pk=F("pk"))
    with pytest.raises(AppendOnlyError, match="are never deleted"):
        model.objects.filter(pk__in=[]).delete()


@pytest.mark.django_db
def test_a_payout_and_its_marks_are_never_changed_through_the_orm():
    payout = make_payout(make_partner(), date(2026, 3, 1), "100.00", payment_date=date(2026, 4, 2))
    payout.gross += 1
    with pytest.raises(AppendOnlyError):
        payout.save()
    with pytest.raises(AppendOnlyError):
        payout.delete()
    with pytest.raises(AppendOnlyError):
        Payout.objects.filter(pk=payout.pk).update(net=0)
    with pytest.raises(AppendOnlyError):
        payout.status_changes.update(status="paid")
    assert Payout.objects.get(pk=payout.pk).gross == payout.gross - 1
    assert not PayoutStatusChange.objects.exists()
