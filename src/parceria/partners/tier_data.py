"""The partner tiers as versioned data (SPEC §2.1, seed §4.2), loaded into TierDefinition by a data migration.

Tiers form a ladder (certified < preferred < strategic) and are cumulative: a partner qualifies for a tier
when it meets that tier's requirements and those of every tier below it. Each requirement compares one
metric of the assessment with a value:

* ``training_complete``, ``advanced_certification``, ``joint_business_plan``: ``"op": "true"``;
* ``successful_implementations``, ``referrals_last_quarter``: integers, ``>=``;
* ``arr`` (R$, 2 places) ``>=``; ``csat`` (mean, 2 places) ``>``.

A new version of a tier is a new row with a later ``effective_from``; versions of a tier never overlap.
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
}

#: The benefits a tier version may grant: the referral commission rate (a fraction, "0.20" is 20 %) and flags.
BENEFIT_KEYS: tuple[str, ...] = ("commission_rate", "success_manager", "mdf_eligible", "early_access",
                                 "exclusive_territory")

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
