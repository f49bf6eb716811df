"""Payout batches, payouts and their withholdings (SPEC §7). The closed months are commissions.ClosedPeriod.

Payouts, like ledger lines, are never updated or deleted: what happens to a payout after it is made
(approved with its batch, exported, paid, failed) is recorded as PayoutStatusChange rows, and its
current status is the latest of those.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parceria.common.append_only import AppendOnlyModel
from parceria.common.money import CURRENCY_CHOICES


class PayoutThreshold(models.Model):
    """The minimum balance paid out for partners paid in `currency`. The amount may be set in another
    currency (USD for high-inflation countries), converted at the FX rate of the period's last day."""

    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, unique=True)
    amount = models.DecimalField(max_digits=20, decimal_places=4)
    amount_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)

    def __str__(self) -> str:
        return f"{self.currency}: minimum {self.amount} {self.amount_currency}"


class WithholdingKind(models.TextChoices):
    FLAT = "flat", _("Flat rate of the gross")
    PROGRESSIVE = "progressive", _("Progressive table with deductions")
    CAPPED = "capped", _("Rate of the month's gross up to a ceiling")


class WithholdingRule(models.Model):
    """A version of a withholding tax rule, as data (SPEC §7.2). The version in force on the payment
    date applies. `country` "*" is the default for the payees of every country with no version of its own in
    force (parceria.payouts.withholding.rules_in_force). `params` holds, per kind (computation:
    parceria.payouts.withholding):

    flat:        {"rate": "0.015"}                                 # of each payout's gross
    capped:      {"rate": "0.11", "ceiling": "8475.55",            # of the month's gross up to the ceiling
                  "employer": {"code": "inss_cpp", "rate": "0.20"}}  # optional: the company's own contribution
    progressive: {"brackets": [{"up_to": "2428.80", "rate": "0", "deduction": "0"}, …, {"up_to": null, …}],
                  "deductions": {"simplified": "607.20", "withheld": ["inss"]},   # optional
                  "reduction": {"zero_up_to": "5000.00", "zero_max": "312.89", "up_to": "7350.00",
                                "constant": "978.62", "factor": "0.133145"}}      # optional
    """

    code = models.CharField(max_length=10, help_text="Tax code (DARF code in Brazil, e.g. 8045).")
    name = models.CharField(max_length=120)
    country = models.CharField(
        max_length=2,
        help_text="The payee's country (BR, MX, …), or * for the payees of every country with no version of its own "
        "in force.",
    )
    tax_regime = models.CharField(max_length=12, help_text="The partner tax regime the rule applies to.")
    kind = models.CharField(max_length=12, choices=WithholdingKind.choices)
    params = models.JSONField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Exclusive; null: open-ended.")
    minimum_to_withhold = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        default=0,
        help_text="Not withheld when the tax, rounded to the cent, is at most this (the payout's tax for a flat "
        "rule, the month's for the others); 0: always withheld. Brazil: R$ 10.00, Lei 9.430/96 art. 67.",
    )
    legal_basis = models.TextField(help_text="The law or act the rule comes from, and what to verify.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "tax_regime", "code", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "tax_regime", "code", "effective_from"], name="withholding_rule_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.country}/{self.tax_regime}) from {self.effective_from}"


class PayoutBatch(models.Model):
    """All payouts of one close. One batch per closed month."""

    period = models.DateField(unique=True, help_text="The closed month (first day).")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200)
    reimbursements_snapshot = models.BooleanField(
        default=False, help_text="Its close wrote the reimbursement snapshot of its month (ReimbursementSnapshot), "
        "whose rows may be none: no reimbursement paid yet."
    )

    class Meta:
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"payout batch {self.period:%Y-%m}"


class BatchApproval(AppendOnlyModel):
    """An approval of a batch by a finance user. Batches above the configured total need two."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="approvals")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    approver_label = models.CharField(max_length=200)
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "approver_label"], name="batch_approval_once_per_approver")
        ]

    def __str__(self) -> str:
        return f"batch {self.batch_id} approved by {self.approver_label}"


class Payout(AppendOnlyModel):
    """What one close pays one partner in one currency (a partner with balances in two currencies gets two).
    gross − Σ withholdings = net. The ledger holds a payout line of −gross (dedupe key
    `payout:<period>:<partner>:<currency>`). The payee's details are copied at payout time.

    `payment_date` is the taxable event (pagamento ou crédito): the date of the close that made the payout.
    Its month is the month whose payouts to the same payee tax id are summed for the monthly withholding
    rules, and the rule versions in force on it apply (parceria.payouts.withholding); the income statement
    reports a paid payout in that month and year (parceria.payouts.informe), whenever it was marked paid."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="payouts")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="payouts")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    gross = models.DecimalField(max_digits=20, decimal_places=4, help_text="Balance paid, at the minor unit.")
    net = models.DecimalField(max_digits=20, decimal_places=4, help_text="Gross less withholdings: what is sent.")
    reimbursement = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        default=0,
        help_text="The marketing fund reimbursements paid within `gross` (≤ gross): no tax is withheld on them and "
        "the income statement leaves them out (docs/payouts.md).",
    )
    due_date = models.DateField(help_text="30 days after the period's end.")
    payment_date = models.DateField(help_text="Date of payment or credit: the day of the close that made it.")
    payee_name = models.CharField(max_length=300)
    payee_tax_id = models.CharField(max_length=40)
    pix_key_type = models.CharField(max_length=10, blank=True)
    pix_key = models.CharField(max_length=120, blank=True)
    method = models.CharField(
        max_length=12, blank=True, help_text="The payout method at the close (common.payout_methods); blank before "
        "methods existed: a PIX key when pix_key is set."
    )
    account = models.JSONField(default=dict, blank=True, help_text="The method's details, copied at the close.")
    paid_from_currency = models.CharField(
        max_length=3, blank=True, help_text="The company's paying currency when it is not the payout's (FX below)."
    )
    paid_from_amount = models.DecimalField(
        max_digits=20, decimal_places=4, null=True, blank=True, help_text="The net in paid_from_currency, to the cent."
    )
    fx_rate = models.DecimalField(
        max_digits=24, decimal_places=10, null=True, blank=True, help_text="paid_from_currency per unit of currency."
    )
    fx_source = models.CharField(max_length=60, blank=True, help_text="Where the rate comes from (ptax, import, …).")
    fx_date = models.DateField(null=True, blank=True, help_text="The day the rate is of.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch_id", "partner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "partner", "currency"], name="payout_once_per_partner_currency_per_batch"
            )
        ]
        indexes = [models.Index(fields=["payment_date", "payee_tax_id"], name="payout_payment_month")]

    def __str__(self) -> str:
        return f"payout #{self.pk} {self.gross} {self.currency} to partner {self.partner_id}"


class PayoutTaxLine(AppendOnlyModel):
    """A tax figure computed on a payout by a rule version: its code, base, amount and explanation. Shared by
    what is withheld from the payout and what the company pays on top of it."""

    rule = models.ForeignKey(WithholdingRule, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=10)
    base = models.DecimalField(max_digits=20, decimal_places=4)
    amount = models.DecimalField(max_digits=20, decimal_places=4)
    explanation = models.TextField()

    class Meta:
        abstract = True
        ordering = ["payout_id", "code"]


class PayoutWithholding(PayoutTaxLine):
    """One tax withheld from a payout, with the rule version that computed it. `base` is what the tax was
    computed on: the payout's gross for a flat rule; for a monthly rule, the month's base (all of the
    month's payouts to the payee so far, less deductions)."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="withholdings")

    def __str__(self) -> str:
        return f"{self.code}: {self.amount} withheld from payout {self.payout_id}"


class PayoutEmployerContribution(PayoutTaxLine):
    """A contribution the company pays on a payout, on top of it and never withheld from it (in Brazil the
    company's 20 % social security contribution on remuneration paid to individuals), with the rule
    version that computed it. A cost of the close, not part of the payout's net."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="employer_contributions")

    def __str__(self) -> str:
        return f"{self.code}: {self.amount} paid by the company on payout {self.payout_id}"


class PayoutStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("payout status", "Pending")
    PAID = "paid", pgettext_lazy("payout status", "Paid")
    FAILED = "failed", pgettext_lazy("payout status", "Failed")


class PayoutStatusChange(AppendOnlyModel):
    """A payout was paid or failed (from the bank's return file or the API). The latest row is its status;
    a payout without one is pending. A failed payout's gross goes back on the balance by a reversing line."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="status_changes")
    status = models.CharField(max_length=10, choices=PayoutStatus.choices)
    at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=200, help_text="api, return file name, …")
    reference = models.CharField(max_length=200, blank=True, help_text="Bank reference or reason.")

    class Meta:
        ordering = ["payout_id", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["payout", "status"], name="payout_status_reached_once"),
        ]
        # The failed payouts (few) without reading every mark: the close adds their reimbursements back.
        indexes = [models.Index(fields=["payout"], condition=models.Q(status="failed"), name="payout_status_failed")]

    def __str__(self) -> str:
        return f"payout {self.payout_id} {self.status} ({self.source})"


class CarryReason(models.TextChoices):
    """Why a close carried a balance instead of paying it (CarriedBalance.reason)."""

    BELOW_MINIMUM = "below_minimum", _("Below the minimum payout")
    NEGATIVE = "negative", _("Negative balance")
    HELD = "held", _("Partner not active")
    FLAGGED = "flagged", _("Open safeguard flag")
    DETAILS_CHANGED = "details_changed", _("Payout details changed recently")
    NO_METHOD = "no_method", _("No payout method for this currency")
    NO_FX_RATE = "no_fx_rate", _("No exchange rate for the minimum")
    REMAINDER = "remainder", _("Less than one cent")


class CarriedBalance(AppendOnlyModel):
    """A partner's balance in one currency left after a close: below the minimum, negative, or the sub-cent
    remainder of a payout. Σ payouts' gross + Σ carried = the partners' balances at the close. `reason` is a
    CarryReason."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="carried")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    balance = models.DecimalField(max_digits=20, decimal_places=4)
    reason = models.CharField(
        max_length=20, help_text="below_minimum, negative, held (suspended partner), no_fx_rate or remainder."
    )

    class Meta:
        ordering = ["batch_id", "partner_id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "partner", "currency"], name="carried_once_per_partner_currency")
        ]

    def __str__(self) -> str:
        return f"partner {self.partner_id} carries {self.balance} {self.currency}"


class ReimbursementSnapshot(AppendOnlyModel):
    """Σ `reimbursement` of every payout of the closes up to and including `month`, per partner and currency, failed
    payouts included: written once by the close of `month`, in its transaction (payouts/close.py). The marketing fund
    reimbursements already paid are then this snapshot of the latest close, plus the payouts of later batches, less
    the reimbursements of the payouts that failed (payouts/selectors.py `reimbursements_paid`), so the close no longer
    reads every payout ever made. Payouts are append-only and a close's batch never changes after it: the sum over
    the batches up to `month` is final. Only partners with a reimbursement have rows; the batch of `month` says that
    the snapshot was written (PayoutBatch.reimbursements_snapshot), rows or none."""

    month = models.DateField(help_text="The closed month (first day) of the close that wrote it.")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+", db_index=False)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    paid = models.DecimalField(max_digits=20, decimal_places=4, help_text="Σ reimbursement of the payouts up to month.")

    append_only_update = "a close's reimbursements never change"
    append_only_delete = "a close's reimbursements never change"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "partner", "currency"], name="reimbursement_snapshot_once")
        ]

    def __str__(self) -> str:
        return f"partner {self.partner_id} reimbursed {self.paid} {self.currency} up to {self.month:%Y-%m}"


class BatchExport(AppendOnlyModel):
    """A file exported for a batch (CNAB remittance or CSV), kept as sent."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="exports")
    kind = models.CharField(
        max_length=10, help_text="cnab (PIX), cnab_ted, csv (every payout), or a transfer file: spei, cbu, co_bank, "
        "cl_bank, intl."
    )
    file_sequence = models.PositiveIntegerField(help_text="Remittance sequence number (CNAB), 0 for CSV.")
    filename = models.CharField(max_length=120)
    content = models.TextField()
    payout_ids = models.JSONField(default=list, help_text="The payouts this file carries.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} export {self.filename} of batch {self.batch_id}"
