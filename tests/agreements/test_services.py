"""Agreement services: defaults per type, bad input refused with nothing stored, status moves, documents,
exclusivity, the approved joint business plan."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parceria.agreements.models import Agreement, AgreementDocument, AgreementTerm
from parceria.agreements.selectors import (
    agreement_dates,
    exclusivities_held_by_others,
    has_approved_joint_business_plan,
)
from parceria.agreements.services import (
    AgreementChanges,
    AgreementFields,
    agreement_create,
    agreement_move,
    agreement_update,
    document_attach,
    exclusivity_grant,
    joint_business_plan_decide,
)
from parceria.common.errors import InvalidInput
from parceria.common.models import AuditRecord
from tests.agreements.helpers import make_agreement
from tests.factories import ACTOR, make_partner

pytestmark = pytest.mark.django_db


def test_a_channel_partner_agreement_takes_the_type_defaults():
    agreement = make_agreement(make_partner(), start_date=date(2024, 2, 29))
    assert (agreement.initial_term_months, agreement.auto_renewal, agreement.renewal_term_months,
            agreement.notice_days) == (24, True, 12, 90)
    dates = agreement_dates(agreement, date(2024, 3, 1))
    assert (dates.term_end, dates.renewal, dates.notice_deadline) == (date(2026, 3, 1), date(2026, 3, 1),
                                                                     date(2025, 12, 1))
    assert AuditRecord.objects.filter(action="agreement.created", object_id=str(agreement.pk)).exists()


def test_given_values_override_the_defaults_and_are_kept_on_the_agreement():
    agreement = make_agreement(make_partner(), notice_days=60, initial_term_months=36)
    assert (agreement.initial_term_months, agreement.notice_days) == (36, 60)


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"type": "channel_partner", "start_date": "2025-05-01", "end_date": "2025-04-30",
          "initial_term_months": None, "auto_renewal": False}, "end_date", "before the start"),
        ({"type": "channel_partner", "start_date": "2025-05-01", "initial_term_months": -24}, "initial_term_months",
         "between 1 and"),
        ({"type": "channel_partner", "start_date": "2025-05-01", "initial_term_months": 0}, "initial_term_months",
         "between 1 and"),
        ({"type": "channel_partner", "start_date": "2025-05-01", "renewal_term_months": -1}, "renewal_term_months",
         "between 1 and"),
        ({"type": "channel_partner", "start_date": "2025-05-01", "notice_days": -90}, "notice_days", "between 0"),
        ({"type": "channel_partner", "start_date": "not a date"}, "start_date", "must be a date"),
        ({"type": "channel_partner"}, "start_date", "required"),
        ({"type": "lease", "start_date": "2025-05-01"}, "type", "type must be one of"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(data, field, text):
    partner = make_partner()
    audits = AuditRecord.objects.count()
    with pytest.raises(InvalidInput) as caught:
        agreement_create(partner=partner, fields=AgreementFields(**data), actor=ACTOR)
    assert caught.value.details == {"field": field}
    assert text in caught.value.message
    assert Agreement.objects.count() == 0
    assert AuditRecord.objects.count() == audits


def test_an_update_with_an_end_before_the_start_changes_nothing():
    agreement = make_agreement(make_partner(), "letter_of_intent", active=False)
    with pytest.raises(InvalidInput, match="before the start"):
        agreement_update(agreement=agreement, changes=AgreementChanges(initial_term_months=None, end_date="2024-12-31"),
                         actor=ACTOR)
    agreement.refresh_from_db()
    assert (agreement.end_date, agreement.initial_term_months) == (None, 6)


def test_status_moves_follow_the_transitions():
    partner = make_partner()
    unsigned = agreement_create(partner=partner, fields=AgreementFields(type="dpa", start_date="2025-01-01"),
                                actor=ACTOR)
    with pytest.raises(InvalidInput, match="only once signed"):
        agreement_move(agreement=unsigned, status="active", actor=ACTOR)
    agreement = make_agreement(partner)
    with pytest.raises(InvalidInput, match="cannot move from active to draft"):
        agreement_move(agreement=agreement, status="draft", actor=ACTOR)
    ended = agreement_move(agreement=agreement, status="terminated", actor=ACTOR, on=date(2025, 6, 1))
    assert ended.terminated_on == date(2025, 6, 1)
    with pytest.raises(InvalidInput, match="cannot move from terminated to active"):
        agreement_move(agreement=ended, status="active", actor=ACTOR)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_pdf_is_attached_and_anything_else_refused(media_root):
    agreement = make_agreement(make_partner())
    document = document_attach(agreement=agreement, upload=SimpleUploadedFile("signed.pdf", PDF), actor=ACTOR)
    assert (document.name, document.size) == ("signed.pdf", len(PDF))
    assert Path(document.file.path).read_bytes() == PDF
    assert Path(document.file.path).parent.parent.parent == media_root / "agreements"  # agreements/YYYY/MM/
    for upload, text in [
        (SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf"), "only PDF"),
        (SimpleUploadedFile("x.exe", PDF), "only PDF"),
        (SimpleUploadedFile("x.pdf", b""), "empty"),
        (SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024)), "10 MB"),
    ]:
        with pytest.raises(InvalidInput, match=text):
            document_attach(agreement=agreement, upload=upload, actor=ACTOR)
    assert AgreementDocument.objects.count() == 1


def test_a_ten_megabyte_pdf_is_accepted():
    agreement = make_agreement(make_partner())
    body = PDF + b"0" * (10 * 1024 * 1024 - len(PDF))
    document = document_attach(agreement=agreement, upload=SimpleUploadedFile("max.pdf", body), actor=ACTOR)
    assert document.size == 10 * 1024 * 1024


def test_exclusivities_held_by_other_partners():
    holder, other = make_partner(), make_partner()
    agreement = make_agreement(holder, start_date=date(2025, 1, 1))
    exclusivity_grant(agreement=agreement, kind="territory_exclusivity", value="BR-SP", actor=ACTOR)
    exclusivity_grant(agreement=agreement, kind="vertical_exclusivity", value="healthcare", actor=ACTOR)
    draft = make_agreement(holder, active=False)
    exclusivity_grant(agreement=draft, kind="territory_exclusivity", value="BR-RJ", actor=ACTOR)
    seen = [(e.kind, e.value, e.partner_id) for e in exclusivities_held_by_others(other, date(2025, 6, 1))]
    assert seen == [("territory_exclusivity", "BR-SP", holder.pk), ("vertical_exclusivity", "healthcare", holder.pk)]
    assert exclusivities_held_by_others(holder, date(2025, 6, 1)) == []
    assert exclusivities_held_by_others(other, date(2024, 12, 31)) == []  # before the agreement starts
    with pytest.raises(InvalidInput):
        exclusivity_grant(agreement=agreement, kind="referral_rate_override", value="x", actor=ACTOR)
    with pytest.raises(InvalidInput):
        exclusivity_grant(agreement=agreement, kind="territory_exclusivity", value="  ", actor=ACTOR)
    assert AgreementTerm.objects.count() == 3


def test_has_approved_joint_business_plan():
    partner = make_partner()
    plan = make_agreement(partner, "joint_business_plan", start_date=date(2026, 1, 1))
    assert plan.plan_approval == "pending"
    assert not has_approved_joint_business_plan(partner, date(2026, 2, 1))
    joint_business_plan_decide(agreement=plan, approve=True, actor=ACTOR)
    assert has_approved_joint_business_plan(partner, date(2026, 2, 1))
    assert has_approved_joint_business_plan(partner.pk, date(2027, 1, 1))  # 12 months: the last day
    assert not has_approved_joint_business_plan(partner, date(2027, 1, 2))
    assert not has_approved_joint_business_plan(partner, date(2025, 12, 31))
    assert not has_approved_joint_business_plan(make_partner(), date(2026, 2, 1))
    agreement_move(agreement=plan, status="terminated", actor=ACTOR, on=date(2026, 6, 1))
    assert not has_approved_joint_business_plan(partner, date(2026, 6, 1))
    assert has_approved_joint_business_plan(partner, date(2026, 5, 31))
    with pytest.raises(InvalidInput, match="only a joint business plan"):
        joint_business_plan_decide(agreement=make_agreement(partner), approve=True, actor=ACTOR)
