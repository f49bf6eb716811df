"""The demo's partners: planned from a seeded generator (pure), then registered through the partner services.

The first partners are fixed "anchors" so that even a small demo has every country, every category, every
tier and a suspended, a terminated and a prospect partner; the rest are drawn at random with realistic
weights (mostly Brazil; international partners outside Brazil).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from stdnum.ar import cbu

from parceria.common.audit import Actor
from parceria.common.bankaccounts import clabe_check_digit
from parceria.common.brbank import check_digits
from parceria.common.taxids import synthetic_tax_id
from parceria.demo import words
from parceria.demo.names import NameBook, legal_name
from parceria.demo.progress import ProgressSink
from parceria.partners.models import SUBCATEGORIES, Category, Partner, PartnerStatus, TaxRegime, Tier
from parceria.partners.services import PartnerChanges, PartnerFields, partner_create, partner_update

CURRENCY_OF = {"BR": "BRL", "MX": "MXN", "CO": "COP", "AR": "ARS", "CL": "CLP"}
COUNTRY_WEIGHTS = {"BR": 60, "MX": 14, "CO": 10, "AR": 9, "CL": 7}

TECH, CONSULTING = Category.TECHNOLOGY_INTEGRATION.value, Category.CONSULTING_AGENCY.value
INDUSTRY, INTERNATIONAL = Category.INDUSTRY_VERTICAL.value, Category.INTERNATIONAL.value
CATEGORY_WEIGHTS = {
    "BR": {TECH: 32, CONSULTING: 36, INDUSTRY: 32, INTERNATIONAL: 0},
    "abroad": {TECH: 20, CONSULTING: 25, INDUSTRY: 10, INTERNATIONAL: 45},
}
STATUS_WEIGHTS = {"active": 78, "prospect": 10, "suspended": 6, "terminated": 6}
TIER_WEIGHTS: dict[str | None, int] = {None: 25, "certified": 40, "preferred": 24, "strategic": 11}
SHARE_RATES = ("0.10", "0.12", "0.15", "0.15", "0.18", "0.20", "0.25")

#: How strongly a partner attracts customers, and the CSAT its customers give, by tier.
TIER_PULL: dict[str | None, float] = {None: 0.6, "certified": 1.0, "preferred": 2.0, "strategic": 3.5}
TIER_CSAT: dict[str | None, tuple[float, float]] = {
    None: (3.7, 4.3),
    "certified": (4.0, 4.5),
    "preferred": (4.3, 4.7),
    "strategic": (4.6, 5.0),
}

#: (country, category, subcategory, tier, final status). Anchor 0 is the partner the demo partner users belong to.
ANCHORS: tuple[tuple[str, str, str, str | None, str], ...] = (
    ("BR", CONSULTING, "digital_agency", "preferred", "active"),
    ("BR", TECH, "crm", "certified", "active"),
    ("MX", INTERNATIONAL, "distributor", "strategic", "active"),
    ("CO", TECH, "ecommerce", None, "active"),
    ("AR", INDUSTRY, "fashion_beauty", "certified", "active"),
    ("CL", INTERNATIONAL, "joint_venture", "preferred", "active"),
    ("BR", INDUSTRY, "healthcare", "strategic", "active"),
    ("BR", TECH, "accounting", "preferred", "active"),
    ("BR", CONSULTING, "management_consultancy", "certified", "suspended"),
    ("MX", TECH, "social_media", None, "terminated"),
    ("CL", CONSULTING, "accelerator", None, "prospect"),
)

#: The Mexican anchor paid by international transfer to its US parent's account (demo files of every kind).
MX_PAID_ABROAD = 2

#: Demo partners' tax ids come from this range of synthetic numbers, away from the ones tests use.
TAX_ID_OFFSET = 900_000


@dataclass(frozen=True)
class PartnerSpec:
    """A planned partner: what to register, when it joined, and how its status changes during the window."""

    index: int
    name: str
    legal_name: str
    country: str
    tax_regime: str
    category: str
    subcategory: str
    tier: str | None
    integration_share_rate: Decimal | None
    verticals: tuple[str, ...]
    territories: tuple[str, ...]
    join_month: int | None  # None: a prospect, never active
    final_status: str
    status_change_month: int | None  # the window month from whose start final_status applies
    pull: float
    csat_mean: float

    @property
    def currency(self) -> str:
        return CURRENCY_OF[self.country]

    @property
    def tax_id(self) -> str:
        return synthetic_tax_id(self.country, TAX_ID_OFFSET + self.index, person=self.tax_regime == TaxRegime.PF)

    def refers_in(self, m: int) -> bool:
        """Active in month m, so it can bring (and be paid for) new customers."""
        if self.join_month is None or m < self.join_month:
            return False
        return self.status_change_month is None or m < self.status_change_month

    def integrates_in(self, m: int) -> bool:
        """Its integration carries usage in month m (a terminated partner's integration is switched off)."""
        if self.category != TECH or self.join_month is None or m < self.join_month:
            return False
        change = self.status_change_month
        return not (self.final_status == PartnerStatus.TERMINATED and change is not None and m >= change)

    def create_fields(self) -> PartnerFields:
        """The fields for partner_create: prospects start as prospects, everyone else as active."""
        return PartnerFields(
            name=self.name,
            legal_name=self.legal_name,
            country=self.country,
            tax_id=self.tax_id,
            currency=self.currency,
            tax_regime=self.tax_regime,
            category=self.category,
            subcategory=self.subcategory,
            status=PartnerStatus.PROSPECT if self.join_month is None else PartnerStatus.ACTIVE,
            tier=self.tier,
            integration_share_rate=None if self.integration_share_rate is None else str(self.integration_share_rate),
            verticals=list(self.verticals),
            territories=list(self.territories),
            **self.payout_method(),
        )

    def payout_method(self) -> dict[str, Any]:
        """How the partner is paid, made up but valid in its country (check digits computed by the one owner of each
        rule): in Brazil a PIX key to its own tax id, or for one company in six a bank account for TED; in Mexico
        SPEI (one anchor, owned by a US parent, by international transfer to its parent's account); a CBU in
        Argentina; a bank account in Colombia and Chile."""
        rng = random.Random(f"payout:{self.index}")
        account = "".join(rng.choice("0123456789") for _ in range(11))
        if self.country == "BR":
            if self.tax_regime != TaxRegime.PF and self.index % 6 == 1:
                bank, branch = rng.choice(("001", "237", "104")), f"{rng.randint(1, 9999):04d}"
                number = account if bank == "104" else account[:7]
                digits = check_digits(bank, branch, number)
                assert digits is not None
                return {"payout_method": "br_ted", "payout_details": {
                    "bank_code": bank, "branch": branch, "branch_digit": digits[0], "account": number,
                    "account_digit": digits[1], "account_type": "checking", "holder_tax_id": self.tax_id}}
            return {"pix_key_type": "cpf" if self.tax_regime == TaxRegime.PF else "cnpj", "pix_key": self.tax_id}
        if self.country == "MX":
            if self.index == MX_PAID_ABROAD:
                return {"payout_method": "intl", "payout_reason": "Paid to the account of its US parent company",
                        "payout_details": {
                            "beneficiary_name": f"{self.legal_name} USA Inc.", "beneficiary_address": "500 Congress "
                            "Ave, Austin TX 78701", "bank_name": "JPMorgan Chase Bank", "bank_country": "US",
                            "bic": "CHASUS33", "iban": "", "account_number": account[:9]}}
            first = rng.choice(("002", "012", "014", "072")) + "180" + account
            return {"payout_method": "mx_spei", "payout_details": {"clabe": first + clabe_check_digit(first)}}
        if self.country == "AR":
            block = rng.choice(("007", "011", "017", "072", "285")) + f"{rng.randint(1, 999):04d}"
            rest = "0" + account + "0"
            number = block + cbu.calc_check_digit(block) + rest + cbu.calc_check_digit(rest)
            return {"payout_method": "ar_cbu", "payout_details": {"cbu": number}}
        if self.country == "CO":
            return {"payout_method": "co_bank", "payout_details": {
                "bank_code": rng.choice(("1007", "1051", "1001", "1013")), "account_type": rng.choice(
                    ("savings", "checking")), "account_number": account, "holder_id_kind": "nit",
                "holder_id": self.tax_id}}
        return {"payout_method": "cl_bank", "payout_details": {
            "bank_code": rng.choice(("001", "012", "037", "016")), "account_type": "checking",
            "account_number": account[:10], "holder_rut": self.tax_id}}


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    options = [k for k, w in weights.items() if w > 0]
    return rng.choices(options, weights=[weights[k] for k in options])[0]


@dataclass(frozen=True)
class _Shape:
    country: str
    category: str
    subcategory: str
    tier: str | None
    status: str
    anchor: bool


def _tax_regime(rng: random.Random, shape: _Shape) -> str:
    """Outside Brazil: foreign. In Brazil a company, or for a small consulting or vertical partner (no tier
    or certified) sometimes an individual consultant (PF)."""
    if shape.country != "BR":
        return TaxRegime.FOREIGN
    if shape.category in (TECH, INTERNATIONAL) or shape.tier not in (None, Tier.CERTIFIED):
        return rng.choice((TaxRegime.PJ, TaxRegime.PJ_SIMPLES))
    return _weighted(rng, {TaxRegime.PJ: 35, TaxRegime.PJ_SIMPLES: 45, TaxRegime.PF: 20})


def _verticals(rng: random.Random, category: str, subcategory: str) -> tuple[str, ...]:
    if category == INDUSTRY:
        extra = rng.choice([v for v in words.VERTICALS if v != subcategory])
        return (subcategory, extra) if rng.random() < 0.4 else (subcategory,)
    return tuple(rng.sample(words.VERTICALS, rng.randint(1, 3)))


def _timeline(rng: random.Random, status: str, months: int, anchor: bool) -> tuple[int | None, str, int | None]:
    """(join month, final status, month the status changes) for a partner that ends up in `status`."""
    if status == PartnerStatus.PROSPECT:
        return None, status, None
    if anchor or rng.random() < 0.5:
        join = rng.randint(-24, -13) if anchor else rng.randint(-24, -1)
    else:
        join = rng.randint(0, max(0, months * 2 // 3))
    if status == PartnerStatus.ACTIVE:
        return join, status, None
    first, last = max(1, join + 2), months - 1
    if first > last:
        return join, PartnerStatus.ACTIVE, None
    return join, status, rng.randint(first, last)


def _random_shape(rng: random.Random, rotation: dict[str, int]) -> _Shape:
    country = _weighted(rng, COUNTRY_WEIGHTS)
    category = _weighted(rng, CATEGORY_WEIGHTS["BR" if country == "BR" else "abroad"])
    subcategories = SUBCATEGORIES[category]
    subcategory = subcategories[rotation[category] % len(subcategories)]
    rotation[category] += 1
    status = _weighted(rng, STATUS_WEIGHTS)
    tier = None if status == PartnerStatus.PROSPECT else _weighted(rng, TIER_WEIGHTS)
    return _Shape(country, category, subcategory, tier, status, anchor=False)


def _spec(rng: random.Random, index: int, shape: _Shape, months: int, book: NameBook) -> PartnerSpec:
    regime = _tax_regime(rng, shape)
    if regime == TaxRegime.PF:
        name, legal = book.consultant_name(rng)
    else:
        name = book.partner_name(rng, shape.country, shape.subcategory)
        legal = legal_name(rng, name, shape.country, regime)
    join, final_status, change = _timeline(rng, shape.status, months, shape.anchor)
    low, high = TIER_CSAT[shape.tier]
    return PartnerSpec(
        index=index,
        name=name,
        legal_name=legal,
        country=shape.country,
        tax_regime=regime,
        category=shape.category,
        subcategory=shape.subcategory,
        tier=shape.tier,
        integration_share_rate=Decimal(rng.choice(SHARE_RATES)) if shape.category == TECH else None,
        verticals=_verticals(rng, shape.category, shape.subcategory),
        territories=tuple(rng.sample(words.TERRITORIES[shape.country], rng.randint(1, 3))),
        join_month=join,
        final_status=final_status,
        status_change_month=change,
        pull=TIER_PULL[shape.tier] * rng.lognormvariate(0, 0.6) * (0.5 if regime == TaxRegime.PF else 1.0),
        csat_mean=rng.uniform(low, high),
    )


def plan_partners(rng: random.Random, count: int, months: int) -> list[PartnerSpec]:
    """`count` partners: the anchors first, then random ones."""
    book = NameBook()
    rotation = {category: 0 for category in SUBCATEGORIES}
    shapes = [_Shape(*anchor, anchor=True) for anchor in ANCHORS[:count]]
    for shape in shapes:
        rotation[shape.category] += 1
    shapes += [_random_shape(rng, rotation) for _ in range(count - len(shapes))]
    return [_spec(rng, index, shape, months, book) for index, shape in enumerate(shapes)]


def partners_create(
    specs: Sequence[PartnerSpec], *, actor: Actor, progress: ProgressSink, created: Callable[[PartnerSpec], Any]
) -> list[int]:
    """Register the planned partners through partner_create, each at the moment `created` gives (a context
    manager: the clock standing at the day it entered the pipeline); returns their ids in plan order."""
    ids = []
    with transaction.atomic():
        for spec in specs:
            with created(spec):
                ids.append(partner_create(fields=spec.create_fields(), actor=actor).pk)
            progress.advance(1)
    return ids


def partners_change_status(specs: Sequence[PartnerSpec], ids: Sequence[int], month: int, *, actor: Actor) -> int:
    """Apply the status changes planned for the start of `month` (suspensions, terminations)."""
    changed = 0
    for spec in specs:
        if spec.status_change_month == month:
            partner = Partner.objects.get(pk=ids[spec.index])
            partner_update(partner=partner, changes=PartnerChanges(status=spec.final_status), actor=actor)
            changed += 1
    return changed


def showcase_partner_index(specs: Sequence[PartnerSpec]) -> int | None:
    """The partner the demo partner users belong to: the first active preferred Brazilian partner."""
    for spec in specs:
        if (spec.country, spec.tier, spec.final_status) == ("BR", Tier.PREFERRED, PartnerStatus.ACTIVE):
            return spec.index
    return None
