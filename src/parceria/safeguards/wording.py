"""A flag's evidence in plain words, in the reader's language: the sentence staff read on the Safeguards page and in
its export (the stored evidence stays as data)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parceria.common.formatting import format_percent, format_tax_id
from parceria.common.payout_methods import METHODS
from parceria.partners.models import PIX_KEY_TYPE_LABELS
from parceria.safeguards.models import FlagKind, SafeguardFlag


def _language() -> str:
    return get_language() or "en"


def _percent(text: str) -> str:
    return format_percent(Decimal(text), language=_language(), places=1)


def _small_percent(value: Decimal) -> str:
    """A probability with two decimals of a percent; under 0.01 % as "< 0.01 %" (never a bare 0)."""
    floor = Decimal("0.0001")
    shown = format_percent(max(value, floor), language=_language(), places=2)
    return shown if value >= floor else f"< {shown}"


def _moment(text: str) -> str:
    return date_format(timezone.localtime(datetime.fromisoformat(text)), "SHORT_DATETIME_FORMAT")


def _day(text: str) -> str:
    return date_format(timezone.localtime(datetime.fromisoformat(text)).date(), "SHORT_DATE_FORMAT")


def _customer(e: dict[str, Any]) -> str:
    return f"{e.get('customer_name', '')} ({e.get('customer_external_id', '')})"


def _self_referral(e: dict[str, Any]) -> str:
    facts = {"customer": _customer(e)}
    match = e.get("match")
    if match == "tax_id":
        facts["tax_id"] = format_tax_id(e["customer_value"], e.get("country", "BR"))
        return _("The customer %(customer)s is attributed to this partner and has the partner's own tax id "
                 "(%(tax_id)s).") % facts
    if match == "cnpj_root":
        facts.update(customer_tax_id=format_tax_id(e["customer_value"], "BR"),
                     partner_tax_id=format_tax_id(e["partner_value"], "BR"), root=e.get("root", ""))
        return _("The customer %(customer)s is attributed to this partner and its CNPJ %(customer_tax_id)s has the "
                 "same root (%(root)s) as the partner's CNPJ %(partner_tax_id)s: it is the same company.") % facts
    facts["domain"] = e.get("customer_value", "")
    if e.get("via") == "invitation":
        return _("The customer %(customer)s is attributed to this partner and its web domain %(domain)s is the "
                 "e-mail domain of an address the partner invited to its portal.") % facts
    return _("The customer %(customer)s is attributed to this partner and its web domain %(domain)s is the e-mail "
             "domain of one of the partner's users.") % facts


def _shared_payout_account(e: dict[str, Any]) -> str:
    names = ", ".join(e.get("other_partner_names", []))
    if "pix_key_masked" in e:  # a PIX key (every flag of this kind raised before other accounts were compared)
        kind = PIX_KEY_TYPE_LABELS.get(e.get("pix_key_type", ""), e.get("pix_key_type", ""))
        key = re.sub("•{4,}", "•••", e["pix_key_masked"])  # the masked part's length says nothing
        return _("The partner's PIX key (%(kind)s %(key)s) is also the PIX key of: %(partners)s.") % {
            "kind": kind, "key": key, "partners": names}
    spec = METHODS.get(e["payout_method"])
    return _("The partner's payouts go to an account (%(method)s: %(account)s) that also receives the payouts of: "
             "%(partners)s.") % {"method": spec.label if spec is not None else e["payout_method"],
                                 "account": e["account_masked"], "partners": names}


def _refund_rate(e: dict[str, Any]) -> str:
    facts = {
        "refunded": e["refunded"], "invoices": e["invoices"], "start": _day(e["window_start"]),
        "end": _day(e["window_end"]), "rate": _percent(e["rate"]), "threshold": _percent(e["threshold"]),
        "peers": e["peers"], "median": _percent(e["peer_median"]), "factor": e["median_factor"],
        "by_factor": _percent(e["by_factor"]), "k": e["mad_k"], "mad": _percent(e["peer_mad"]),
        "by_mad": _percent(e["by_mad"]), "minimum": _percent(e["min_rate"]),
        "chance": _small_percent(Decimal(e["chance"])),
        "max_p": _percent(e["max_p"])}
    return (_("%(refunded)s of the %(invoices)s invoices paid from %(start)s to %(end)s by customers attributed to "
              "this partner were refunded (%(rate)s). The limit is %(threshold)s, the highest of: %(factor)s × the "
              "median rate of %(peers)s peers (%(factor)s × %(median)s = %(by_factor)s); that median + %(k)s × their "
              "median absolute deviation (%(median)s + %(k)s × %(mad)s = %(by_mad)s); and %(minimum)s.") % facts
            + " " + _("At the peers' median rate, that many refunds happen by chance with a probability of "
                      "%(chance)s (flagged below %(max_p)s).") % facts)


def _click_burst(e: dict[str, Any]) -> str:
    return _("%(clicks)s clicks on this partner's referral links from one address (hash %(hash)s…) between "
             "%(first)s and %(last)s: more than %(limit)s clicks within %(minutes)s minutes.") % {
        "clicks": e["clicks"], "hash": e["ip_hash"], "first": _moment(e["first_at"]), "last": _moment(e["last_at"]),
        "limit": e["limit"], "minutes": e["minutes"]}


_SENTENCES = {
    FlagKind.SELF_REFERRAL: _self_referral,
    FlagKind.SHARED_PAYOUT_ACCOUNT: _shared_payout_account,
    FlagKind.REFUND_RATE: _refund_rate,
    FlagKind.CLICK_BURST: _click_burst,
}


def flag_sentence(flag: SafeguardFlag) -> str:
    """Why `flag` was raised, with its evidence, in one or two sentences."""
    write = _SENTENCES.get(flag.kind)  # type: ignore[call-overload]
    try:
        return write(flag.evidence) if write is not None else str(flag.evidence)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return str(flag.evidence)
