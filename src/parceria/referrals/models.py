"""Referral links (`/r/<code>`), their clicks, and coupon codes: the partner's own ways of bringing a customer
(SPEC §4.4). Which partner a customer is attributed to is decided once, in customers.attribution."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class ReferralLink(models.Model):
    """A partner's link: `/r/<code>` redirects to `landing_url` with `ref=<code>` added to its query."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="referral_links")
    code = models.CharField(_("code"), max_length=32, unique=True, help_text="Generated, URL-safe, lower case.")
    landing_url = models.URLField(_("landing page"), max_length=500)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code


class ReferralClick(models.Model):
    """One counted visit of a link. The visitor's address is kept only as an HMAC-SHA256 keyed with SECRET_KEY
    (`ip_hash`): the same address gives the same hash (bursts can be seen), the address itself is never stored."""

    link = models.ForeignKey(ReferralLink, on_delete=models.CASCADE, related_name="clicks", db_index=False)
    at = models.DateTimeField()
    ip_hash = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True)
    referrer = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["link", "at"]), models.Index(fields=["ip_hash", "at"])]

    def __str__(self) -> str:
        return f"{self.link_id} at {self.at:%Y-%m-%d %H:%M}"


class CouponCode(models.Model):
    """A coupon code mapped to a partner; an `invoice.paid` event naming it attributes the customer. Codes are
    stored upper-case and unique whatever their case."""

    code = models.CharField(_("code"), max_length=40)
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="coupon_codes")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(Upper("code"), name="referrals_coupon_code_unique_ci")]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalise_coupon(self.code)
        super().save(*args, **kwargs)


def normalise_coupon(code: str) -> str:
    """' bem-vindo10 ' → 'BEM-VINDO10': the one spelling of a coupon code, stored and looked up."""
    return code.strip().upper()
