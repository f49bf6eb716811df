"""A late paid invoice completes a certification: the intake issues it with the batch, set-based (one query finds
the partners with a pending certification; only those are checked), never for a partner that lacks another
requirement or already holds it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parceria.common.models import AuditRecord
from parceria.enablement import selectors, services
from parceria.enablement.models import PartnerCertification
from tests.enablement.conftest import complete_course, load_programme, partner_user
from tests.factories import ACTOR, at, ingest, make_customer, make_partner, paid, staff_client

pytestmark = pytest.mark.django_db
NOW = at("2026-03-10 12:00")


@pytest.fixture
def staff(db):
    return staff_client("pm@staff", "partner_manager").user  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    load_programme()
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def _trained(name: str, staff, *, demo: bool = True, course: str = "technical-integration"):
    partner = make_partner(name=name)
    complete_course(partner_user(partner, f"u@{name}"), course, at("2026-03-02 09:00"))
    if demo:
        services.demo_confirm(partner=partner, confirmed_by=staff, actor=ACTOR, now=at("2026-03-03 09:00"))
    return partner


def _codes(partner) -> list[str]:
    return sorted(PartnerCertification.objects.filter(partner=partner).values_list("certification__code", flat=True))


def test_a_late_paid_invoice_issues_the_certification_with_the_batch(staff):
    ready = _trained("Pronta", staff)
    no_demo = _trained("Sem demo", staff, demo=False)
    assert _codes(ready) == [] and _codes(no_demo) == []
    customers = [make_customer(ready), make_customer(no_demo)]
    result = ingest(*(paid(c, "500.00", at="2026-03-09T10:00:00-03:00") for c in customers))
    assert result.accepted == 2
    cert = PartnerCertification.objects.get(partner=ready)
    assert (cert.certification.code, cert.issued_at, cert.expires_at, cert.basis) == (
        "technical-integration",
        NOW,
        at("2027-03-10 12:00"),
        "requirements",
    )
    audit = AuditRecord.objects.get(action="enablement.certification_issued", object_id=str(cert.pk))
    assert audit.actor_label == "tests"
    assert _codes(no_demo) == []
    # a second paid invoice issues nothing more
    ingest(paid(customers[0], "500.00", at="2026-03-09T11:00:00-03:00"))
    assert PartnerCertification.objects.count() == 1


def test_candidates_are_only_partners_whose_last_missing_requirement_is_a_pilot(staff):
    ready = _trained("Pronta", staff)
    product = _trained("Produto", staff, course="product-deep-dive")
    no_demo = _trained("Sem demo", staff, demo=False)
    untrained = make_partner(name="Sem curso")
    services.demo_confirm(partner=untrained, confirmed_by=staff, actor=ACTOR, now=at("2026-03-03 09:00"))
    ids = [ready.pk, product.pk, no_demo.pk, untrained.pk]
    assert selectors.pilot_certification_candidates(ids) == [ready.pk, product.pk]
    assert selectors.pilot_certification_candidates([]) == []
    ingest(paid(make_customer(ready), "10.00", at="2026-03-09T10:00:00-03:00"))
    assert _codes(ready) == ["technical-integration"]
    assert selectors.pilot_certification_candidates(ids) == [product.pk]  # holds it: no longer a candidate


def _batch(partners, tag: str) -> list[dict]:
    return [
        paid(make_customer(p), "100.00", invoice_id=f"inv_{tag}_{p.pk}", at="2026-03-09T10:00:00-03:00")
        for p in partners
    ]


def test_the_intake_asks_once_per_batch_whatever_the_number_of_partners(staff):
    few = [make_partner(name=f"Poucos {n}") for n in range(3)]
    many = [make_partner(name=f"Muitos {n}") for n in range(30)]
    few_events, many_events = _batch(few, "few"), _batch(many, "many")
    with CaptureQueriesContext(connection) as small:
        assert ingest(*few_events).accepted == 3
    with CaptureQueriesContext(connection) as large:
        assert ingest(*many_events).accepted == 30
    assert len(small.captured_queries) == len(large.captured_queries)
    lookups = [q["sql"] for q in large.captured_queries if "enablement_democonfirmation" in q["sql"]]
    assert len(lookups) == 1  # the one candidate query; nobody was a candidate, so nothing more
    assert not PartnerCertification.objects.exists()
