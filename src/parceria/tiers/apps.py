from django.apps import AppConfig


class TiersConfig(AppConfig):
    """Partner tiers: definitions, rules, metrics, the assessment and the tier pages' reads. The tier data itself
    (Partner.tier, TierDefinition, TierAssessment) is in partners' models; the metrics read customers, enablement
    and agreements, so tiers sits above them (docs/architecture.md)."""

    name = "parceria.tiers"
    label = "tiers"
