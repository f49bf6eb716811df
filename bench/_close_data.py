"""The close benchmark's data set, generated deterministically in Python as rows for COPY (text format).

One month (2026-03) of paid invoices: partners (mostly Brazilian pj / pj_simples / pf, some Mexican), their
terms, customers (90% attributed, spread over the partners with a long tail so that some balances fall below
the minimum), one invoice.paid event and invoice per invoice, the referral accrual each attributed invoice
earns under the standard plan (the engine's rates, amounts, explanation and dedupe key), ~1% refunds with
their events and clawbacks, and a few manual adjustments (some large enough to leave a negative balance).

Rows are tuples of strings in the column order of `COLUMNS`; None is SQL NULL. Amounts are exact: an
invoice is held in cents and a rate in hundredths, so an accrual is cents × rate in units of 10⁻⁴.
"""

from __future__ import annotations

import hashlib
import math
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

import orjson

from parceria.common.pix import validate_pix_key
from parceria.common.taxids import synthetic_tax_id

MONTH = "2026-03"
PERIOD = "2026-03-01"
PERIOD_END = "2026-03-31"
MONTH_SECONDS = 31 * 86_400
UTC_OFFSET_H = 3  # America/Sao_Paulo: UTC−3 all year since 2019
LOADED_AT = "2026-04-01 09:00:00+00"
ATTRIBUTED_AT = "2025-06-01 12:00:00+00"
LOADED_BY = "bench:close (COPY)"
ATTRIBUTED_SHARE = 0.90
REFUND_SHARE = 0.01
ADJUSTED_EVERY = 97  # partner ids divisible by this get a manual adjustment
EVENTS_PER_BATCH = 1000

TIER_PCT = {"certified": 20, "preferred": 25, "strategic": 30, None: 20}  # the standard plan, in hundredths
COLUMNS: dict[str, tuple[str, ...]] = {
    "partners_partner": (
        "id", "name", "legal_name", "country", "tax_id", "tax_id_kind", "currency", "tax_regime", "category",
        "subcategory", "status", "tier", "integration_share_rate", "verticals", "territories", "created_at",
        "updated_at", "manager_id", "pix_key", "pix_key_type", "payout_method", "payout_account",
    ),
    "partners_partnerterms": (
        "id", "effective_from", "tier", "integration_share_rate", "created_at", "created_by", "partner_id",
    ),
    "customers_customer": (
        "id", "external_id", "name", "normalised_name", "tax_id", "domain", "country", "vertical", "attributed_at",
        "status", "churned_at", "created_at", "updated_at", "partner_id",
    ),
    "customers_eventbatch": (
        "id", "source", "received_at", "submitted_by", "received", "accepted", "duplicates", "rejected",
    ),
    "customers_event": (
        "event_id", "type", "occurred_at", "payload", "payload_hash", "received_at", "customer_id", "batch_id",
    ),
    "customers_invoice": (
        "invoice_id", "amount", "currency", "period_start", "period_end", "paid_at", "customer_id", "event_id",
    ),
    "customers_refund": ("event_id", "amount", "currency", "refunded_at", "invoice_id"),
    "commissions_ledgerline": (
        "id", "kind", "rule", "amount", "currency", "rate", "base", "share", "fx_rate", "fx_source", "explanation",
        "dedupe_key", "occurred_at", "period", "created_at", "created_by", "customer_id", "event_id", "invoice_id",
        "partner_id", "plan_id", "reverses_id",
    ),
}

Row = tuple[str | None, ...]


@dataclass(frozen=True)
class Scale:
    partners: int
    customers: int
    invoices: int
    seed: int = 2026


@dataclass(frozen=True)
class PartnerSpec:
    id: int
    country: str
    regime: str
    status: str
    tier: str | None
    weight: float  # relative share of the attributed customers

    @property
    def currency(self) -> str:
        return "MXN" if self.country == "MX" else "BRL"


@dataclass
class DataSet:
    """Compact per-row arrays from which every table is streamed (so no table is held in memory)."""

    scale: Scale
    plan_id: int
    partners: list[PartnerSpec]
    customer_partner: array[int] = field(default_factory=lambda: array("l"))  # 0: direct customer
    invoice_cents: array[int] = field(default_factory=lambda: array("l"))
    invoice_offset: array[int] = field(default_factory=lambda: array("l"))  # seconds after 2026-03-01 00:00 local
    refunds: dict[int, int] = field(default_factory=dict)  # invoice index → refunded cents


# --- formatting -------------------------------------------------------------------------------------------


def cents_text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def units4_text(units: int) -> str:
    """An amount held in units of 10⁻⁴, as the 4-place decimal the ledger stores."""
    sign = "-" if units < 0 else ""
    return f"{sign}{abs(units) // 10_000}.{abs(units) % 10_000:04d}"


def _normalised(cents: int) -> str:
    """A payload amount as the intake stores it (no trailing zeros)."""
    text = cents_text(cents)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _grouped(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}"


def local_time(offset: int) -> str:
    day, rest = divmod(offset, 86_400)
    return f"2026-03-{day + 1:02d} {rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}-0{UTC_OFFSET_H}"


def utc_iso(offset: int) -> str:
    utc = offset + UTC_OFFSET_H * 3600
    day, rest = divmod(utc, 86_400)
    month, day = (4, day - 31) if day >= 31 else (3, day)
    return f"2026-{month:02d}-{day + 1:02d}T{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}+00:00"


def _payload(body: dict[str, str]) -> tuple[str, str]:
    text = orjson.dumps(body).decode()
    return text, hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


# --- the plan of the data set ------------------------------------------------------------------------------


def _partner_spec(pid: int, rng: random.Random) -> PartnerSpec:
    country = "MX" if pid % 10 == 0 else "BR"
    regime = "foreign" if country == "MX" else rng.choices(("pj", "pj_simples", "pf"), (50, 25, 25))[0]
    status = rng.choices(("active", "suspended", "terminated", "prospect"), (90, 4, 3, 3))[0]
    tier = rng.choices(("certified", "preferred", "strategic", None), (30, 40, 15, 15))[0]
    segment = rng.choices((0.04, 1.0, 5.0, 40.0), (20, 50, 25, 5))[0]  # dormant, small, medium, large
    return PartnerSpec(pid, country, regime, status, tier, 0.0 if status == "prospect" else segment)


def _assign_customers(data: DataSet, rng: random.Random) -> None:
    eligible = [p for p in data.partners if p.weight > 0]
    cumulative = list(_accumulate(p.weight for p in eligible))
    customers = data.scale.customers
    picks = rng.choices(eligible, cum_weights=cumulative, k=customers) if eligible else []
    for k in range(customers):
        attributed = bool(picks) and rng.random() < ATTRIBUTED_SHARE
        data.customer_partner.append(picks[k].id if attributed else 0)


def _accumulate(weights: Iterator[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _plan_invoices(data: DataSet, rng: random.Random) -> None:
    low, high = math.log(2_990), math.log(499_000)  # R$ 29.90 … R$ 4,990.00, log-uniform (SMB SaaS plans)
    for i in range(data.scale.invoices):
        data.invoice_cents.append(int(math.exp(rng.uniform(low, high))))
        data.invoice_offset.append(rng.randrange(MONTH_SECONDS - 4 * 86_400))  # room for a refund in March
        if rng.random() < REFUND_SHARE:
            cents = data.invoice_cents[i]
            data.refunds[i] = cents if rng.random() < 0.5 else cents // 2


def build_dataset(scale: Scale, plan_id: int) -> DataSet:
    rng = random.Random(scale.seed)
    partners = [_partner_spec(pid, rng) for pid in range(1, scale.partners + 1)]
    data = DataSet(scale, plan_id, partners)
    _assign_customers(data, rng)
    _plan_invoices(data, rng)
    return data


# --- partners ----------------------------------------------------------------------------------------------


def _pix(p: PartnerSpec, tax_id: str) -> tuple[str, str]:
    if p.country != "BR" or p.id % 10 in (3, 7, 9):
        return "", ""  # ~30% of Brazilian partners (and every Mexican one) have no PIX key yet
    choice = p.id % 4
    if choice in (0, 1):
        kind = "cpf" if p.regime == "pf" else "cnpj"
        return kind, validate_pix_key(kind, tax_id)
    if choice == 2:
        return "email", validate_pix_key("email", f"financeiro@parceiro{p.id}.com.br")
    return "evp", validate_pix_key("evp", f"{p.id:08x}-0000-4000-8000-{p.id * 7919:012x}")


def _method(p: PartnerSpec, tax_id: str, pix_type: str, pix_key: str) -> tuple[str, str]:
    """The partner's payout method and its details as JSON: the PIX key when it has one, else a SPEI CLABE in Mexico
    and a bank account for TED in Brazil (made up: the close reads only the method)."""
    if pix_key:
        return "pix", orjson.dumps({"key_type": pix_type, "key": pix_key}).decode()
    if p.country == "MX":
        return "mx_spei", orjson.dumps({"clabe": f"002180{p.id:011d}0", "bank_code": "002",
                                        "bank_name": "Banamex"}).decode()
    return "br_ted", orjson.dumps({"bank_code": "001", "bank_name": "Banco do Brasil", "ispb": "00000000",
                                 "branch": "1584", "branch_digit": "9", "account": f"{p.id:08d}", "account_digit": "0",
                                 "account_type": "checking", "holder_tax_id": tax_id}).decode()


def _tax_id(p: PartnerSpec) -> tuple[str, str]:
    if p.country == "MX":
        return synthetic_tax_id("MX", p.id), "rfc"
    person = p.regime == "pf"
    return synthetic_tax_id("BR", p.id, person=person), "cpf" if person else "cnpj"


_CATEGORIES = (
    ("consulting_agency", "digital_agency"), ("consulting_agency", "management_consultancy"),
    ("industry_vertical", "healthcare"), ("industry_vertical", "professional_services"),
    ("consulting_agency", "accelerator"), ("industry_vertical", "food_beverage"),
)


def partner_rows(data: DataSet) -> Iterator[Row]:
    for p in data.partners:
        tax_id, kind = _tax_id(p)
        pix_type, pix_key = _pix(p, tax_id)
        category, subcategory = ("international", "distributor") if p.country == "MX" else _CATEGORIES[p.id % 6]
        suffix = "S.A. de C.V." if p.country == "MX" else ("ME" if p.regime == "pf" else "Ltda")
        yield (
            str(p.id), f"Parceiro {p.id:05d}", f"Parceiro {p.id:05d} {suffix}", p.country, tax_id, kind, p.currency,
            p.regime, category, subcategory, p.status, p.tier, None, "[]", f'["{p.country}"]', LOADED_AT, LOADED_AT,
            None, pix_key, pix_type, *_method(p, tax_id, pix_type, pix_key),
        )


def partner_terms_rows(data: DataSet) -> Iterator[Row]:
    for p in data.partners:
        yield str(p.id), None, p.tier, None, LOADED_AT, LOADED_BY, str(p.id)


# --- customers, events, invoices, refunds -----------------------------------------------------------------------


def _customer_country(data: DataSet, k: int) -> str:
    partner_id = data.customer_partner[k]
    if partner_id:
        return data.partners[partner_id - 1].country
    return "MX" if k % 20 == 0 else "BR"


def customer_rows(data: DataSet) -> Iterator[Row]:
    for k in range(data.scale.customers):
        partner_id = data.customer_partner[k]
        yield (
            str(k + 1), f"cust-{k + 1:07d}", f"Cliente {k + 1:07d}", f"cliente {k + 1:07d}", "", "",
            _customer_country(data, k), "",
            ATTRIBUTED_AT if partner_id else None, "active", None, LOADED_AT, LOADED_AT,
            str(partner_id) if partner_id else None,
        )


def event_batch_rows(data: DataSet) -> Iterator[Row]:
    events = data.scale.invoices + len(data.refunds)
    for b in range(math.ceil(events / EVENTS_PER_BATCH)):
        count = str(min(EVENTS_PER_BATCH, events - b * EVENTS_PER_BATCH))
        yield str(b + 1), "api", LOADED_AT, LOADED_BY, count, count, "0", "[]"


def invoice_event_id(i: int) -> str:
    return f"ev-inv-{i + 1:07d}"


def refund_event_id(i: int) -> str:
    return f"ev-ref-{i + 1:07d}"


def _invoice_facts(data: DataSet, i: int) -> tuple[int, str, int, int]:
    """(customer index, currency, cents, offset) of invoice i."""
    k = i % data.scale.customers
    currency = "MXN" if _customer_country(data, k) == "MX" else "BRL"
    return k, currency, data.invoice_cents[i], data.invoice_offset[i]


def _refund_offset(offset: int) -> int:
    return offset + 3 * 86_400


def event_rows(data: DataSet) -> Iterator[Row]:
    for i in range(data.scale.invoices):
        k, currency, cents, offset = _invoice_facts(data, i)
        event_id = invoice_event_id(i)
        payload, digest = _payload({
            "id": event_id, "occurred_at": utc_iso(offset), "customer": f"cust-{k + 1:07d}", "type": "invoice.paid",
            "invoice_id": f"in-{i + 1:07d}", "amount": _normalised(cents), "currency": currency,
            "period_start": PERIOD, "period_end": PERIOD_END,
        })
        yield (event_id, "invoice.paid", local_time(offset), payload, digest, LOADED_AT, str(k + 1),
               str(i // EVENTS_PER_BATCH + 1))
    for n, (i, cents) in enumerate(sorted(data.refunds.items())):
        k, currency, _, offset = _invoice_facts(data, i)
        event_id = refund_event_id(i)
        at = _refund_offset(offset)
        payload, digest = _payload({
            "id": event_id, "occurred_at": utc_iso(at), "customer": f"cust-{k + 1:07d}", "type": "invoice.refunded",
            "invoice_id": f"in-{i + 1:07d}", "amount": _normalised(cents), "currency": currency,
        })
        batch = (data.scale.invoices + n) // EVENTS_PER_BATCH + 1
        yield event_id, "invoice.refunded", local_time(at), payload, digest, LOADED_AT, str(k + 1), str(batch)


def invoice_rows(data: DataSet) -> Iterator[Row]:
    for i in range(data.scale.invoices):
        k, currency, cents, offset = _invoice_facts(data, i)
        yield (f"in-{i + 1:07d}", cents_text(cents), currency, PERIOD, PERIOD_END, local_time(offset), str(k + 1),
               invoice_event_id(i))


def refund_rows(data: DataSet) -> Iterator[Row]:
    for i, cents in sorted(data.refunds.items()):
        _, currency, _, offset = _invoice_facts(data, i)
        yield refund_event_id(i), cents_text(cents), currency, local_time(_refund_offset(offset)), f"in-{i + 1:07d}"


# --- the ledger ---------------------------------------------------------------------------------------------


@dataclass
class _LineIds:
    next_id: int = 1

    def take(self) -> str:
        self.next_id += 1
        return str(self.next_id - 1)


def _referrer(data: DataSet, i: int) -> PartnerSpec | None:
    partner_id = data.customer_partner[i % data.scale.customers]
    return data.partners[partner_id - 1] if partner_id else None


def _accrual(data: DataSet, i: int, p: PartnerSpec, line_id: str) -> Row:
    k, currency, cents, offset = _invoice_facts(data, i)
    pct = TIER_PCT[p.tier]
    amount = units4_text(cents * pct)
    why = f"Referral commission (tier {p.tier})" if p.tier else "Referral commission (entry rate, no tier)"
    event_id = invoice_event_id(i)
    explanation = (
        f"{why}: {pct}.00% × invoice in-{i + 1:07d} paid {_grouped(cents)} {currency} = {amount} {p.currency} "
        f"(plan Standard v1, event {event_id})"
    )
    return (
        line_id, "accrual", "referral", amount, p.currency, f"0.{pct:02d}0000", cents_text(cents), "", None, "",
        explanation, f"acc:ref:{p.id}:{event_id}", local_time(offset), PERIOD, LOADED_AT, LOADED_BY, str(k + 1),
        event_id, f"in-{i + 1:07d}", str(p.id), str(data.plan_id), None,
    )


def _clawback(data: DataSet, i: int, refunded: int, p: PartnerSpec, line_id: str) -> Row:
    k, currency, cents, offset = _invoice_facts(data, i)
    pct = TIER_PCT[p.tier]
    accrual, clawed = units4_text(cents * pct), units4_text(refunded * pct)  # round4(C × r / c) = pct × r exactly
    event_id = refund_event_id(i)
    explanation = (
        f"Clawback of referral accrual {accrual} {p.currency}: refund of {_grouped(refunded)} {currency} on invoice "
        f"in-{i + 1:07d} ({_grouped(refunded)} {currency} of {_grouped(cents)} {currency} refunded in all) claws "
        f"back {clawed} {p.currency} (event {event_id})"
    )
    return (
        line_id, "clawback", "referral", f"-{clawed}", p.currency, f"0.{pct:02d}0000", cents_text(refunded), "", None,
        "", explanation, f"clw:{p.id}:ref:{event_id}", local_time(_refund_offset(offset)), PERIOD, LOADED_AT,
        LOADED_BY, str(k + 1), event_id, f"in-{i + 1:07d}", str(p.id), None, f"acc:ref:{p.id}:{invoice_event_id(i)}",
    )


def _adjustment(p: PartnerSpec, line_id: str) -> Row:
    cents = -(p.id * 7_919 % 2_000_000 + 20_000) if p.id % 2 else p.id * 31 % 50_000 + 5_000
    reason = "commission paid twice in 2025 recovered" if cents < 0 else "campaign bonus (Q1 co-marketing)"
    explanation = f"Manual adjustment of {cents_text(cents)} {p.currency} by finance: {reason} (approved by two)"
    return (
        line_id, "adjustment", "manual", cents_text(cents), p.currency, None, None, "", None, "", explanation,
        f"adj:bench:{p.id}:{MONTH}", f"{PERIOD_END} 18:00:00-03", PERIOD, LOADED_AT, "finance@bench", None, None,
        None, str(p.id), None, None,
    )


def ledger_rows(data: DataSet) -> Iterator[Row]:
    ids = _LineIds()
    for i in range(data.scale.invoices):
        referrer = _referrer(data, i)
        if referrer is not None:
            yield _accrual(data, i, referrer, ids.take())
    for i, refunded in sorted(data.refunds.items()):
        referrer = _referrer(data, i)
        if referrer is not None:
            yield _clawback(data, i, refunded, referrer, ids.take())
    for p in data.partners:
        if p.id % ADJUSTED_EVERY == 0 and p.status != "prospect":
            yield _adjustment(p, ids.take())


TABLE_ROWS = (
    ("partners_partner", partner_rows),
    ("partners_partnerterms", partner_terms_rows),
    ("customers_customer", customer_rows),
    ("customers_eventbatch", event_batch_rows),
    ("customers_event", event_rows),
    ("customers_invoice", invoice_rows),
    ("customers_refund", refund_rows),
    ("commissions_ledgerline", ledger_rows),
)
