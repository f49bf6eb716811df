"""Commission plans, the append-only ledger, its totals and the closed accounting months it posts around, with the
balance snapshot each close leaves (SPEC §6, §7.1)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from parceria.commissions.engine import plan_label
from parceria.common.append_only import AppendOnlyModel
from parceria.common.money import CURRENCY_CHOICES


class CommissionPlan(models.Model):
    """A version of the commission plan. The version whose [effective_from, effective_to) contains an
    invoice's payment time applies to it. Active versions are never edited: a change is a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (what-if only)")
        ACTIVE = "active", _("Active")

    name = models.CharField(max_length=120)
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    effective_from = models.DateTimeField(null=True, blank=True, help_text="Null: since the beginning.")
    effective_to = models.DateTimeField(null=True, blank=True, help_text="Null: open-ended.")
    referral_rates = models.JSONField(help_text='Rate per tier, e.g. {"certified": "0.20", ...}.')
    entry_rate = models.DecimalField(max_digits=6, decimal_places=4, help_text="Rate for active partners with no tier.")
    max_months = models.PositiveIntegerField(
        null=True, blank=True, help_text="Months after attribution that referral commission is paid; null: lifetime."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="plan_unique_version")]

    def __str__(self) -> str:
        return plan_label(self.name, self.version)


class LedgerKind(models.TextChoices):
    ACCRUAL = "accrual", _("Accrual")
    CLAWBACK = "clawback", _("Clawback")
    ADJUSTMENT = "adjustment", _("Adjustment")
    PAYOUT = "payout", _("Payout")
    PAYOUT_REVERSAL = "payout_reversal", _("Payout reversal")
    MDF = "mdf", _("Marketing fund reimbursement")


class LedgerRule(models.TextChoices):
    REFERRAL = "referral", _("Referral commission")
    INTEGRATION = "integration", _("Integration revenue share")
    MANUAL = "manual", _("Manual")
    PAYOUT = "payout", _("Payout")
    MDF = "mdf", _("Marketing fund reimbursement")


class LedgerLine(AppendOnlyModel):
    """One immutable entry of a partner's commission ledger, in the partner's payout currency.

    `amount` is signed: accruals and adjustments in the partner's favour are positive; clawbacks and payouts
    are negative. A partner's balance is the SUM of its lines. Every line explains itself: the event it
    came from, the plan version and rate, the base it was computed on, and the formula in words.
    """

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="ledger_lines", db_index=False
    )  # indexed by (partner, period) and (partner, occurred_at)
    kind = models.CharField(max_length=16, choices=LedgerKind.choices)
    rule = models.CharField(max_length=12, choices=LedgerRule.choices)
    amount = models.DecimalField(max_digits=20, decimal_places=4, help_text="Signed, in `currency` (4 places).")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    event = models.ForeignKey(
        "customers.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_lines"
    )
    invoice = models.ForeignKey(
        "customers.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_lines"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_lines"
    )
    plan = models.ForeignKey(
        CommissionPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    rate = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True, help_text="Commission rate.")
    base = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Amount the rate applied to (invoice currency).",
    )
    share = models.CharField(max_length=80, blank=True, help_text="Usage share 'part/total' for integration lines.")
    fx_rate = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    fx_source = models.CharField(max_length=120, blank=True)
    reverses = models.ForeignKey(
        "self",
        to_field="dedupe_key",
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        help_text="The line this one claws back, reverses or corrects.",
    )
    explanation = models.TextField()
    dedupe_key = models.CharField(max_length=250, unique=True, help_text="Makes each posting happen at most once.")
    occurred_at = models.DateTimeField(help_text="When the underlying event happened.")
    period = models.DateField(help_text="First day of the accounting month the line belongs to.")
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=200)

    append_only_update = "post a correcting line instead"
    append_only_delete = "post a reversing line instead"

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            # Covers the per-partner sums (balance by kind, earnings by month) without reading the table:
            # PostgreSQL answers them from the index alone (INCLUDE is ignored where unsupported).
            models.Index(fields=["partner", "period", "kind"], include=["amount"], name="ledger_partner_period_kind"),
            models.Index(fields=["partner", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} → partner {self.partner_id}"


class LedgerTotal(models.Model):
    """A rebuildable projection of the ledger (DESIGN rule 4): the sum and count of a partner's lines per
    accounting month, kind and currency, kept by `ledger_post` in the same transaction as the lines it
    adds. Balances and monthly earnings read it instead of summing every line; `parceria ledger-totals
    --check` compares it with the lines and `--rebuild` recomputes it from them.

    The amount is stored in ten-thousandths (the ledger's 4 places) as an integer, so it stays exact on
    every database, SQLite included.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.DateField()
    kind = models.CharField(max_length=16, choices=LedgerKind.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    amount_units = models.BigIntegerField(help_text="Σ amount × 10⁴ of the lines in this group.")
    lines = models.PositiveIntegerField(help_text="Number of lines in this group.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "period", "kind", "currency"], name="ledger_total_group")
        ]
        # The program-wide balance reads only the months after the last balance snapshot (BalanceSnapshot).
        indexes = [models.Index(fields=["period"], name="ledger_total_period")]

    def __str__(self) -> str:
        return f"partner {self.partner_id} {self.period:%Y-%m} {self.kind} {self.amount} {self.currency}"

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_units).scaleb(-4)


class ClosedPeriod(models.Model):
    """A closed accounting month. Closing month P locks every month up to P: ledger lines of events
    dated in a locked month post into the first open month, keeping their own dates (commissions/ledger.py).
    The close (payouts/close.py) records it. Its table keeps the name it had under payouts."""

    month = models.DateField(unique=True, help_text="First day of the closed month.")
    closed_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.CharField(max_length=200)

    class Meta:
        db_table = "payouts_closedperiod"
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} closed by {self.closed_by}"


class BalanceSnapshot(AppendOnlyModel):
    """The ledger as it stood when a month was closed: per partner, kind and currency, Σ amount and count of the
    lines of every accounting month up to and including `month`, the close's own payout lines included. Written
    once by the close of `month`, in its transaction (commissions/totals.py `snapshot_take`).

    It never goes stale because no ledger line is ever posted into a closed month (`ledger_post`: every line posts
    into the first open month or later, and the close posts its own lines before it records the month closed), so
    the lines of the months up to `month` are final once it is closed. A balance over the months before M is then
    the snapshot of the latest closed month before M plus the ledger totals of the months after it
    (commissions/selectors.py `balances`). `parceria ledger-totals --check` verifies it against the projection;
    `--rebuild` recomputes it.

    Amounts are ten-thousandths as integers, like LedgerTotal's."""

    month = models.DateField(help_text="The closed month (first day) whose balances this is.")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(max_length=16, choices=LedgerKind.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    amount_units = models.BigIntegerField(help_text="Σ amount × 10⁴ of the lines up to `month`.")
    lines = models.PositiveIntegerField(help_text="Number of lines up to `month`.")

    append_only_update = "a closed month's balances never change"
    append_only_delete = "a closed month's balances never change"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "partner", "kind", "currency"], name="balance_snapshot_group")
        ]

    def __str__(self) -> str:
        return f"partner {self.partner_id} at {self.month:%Y-%m} {self.kind} {self.amount} {self.currency}"

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_units).scaleb(-4)
