"""The sharing log (LGPD art. 18 VII and art. 37): every time personal data leaves Parceria for a third party, one
SharingRecord says who received it, through which channel, on which legal basis (art. 7), which kinds of personal
data (the keys of the record of processing) and how many people's data it carried.

`sharing_record` is the one writer, called by the code that shares, inside its transaction (a share that rolls
back, or that fails, leaves no record). It writes one row and no audit record: the log is itself the record of the
share, and who caused it is its `actor_label`. The selectors below read it for the console page and for the
answer to a data-subject request ("information on sharing").

**What is logged: only shares that carry a person's data.** A document about a company carries the company's
data, which is not personal data (LGPD art. 5 I: data about an identified or identifiable natural person), so it
is not logged. A share carries a person's data when:

- it names an individual payee or partner: a `pf` partner (tax regime pf, a CPF), or abroad a tax id that is a
  person's (an RFC of 13 characters, a CUIT beginning 20, 23, 24 or 27, a RUT below 50.000.000, a NIT that does
  not begin with 8 or 9); a foreign tax id that tells nothing ("other") counts as a person's, to be safe;
  category `pf_payee_tax` for a payee's tax id, name and income, `partner_contact` for a partner's name alone;
- it carries a PIX key that is a CPF, an e-mail address or a telephone number (category `pix_key`), whoever the
  payee is: such a key identifies a person even on a company's payout (a random key or a CNPJ does not);
- it shows our customers' accounts to a partner (account mapping: category `customer_contact`, one subject per
  matched account): a customer may be a person or named after one, and the share is the point of the feature.

So a `pj` partner's monthly statement or income statement is not logged (company name and CNPJ), and a `pf`
partner's is; a bank file is logged when one of its payees is a person or one of its PIX keys is personal, with
the number of such payees as `subjects`; a webhook event or chat message is logged when the partner it names is a
person.

The log names people by ids only (partner_id, the object's id; a partner as recipient is "partner 12"), never by
name, e-mail or tax id: it is append-only and kept, so it must hold nothing an anonymisation would have to change.
(`actor_label` is the one exception, as in the audit log: a portal user's label is their username.)

The channels (`CHANNELS`) and where they are written:

- `cnab_file`, `bank_csv`: a payout batch exported to the bank (payouts.bank_files.batch_export; legal basis:
  contract, the partner agreement the payout pays);
- `statement`, `informe`: a partner's monthly statement (contract) or income statement (legal obligation: IN RFB
  2.060/2021 makes the payer give it) downloaded in the console, the portal or through the API (recipient: the
  partner);
- `webhook`: an event delivered to a partner's webhook endpoint (webhooks.delivery, on success only; recipient: the
  endpoint's host);
- `chat_webhook`: a notification posted to a partner's chat webhook (notifications.delivery, on success only);
- `account_mapping`: the matched accounts of a mapping shown or downloaded to the partner (legitimate interest).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import pgettext_lazy

from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.common.taxids import is_person
from parceria.privacy.models import LegalBasis, SharingRecord

#: The channels through which personal data leaves, with their names on the pages.
CHANNELS = {
    "cnab_file": pgettext_lazy("sharing channel", "Bank file (CNAB 240 remittance)"),
    "bank_csv": pgettext_lazy("sharing channel", "Bank file (CSV)"),
    "statement": pgettext_lazy("sharing channel", "Monthly statement"),
    "informe": pgettext_lazy("sharing channel", "Income statement (informe de rendimentos)"),
    "webhook": pgettext_lazy("sharing channel", "Webhook delivery"),
    "chat_webhook": pgettext_lazy("sharing channel", "Chat webhook message"),
    "account_mapping": pgettext_lazy("sharing channel", "Account mapping results"),
}

#: The kinds of personal data, as the record of processing names them.
CATEGORIES = ("partner_contact", "partner_user", "customer_contact", "pf_payee_tax", "pix_key", "click_data")

#: The categories' names on the pages (the record of processing describes each).
CATEGORY_LABELS = {
    "partner_contact": pgettext_lazy("personal data", "Partner contact"),
    "partner_user": pgettext_lazy("personal data", "Partner user"),
    "customer_contact": pgettext_lazy("personal data", "Customer contact"),
    "pf_payee_tax": pgettext_lazy("personal data", "Individual payee's tax data"),
    "pix_key": pgettext_lazy("personal data", "PIX key"),
    "click_data": pgettext_lazy("personal data", "Click data"),
}

#: PIX key types that identify a person (a CNPJ identifies a company; a random key, nobody).
PERSONAL_PIX_KEY_TYPES = frozenset({"cpf", "email", "phone"})

def partner_is_person(partner: Any) -> bool:
    """`common.taxids.is_person` for a partner (anything with tax_regime, tax_id_kind and tax_id)."""
    return is_person(tax_regime=partner.tax_regime, tax_id_kind=partner.tax_id_kind, tax_id=partner.tax_id)


def personal_pix_key(key_type: str) -> bool:
    return (key_type or "").lower() in PERSONAL_PIX_KEY_TYPES


def partner_recipient(partner: Any) -> str:
    """How a partner is named as a recipient: "partner 12". By its id only: the log is append-only and kept, so it
    holds no name (a pf partner's name is a person's) that an anonymisation would have to change."""
    return f"partner {partner.pk}"


def url_host(url: str) -> str:
    """The host an URL points at (an endpoint's recipient), lower case."""
    return (urlsplit(url).hostname or url)[:200]


def _clean_categories(categories: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(categories))
    unknown = [c for c in chosen if c not in CATEGORIES]
    if not chosen or unknown:
        raise InvalidInput(
            f"categories must be one or more of {', '.join(CATEGORIES)} (got {', '.join(unknown) or 'none'})",
            code="invalid_categories",
            details={"field": "categories"},
        )
    return sorted(chosen, key=CATEGORIES.index)


def sharing_record(
    *,
    recipient: str,
    channel: str,
    legal_basis: str,
    categories: Iterable[str],
    description: str,
    partner_id: int | None = None,
    subjects: int = 1,
    obj: Any = None,
    actor: Actor,
) -> SharingRecord:
    """Log one share of personal data (written in the caller's transaction; InvalidInput and nothing written if an
    argument is wrong). `categories`: keys of the record of processing (CATEGORIES); `subjects`: how many people's
    data it carried (at least one: a share without a person's data is not logged); `obj`: the row shared or that
    caused the share (a bank file, a delivery, a partner), kept as its type and id."""
    recipient, description = (recipient or "").strip(), " ".join((description or "").split())
    if not recipient:
        raise InvalidInput("recipient is required", code="invalid_recipient", details={"field": "recipient"})
    if channel not in CHANNELS:
        raise InvalidInput(
            f"channel must be one of {', '.join(CHANNELS)}", code="invalid_channel", details={"field": "channel"}
        )
    if legal_basis not in LegalBasis.values:
        raise InvalidInput(
            f"legal_basis must be one of {', '.join(LegalBasis.values)}",
            code="invalid_legal_basis",
            details={"field": "legal_basis"},
        )
    clean = _clean_categories(categories)
    if not description:
        raise InvalidInput("description is required", code="invalid_description", details={"field": "description"})
    if isinstance(subjects, bool) or not isinstance(subjects, int) or subjects < 1:
        raise InvalidInput(
            "subjects must be a whole number of at least 1", code="invalid_subjects", details={"field": "subjects"}
        )
    with transaction.atomic():
        return SharingRecord.objects.create(
            recipient=recipient[:200],
            channel=channel,
            legal_basis=legal_basis,
            categories=clean,
            description=description[:300],
            partner_id=partner_id,
            subjects=subjects,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            actor_label=actor.label[:200],
        )


def partner_document_shared(
    *, partner: Any, channel: str, legal_basis: str, description: str, obj: Any = None, actor: Actor
) -> SharingRecord | None:
    """Log a document about one partner given to that partner (a statement, an income statement) when the partner is
    a person; None (nothing logged) for a company."""
    if not partner_is_person(partner):
        return None
    return sharing_record(
        recipient=partner_recipient(partner),
        channel=channel,
        legal_basis=legal_basis,
        categories=["pf_payee_tax"],
        description=description,
        partner_id=partner.pk,
        subjects=1,
        obj=obj if obj is not None else partner,
        actor=actor,
    )


# --- selectors ---------------------------------------------------------------------------------------------------


def sharing_log(
    *,
    channel: str = "",
    recipient: str = "",
    partner_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[SharingRecord]:
    """The log, newest first, filtered: `channel` exactly, `recipient` containing the text (any case), the
    partner, and the days (local time) from `since` to `until`, both included."""
    qs = SharingRecord.objects.all()
    if channel:
        qs = qs.filter(channel=channel)
    if recipient:
        qs = qs.filter(recipient__icontains=recipient)
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    if since is not None:
        qs = qs.filter(at__date__gte=since)
    if until is not None:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")


def sharing_of_partner(partner_id: int) -> QuerySet[SharingRecord]:
    """What was shared of one partner (for a data-subject request's "information on sharing"), newest first. Bank
    files concern many partners and carry none (their payouts are in the file's `payout_ids`)."""
    return sharing_log(partner_id=partner_id)


def channel_label(channel: str) -> str:
    label = CHANNELS.get(channel)
    return str(label) if label is not None else channel


def category_labels(categories: Iterable[str]) -> list[str]:
    return [str(CATEGORY_LABELS.get(c, c)) for c in categories]


def legal_basis_label(basis: str) -> str:
    try:
        return str(LegalBasis(basis).label)
    except ValueError:
        return basis
