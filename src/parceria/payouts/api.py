"""Close, payout batches and payouts API (SPEC §7)."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict

from parceria.accounts.tenancy import Ability
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, ApiBool, Page, PageParams, PathId, PathMonth, RowId, choice, month_of, page_of
from parceria.common.downloads import CSV, attachment
from parceria.common.money import CURRENCIES, ledger_str
from parceria.partners.selectors import scope_partners
from parceria.payouts.bank_files import CNAB_KINDS, EXPORT_KINDS, batch_export, return_file_import
from parceria.payouts.close import close_preview, period_close
from parceria.payouts.close_summary import plan_as_dict
from parceria.payouts.models import BatchExport, Payout, PayoutBatch, PayoutStatus
from parceria.payouts.selectors import payout_rows
from parceria.payouts.services import batch_approve, batch_state, payout_mark
from parceria.privacy.sensitive_reads import sensitive_read_record

router = Router(tags=["payouts"])


class WithholdingOut(Schema):
    code: str
    amount: str


class ClosePayoutOut(Schema):
    partner_id: int
    currency: str
    gross: str
    withholdings: list[WithholdingOut]
    net: str
    employer_contributions: list[WithholdingOut]


class CloseTotalsOut(Schema):
    currency: str
    payouts: int
    gross: str
    withheld: list[WithholdingOut]
    net: str
    employer_contributions: list[WithholdingOut]


class CarriedOut(Schema):
    partner_id: int
    currency: str
    balance: str
    reason: str


class CloseOut(Schema):
    period: str
    batch_id: int | None
    payment_date: date | None
    payouts: list[ClosePayoutOut]
    totals: list[CloseTotalsOut]
    carried: list[CarriedOut]
    warnings: list[str]


@router.post("/periods/{period}/close", response={200: CloseOut, **ERRORS}, summary="Close a month (finance)")
def close_period(request: HttpRequest, period: PathMonth) -> dict[str, object]:
    """Locks the month, pays every balance at or above the minimum and carries the rest. Closing the same
    month again returns the same batch and pays nothing twice."""
    principal = principal_of(request)
    principal.require(Ability.FINANCE)
    return plan_as_dict(period_close(month=month_of(period), actor=principal.actor))


@router.get("/periods/{period}/close-preview", response={200: CloseOut, **ERRORS}, summary="Preview a close")
def preview_close(request: HttpRequest, period: PathMonth) -> dict[str, object]:
    principal = principal_of(request)
    principal.require(Ability.FINANCE)
    return plan_as_dict(close_preview(month=month_of(period)))


class BatchOut(Schema):
    id: int
    period: date
    created_at: datetime
    totals: dict[str, str]
    approvals: list[str]
    required_approvals: int
    approved: bool


def _batch(batch: PayoutBatch) -> dict[str, object]:
    state = batch_state(batch)
    return {
        "id": batch.pk,
        "period": batch.period,
        "created_at": batch.created_at,
        "totals": {c: ledger_str(t) for c, t in sorted(state.totals.items())},
        "approvals": state.approvals,
        "required_approvals": state.required_approvals,
        "approved": state.approved,
    }


@router.get("/payout-batches", response={200: list[BatchOut], **ERRORS}, summary="Payout batches (finance)")
def list_batches(request: HttpRequest) -> list[dict[str, object]]:
    principal_of(request).require(Ability.FINANCE)
    return [_batch(b) for b in PayoutBatch.objects.order_by("-period")[:120]]


@router.get("/payout-batches/{int:batch_id}", response={200: BatchOut, **ERRORS}, summary="A payout batch")
def get_batch(request: HttpRequest, batch_id: PathId) -> dict[str, object]:
    principal_of(request).require(Ability.FINANCE)
    return _batch(get_object_or_404(PayoutBatch, pk=batch_id))


@router.post("/payout-batches/{int:batch_id}/approve", response={200: BatchOut, **ERRORS}, summary="Approve")
def approve_batch(request: HttpRequest, batch_id: PathId) -> dict[str, object]:
    principal = principal_of(request)
    principal.require(Ability.FINANCE)
    batch_approve(batch=get_object_or_404(PayoutBatch, pk=batch_id), actor=principal.actor)
    return _batch(PayoutBatch.objects.get(pk=batch_id))


class PayoutOut(Schema):
    id: int
    batch_id: int
    period: date
    partner_id: int
    currency: str
    gross: str
    withholdings: list[WithholdingOut]
    net: str
    due_date: date
    status: str
    late: bool
    pix_key_type: str
    pix_key: str


class PayoutPage(Page):
    items: list[PayoutOut]


@router.get("/payouts", response={200: PayoutPage, **ERRORS}, summary="Payouts (a partner sees its own)")
def list_payouts(
    request: HttpRequest, page: Query[PageParams], batch_id: RowId | None = None, partner_id: RowId | None = None
) -> dict[str, object]:
    principal = principal_of(request)
    principal.require(Ability.READ_PAYOUTS)
    payouts = Payout.objects.filter(partner__in=scope_partners(principal)).order_by("-batch__period", "partner_id")
    if batch_id is not None:
        payouts = payouts.filter(batch_id=batch_id)
    if partner_id is not None:
        payouts = payouts.filter(partner_id=partner_id)
    items = payout_rows(payouts[page.offset : page.offset + page.limit])
    return page_of(payouts, page, items=items)


class MarkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reference: str = ""


@router.post("/payouts/{int:payout_id}/mark-paid", response={200: PayoutOut, **ERRORS}, summary="Mark paid")
def mark_paid(request: HttpRequest, payout_id: PathId, payload: MarkIn) -> dict[str, object]:
    return _mark(request, payout_id, PayoutStatus.PAID, payload.reference)


@router.post("/payouts/{int:payout_id}/mark-failed", response={200: PayoutOut, **ERRORS}, summary="Mark failed")
def mark_failed(request: HttpRequest, payout_id: PathId, payload: MarkIn) -> dict[str, object]:
    """A failed payout's gross goes back on the partner's balance (a reversing ledger line)."""
    return _mark(request, payout_id, PayoutStatus.FAILED, payload.reference)


def _mark(request: HttpRequest, payout_id: int, status: str, reference: str) -> dict[str, object]:
    principal = principal_of(request)
    principal.require(Ability.FINANCE)
    payout = get_object_or_404(Payout.objects.select_related("batch"), pk=payout_id)
    payout_mark(payout=payout, status=status, source="api", reference=reference, actor=principal.actor)
    return payout_rows(Payout.objects.filter(pk=payout_id))[0]


class ExportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    format: str = choice(EXPORT_KINDS)
    again: ApiBool = False
    currency: str | None = choice([*CURRENCIES, None], None)


class SkippedOut(Schema):
    payout_id: int
    reason: str


class ExportWarningOut(Schema):
    payout_id: int
    warning: str


class ExportOut(Schema):
    id: int
    batch_id: int
    kind: str
    filename: str
    file_sequence: int
    included: list[int]
    skipped: list[SkippedOut]
    warnings: list[ExportWarningOut]
    download: str


@router.post(
    "/payout-batches/{int:batch_id}/exports", response={201: ExportOut, **ERRORS}, summary="Export an approved batch"
)
def export_batch(request: HttpRequest, batch_id: PathId, payload: ExportIn) -> Status[dict[str, object]]:
    """`format` is the file of one payout method: `cnab` (a CNAB 240 PIX remittance of the BRL payouts paid by PIX;
    the others are listed in `skipped`; `warnings` names payouts in the file to check before sending it, such as a
    CPF/CNPJ key that is not the payee's own tax id), `cnab_ted` (a CNAB 240 TED remittance to bank accounts),
    `spei`, `cbu`, `co_bank`, `cl_bank` or `intl` (a bulk-payment CSV of that method's payouts in one currency:
    `currency` chooses it when they have several), or `csv` (every payout still to be paid). A payout already in a
    file of its method is left out unless `again` is true. Download the file from `download`."""
    principal = principal_of(request)
    principal.require(Ability.FINANCE)
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    result = batch_export(batch=batch, kind=payload.format, actor=principal.actor, again=payload.again,
                          currency=payload.currency)
    export = result.export
    return Status(
        201,
        {
            "id": export.pk,
            "batch_id": batch.pk,
            "kind": export.kind,
            "filename": export.filename,
            "file_sequence": export.file_sequence,
            "included": result.included,
            "skipped": result.skipped,
            "warnings": result.warnings,
            "download": f"/api/v1/payout-batches/{batch.pk}/exports/{export.pk}",
        },
    )


@router.get(
    "/payout-batches/{int:batch_id}/exports/{int:export_id}",
    response=ERRORS,
    summary="Download an exported file",
    openapi_extra={"responses": {200: {
        "description": "The file as sent: CSV for `csv` exports, plain ASCII text for bank (CNAB) files",
        "content": {"text/csv": {"schema": {"type": "string"}}, "text/plain": {"schema": {"type": "string"}}},
    }}},
)
def download_export(request: HttpRequest, batch_id: PathId, export_id: PathId) -> HttpResponse:
    principal = principal_of(request)
    principal.require(Ability.FINANCE)
    export = get_object_or_404(BatchExport.objects.select_related("batch"), pk=export_id, batch_id=batch_id)
    # A sensitive read (names, tax ids, PIX keys), audited like the console's download.
    sensitive_read_record(actor=principal.actor, action="payout_batch.file_downloaded", obj=export.batch,
                          details={"export_id": export.pk, "filename": export.filename, "kind": export.kind,
                                   "payouts": len(export.payout_ids), "through": "api"})
    content_type = "text/plain; charset=ascii" if export.kind in CNAB_KINDS else CSV
    return attachment(export.content, content_type=content_type, filename=export.filename)


class ReturnFileIn(Schema):
    model_config = ConfigDict(extra="forbid")

    filename: str
    content: str


class ReturnProblemOut(Schema):
    reference: str
    error: str


class ReturnPendingOut(Schema):
    reference: str
    codes: list[str]
    note: str


class ReturnReportOut(Schema):
    paid: list[int]
    failed: list[int]
    unchanged: list[int]
    pending: list[ReturnPendingOut]
    problems: list[ReturnProblemOut]


@router.post("/payout-returns", response={200: ReturnReportOut, **ERRORS}, summary="Import a bank return file")
def import_return(request: HttpRequest, payload: ReturnFileIn) -> dict[str, object]:
    """Marks each payout named in the return file paid or failed, as the bank layout's return table says; a
    failed payout's gross goes back on the partner's balance. A payout the bank only accepted or scheduled
    stays pending and is listed in `pending`. Unknown references, return codes not in the table and
    contradictions are listed in `problems`, not applied."""
    principal = principal_of(request)
    principal.require(Ability.FINANCE)
    report = return_file_import(text=payload.content, filename=payload.filename[:120], actor=principal.actor)
    return {"paid": report.paid, "failed": report.failed, "unchanged": report.unchanged, "pending": report.pending,
            "problems": report.problems}
