"""Co-marketing: the asset library (assets, their file versions with previews, every download) with the partners'
brand settings for co-branded PDFs, and the joint marketing activities recorded per partner."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parceria.common.storage import MediaFolderStorage
from parceria.partners.models import Partner, Tier


def marketing_storage() -> MediaFolderStorage:
    """Asset files, previews and partner logos live under MEDIA_ROOT/marketing; served only to signed-in users."""
    return MediaFolderStorage("marketing")


class AssetKind(models.TextChoices):
    DECK = "deck", _("Sales deck")
    CASE_STUDY = "case_study", _("Case study")
    TEMPLATE = "template", _("Template")
    LOGO_PACK = "logo_pack", _("Logo pack")
    ONE_PAGER = "one_pager", _("One-pager")


class AssetLanguage(models.TextChoices):
    PT_BR = "pt-br", "Português (Brasil)"
    ES = "es", "Español"
    EN = "en", "English"


class Asset(models.Model):
    """A piece of co-marketing material. `min_tier` blank: every active partner sees it; else the partners whose
    tier ranks at or above it (certified < preferred < strategic)."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=AssetKind.choices)
    language = models.CharField(max_length=5, choices=AssetLanguage.choices)
    verticals = models.JSONField(default=list, blank=True)
    min_tier = models.CharField(max_length=12, choices=Tier.choices, blank=True, default="")
    white_label = models.BooleanField(default=False, help_text="Carries no Parceria brand.")
    co_brandable = models.BooleanField(default=False, help_text="A PDF stamped with the partner's name and logo.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class AssetVersion(models.Model):
    """One file of an asset; the newest number is the current one. Downloads stay with the asset across versions."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(storage=marketing_storage, upload_to="files/", max_length=255)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    preview = models.FileField(storage=marketing_storage, upload_to="previews/", max_length=255, blank=True)
    preview_width = models.PositiveIntegerField(null=True, blank=True)
    preview_height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by_label = models.CharField(max_length=200)

    class Meta:
        ordering = ["asset_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["asset", "number"], name="marketing_asset_version_unique")]

    def __str__(self) -> str:
        return f"{self.asset_id} v{self.number}"


class AssetDownload(models.Model):
    """A download of an asset by a partner's user (one row each)."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="downloads")
    version = models.ForeignKey(AssetVersion, on_delete=models.PROTECT, related_name="downloads")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="asset_downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    co_branded = models.BooleanField(default=False)
    downloaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["partner", "asset"])]

    def __str__(self) -> str:
        return f"{self.asset_id} by {self.partner_id} at {self.downloaded_at}"


class PartnerBrand(models.Model):
    """The logo a partner stamps on co-branded PDFs (PNG or JPEG, checked by Pillow)."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="brand")
    logo = models.FileField(storage=marketing_storage, upload_to="logos/", max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"brand of {self.partner_id}"


class ActivityKind(models.TextChoices):
    WEBINAR = "webinar", _("Webinar")
    CASE_STUDY = "case_study", _("Case study")
    EVENT = "event", _("Event")
    CAMPAIGN = "campaign", _("Campaign")
    CONTENT = "content", _("Content")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("activity", "Planned")
    DONE = "done", pgettext_lazy("activity", "Done")
    CANCELLED = "cancelled", pgettext_lazy("activity", "Cancelled")


class Activity(models.Model):
    """A joint marketing activity with a partner; the done ones count toward the quarter's target and the
    scorecard's joint_marketing KPI (by the month of `held_on`)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="marketing_activities")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    status = models.CharField(max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED)
    notes = models.TextField(blank=True)
    link = models.URLField(blank=True)
    asset = models.ForeignKey(Asset, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities")
    recorded_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["partner", "held_on"])]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.title} ({self.held_on}, {self.status})"
