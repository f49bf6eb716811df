"""The partner tiers as versioned data (SPEC §2.1, seed §4.2), loaded into TierDefinition by a data migration.

Tiers form a ladder (certified < preferred < strategic) and are cumulative: a partner qualifies for a tier
when it meets that tier's requirements and those of every tier below it. Each requirement compares one
metric of the assessment with a value:

* ``training_complete``, ``advanced_certification``, ``joint_business_plan``: ``"op": "true"``;
* ``successful_implementations``, ``referrals_last_quarter``: integers, ``>=``;
* ``arr`` (R$, 2 places) ``>=``; ``csat`` (mean, 2 places) ``>``.

A new version of a tier is a new row with a later ``effective_from``; versions of a tier never overlap.

The integration partner (``INTEGRATION``) is a special category outside the ladder (SPEC §2.1, seed §4.2): it is
assessed like the tiers, for partners of the technology-integration category or with an integration share rate,
but it never sets ``Partner.tier`` and never changes a rate: an integration partner's pay stays its agreed
``integration_share_rate``. Its requirements:

* ``integration_agreement``: ``"op": "true"``: a technology-integration agreement in force on the assessment day;
* ``integration_customers``: integer ``>=``: distinct customers with usage recorded through the partner as their
  integration partner in the last full calendar quarter (the mutual customer benefit);
* ``maintenance_commitment``: ``"op": "true"``: a technology-integration agreement in force that renews by itself
  (auto-renewal, no fixed end, not terminated) or whose last day in force is at least 12 months after the
  assessment day (same day 12 months on, as agreement terms count months; an open-ended one counts).

Its benefits are the revenue share range (``revenue_share_min``/``revenue_share_max``, fractions) and flags.
"""

from __future__ import annotations

from datetime import date
from typing import Any

#: The order of the tiers, lowest first.
LADDER: tuple[str, ...] = ("certified", "preferred", "strategic")

#: Requirement metric → label shown to people.
METRIC_LABELS: dict[str, str] = {
    "training_complete": "Core training programme complete",
    "successful_implementations": "Successful implementations (attributed customers with a paid invoice)",
    "referrals_last_quarter": "Referrals in the last full quarter",
    "arr": "ARR from referred customers (R$)",
    "csat": "CSAT (mean of customers' latest scores)",
    "advanced_certification": "Advanced product certification held",
    "joint_business_plan": "Approved joint business plan in force",
    "integration_agreement": "Technology integration agreement in force",
    "integration_customers": "Customers using the integration in the last full quarter",
    "maintenance_commitment": "Maintenance commitment (agreement renews or runs 12 more months)",
}

#: The metrics of the ladder's requirements and of the integration partner's.
LADDER_METRICS: frozenset[str] = frozenset({
    "training_complete", "successful_implementations", "referrals_last_quarter", "arr", "csat",
    "advanced_certification", "joint_business_plan",
})
INTEGRATION_METRICS: frozenset[str] = frozenset({"integration_agreement", "integration_customers",
                                                  "maintenance_commitment"})

#: The special category outside the ladder.
INTEGRATION = "integration"

#: How many months ahead a technology-integration agreement must run for the maintenance commitment.
MAINTENANCE_MONTHS = 12

#: The benefits a tier version may grant: the referral commission rate (a fraction, "0.20" is 20 %) and flags.
BENEFIT_KEYS: tuple[str, ...] = ("commission_rate", "success_manager", "mdf_eligible", "early_access",
                                 "exclusive_territory")

#: The benefits of the integration partner: its revenue share range (fractions) and flags.
INTEGRATION_BENEFIT_KEYS: tuple[str, ...] = ("revenue_share_min", "revenue_share_max", "joint_go_to_market",
                                             "directory_placement", "maintenance_co_investment")

#: The certification that counts as "advanced" (enablement's certification code).
ADVANCED_CERTIFICATION = "advanced-product"

_FIRST = date(2025, 1, 1)

TIER_DEFINITIONS: list[dict[str, Any]] = [
    {
        "tier": "certified",
        "version": 1,
        "effective_from": _FIRST,
        "effective_to": None,
        "requirements": [
            {"metric": "training_complete", "op": "true"},
            {"metric": "successful_implementations", "op": ">=", "value": "1"},
            {"metric": "referrals_last_quarter", "op": ">=", "value": "5"},
        ],
        "benefits": {
            "commission_rate": "0.20",
            "success_manager": False,
            "mdf_eligible": False,
            "early_access": False,
            "exclusive_territory": False,
        },
    },
    {
        "tier": "preferred",
        "version": 1,
        "effective_from": _FIRST,
        "effective_to": None,
        "requirements": [
            {"metric": "arr", "op": ">=", "value": "50000.00"},
            {"metric": "csat", "op": ">", "value": "4.00"},
            {"metric": "advanced_certification", "op": "true"},
        ],
        "benefits": {
            "commission_rate": "0.25",
            "success_manager": True,
            "mdf_eligible": True,
            "early_access": False,
            "exclusive_territory": False,
        },
    },
    {
        "tier": "strategic",
        "version": 1,
        "effective_from": _FIRST,
        "effective_to": None,
        "requirements": [
            {"metric": "arr", "op": ">=", "value": "200000.00"},
            {"metric": "csat", "op": ">", "value": "4.50"},
            {"metric": "joint_business_plan", "op": "true"},
        ],
        "benefits": {
            "commission_rate": "0.30",
            "success_manager": True,
            "mdf_eligible": True,
            "early_access": True,
            "exclusive_territory": True,
        },
    },
]

#: The versions of the integration partner definition (SPEC §2.1, seed §4.2), loaded by a data migration.
INTEGRATION_DEFINITIONS: list[dict[str, Any]] = [
    {
        "tier": INTEGRATION,
        "version": 1,
        "effective_from": _FIRST,
        "effective_to": None,
        "requirements": [
            {"metric": "integration_agreement", "op": "true"},
            {"metric": "integration_customers", "op": ">=", "value": "3"},
            {"metric": "maintenance_commitment", "op": "true"},
        ],
        "benefits": {
            "revenue_share_min": "0.15",
            "revenue_share_max": "0.25",
            "joint_go_to_market": True,
            "directory_placement": True,
            "maintenance_co_investment": True,
        },
    },
]
