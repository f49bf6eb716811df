"""The partner's own agreements and documents in the portal; anything else is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from parceria.agreements.files import pdf_download
from parceria.agreements.models import Agreement, AgreementDocument
from parceria.agreements.selectors import agreement_dates, agreement_row, scope_agreements
from parceria.web.access import partner_required, principal_for


def _own(request: HttpRequest) -> QuerySet[Agreement]:
    """The signed-in partner's agreements, as the API shows them to a partner key (drafts are staff's)."""
    return scope_agreements(principal_for(request))


@partner_required
def my_agreements(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [agreement_row(a, today) for a in _own(request).order_by("-start_date", "-id")]
    return render(request, "agreements/portal/list.html", {"rows": rows, "nav": "agreements"})


@partner_required
def my_agreement(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_object_or_404(_own(request), pk=agreement_id)
    context = {"agreement": agreement, "dates": agreement_dates(agreement, timezone.localdate()),
               "documents": agreement.documents.all(), "terms": agreement.terms.all(), "nav": "agreements"}
    return render(request, "agreements/portal/detail.html", context)


@partner_required
def my_document(request: HttpRequest, agreement_id: int, document_id: int) -> HttpResponse:
    agreement = get_object_or_404(_own(request), pk=agreement_id)
    document = get_object_or_404(AgreementDocument, pk=document_id, agreement=agreement)
    return pdf_download(document)
