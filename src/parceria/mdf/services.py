"""Marketing development funds: budgets, requests, claims, reimbursements and expiry (docs/mdf.md).

Every service is keyword-only and atomic: it locks the row it changes, checks the transition, writes, audits and,
for a decision, emits the webhook event `mdf.decided` in the same transaction. The reimbursement of an approved claim
is written to the ledger only through commissions.ledger.post_mdf_reimbursement (kind `mdf`).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.commissions.ledger import post_mdf_reimbursement
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput, TooLarge
from parceria.common.formatting import format_money
from parceria.common.fx import fx_quote
from parceria.common.money import round_down_minor
from parceria.common.months import add_months, month_end
from parceria.deals.models import DealRegistration
from parceria.mdf.budget_data import BUDGET_CURRENCY, quarterly_amount
from parceria.mdf.models import ActivityKind, Budget, FundRequest, ProofFile, RequestStatus
from parceria.partners.models import Partner, PartnerStatus, TierDefinition
from parceria.partners.tier_data import TIER_DEFINITIONS
from parceria.webhooks.models import EventType
from parceria.webhooks.outbox import emit

ZERO = Decimal(0)


# --- quarters and settings -------------------------------------------------------------------------------------------


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(quarter: date) -> date:
    return month_end(add_months(quarter_start(quarter), months=2))


def parse_quarter(text: str) -> date:
    """'2026Q4' → 2026-10-01."""
    found = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", text or "")
    if not found:
        raise InvalidInput(f"a quarter is written YYYYQn (e.g. 2026Q4), not {text!r}", code="invalid_quarter")
    return date(int(found[1]), 3 * (int(found[2]) - 1) + 1, 1)


def quarter_label(quarter: date) -> str:
    return f"{quarter.year}Q{(quarter.month - 1) // 3 + 1}"


def _setting(name: str) -> int:
    return int(settings.PARCERIA_MDF[name])


def budget_expires_on(quarter: date) -> date:
    """The last day the budget may be requested: the quarter's end plus MDF_BUDGET_GRACE_DAYS."""
    return quarter_end(quarter) + timedelta(days=_setting("BUDGET_GRACE_DAYS"))


def claim_deadline(budget: Budget) -> date:
    """The last day an approved request may be claimed: the quarter's end plus CLAIM_GRACE_DAYS."""
    return quarter_end(budget.quarter) + timedelta(days=_setting("CLAIM_GRACE_DAYS"))


# --- budgets ----------------------------------------------------------------------------------------------------------


def _eligible_tiers(on: date) -> set[str]:
    """The tiers whose benefits in force on `on` say mdf_eligible (the TierDefinition table; its seed data else)."""
    rows = TierDefinition.objects.filter(effective_from__lte=on).exclude(effective_to__lte=on)
    found = {row.tier: bool(row.benefits.get("mdf_eligible")) for row in rows}
    if not found:
        found = {d["tier"]: bool(d["benefits"].get("mdf_eligible")) for d in TIER_DEFINITIONS}
    return {tier for tier, eligible in found.items() if eligible}


@dataclass
class BudgetRun:
    quarter: date
    created: list[Budget] = field(default_factory=list)
    existing: int = 0
    missing_rates: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{quarter_label(self.quarter)}: {len(self.created)} budget(s) created, {self.existing} already there"
        if self.missing_rates:
            text += f"; no FX rate for {', '.join(sorted(set(self.missing_rates)))} (those partners get none yet)"
        return text


def budgets_create(*, quarter: date, actor: Actor) -> BudgetRun:
    """Create the quarter's budget of every active partner of an eligible tier that has none (idempotent)."""
    quarter = quarter_start(quarter)
    run = BudgetRun(quarter)
    eligible = _eligible_tiers(quarter)
    with transaction.atomic():
        have = set(Budget.objects.filter(quarter=quarter).values_list("partner_id", flat=True))
        partners = Partner.objects.filter(status=PartnerStatus.ACTIVE, tier__in=eligible).order_by("pk")
        quotes: dict[str, tuple[Decimal, str] | None] = {}
        for partner in partners:
            if partner.pk in have:
                run.existing += 1
                continue
            amount_brl = quarterly_amount(partner.tier or "", quarter)
            if amount_brl is None:
                continue
            if partner.currency not in quotes:
                quote = fx_quote(BUDGET_CURRENCY, partner.currency, quarter)
                quotes[partner.currency] = None if quote is None else (quote.rate, quote.source)
            rate = quotes[partner.currency]
            if rate is None:
                run.missing_rates.append(partner.currency)
                continue
            budget = Budget.objects.create(
                partner=partner, quarter=quarter, tier=partner.tier or "", currency=partner.currency,
                amount_brl=amount_brl, fx_rate=rate[0], fx_source=rate[1],
                amount=round_down_minor(amount_brl * rate[0], partner.currency), expires_on=budget_expires_on(quarter),
            )
            audit_record_create(actor=actor, action="mdf.budget_created", obj=budget, after=_budget_state(budget))
            run.created.append(budget)
    return run


def _budget_state(budget: Budget) -> dict[str, object]:
    return {"quarter": quarter_label(budget.quarter), "amount": str(budget.amount), "currency": budget.currency,
            "amount_brl": str(budget.amount_brl), "fx_rate": str(budget.fx_rate), "reason": budget.override_reason}


def budget_override(*, budget: Budget, amount: Decimal, reason: str, actor: Actor) -> Budget:
    """Staff set a partner's budget for the quarter to `amount` (its currency), with a reason (audited)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the budget changes."), code="reason_required", details={"field": "reason"})
    if amount < 0:
        raise InvalidInput(_("A budget cannot be negative."), code="invalid_amount", details={"field": "amount"})
    with transaction.atomic():
        locked = Budget.objects.select_for_update().get(pk=budget.pk, partner_id=budget.partner_id)
        committed = budget_committed(locked)
        if amount < committed:
            raise Conflict(_("Requests already take %(amount)s of this budget.") % {
                "amount": format_money(committed, locked.currency)}, code="below_committed",
                details={"field": "amount"})
        before = _budget_state(locked)
        locked.amount, locked.override_reason = round_down_minor(amount, locked.currency), reason[:300]
        locked.save(update_fields=["amount", "override_reason"])
        audit_record_create(actor=actor, action="mdf.budget_overridden", obj=locked, before=before,
                            after=_budget_state(locked), reason=reason)
    return locked


def budget_committed(budget: Budget) -> Decimal:
    """What the budget's requests take from it (requested, approved, claimed, or reimbursed amounts)."""
    return sum((r.committed for r in budget.requests.filter(partner_id=budget.partner_id)), ZERO)


def budget_available(budget: Budget) -> Decimal:
    return budget.amount - budget_committed(budget)


# --- requests ---------------------------------------------------------------------------------------------------------


def _clean_text(value: str, name: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"{name} is required", code="required", details={"field": name})
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters", code="too_long", details={"field": name})
    return value


def _money(amount: Decimal, currency: str, name: str = "amount") -> Decimal:
    if amount is None or not amount.is_finite() or amount <= 0:
        raise InvalidInput(f"{name} must be more than zero", code="invalid_amount", details={"field": name})
    if round_down_minor(amount, currency) != amount:
        raise InvalidInput(f"{name} has more decimals than {currency} allows", code="invalid_amount",
                           details={"field": name})
    return amount


def request_create(
    *, partner: Partner, actor: Actor, title: str, kind: str, planned_on: date, amount: Decimal, description: str,
    expected_results: str, today: date | None = None,
) -> FundRequest:
    """The partner asks for funds for an activity, from the budget of the quarter of `today`."""
    today = today or timezone.localdate()
    title = _clean_text(title, "title", 200)
    description = _clean_text(description, "description", 4000)
    expected_results = _clean_text(expected_results, "expected_results", 4000)
    if kind not in ActivityKind.values:
        raise InvalidInput(f"unknown activity kind {kind!r}", code="invalid_kind", details={"field": "kind"})
    with transaction.atomic():
        budget = (Budget.objects.select_for_update()
                  .filter(partner=partner, quarter__lte=today, expires_on__gte=today).order_by("-quarter").first())
        if budget is None:
            raise Conflict("the partner has no marketing fund open for requests today", code="no_budget")
        amount = _money(amount, budget.currency)
        available = budget_available(budget)
        if amount > available:
            raise InvalidInput(
                f"{amount} {budget.currency} is more than the {available} {budget.currency} available",
                code="over_budget", details={"field": "amount", "available": str(available)},
            )
        request = FundRequest.objects.create(
            budget=budget, partner=partner, title=title, kind=kind, planned_on=planned_on, amount=amount,
            description=description, expected_results=expected_results, created_by=actor.label[:200],
        )
        audit_record_create(actor=actor, action="mdf.requested", obj=request,
                            after={"amount": str(amount), "currency": budget.currency, "title": title})
    return request


def _locked(request: FundRequest) -> FundRequest:
    return (FundRequest.objects.select_for_update().select_related("budget", "partner")
            .get(pk=request.pk, partner_id=request.partner_id))


def _emit(request: FundRequest, stage: str, amount: Decimal | None, reason: str) -> None:
    emit(EventType.MDF_DECIDED, partner=request.partner, data={
        "request_id": request.pk, "stage": stage, "status": request.status,
        "quarter": quarter_label(request.budget.quarter),
        "amount": str(round_down_minor(amount if amount is not None else ZERO, request.budget.currency)),
        "currency": request.budget.currency,
        "reason": reason,
    })


def request_decide(
    *, request: FundRequest, approve: bool, actor: Actor, amount: Decimal | None = None, reason: str = "",
    now: datetime | None = None,
) -> FundRequest:
    """Staff approve a request (its amount or a lower one, with a reason when lower) or decline it (with a reason)."""
    now = now or timezone.now()
    reason = (reason or "").strip()[:300]
    with transaction.atomic():
        locked = _locked(request)
        if locked.status != RequestStatus.REQUESTED:
            raise Conflict(f"the request is {locked.status}, not waiting for a decision", code="already_decided")
        if approve:
            amount = locked.amount if amount is None else _money(amount, locked.currency)
            if amount > locked.amount:
                raise InvalidInput("the approved amount cannot be more than the amount requested",
                                   code="over_requested", details={"field": "amount"})
            if amount < locked.amount and not reason:
                raise InvalidInput("say why less is approved", code="reason_required", details={"field": "reason"})
            locked.status, locked.approved_amount = RequestStatus.APPROVED, amount
        else:
            if not reason:
                raise InvalidInput("say why the request is declined", code="reason_required",
                                   details={"field": "reason"})
            locked.status, amount = RequestStatus.DECLINED, None
        locked.decision_reason, locked.decided_at, locked.decided_by = reason, now, actor.label[:200]
        locked.save(update_fields=["status", "approved_amount", "decision_reason", "decided_at", "decided_by"])
        audit_record_create(actor=actor, action="mdf.request_decided", obj=locked, reason=reason,
                            before={"status": RequestStatus.REQUESTED},
                            after={"status": locked.status, "approved_amount": str(amount or "")})
        _emit(locked, "request", amount, reason)
    return locked


# --- claims -----------------------------------------------------------------------------------------------------------

PROOF_TYPES = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def check_proof(upload: Upload) -> str:
    """The content type of a proof file, judged by its content (magic bytes, then pypdf or Pillow opens it);
    InvalidInput when it is neither a PDF nor a PNG/JPEG image, TooLarge above MDF MAX_PROOF_BYTES."""
    limit = _setting("MAX_PROOF_BYTES")
    if len(upload.content) > limit:
        raise TooLarge(f"{upload.filename} is larger than {limit // (1024 * 1024)} MB", code="file_too_large")
    if not upload.content:
        raise InvalidInput(f"{upload.filename} is empty", code="invalid_file")
    kind = next((t for t, magic in PROOF_TYPES.items() if upload.content.startswith(magic)), None)
    try:
        if kind == "application/pdf":
            from pypdf import PdfReader

            if len(PdfReader(io.BytesIO(upload.content)).pages) < 1:
                kind = None
        elif kind is not None:
            from PIL import Image

            with Image.open(io.BytesIO(upload.content)) as image:
                image.verify()
    except Exception:
        kind = None
    if kind is None:
        raise InvalidInput(f"{upload.filename} is not a PDF, PNG or JPEG file", code="invalid_file")
    return kind


def claim_submit(
    *, request: FundRequest, amount: Decimal, files: Sequence[Upload], actor: Actor, today: date | None = None,
    now: datetime | None = None,
) -> FundRequest:
    """The partner claims an approved request after the activity: the amount spent (at most the approved amount)
    and one or more proof files. Refused, with nothing stored, above the approved amount or after the deadline."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    if not files:
        raise InvalidInput("attach at least one invoice or receipt", code="proof_required", details={"field": "files"})
    if len(files) > _setting("MAX_PROOF_FILES"):
        raise InvalidInput(f"at most {_setting('MAX_PROOF_FILES')} files", code="too_many_files")
    types = [check_proof(f) for f in files]
    with transaction.atomic():
        locked = _locked(request)
        if locked.status == RequestStatus.EXPIRED or (
            locked.status == RequestStatus.APPROVED and today > claim_deadline(locked.budget)
        ):
            raise Conflict(f"the claim period ended on {claim_deadline(locked.budget).isoformat()}", code="expired")
        if locked.status != RequestStatus.APPROVED:
            raise Conflict(f"the request is {locked.status}: only an approved request is claimed", code="not_approved")
        amount = _money(amount, locked.currency)
        approved = locked.approved_amount or ZERO
        if amount > approved:
            raise InvalidInput(
                f"{amount} {locked.currency} is more than the {approved} {locked.currency} approved",
                code="over_approved", details={"field": "amount", "approved": str(approved)},
            )
        for upload, content_type in zip(files, types, strict=True):
            name = re.sub(r"[^\w.\- ]", "_", upload.filename or "proof")[-120:] or "proof"
            proof = ProofFile(request=locked, filename=name, content_type=content_type, size=len(upload.content),
                              sha256=hashlib.sha256(upload.content).hexdigest())
            proof.file.save(name, ContentFile(upload.content), save=False)
            proof.save()
        locked.status, locked.claimed_amount, locked.claimed_at = RequestStatus.CLAIMED, amount, now
        locked.save(update_fields=["status", "claimed_amount", "claimed_at"])
        audit_record_create(actor=actor, action="mdf.claimed", obj=locked,
                            after={"claimed_amount": str(amount), "files": len(files)})
    return locked


def claim_decide(
    *, request: FundRequest, approve: bool, actor: Actor, amount: Decimal | None = None, reason: str = "",
    now: datetime | None = None,
) -> FundRequest:
    """Staff approve a claim — the reimbursement is min(claimed, approved), or less with a reason — and it becomes a
    ledger line of kind `mdf` paid by the next close; or reject it with a reason."""
    now = now or timezone.now()
    reason = (reason or "").strip()[:300]
    with transaction.atomic():
        locked = _locked(request)
        if locked.status != RequestStatus.CLAIMED:
            raise Conflict(f"the request is {locked.status}, no claim is waiting", code="already_decided")
        due = min(locked.claimed_amount or ZERO, locked.approved_amount or ZERO)
        if approve:
            amount = due if amount is None else _money(amount, locked.currency)
            if amount > due:
                raise InvalidInput(f"the reimbursement cannot be more than {due} {locked.currency}",
                                   code="over_claimed", details={"field": "amount"})
            if amount < due and not reason:
                raise InvalidInput("say why less is reimbursed", code="reason_required", details={"field": "reason"})
            locked.status, locked.reimbursement = RequestStatus.REIMBURSED, amount
            locked.ledger_key = post_mdf_reimbursement(
                claim_id=locked.pk, partner_id=locked.partner_id, amount=amount, currency=locked.currency,
                explanation=(f"Marketing fund reimbursement: request #{locked.pk} {locked.title!r} "
                             f"({quarter_label(locked.budget.quarter)}), claimed {locked.claimed_amount}, "
                             f"approved {locked.approved_amount}, reimbursed {amount} {locked.currency}"),
                created_by=actor.label, now=now,
            )
        else:
            if not reason:
                raise InvalidInput("say why the claim is rejected", code="reason_required",
                                   details={"field": "reason"})
            locked.status, amount = RequestStatus.CLAIM_REJECTED, None
        locked.claim_reason, locked.claim_decided_at, locked.claim_decided_by = reason, now, actor.label[:200]
        locked.save(update_fields=["status", "reimbursement", "ledger_key", "claim_reason", "claim_decided_at",
                                   "claim_decided_by"])
        audit_record_create(actor=actor, action="mdf.claim_decided", obj=locked, reason=reason,
                            before={"status": RequestStatus.CLAIMED},
                            after={"status": locked.status, "reimbursement": str(amount or "")})
        _emit(locked, "claim", amount, reason)
    return locked


def request_link_deals(*, request: FundRequest, deal_ids: Iterable[int], actor: Actor) -> FundRequest:
    """Link the request to the deal registrations it produced (the partner's own only)."""
    ids = sorted(set(deal_ids))
    with transaction.atomic():
        locked = _locked(request)
        deals = list(DealRegistration.objects.filter(pk__in=ids, partner_id=locked.partner_id))
        if len(deals) != len(ids):
            raise InvalidInput("some deal registrations are not the partner's", code="unknown_deal",
                               details={"field": "deals"})
        before = sorted(locked.deals.filter(partner_id=locked.partner_id).values_list("pk", flat=True))
        locked.deals.set(deals)
        audit_record_create(actor=actor, action="mdf.deals_linked", obj=locked, before={"deals": before},
                            after={"deals": ids})
    return locked


# --- expiry -----------------------------------------------------------------------------------------------------------


@dataclass
class ExpiryRun:
    requests: list[FundRequest] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would expire" if self.dry_run else "expired"
        return f"{verb}: {len(self.requests)} approved request(s) not claimed, {len(self.budgets)} budget(s)"


def mdf_expire(*, today: date, actor: Actor, dry_run: bool = False, now: datetime | None = None) -> ExpiryRun:
    """Approved requests not claimed by their claim deadline become expired; budgets past their expiry date are
    marked expired (what was not requested is no longer available). Idempotent."""
    now = now or timezone.now()
    run = ExpiryRun(dry_run=dry_run)
    claim_days = timedelta(days=_setting("CLAIM_GRACE_DAYS"))
    with transaction.atomic():
        candidates = FundRequest.objects.select_for_update().filter(status=RequestStatus.APPROVED).select_related(
            "budget")
        for request in candidates:
            if today > quarter_end(request.budget.quarter) + claim_days:
                run.requests.append(request)
        run.budgets = list(Budget.objects.select_for_update().filter(expired_at__isnull=True, expires_on__lt=today))
        if dry_run:
            return run
        for request in run.requests:
            request.status, request.expired_at = RequestStatus.EXPIRED, now
            request.save(update_fields=["status", "expired_at"])
            audit_record_create(actor=actor, action="mdf.request_expired", obj=request,
                                before={"status": RequestStatus.APPROVED}, after={"status": RequestStatus.EXPIRED})
        for budget in run.budgets:
            unused = budget_available(budget)
            budget.expired_at = now
            budget.save(update_fields=["expired_at"])
            audit_record_create(actor=actor, action="mdf.budget_expired", obj=budget,
                                after={"unused": str(unused), "currency": budget.currency})
    return run


def total_reimbursed(budget: Budget) -> Decimal:
    reimbursed = budget.requests.filter(partner_id=budget.partner_id, status=RequestStatus.REIMBURSED)
    found = reimbursed.aggregate(total=Sum("reimbursement"))["total"]
    return found or ZERO
