"""Partners: the organisations that refer customers or integrate with the platform (SPEC §1.1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parceria.common.append_only import AppendOnlyModel
from parceria.common.money import CURRENCY_CHOICES
from parceria.partners.lifecycle_data import Stage


class PartnerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


#: Allowed status moves (DESIGN rule 8). Terminated is final.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    PartnerStatus.PROSPECT: frozenset({PartnerStatus.ACTIVE, PartnerStatus.TERMINATED}),
    PartnerStatus.ACTIVE: frozenset({PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED}),
    PartnerStatus.SUSPENDED: frozenset({PartnerStatus.ACTIVE, PartnerStatus.TERMINATED}),
    PartnerStatus.TERMINATED: frozenset(),
}


class TaxRegime(models.TextChoices):
    PJ = "pj", _("BR company (PJ, lucro real/presumido)")
    PJ_SIMPLES = "pj_simples", _("BR company in Simples Nacional")
    PF = "pf", _("BR individual (PF)")
    FOREIGN = "foreign", _("Outside Brazil")


BR_TAX_REGIMES = frozenset({TaxRegime.PJ, TaxRegime.PJ_SIMPLES, TaxRegime.PF})


class Category(models.TextChoices):
    TECHNOLOGY_INTEGRATION = "technology_integration", _("Technology integration")
    CONSULTING_AGENCY = "consulting_agency", _("Consulting & agency")
    INDUSTRY_VERTICAL = "industry_vertical", _("Industry vertical")
    INTERNATIONAL = "international", _("International")


SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    Category.TECHNOLOGY_INTEGRATION: ("crm", "ecommerce", "accounting", "social_media"),
    Category.CONSULTING_AGENCY: ("digital_agency", "management_consultancy", "accelerator"),
    Category.INDUSTRY_VERTICAL: ("healthcare", "food_beverage", "fashion_beauty", "professional_services"),
    Category.INTERNATIONAL: ("distributor", "joint_venture"),
}
#: How each subcategory is named on the pages (the slugs above are what is stored and sent through the API).
SUBCATEGORY_LABELS = {
    "crm": pgettext_lazy("partner subcategory", "CRM"),
    "ecommerce": pgettext_lazy("partner subcategory", "E-commerce"),
    "accounting": pgettext_lazy("partner subcategory", "Accounting software"),
    "social_media": pgettext_lazy("partner subcategory", "Social media"),
    "digital_agency": pgettext_lazy("partner subcategory", "Digital agency"),
    "management_consultancy": pgettext_lazy("partner subcategory", "Management consultancy"),
    "accelerator": pgettext_lazy("partner subcategory", "Accelerator"),
    "healthcare": pgettext_lazy("partner subcategory", "Healthcare"),
    "food_beverage": pgettext_lazy("partner subcategory", "Food and beverage"),
    "fashion_beauty": pgettext_lazy("partner subcategory", "Fashion and beauty"),
    "professional_services": pgettext_lazy("partner subcategory", "Professional services"),
    "distributor": pgettext_lazy("partner subcategory", "Distributor"),
    "joint_venture": pgettext_lazy("partner subcategory", "Joint venture"),
}
#: How each kind of PIX key is named on the pages (the stored values are common.pix.PixKeyType's).
PIX_KEY_TYPE_LABELS = {
    "cpf": _("CPF"),
    "cnpj": _("CNPJ"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "evp": _("Random key"),
}


class Tier(models.TextChoices):
    CERTIFIED = "certified", pgettext_lazy("tier", "Certified")
    PREFERRED = "preferred", pgettext_lazy("tier", "Preferred")
    STRATEGIC = "strategic", pgettext_lazy("tier", "Strategic")


class DefinedTier(models.TextChoices):
    """What a TierDefinition defines: a tier of the ladder or the integration partner, a special category outside
    the ladder that never becomes a partner's tier (Partner.tier and PartnerTerms.tier keep Tier)."""

    CERTIFIED = "certified", _("Certified")
    PREFERRED = "preferred", _("Preferred")
    STRATEGIC = "strategic", _("Strategic")
    INTEGRATION = "integration", _("Integration partner")


class Partner(models.Model):
    """A partner organisation. Commercial terms (tier, integration share) are versioned in PartnerTerms;
    the fields here show the terms in force now."""

    name = models.CharField(max_length=200)
    legal_name = models.CharField(max_length=300)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2.")
    tax_id = models.CharField(max_length=40, help_text="Compact form, validated per country.")
    tax_id_kind = models.CharField(max_length=10, help_text="cnpj, cpf, rfc, nit, cuit, rut or other.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, help_text="Payout currency.")
    tax_regime = models.CharField(max_length=12, choices=TaxRegime.choices)
    category = models.CharField(max_length=30, choices=Category.choices)
    subcategory = models.CharField(max_length=30)
    status = models.CharField(max_length=12, choices=PartnerStatus.choices, default=PartnerStatus.PROSPECT)
    tier = models.CharField(max_length=12, choices=Tier.choices, null=True, blank=True)
    integration_share_rate = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Share of integration revenue (0.10–0.25) for integration partners; null if none.",
    )
    verticals = models.JSONField(default=list, blank=True)
    territories = models.JSONField(default=list, blank=True)
    pix_key_type = models.CharField(
        max_length=10, blank=True, help_text="cpf, cnpj, email, phone or evp (random key); blank: none yet."
    )
    pix_key = models.CharField(max_length=120, blank=True, help_text="Normalised PIX key payouts are sent to.")
    payout_method = models.CharField(
        max_length=12, blank=True, help_text="How payouts are sent (common.payout_methods.PayoutMethod); blank: none."
    )
    payout_account = models.JSONField(
        default=dict, blank=True,
        help_text="The payout method's normalised details (a PIX method's are also pix_key_type and pix_key, its "
        "indexed copy).",
    )
    payout_details_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="Last change of the payout method; payouts are held for a while after it."
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="managed_partners"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["country", "tax_id"], name="partner_unique_tax_id")]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def subcategory_label(self) -> str:
        return str(SUBCATEGORY_LABELS.get(self.subcategory, self.subcategory))

    @property
    def pix_key_type_label(self) -> str:
        return str(PIX_KEY_TYPE_LABELS.get(self.pix_key_type, self.pix_key_type))


class PayoutMethodChange(AppendOnlyModel):
    """A version of where a partner's payouts go: the method, its normalised details and why, kept for ever (the
    partner row holds the latest). `holds`: this change held the partner's payouts for PAYOUT_DETAILS_HOLD_HOURS (a
    partner's first method, given at registration, holds nothing)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="payout_method_changes")
    method = models.CharField(max_length=12, blank=True, help_text="Blank: the method was removed.")
    account = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True, help_text="Why an account outside the partner's country.")
    holds = models.BooleanField(default=True)
    changed_at = models.DateTimeField()
    changed_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["partner_id", "changed_at", "id"]

    def __str__(self) -> str:
        return f"partner {self.partner_id} paid by {self.method or 'nothing'} from {self.changed_at:%Y-%m-%d %H:%M}"


class PartnerTerms(AppendOnlyModel):
    """A version of a partner's commercial terms. The engine uses the version in force when an invoice was
    paid. The first version of a partner has no start (it applies to everything before the next one)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="terms_versions")
    effective_from = models.DateTimeField(null=True, blank=True)
    tier = models.CharField(max_length=12, choices=Tier.choices, null=True, blank=True)
    integration_share_rate = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    referral_rate_override = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Referral rate agreed in an agreement (e.g. 0.27); replaces the tier rate while in force.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["partner_id", "effective_from"]
        indexes = [models.Index(fields=["partner", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.partner_id}: tier={self.tier} share={self.integration_share_rate} from {self.effective_from}"


# --- Evaluation (SPEC §1.2) and lifecycle (SPEC §1.3) -------------------------------------------------------


class EvaluationWeights(AppendOnlyModel):
    """A version of the evaluation criteria weights. The newest version is in force; versions are never changed
    (a new one is written, and audited), and every evaluation keeps the version and the weights it used."""

    weights = models.JSONField(help_text="Criterion key → weight as a decimal string; the weights sum to > 0.")
    note = models.CharField(max_length=500, blank=True, help_text="Why the weights changed.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"weights v{self.pk}: {self.weights}"


class Evaluation(AppendOnlyModel):
    """An evaluation of a partner (candidate) against the strategic criteria. Kept forever: the partner's
    history is its list of evaluations; the latest one ranks it."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="evaluations")
    weights_version = models.ForeignKey(EvaluationWeights, on_delete=models.PROTECT, related_name="evaluations")
    weights = models.JSONField(help_text="The weights used (copied from the version), criterion → decimal string.")
    scores = models.JSONField(help_text='Criterion → {"score": decimal string 0–10, "note": evidence}.')
    priority_score = models.DecimalField(
        max_digits=3, decimal_places=1, help_text="Weighted mean of the scores, 0–10, one decimal, half-even."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "-created_at"])]

    def __str__(self) -> str:
        return f"evaluation of {self.partner_id}: {self.priority_score}"


class PartnerLifecycle(models.Model):
    """Where a partner stands in the lifecycle. A partner without a row is in identification & research since
    it was registered."""

    partner = models.OneToOneField(Partner, on_delete=models.PROTECT, related_name="lifecycle")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.IDENTIFICATION)
    entered_at = models.DateTimeField(help_text="When the partner entered its current stage.")

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.stage} since {self.entered_at}"


class StageTransition(AppendOnlyModel):
    """One move of a partner between stages: the full history, append-only."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="stage_transitions")
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_label = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    gates = models.JSONField(default=list, help_text='The gates checked: [{"gate", "passed", "message"}].')
    overridden = models.BooleanField(default=False, help_text="Moved although a gate failed (with a reason).")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["partner", "-at"])]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.from_stage} → {self.to_stage} at {self.at}"


class ChecklistTick(models.Model):
    """An exit-checklist item of a stage, ticked (or unticked) for a partner with its evidence."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="checklist_ticks")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    item = models.CharField(max_length=40)
    done = models.BooleanField(default=False)
    evidence = models.TextField(blank=True, help_text="What shows the criterion is met (a link, a document).")
    updated_at = models.DateTimeField()
    updated_by = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "stage", "item"], name="checklist_tick_unique_item")
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.stage}.{self.item}: {self.done}"


# --- Tiers (SPEC §2) -------------------------------------------------------------------------------------------


class TierDefinition(models.Model):
    """A version of a tier's requirements and benefits (data from parceria.partners.tier_data). Versions of one
    tier never overlap (checked by parceria.tiers.definitions.tier_definition_create); effective_to is exclusive."""

    tier = models.CharField(max_length=12, choices=DefinedTier.choices)
    version = models.PositiveIntegerField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Exclusive; null: open-ended.")
    requirements = models.JSONField(help_text='[{"metric", "op", "value"}], see tier_data.')
    benefits = models.JSONField(help_text="commission_rate and the benefit flags.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tier", "effective_from"]
        constraints = [models.UniqueConstraint(fields=["tier", "version"], name="tier_definition_unique_version")]

    def __str__(self) -> str:
        return f"{self.tier} v{self.version} from {self.effective_from}"


class TierAssessment(models.Model):
    """One assessment of a partner against the tiers: each requirement met or not with its numbers (evidence),
    the tier it qualifies for, and the resulting tier. One per partner and day (a re-run replaces the day's)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="tier_assessments")
    assessed_on = models.DateField()
    assessed_at = models.DateTimeField()
    evidence = models.JSONField(help_text="Metrics and per-tier requirement results.")
    previous_tier = models.CharField(max_length=12, choices=Tier.choices, null=True, blank=True)
    qualified_tier = models.CharField(max_length=12, choices=Tier.choices, null=True, blank=True)
    resulting_tier = models.CharField(max_length=12, choices=Tier.choices, null=True, blank=True)
    integration = models.JSONField(
        null=True,
        blank=True,
        help_text="Integration partners only: the integration partner definition's result (qualified, version, each "
        "requirement with its numbers, the share rate against the definition's range); null for other partners.",
    )
    below_since = models.DateField(
        null=True, blank=True, help_text="First day seen below the current tier's requirements (demotion grace)."
    )
    change = models.CharField(max_length=10, blank=True, help_text="promoted, demoted or blank.")
    created_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "assessed_on"], name="tier_assessment_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} on {self.assessed_on}: {self.resulting_tier}"
