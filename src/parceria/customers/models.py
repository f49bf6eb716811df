"""Customers of the platform, their attribution, and the events the platform sends about them (SPEC §5)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parceria.common.append_only import AppendOnlyModel
from parceria.common.money import CURRENCY_CHOICES


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CHURNED = "churned", pgettext_lazy("customer status", "Churned")


class Customer(models.Model):
    """A customer of the SaaS platform. `partner` is the attributed (referring) partner; null means direct."""

    external_id = models.CharField(max_length=120, unique=True, help_text="The platform's id of this customer.")
    name = models.CharField(max_length=300)
    normalised_name = models.CharField(
        max_length=300, blank=True,
        help_text="The name without accents, case, punctuation or legal suffixes (common.names.normalise_name).")
    tax_id = models.CharField(max_length=40, blank=True)
    domain = models.CharField(max_length=253, blank=True, db_index=True)
    country = models.CharField(max_length=2)
    vertical = models.CharField(max_length=60, blank=True)
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="customers", db_index=False
    )  # indexed by (partner, status)
    attributed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE)
    churned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["partner", "status"]), models.Index(fields=["tax_id"])]
        # On PostgreSQL `normalised_name` also has a GIN trigram index (migration 0004, PostgreSQL only).

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

    @property
    def source(self) -> str:
        return "partner" if self.partner_id else "direct"


class EventType(models.TextChoices):
    INVOICE_PAID = "invoice.paid", _("Invoice paid")
    INVOICE_REFUNDED = "invoice.refunded", _("Invoice refunded")
    USAGE_RECORDED = "usage.recorded", _("Usage recorded")
    CUSTOMER_CHURNED = "customer.churned", _("Customer churned")
    CUSTOMER_CSAT = "customer.csat", _("Customer satisfaction score")


class EventSource(models.TextChoices):
    API = "api", _("API")
    CSV = "csv", _("CSV import")
    WEBHOOK = "webhook", _("Webhook")
    DEMO = "demo", _("Demo data")


class EventBatch(models.Model):
    """One call of the intake (an API request, a CSV file): what came in and what was rejected, and why."""

    source = models.CharField(max_length=10, choices=EventSource.choices)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    submitted_by = models.CharField(max_length=200)
    received = models.PositiveIntegerField()
    accepted = models.PositiveIntegerField()
    duplicates = models.PositiveIntegerField()
    rejected = models.JSONField(default=list, help_text="[{index, id, error}] of the rejected items.")

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"batch #{self.pk} from {self.submitted_by}: {self.accepted}/{self.received} accepted"


class Event(AppendOnlyModel):
    """An accepted event. The primary key is the sender's event id: an event is stored at most once.
    The normalised payload and its SHA-256 are kept so that a retry can be told from a conflict."""

    event_id = models.CharField(max_length=200, primary_key=True)
    type = models.CharField(max_length=20, choices=EventType.choices)
    occurred_at = models.DateTimeField()
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="events", db_index=False)
    payload = models.JSONField()
    payload_hash = models.CharField(max_length=64)
    batch = models.ForeignKey(EventBatch, null=True, on_delete=models.PROTECT, related_name="events")
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "event_id"]
        indexes = [models.Index(fields=["customer", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class Invoice(AppendOnlyModel):
    """A paid invoice (from an `invoice.paid` event). Refunds are Refund rows; the remainder is derived."""

    invoice_id = models.CharField(max_length=200, primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices", db_index=False)
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="invoice")
    amount = models.DecimalField(max_digits=20, decimal_places=4, help_text="Amount paid, in `currency`.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    period_start = models.DateField()
    period_end = models.DateField()
    paid_at = models.DateTimeField()

    class Meta:
        ordering = ["paid_at", "invoice_id"]
        indexes = [models.Index(fields=["customer", "paid_at"])]

    def __str__(self) -> str:
        return f"invoice {self.invoice_id}: {self.amount} {self.currency}"


class Refund(AppendOnlyModel):
    """A refund (full or partial) of an invoice, from an `invoice.refunded` event."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, primary_key=True, related_name="refund")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=20, decimal_places=4, help_text="Amount refunded, in `currency`.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    refunded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"refund {self.event_id} of invoice {self.invoice_id}: {self.amount} {self.currency}"


class UsageRecord(AppendOnlyModel):
    """Usage of the platform by a customer, optionally through an integration partner."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, primary_key=True, related_name="usage")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="usage_records", db_index=False)
    integration_partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="usage_records"
    )
    quantity = models.DecimalField(max_digits=20, decimal_places=4)
    day = models.DateField(help_text="The day (in the platform's time zone) the usage happened.")

    class Meta:
        indexes = [models.Index(fields=["customer", "day"])]

    def __str__(self) -> str:
        return f"usage {self.quantity} by customer {self.customer_id} on {self.day}"


class CsatScore(AppendOnlyModel):
    """A customer satisfaction score (1–5)."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, primary_key=True, related_name="csat")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="csat_scores")
    score = models.PositiveSmallIntegerField()
    occurred_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"CSAT {self.score} from customer {self.customer_id}"


class ClaimSource(models.TextChoices):
    """Where a claim on a customer comes from, in order of precedence (customers.attribution.PRECEDENCE)."""

    DEAL = "deal", _("Deal registration")
    REFERRAL = "referral", _("Referral link")
    COUPON = "coupon", _("Coupon code")


class AttributionClaim(models.Model):
    """A partner's claim on a customer, from one source. Every claim is kept: the one that decided the customer's
    attribution has `won`; every other claim is a channel conflict (customers.attribution)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="claims")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="attribution_claims")
    source = models.CharField(max_length=10, choices=ClaimSource.choices)
    code = models.CharField(max_length=60, blank=True, help_text="The referral or coupon code that made the claim.")
    at = models.DateTimeField()
    won = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["partner", "source", "code"])]

    def __str__(self) -> str:
        return f"{self.source} claim of partner {self.partner_id} on customer {self.customer_id}"
