"""Exporting approved payout batches to the bank and reading the bank's answer (SPEC §7.3).

Each payout is sent by the payout method the close copied onto it (common.payout_methods), in that method's file:

=========  ==========  ======================================================================================
method     file kind   the file
=========  ==========  ======================================================================================
pix        cnab        CNAB 240 remittance of PIX transfers (payouts/cnab/layouts/itau_sispag_pix.json)
br_ted     cnab_ted    CNAB 240 remittance of TED transfers to bank accounts (itau_sispag_ted.json)
mx_spei    spei        bulk-payment CSV for SPEI (payouts/transfer_files.py, one currency per file)
ar_cbu     cbu         bulk-payment CSV for CBU/CVU transfers
co_bank    co_bank     bulk-payment CSV for Colombian bank accounts
cl_bank    cl_bank     bulk-payment CSV for Chilean bank accounts
intl       intl        CSV of international (SWIFT) transfers, one file per currency
=========  ==========  ======================================================================================

`batch_transfer_groups` lists a batch's payouts still to send by file and currency, and `batch_export_all` writes
every such file at once. A payout goes into one transfer file only: once in a file of its method it is left out of
the next (listed as skipped) unless `again` is set, for a file the bank never received. The CSV (kind csv) carries
every payout still to be paid, for finance. Each export is kept (BatchExport); CNAB files share one remittance
sequence. A bank return file marks each payout paid or failed by its reference, the payout id.
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
from parceria.payouts.cnab import load_layout
from parceria.payouts.cnab.returns import ReturnFileError, parse_return
from parceria.payouts.cnab.writer import BankAccount, Company, RemittancePayment, write_remittance
from parceria.payouts.exports import PayoutCsvRow, payouts_csv
from parceria.payouts.models import BatchExport, Payout, PayoutBatch, PayoutStatus
from parceria.payouts.selectors import current_statuses, payouts_with_status
from parceria.payouts.services import batch_state, payout_mark
from parceria.payouts.transfer_files import TransferFileError, TransferRow, transfer_csv
from parceria.privacy.models import LegalBasis
from parceria.privacy.sharing import personal_pix_key, sharing_record

#: The file each payout method is sent in.
METHOD_FILE_KINDS = {
    "pix": "cnab", "br_ted": "cnab_ted", "mx_spei": "spei", "ar_cbu": "cbu", "co_bank": "co_bank",
    "cl_bank": "cl_bank", "intl": "intl",
}
FILE_METHODS = {kind: method for method, kind in METHOD_FILE_KINDS.items()}
CNAB_KINDS = ("cnab", "cnab_ted")
CNAB_LAYOUTS = {"cnab": "itau_sispag_pix", "cnab_ted": "itau_sispag_ted"}
EXPORT_KINDS = (*METHOD_FILE_KINDS.values(), "csv")
CENT = Decimal("0.01")
#: The largest id of a payout (a signed 64-bit integer in every database): a longer reference names none.
_MAX_ID = 2**63 - 1


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


def payout_method_of(payout: Payout) -> str:
    """The method a payout is sent by: the one the close copied, or for a payout made before methods existed, PIX
    when it has a key."""
    return payout.method or ("pix" if payout.pix_key else "")


@dataclass(frozen=True)
class TransferGroup:
    """The payouts of a batch one file sends: `kind` (a file kind), their currency, how many are still to send and
    their net sum, and how many of them were already in a file."""

    kind: str
    currency: str
    count: int
    net: Decimal
    sent: int


def batch_transfer_groups(batch: PayoutBatch) -> list[TransferGroup]:
    """The batch's pending payouts grouped by the file that sends them and currency (none: no method)."""
    sent = _sent_before(batch)
    groups: dict[tuple[str, str], list[Payout]] = {}
    for payout in _pending(batch):
        kind = METHOD_FILE_KINDS.get(payout_method_of(payout), "")
        groups.setdefault((kind, payout.currency), []).append(payout)
    return [
        TransferGroup(kind, currency, len(rows), sum((p.net for p in rows), Decimal(0)),
                      sum(1 for p in rows if p.pk in sent))
        for (kind, currency), rows in sorted(groups.items())
    ]


def batch_export_all(*, batch: PayoutBatch, actor: Actor, now: datetime | None = None) -> list[ExportResult]:
    """Every transfer file of an approved batch that has payouts not sent yet: one per file kind and currency, in
    one transaction (all or none)."""
    results = []
    with transaction.atomic():
        for group in batch_transfer_groups(batch):
            if group.kind and group.count > group.sent:
                results.append(batch_export(batch=batch, kind=group.kind, currency=group.currency, actor=actor,
                                            now=now))
    if not results:
        raise Conflict(_("every payout of this batch is already in a transfer file"), code="nothing_to_export")
    return results


def batch_export(
    *, batch: PayoutBatch, kind: str, actor: Actor, again: bool = False, now: datetime | None = None,
    currency: str | None = None,
) -> ExportResult:
    """Export an approved batch's payouts of one method as its file (a CNAB 240 PIX or TED remittance, or a transfer
    CSV: `currency` chooses the currency when that method's payouts have several), or every payout as the CSV; the
    file is kept as sent. A payout already sent in an earlier transfer file is left out (so nothing is paid twice)
    unless `again` is set, for a file the bank never received."""
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
        if kind in CNAB_KINDS:
            result = _cnab(locked, kind, payouts, now, actor, again)
        elif kind == "csv":
            result = _csv(locked, payouts, actor)
        else:
            result = _transfer_csv(locked, kind, payouts, now, actor, again, currency)
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
    what = {"cnab": "PIX remittance (CNAB 240)", "cnab_ted": "TED remittance (CNAB 240)", "csv": "payout CSV"}.get(
        export.kind, f"{export.kind} transfer file")
    sharing_record(
        recipient=f"bank {bank}" if export.kind in (*CNAB_KINDS, "csv") else f"the company's bank ({export.kind} "
                                                                              f"bulk payment)",
        channel="cnab_file" if export.kind in CNAB_KINDS else "bank_csv",
        legal_basis=LegalBasis.CONTRACT,
        categories=[*(["pf_payee_tax"] if people else []), *(["pix_key"] if keys else [])],
        description=f"{what} {export.filename}: {len(payouts)} payouts of {export.batch.period:%Y-%m}, payee names, "
                    f"tax ids and {'PIX keys' if export.kind == 'cnab' else 'bank accounts'}",
        subjects=len(people | keys),
        obj=export,
        actor=actor,
    )


def _sent_before(batch: PayoutBatch) -> dict[int, str]:
    """Each payout of the batch already in a transfer file (any kind but the finance CSV), with the file's name."""
    sent: dict[int, str] = {}
    for filename, payout_ids in BatchExport.objects.filter(batch=batch).exclude(kind="csv").values_list(
        "filename", "payout_ids"
    ):
        sent.update({payout_id: filename for payout_id in payout_ids})
    return sent


def _cnab_skip_reason(payout: Payout, kind: str, sent: dict[int, str]) -> str:
    if payout.currency != "BRL":
        return "not paid in BRL"
    method = payout_method_of(payout)
    if kind == "cnab" and not method:
        return "no PIX key on file"
    if method != FILE_METHODS[kind]:
        return f"paid by {method}" if method else "no payout method"
    if payout.pk in sent:
        return f"already sent in {sent[payout.pk]}"
    if kind == "cnab_ted" and payout.account.get("bank_code") in load_layout(CNAB_LAYOUTS[kind]).excluded_payee_banks:
        return (f"the payee's account is at bank {payout.account['bank_code']}, which this TED file cannot pay "
                f"(a transfer within the company's bank): pay it by PIX")
    if kind == "cnab":
        try:  # a key or tax id stored before a rule changed must not block the whole file
            validate_pix_key(payout.pix_key_type, payout.pix_key)
        except PixKeyError as exc:
            return f"PIX key not valid now: {exc.message}"
    try:
        validate_tax_id("BR", payout.payee_tax_id)
    except TaxIdError as exc:
        return f"payee tax id not valid now: {exc}"
    return ""


def _cnab(
    batch: PayoutBatch, kind: str, payouts: list[Payout], now: datetime, actor: Actor, again: bool
) -> ExportResult:
    sent = {} if again else _sent_before(batch)
    reasons = {p.pk: _cnab_skip_reason(p, kind, sent) for p in payouts}
    skipped = [{"payout_id": p.pk, "reason": reasons[p.pk]} for p in payouts if reasons[p.pk]]
    chosen = [p for p in payouts if not reasons[p.pk]]
    if not chosen:
        raise Conflict(
            _("no payout of this batch can go in a PIX remittance") if kind == "cnab"
            else _("no payout of this batch can go in a TED remittance"),
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
            account=_bank_account(p) if kind == "cnab_ted" else None,
        )
        for p in chosen
    ]
    sequence = (BatchExport.objects.filter(kind__in=CNAB_KINDS).aggregate(m=Max("file_sequence"))["m"] or 0) + 1
    company = Company(**settings.PARCERIA["COMPANY"])  # type: ignore[arg-type]
    try:
        content = write_remittance(
            layout=CNAB_LAYOUTS[kind], company=company, payments=payments, file_sequence=sequence,
            generated_at=timezone.localtime(now),
        )
    except ValueError as exc:
        raise InvalidInput(str(exc), code="remittance_invalid") from None
    export = BatchExport.objects.create(
        batch=batch,
        kind=kind,
        file_sequence=sequence,
        filename=f"parceria-{'pix' if kind == 'cnab' else 'ted'}-{batch.period:%Y-%m}-{sequence:06d}.rem",
        content=content,
        payout_ids=[p.pk for p in chosen],
        created_by=actor.label[:200],
    )
    return ExportResult(export, [p.pk for p in chosen], skipped, _key_warnings(chosen))


def _bank_account(payout: Payout) -> BankAccount:
    account = payout.account
    return BankAccount(
        bank_code=account["bank_code"], branch=account["branch"], branch_digit=account.get("branch_digit", ""),
        account=account["account"], account_digit=account["account_digit"], account_type=account["account_type"],
    )


def _transfer_csv(
    batch: PayoutBatch, kind: str, payouts: list[Payout], now: datetime, actor: Actor, again: bool,
    currency: str | None,
) -> ExportResult:
    """A bulk-payment CSV of the payouts sent by the method of `kind` (payouts/transfer_files.py)."""
    method = FILE_METHODS[kind]
    sent = {} if again else _sent_before(batch)
    ours = [p for p in payouts if payout_method_of(p) == method]
    currencies = sorted({p.currency for p in ours if p.pk not in sent})
    if currency is None and len(currencies) > 1:
        raise InvalidInput(
            _("these payouts are in %(currencies)s: choose one currency per file") % {"currencies": ", ".join(
                currencies)}, code="choose_currency", details={"field": "currency"},
        )
    currency = currency or (currencies[0] if currencies else None)

    def reason(p: Payout) -> str:
        if payout_method_of(p) != method:
            return f"paid by {payout_method_of(p) or 'no method'}"
        if p.currency != currency:
            return f"paid in {p.currency}"
        return f"already sent in {sent[p.pk]}" if p.pk in sent else ""

    reasons = {p.pk: reason(p) for p in payouts}
    skipped = [{"payout_id": p.pk, "reason": reasons[p.pk]} for p in payouts if reasons[p.pk]]
    chosen = [p for p in payouts if not reasons[p.pk]]
    if not chosen:
        raise Conflict(_("no payout of this batch can go in this file"), code="nothing_to_export",
                       details={"skipped": skipped})
    concept = f"Parceria {batch.period:%Y-%m}"
    rows = [
        TransferRow(reference=str(p.pk), payee_name=p.payee_name, payee_tax_id=p.payee_tax_id, currency=p.currency,
                    amount=p.net, payment_date=timezone.localdate(now), account=p.account, concept=concept)
        for p in chosen
    ]
    try:
        content = transfer_csv(method, rows)
    except TransferFileError as exc:
        raise InvalidInput(str(exc), code="transfer_file_invalid") from None
    number = BatchExport.objects.filter(batch=batch, kind=kind).count() + 1
    export = BatchExport.objects.create(
        batch=batch,
        kind=kind,
        file_sequence=0,
        filename=f"parceria-{kind.replace('_', '-')}-{batch.period:%Y-%m}-{currency}-{number:02d}.csv",
        content=content,
        payout_ids=[p.pk for p in chosen],
        created_by=actor.label[:200],
    )
    return ExportResult(export, [p.pk for p in chosen], skipped)


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
        entries = parse_return(text, layout=_return_layout(text))
    except ReturnFileError as exc:
        raise InvalidInput(f"{filename}: {exc}", code="invalid_return_file") from None
    report = ReturnReport()
    ids = {entry.reference: _payout_id(entry.reference) for entry in entries}
    payouts = Payout.objects.select_related("batch").in_bulk([i for i in ids.values() if i is not None])
    for entry in entries:
        found = ids[entry.reference]
        payout = payouts.get(found) if found is not None else None
        if payout is None:
            report.problems.append({"reference": entry.reference, "error": "no payout has this reference"})
        elif entry.status == "review":
            report.problems.append({"reference": entry.reference, "error": entry.note})
        elif entry.status == "pending":
            report.pending.append({"reference": entry.reference, "codes": entry.codes, "note": entry.note})
        else:
            _apply_entry(payout, entry.status, ",".join(entry.codes), filename, actor, report)
    return report


def _payout_id(reference: str) -> int | None:
    """The payout id a return file's reference names, or None: not ASCII digits (str.isdigit also takes "²", which
    int() refuses), or beyond the largest id the database holds."""
    if not (reference.isascii() and reference.isdigit()):
        return None
    number = int(reference)
    return number if number <= _MAX_ID else None


def _return_layout(text: str | bytes) -> str:
    """The layout of our remittance a return file answers: the one whose batch header's payment method (positions
    12-13 of the second record) it carries; the PIX layout when the file is too short to say (its reader explains)."""
    lines = (text.decode("latin-1") if isinstance(text, bytes) else text).splitlines()
    method = lines[1][11:13] if len(lines) > 1 else ""
    for name in CNAB_LAYOUTS.values():
        if load_layout(name).record("batch_header").constant("payment_method") == method:
            return name
    return CNAB_LAYOUTS["cnab"]


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
