"""Exporting approved payout batches to the bank and reading the bank's answer (SPEC §7.3).

CNAB 240 remittances carry the BRL payouts that have a PIX key (the others are listed as skipped);
the CSV carries every payout still to be paid. Each export is kept (BatchExport) with its remittance
sequence number. A bank return file marks each payout paid or failed by its reference, the payout id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.pix import PixKeyError, validate_pix_key
from parceria.common.taxids import TaxIdError, is_person, validate_tax_id
from parceria.partners.models import Partner
from parceria.payouts.cnab.returns import ReturnFileError, parse_return
from parceria.payouts.cnab.writer import Company, RemittancePayment, write_remittance
from parceria.payouts.exports import PayoutCsvRow, payouts_csv
from parceria.payouts.models import BatchExport, Payout, PayoutBatch, PayoutStatus
from parceria.payouts.selectors import current_statuses, payouts_with_status
from parceria.payouts.services import batch_state, payout_mark
from parceria.privacy.models import LegalBasis
from parceria.privacy.sharing import personal_pix_key, sharing_record

EXPORT_KINDS = ("cnab", "csv")
CENT = Decimal("0.01")


@dataclass
class ExportResult:
    """`warnings`: payouts in the file that deserve a look before it is sent (a CPF/CNPJ key that is not the
    payee's own tax id)."""

    export: BatchExport
    included: list[int]
    skipped: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReturnReport:
    """What a return file did. `pending`: payouts the bank accepted or scheduled but has not paid yet (left
    pending, with the codes' meaning); `problems`: entries not applied (unknown reference, a contradiction, a
    code the layout's table does not have), each for someone to review."""

    paid: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)


def _pending(batch: PayoutBatch) -> list[Payout]:
    payouts = payouts_with_status(Payout.objects.filter(batch=batch)).filter(current_status=PayoutStatus.PENDING)
    return list(payouts.prefetch_related("withholdings").order_by("partner_id"))


def batch_export(
    *, batch: PayoutBatch, kind: str, actor: Actor, again: bool = False, now: datetime | None = None
) -> ExportResult:
    """Export an approved batch as a CNAB 240 PIX remittance or a CSV; the file is kept as sent. A payout
    already sent in an earlier remittance is left out (so nothing is paid twice) unless `again` is set,
    for a file the bank never received."""
    if kind not in EXPORT_KINDS:
        raise InvalidInput(_("format must be one of %(kinds)s") % {"kinds": ", ".join(EXPORT_KINDS)},
                           code="invalid_format")
    now = now or timezone.now()
    with transaction.atomic():
        locked = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        state = batch_state(locked)
        if not state.approved:
            raise Conflict(
                _("batch %(period)s needs %(needed)s approval(s) before export (it has %(has)s)")
                % {"period": f"{locked.period:%Y-%m}", "needed": state.required_approvals,
                   "has": len(state.approvals)},
                code="batch_not_approved",
            )
        payouts = _pending(locked)
        result = _cnab(locked, payouts, now, actor, again) if kind == "cnab" else _csv(locked, payouts, actor)
        _log_sharing(result, [p for p in payouts if p.pk in set(result.included)], actor)
        audit_record_create(
            actor=actor,
            action=f"payout_batch.exported_{kind}",
            obj=locked,
            after={"export_id": result.export.pk, "included": len(result.included), "skipped": len(result.skipped)},
        )
        return result


def _log_sharing(result: ExportResult, payouts: list[Payout], actor: Actor) -> None:
    """The sharing log's record of the file (privacy/sharing.py): logged when a payee in it is a person or a PIX key
    in it is a CPF, an e-mail or a phone; `subjects` counts those payees (partners)."""
    kinds = {pk: (regime, kind) for pk, regime, kind in Partner.objects.filter(
        pk__in={p.partner_id for p in payouts}).values_list("pk", "tax_regime", "tax_id_kind")}
    people = {p.partner_id for p in payouts if is_person(tax_regime=kinds[p.partner_id][0],
                                                          tax_id_kind=kinds[p.partner_id][1], tax_id=p.payee_tax_id)}
    keys = {p.partner_id for p in payouts if p.pix_key and personal_pix_key(p.pix_key_type)}
    if not people | keys:
        return
    export = result.export
    bank = settings.PARCERIA["COMPANY"]["bank_code"]  # type: ignore[index]
    what = "PIX remittance (CNAB 240)" if export.kind == "cnab" else "payout CSV"
    sharing_record(
        recipient=f"bank {bank}",
        channel="cnab_file" if export.kind == "cnab" else "bank_csv",
        legal_basis=LegalBasis.CONTRACT,
        categories=[*(["pf_payee_tax"] if people else []), *(["pix_key"] if keys else [])],
        description=f"{what} {export.filename}: {len(payouts)} payouts of {export.batch.period:%Y-%m}, payee names, "
                    f"tax ids and PIX keys",
        subjects=len(people | keys),
        obj=export,
        actor=actor,
    )


def _sent_before(batch: PayoutBatch) -> dict[int, str]:
    sent: dict[int, str] = {}
    for filename, payout_ids in BatchExport.objects.filter(batch=batch, kind="cnab").values_list(
        "filename", "payout_ids"
    ):
        sent.update({payout_id: filename for payout_id in payout_ids})
    return sent


def _cnab_skip_reason(payout: Payout, sent: dict[int, str]) -> str:
    if payout.currency != "BRL":
        return "not paid in BRL"
    if not payout.pix_key:
        return "no PIX key on file"
    if payout.pk in sent:
        return f"already sent in {sent[payout.pk]}"
    try:  # a key or tax id stored before a rule changed must not block the whole file
        validate_pix_key(payout.pix_key_type, payout.pix_key)
    except PixKeyError as exc:
        return f"PIX key not valid now: {exc.message}"
    try:
        validate_tax_id("BR", payout.payee_tax_id)
    except TaxIdError as exc:
        return f"payee tax id not valid now: {exc}"
    return ""


def _cnab(batch: PayoutBatch, payouts: list[Payout], now: datetime, actor: Actor, again: bool) -> ExportResult:
    sent = {} if again else _sent_before(batch)
    reasons = {p.pk: _cnab_skip_reason(p, sent) for p in payouts}
    skipped = [{"payout_id": p.pk, "reason": reasons[p.pk]} for p in payouts if reasons[p.pk]]
    chosen = [p for p in payouts if not reasons[p.pk]]
    if not chosen:
        raise Conflict(
            _("no payout of this batch can go in a PIX remittance"),
            code="nothing_to_export",
            details={"skipped": skipped},
        )
    payments = [
        RemittancePayment(
            reference=str(p.pk),
            payee_name=p.payee_name,
            payee_tax_id=p.payee_tax_id,
            pix_key_type=p.pix_key_type,
            pix_key=p.pix_key,
            amount=p.net.quantize(CENT),
            payment_date=timezone.localdate(now),
        )
        for p in chosen
    ]
    sequence = (BatchExport.objects.filter(kind="cnab").aggregate(m=Max("file_sequence"))["m"] or 0) + 1
    company = Company(**settings.PARCERIA["COMPANY"])  # type: ignore[arg-type]
    try:
        content = write_remittance(
            company=company, payments=payments, file_sequence=sequence, generated_at=timezone.localtime(now)
        )
    except ValueError as exc:
        raise InvalidInput(str(exc), code="remittance_invalid") from None
    export = BatchExport.objects.create(
        batch=batch,
        kind="cnab",
        file_sequence=sequence,
        filename=f"parceria-pix-{batch.period:%Y-%m}-{sequence:06d}.rem",
        content=content,
        payout_ids=[p.pk for p in chosen],
        created_by=actor.label[:200],
    )
    return ExportResult(export, [p.pk for p in chosen], skipped, _key_warnings(chosen))


def _key_warnings(payouts: list[Payout]) -> list[dict[str, Any]]:
    """A CPF or CNPJ key that is not the payee's own tax id: the transfer goes to whoever holds that key, which
    may be right (a partner's owner) or a mistake; the file is written anyway."""
    return [
        {
            "payout_id": p.pk,
            "warning": _("the PIX key is the %(kind)s %(key)s, not the payee's own tax id %(tax_id)s: the money goes"
                         " to whoever holds that key") % {"kind": p.pix_key_type.upper(), "key": p.pix_key,
                                                         "tax_id": p.payee_tax_id},
        }
        for p in payouts
        if p.pix_key_type in ("cpf", "cnpj") and p.pix_key != p.payee_tax_id
    ]


def _csv(batch: PayoutBatch, payouts: list[Payout], actor: Actor) -> ExportResult:
    rows = [
        PayoutCsvRow(
            payout_id=p.pk,
            partner_id=p.partner_id,
            payee_name=p.payee_name,
            payee_tax_id=p.payee_tax_id,
            currency=p.currency,
            gross=p.gross,
            withholdings=[(w.code, w.amount) for w in p.withholdings.all()],
            net=p.net,
            pix_key_type=p.pix_key_type,
            pix_key=p.pix_key,
            due_date=p.due_date,
        )
        for p in payouts
    ]
    export = BatchExport.objects.create(
        batch=batch,
        kind="csv",
        file_sequence=0,
        filename=f"parceria-payouts-{batch.period:%Y-%m}.csv",
        content=payouts_csv(rows),
        payout_ids=[p.pk for p in payouts],
        created_by=actor.label[:200],
    )
    return ExportResult(export, [p.pk for p in payouts])


def return_file_import(*, text: str | bytes, filename: str, actor: Actor) -> ReturnReport:
    """Mark each payout of a bank return file paid or failed, as the layout's return table says. A payout the
    bank only accepted or scheduled stays pending (listed in `pending`); unknown references, unknown codes and
    contradictions are reported in `problems`, not applied; a payout already marked the same way is left as
    it is."""
    try:
        entries = parse_return(text)
    except ReturnFileError as exc:
        raise InvalidInput(f"{filename}: {exc}", code="invalid_return_file") from None
    report = ReturnReport()
    payouts = Payout.objects.select_related("batch").in_bulk(
        [int(e.reference) for e in entries if e.reference.isdigit()]
    )
    for entry in entries:
        payout = payouts.get(int(entry.reference)) if entry.reference.isdigit() else None
        if payout is None:
            report.problems.append({"reference": entry.reference, "error": "no payout has this reference"})
        elif entry.status == "review":
            report.problems.append({"reference": entry.reference, "error": entry.note})
        elif entry.status == "pending":
            report.pending.append({"reference": entry.reference, "codes": entry.codes, "note": entry.note})
        else:
            _apply_entry(payout, entry.status, ",".join(entry.codes), filename, actor, report)
    return report


def _apply_entry(payout: Payout, status: str, codes: str, filename: str, actor: Actor, report: ReturnReport) -> None:
    already = current_statuses([payout])[payout.pk] == status
    try:
        payout_mark(payout=payout, status=status, source=f"return:{filename}", reference=codes, actor=actor)
    except Conflict as exc:
        report.problems.append({"reference": str(payout.pk), "error": exc.message})
        return
    if already:
        report.unchanged.append(payout.pk)
    else:
        (report.paid if status == PayoutStatus.PAID else report.failed).append(payout.pk)
