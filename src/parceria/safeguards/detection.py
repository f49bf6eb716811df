"""What each safeguard looks for (docs/safeguards.md). Each detector reads the facts set-based and returns its
findings: the partner, the evidence (JSON: the ids, values and comparison) and the parts that identify the evidence
(`key`). The same evidence always gives the same key, so a scan run twice finds the same flags; new evidence (a third
partner on an account, a new refund, a new burst) gives a new key.

Thresholds are data (settings.PARCERIA["SAFEGUARDS"], `Thresholds`), read once per scan."""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import Length, Substr

from parceria.accounts.models import Invitation, User
from parceria.common.payout_methods import PayoutMethod, account_identity, account_summary
from parceria.common.pix import masked_pix_key
from parceria.customers.models import Customer, Invoice
from parceria.customers.services import normalise_domain
from parceria.deals.names import is_public_email_domain
from parceria.partners.models import Partner
from parceria.referrals.models import ReferralClick
from parceria.safeguards.models import FlagKind

RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Thresholds:
    refund_window_days: int = 90
    refund_min_invoices: int = 20
    refund_min_peers: int = 3
    refund_median_factor: Decimal = Decimal(3)
    refund_mad_k: Decimal = Decimal(3)
    refund_min_rate: Decimal = Decimal("0.05")
    refund_max_p: Decimal = Decimal("0.01")
    burst_clicks: int = 20
    burst_minutes: int = 10

    @classmethod
    def from_settings(cls) -> Thresholds:
        conf: dict[str, Any] = dict(getattr(settings, "PARCERIA", {}).get("SAFEGUARDS", {}))
        default = cls()
        return cls(
            refund_window_days=int(conf.get("REFUND_WINDOW_DAYS", default.refund_window_days)),
            refund_min_invoices=int(conf.get("REFUND_MIN_INVOICES", default.refund_min_invoices)),
            refund_min_peers=int(conf.get("REFUND_MIN_PEERS", default.refund_min_peers)),
            refund_median_factor=Decimal(str(conf.get("REFUND_MEDIAN_FACTOR", default.refund_median_factor))),
            refund_mad_k=Decimal(str(conf.get("REFUND_MAD_K", default.refund_mad_k))),
            refund_min_rate=Decimal(str(conf.get("REFUND_MIN_RATE", default.refund_min_rate))),
            refund_max_p=Decimal(str(conf.get("REFUND_MAX_P", default.refund_max_p))),
            burst_clicks=int(conf.get("BURST_CLICKS", default.burst_clicks)),
            burst_minutes=int(conf.get("BURST_MINUTES", default.burst_minutes)),
        )


@dataclass(frozen=True)
class Finding:
    kind: str
    partner_id: int
    evidence: dict[str, Any]
    key: tuple[Any, ...]

    @property
    def evidence_key(self) -> str:
        """SHA-256 of the kind, the partner and the parts that identify the evidence."""
        text = json.dumps([self.kind, self.partner_id, *self.key], default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


# --- self-referral ----------------------------------------------------------------------------------------------


def email_domain(address: str) -> str:
    """The normalised domain of an e-mail address, or "" (no @, or a public e-mail provider's: never a company's)."""
    _, at, domain = address.strip().rpartition("@")
    domain = normalise_domain(domain) if at else ""
    return "" if not domain or is_public_email_domain(domain) else domain


def partner_email_domains(partner_ids: Iterable[int] | None = None) -> dict[int, dict[str, str]]:
    """Each partner's own e-mail domains (of its users and of the invitations it did not withdraw), public
    providers left out: partner id → {domain: "user" | "invitation"}."""
    users = User.objects.filter(partner__isnull=False)
    invitations = Invitation.objects.filter(withdrawn_at__isnull=True)
    if partner_ids is not None:
        ids = list(partner_ids)
        users, invitations = users.filter(partner_id__in=ids), invitations.filter(partner_id__in=ids)
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for source, rows in (("user", users.values_list("partner_id", "email")),
                         ("invitation", invitations.values_list("partner_id", "email"))):
        for partner_id, address in rows:
            domain = email_domain(address or "")
            if domain:
                found[partner_id].setdefault(domain, source)
    return dict(found)


def _customer_facts(c: dict[str, Any]) -> dict[str, Any]:
    return {"customer_id": c["pk"], "customer_name": c["name"], "customer_external_id": c["external_id"]}


def self_referrals(customer_ids: Iterable[int] | None = None) -> list[Finding]:
    """Customers attributed to a partner whose own tax id (or CNPJ root: the same company, whatever the branch) or
    own e-mail domain is the customer's. A tax id match is reported once, as the strongest (tax_id over cnpj_root)."""
    attributed = Customer.objects.filter(partner__isnull=False)
    if customer_ids is not None:
        attributed = attributed.filter(pk__in=list(customer_ids))
    fields = ("pk", "name", "external_id", "partner_id", "tax_id", "country", "domain")
    findings: list[Finding] = []
    seen: set[int] = set()
    same_tax_id = attributed.exclude(tax_id="").filter(tax_id=F("partner__tax_id"), country=F("partner__country"))
    for c in same_tax_id.values(*fields, partner_tax_id=F("partner__tax_id")).order_by("pk"):
        seen.add(c["pk"])
        findings.append(Finding(FlagKind.SELF_REFERRAL, c["partner_id"], {
            **_customer_facts(c), "match": "tax_id", "customer_value": c["tax_id"], "partner_value": c["tax_id"],
            "country": c["country"]}, (c["pk"], "tax_id", c["tax_id"])))
    same_root = (attributed.filter(country="BR", partner__country="BR", partner__tax_id_kind="cnpj")
                 .annotate(length=Length("tax_id"), root=Substr("tax_id", 1, 8),
                           partner_root=Substr("partner__tax_id", 1, 8))
                 .filter(length=14, root=F("partner_root")))
    for c in same_root.values(*fields, "root", partner_tax_id=F("partner__tax_id")).order_by("pk"):
        if c["pk"] in seen:
            continue
        findings.append(Finding(FlagKind.SELF_REFERRAL, c["partner_id"], {
            **_customer_facts(c), "match": "cnpj_root", "customer_value": c["tax_id"],
            "partner_value": c["partner_tax_id"], "root": c["root"], "country": "BR"},
            (c["pk"], "cnpj_root", c["root"])))
    domains = partner_email_domains()
    every = {d for own in domains.values() for d in own}
    if every:
        for c in attributed.filter(domain__in=every).values(*fields).order_by("pk"):
            source = domains.get(c["partner_id"], {}).get(c["domain"])
            if source is None:
                continue
            findings.append(Finding(FlagKind.SELF_REFERRAL, c["partner_id"], {
                **_customer_facts(c), "match": "email_domain", "customer_value": c["domain"],
                "partner_value": c["domain"], "via": source}, (c["pk"], "email_domain", c["domain"])))
    return findings


# --- shared payout account ---------------------------------------------------------------------------------------


def shared_payout_accounts() -> list[Finding]:
    """An account that two or more partners receive payouts at, whatever their payout methods and however their
    details were written (common.payout_methods.account_identity: a PIX key, a bank account for TED, a CLABE, a CBU
    or CVU, a Colombian or Chilean account, an IBAN or an international account): one finding per partner, naming
    the others. A PIX key is read from the partner's indexed copy (pix_key), any other method from its details;
    a partner with no method is left out. The evidence keeps the account masked: a PIX key as before (its type and
    masked key), any other account as its masked summary (common.payout_methods.account_summary)."""
    by_account: dict[str, list[tuple[int, str, str, dict[str, Any]]]] = defaultdict(list)
    rows = (Partner.objects.filter(~Q(pix_key="") | ~Q(payout_method__in=("", PayoutMethod.PIX)))
            .values_list("pk", "name", "payout_method", "payout_account", "pix_key_type", "pix_key").order_by("pk"))
    for pk, name, method, account, key_type, key in rows:
        if key:
            method, account = PayoutMethod.PIX.value, {"key_type": key_type, "key": key}
        identity = account_identity(method, account)
        if identity is not None:
            by_account[identity].append((pk, name, method, account))
    findings: list[Finding] = []
    for identity, holders in by_account.items():
        if len(holders) < 2:
            continue
        digest = hashlib.sha256(identity.encode()).hexdigest()  # a PIX key's: its key's, as the flags raised before
        for pk, _name, method, account in holders:
            others = [(o, n) for o, n, _m, _a in holders if o != pk]
            if method == PayoutMethod.PIX:
                shown = {"pix_key_type": account["key_type"], "pix_key_masked": masked_pix_key(account["key"])}
            else:
                shown = {"payout_method": method, "account_masked": account_summary(method, account)}
            findings.append(Finding(FlagKind.SHARED_PAYOUT_ACCOUNT, pk, {
                **shown, "other_partner_ids": [o for o, _n in others], "other_partner_names": [n for _o, n in others]},
                (digest, sorted(o for o, _n in others))))
    return findings


# --- refund rate ------------------------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole)


def binomial_tail(successes: int, trials: int, rate: Decimal) -> Decimal:
    """P(X ≥ successes) for X ~ Binomial(trials, rate): how likely that many refunds are by chance at `rate`.
    Summed in log space (lgamma), so thousands of trials neither overflow nor underflow."""
    if successes <= 0:
        return Decimal(1)
    if successes > trials:
        return Decimal(0)
    p = float(rate)
    if p <= 0:
        return Decimal(0)
    if p >= 1:
        return Decimal(1)
    log_p, log_q = math.log(p), math.log1p(-p)
    head = math.lgamma(trials + 1)
    total = math.fsum(math.exp(head - math.lgamma(k + 1) - math.lgamma(trials - k + 1) + k * log_p
                               + (trials - k) * log_q) for k in range(successes, trials + 1))
    return Decimal(repr(min(total, 1.0)))


def _q(value: Decimal) -> str:
    return str(value.quantize(RATE_PLACES))


def refund_rates(now: datetime, limits: Thresholds) -> list[Finding]:
    """Partners whose refund rate (invoices paid in the trailing window that were refunded, over the invoices paid
    in it, of the customers attributed to them) is above
    max(FACTOR × the peers' median rate, median + K × the peers' median absolute deviation, MIN_RATE), and whose
    refunds would happen by chance at the peers' median rate with a probability under MAX_P (binomial tail: a few
    refunds among few invoices are not evidence). Only partners with at least MIN_INVOICES invoices in the window
    are judged; a partner's peers are the other such partners, and at least MIN_PEERS of them are needed."""
    start = now - timedelta(days=limits.refund_window_days)
    window = Invoice.objects.filter(paid_at__gte=start, paid_at__lt=now, customer__partner__isnull=False)
    counts = {
        row["customer__partner_id"]: (row["invoices"], row["refunded"])
        for row in window.values("customer__partner_id").annotate(
            invoices=Count("invoice_id", distinct=True),
            refunded=Count("invoice_id", filter=Q(refunds__isnull=False), distinct=True))
        if row["invoices"] >= limits.refund_min_invoices
    }
    rates = {pk: _rate(refunded, invoices) for pk, (invoices, refunded) in counts.items()}
    findings: list[Finding] = []
    ordered = sorted(rates.values())
    peer_stats: dict[Decimal, tuple[Decimal, Decimal]] = {}  # a rate → its peers' median and MAD (same for ties)
    for pk, rate in sorted(rates.items()):
        if len(ordered) - 1 < limits.refund_min_peers or rate <= limits.refund_min_rate:
            continue
        if rate not in peer_stats:
            peers = list(ordered)
            peers.remove(rate)  # the others: the same multiset for every partner with this rate
            middle = statistics.median(peers)
            peer_stats[rate] = (middle, statistics.median([abs(r - middle) for r in peers]))
        median, mad = peer_stats[rate]
        by_factor, by_mad = limits.refund_median_factor * median, median + limits.refund_mad_k * mad
        threshold = max(by_factor, by_mad, limits.refund_min_rate)
        if rate <= threshold:
            continue
        invoices, refunded = counts[pk]
        chance = binomial_tail(refunded, invoices, median)
        if chance >= limits.refund_max_p:
            continue
        refunded_ids = sorted(window.filter(customer__partner_id=pk, refunds__isnull=False)
                              .values_list("invoice_id", flat=True).distinct())
        findings.append(Finding(FlagKind.REFUND_RATE, pk, {
            "window_start": start.isoformat(), "window_end": now.isoformat(), "window_days": limits.refund_window_days,
            "invoices": invoices, "refunded": refunded, "rate": _q(rate), "peers": len(peers),
            "peer_median": _q(median), "peer_mad": _q(mad), "by_factor": _q(by_factor), "by_mad": _q(by_mad),
            "threshold": _q(threshold), "median_factor": str(limits.refund_median_factor),
            "mad_k": str(limits.refund_mad_k), "min_rate": str(limits.refund_min_rate),
            "chance": f"{chance:.6f}", "max_p": str(limits.refund_max_p), "refunded_invoice_ids": refunded_ids[:50]},
            (refunded_ids,)))
    return findings


# --- click bursts -----------------------------------------------------------------------------------------------


def click_bursts(limits: Thresholds) -> list[Finding]:
    """More than BURST_CLICKS clicks from one hashed address on one partner's referral links within BURST_MINUTES
    minutes. Per partner and address, the clicks are walked in time order: the first click whose window
    [click, click + BURST_MINUTES) holds more than BURST_CLICKS clicks starts a burst made of that window's clicks;
    the walk goes on after it. Earlier clicks never change, so a burst keeps its first click (and its key)."""
    n = limits.burst_clicks
    span = timedelta(minutes=limits.burst_minutes)
    clicks = ReferralClick.objects.all()
    suspects = (clicks.values("link__partner_id", "ip_hash").annotate(total=Count("pk"))
                .filter(total__gt=n).values_list("link__partner_id", "ip_hash"))
    findings: list[Finding] = []
    for partner_id, ip_hash in sorted(suspects):
        rows = list(clicks.filter(link__partner_id=partner_id, ip_hash=ip_hash)
                    .values_list("pk", "at", "link_id").order_by("at", "pk"))
        times = [at for _pk, at, _link in rows]
        i = 0
        while i < len(rows):
            end = bisect.bisect_left(times, times[i] + span, lo=i)
            if end - i <= n:
                i += 1
                continue
            burst = rows[i:end]
            findings.append(Finding(FlagKind.CLICK_BURST, partner_id, {
                "ip_hash": ip_hash[:12], "clicks": len(burst), "limit": n, "minutes": limits.burst_minutes,
                "first_at": burst[0][1].isoformat(), "last_at": burst[-1][1].isoformat(),
                "link_ids": sorted({link for _pk, _at, link in burst}), "first_click_id": burst[0][0],
                "last_click_id": burst[-1][0]}, (ip_hash, burst[0][0])))
            i = end
    return findings
