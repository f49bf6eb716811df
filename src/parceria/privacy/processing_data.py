"""The record of processing (LGPD art. 37) as versioned data: per kind of personal data the product holds, the data
items, the purpose, the legal basis (art. 7), how long it is kept, who it is shared with and where it is stored.

A version is never edited once in force: a change of the processing is a new `ProcessingVersion` with a later
`effective_from`; the console shows the version in force and the earlier ones (privacy/views/processing.py). The
entries were written from the code: each `stored_in` names the models that hold the data, and a test checks that
every model named exists (tests/privacy/test_processing.py).

Retention periods are the policy; `parceria retention` applies the part of it that deletes on a schedule (click
data, rejected-event payloads, sessions, sign-in attempts, raw uploads) and never removes what a legal hold keeps
(privacy/holds.py: the fiscal hold of five years after the fiscal year for payouts and their tax data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parceria.privacy.models import LegalBasis


@dataclass(frozen=True)
class ProcessingEntry:
    """One kind of personal data: what it is, why and on what basis it is processed, how long it is kept, who
    receives it and where it is stored."""

    key: str
    name: Promise
    data_items: tuple[Promise, ...]
    purpose: Promise
    legal_basis: str  # LegalBasis
    retention: Promise
    retention_months: int | None  # None: as long as the relationship lasts, then `retention` says what follows
    shared_with: tuple[Promise, ...]
    stored_in: tuple[str, ...]  # "app_label.Model"

    @property
    def legal_basis_label(self) -> str:
        return str(LegalBasis(self.legal_basis).label)


@dataclass(frozen=True)
class ProcessingVersion:
    version: str
    effective_from: dt.date
    entries: tuple[ProcessingEntry, ...]

    def entry(self, key: str) -> ProcessingEntry | None:
        return next((e for e in self.entries if e.key == key), None)


_FISCAL = _("Five years after the end of the fiscal year of the payment (fiscal hold), then anonymised.")

_V1_ENTRIES = (
    ProcessingEntry(
        key="partner_contact",
        name=_("Partner contact"),
        data_items=(_("company name and legal name"), _("tax id (CNPJ, or CPF of an individual partner)"),
                    _("country, category, verticals and territories"), _("directory listing text and logo"),
                    _("contact name, e-mail and phone given in the application")),
        purpose=_("Run the partner program: the partner agreement, attribution of customers, commissions, tiers "
                  "and communication with the partner."),
        legal_basis=LegalBasis.CONTRACT,
        retention=_("While the partner takes part in the program; five years after it ends (limitation of "
                    "contractual claims), then anonymised."),
        retention_months=60,
        shared_with=(_("the public, only what the partner lists in the directory with its consent"),),
        stored_in=("partners.Partner", "recruiting.Application", "recruiting.DirectoryListing",
                   "agreements.Agreement"),
    ),
    ProcessingEntry(
        key="partner_user",
        name=_("Partner users and staff accounts"),
        data_items=(_("name, user name and e-mail"), _("role and partner"), _("language"),
                    _("second-factor device"), _("notification settings"), _("consents given and withdrawn"),
                    _("audit records of what the person did")),
        purpose=_("Give people access to the portal and the console, tell them what concerns them and keep a "
                  "trail of who did what."),
        legal_basis=LegalBasis.CONTRACT,
        retention=_("While the account is active; audit records and consents are kept five years after the "
                    "account is removed (proof of consent, LGPD art. 8 §2; defence in proceedings)."),
        retention_months=60,
        shared_with=(_("the e-mail provider that delivers the messages"),),
        stored_in=("accounts.User", "accounts.Invitation", "notifications.Preference",
                   "notifications.Notification", "privacy.ConsentRecord", "common.AuditRecord"),
    ),
    ProcessingEntry(
        key="customer_contact",
        name=_("Customers and prospects of partners"),
        data_items=(_("company name, tax id and web domain"), _("contact name and e-mail of a deal or lead"),
                    _("invoices, refunds, usage and satisfaction scores")),
        purpose=_("Attribute customers to the partners that brought them, register deals, route leads and "
                  "compute commissions."),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        retention=_("While the customer is attributed to a partner and five years after its last commission "
                    "(limitation of claims), then anonymised."),
        retention_months=60,
        shared_with=(_("the partner the customer, deal or lead is attributed to"),
                     _("the partner's webhook receivers (events it subscribed to)")),
        stored_in=("customers.Customer", "customers.Invoice", "deals.DealRegistration", "deals.Opportunity",
                   "leads.Lead", "recruiting.DirectoryContact"),
    ),
    ProcessingEntry(
        key="pf_payee_tax",
        name=_("Payee tax data of individual partners (PF)"),
        data_items=(_("CPF and name of the payee"), _("amounts paid, withholdings (IRRF, INSS) and employer "
                                                       "contributions"), _("income statement (informe de "
                                                                           "rendimentos)")),
        purpose=_("Pay commissions and meet tax obligations: withholding, the income statement and the tax "
                  "authority's returns."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_FISCAL,
        retention_months=None,
        shared_with=(_("the bank (payment files)"), _("the tax authority (Receita Federal)"),
                     _("the partner itself (statements and income statements)")),
        stored_in=("payouts.Payout", "payouts.PayoutWithholding", "payouts.PayoutEmployerContribution",
                   "payouts.BatchExport"),
    ),
    ProcessingEntry(
        key="pix_key",
        name=_("PIX key"),
        data_items=(_("PIX key and its kind (CPF, CNPJ, e-mail, phone or random key)"),
                    _("when it was last changed")),
        purpose=_("Send the partner's payouts; detect a key shared by two partners (fraud prevention)."),
        legal_basis=LegalBasis.CONTRACT,
        retention=_("The key in force while the partner is paid; the copy on each payout is kept with the payout "
                    "(fiscal hold)."),
        retention_months=None,
        shared_with=(_("the bank (payment files)"),),
        stored_in=("partners.Partner", "payouts.Payout", "safeguards.SafeguardFlag"),
    ),
    ProcessingEntry(
        key="click_data",
        name=_("Referral link clicks"),
        data_items=(_("keyed hash of the visitor's IP address (never the address itself)"), _("browser (user "
                                                                                              "agent)"),
                    _("referring page"), _("time of the click")),
        purpose=_("Count referral clicks and detect click fraud."),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        retention=_("13 months, then `parceria retention` clears the address hash, browser and referring page (the "
                    "click's link and time stay, for the links' counts)."),
        retention_months=13,
        shared_with=(),
        stored_in=("referrals.ReferralClick",),
    ),
    ProcessingEntry(
        key="applicant",
        name=_("Applicants to the program"),
        data_items=(_("company and contact name, e-mail and phone"), _("what the applicant told about its "
                                                                      "business"), _("the decision and its reason")),
        purpose=_("Decide on an application to the partner program and tell the applicant."),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        retention=_("Two years after a declined application; an accepted one becomes a partner's record."),
        retention_months=24,
        shared_with=(),
        stored_in=("recruiting.Application", "partners.Partner"),
    ),
    ProcessingEntry(
        key="directory_contact",
        name=_("Messages from the partner directory"),
        data_items=(_("company, contact name, e-mail and phone of the visitor"), _("the message"),
                    _("keyed hash of the visitor's IP address")),
        purpose=_("Pass a visitor's message to the partner it was written to, as a lead."),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        retention=_("As a lead: while it is open and two years after it is closed."),
        retention_months=24,
        shared_with=(_("the partner the message was written to"),),
        stored_in=("recruiting.DirectoryContact", "leads.Lead"),
    ),
    ProcessingEntry(
        key="survey_answer",
        name=_("Partner survey answers"),
        data_items=(_("score (0–10) and comment of a partner user"), _("follow-up notes")),
        purpose=_("Measure partner satisfaction and follow up detractors."),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        retention=_("Five years, then anonymised (the scores stay in the program's figures)."),
        retention_months=60,
        shared_with=(),
        stored_in=("community.NpsAnswer", "community.NpsFollowUp"),
    ),
    ProcessingEntry(
        key="sign_in_attempt",
        name=_("Sign-in attempts and sessions"),
        data_items=(_("user name tried"), _("IP address"), _("time and outcome"), _("session")),
        purpose=_("Protect the accounts against password guessing, and keep the access records the law requires."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Attempts six months (Marco Civil da Internet art. 15), expired sessions at once, deleted by "
                    "`parceria retention`."),
        retention_months=6,
        shared_with=(),
        stored_in=("accounts.LoginAttempt", "sessions.Session"),
    ),
    ProcessingEntry(
        key="account_mapping",
        name=_("Account mapping lists"),
        data_items=(_("keyed hashes of the tax ids and domains of a partner's customers (the list itself is "
                      "never stored)"), _("the segment the partner gave each account")),
        purpose=_("Find the customers a partner and the company have in common."),
        legal_basis=LegalBasis.CONSENT,
        retention=_("Until the partner deletes the mapping or withdraws its consent to share matches."),
        retention_months=None,
        shared_with=(_("the partner, the matched accounts both sides agreed to share"),),
        stored_in=("mapping.AccountMapping", "mapping.MappedAccount"),
    ),
    ProcessingEntry(
        key="webhook_delivery",
        name=_("Webhook deliveries"),
        data_items=(_("the event sent (customer, deal, payout or tier data of the partner)"),
                    _("the receiver's answer")),
        purpose=_("Tell the partner's systems what happened, as the partner asked."),
        legal_basis=LegalBasis.CONTRACT,
        retention=_("Six months, then `parceria retention` deletes the events with their deliveries and the "
                    "receivers' answers (the sharing log keeps that they were sent)."),
        retention_months=6,
        shared_with=(_("the partner's webhook receivers"), _("the partner's chat webhook")),
        stored_in=("webhooks.OutboxEvent", "webhooks.Delivery", "notifications.ChatWebhook"),
    ),
    ProcessingEntry(
        key="activity_log",
        name=_("Audit records"),
        data_items=(_("who did what and when, with the values before and after"), _("sensitive reads")),
        purpose=_("Prove what happened to money and personal data, and investigate incidents."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Five years after the fiscal year of the records they concern; anonymised with the person."),
        retention_months=60,
        shared_with=(),
        stored_in=("common.AuditRecord", "admin.LogEntry"),
    ),
    ProcessingEntry(
        key="consent",
        name=_("Consent records"),
        data_items=(_("who consented to what, when, through which text version, and each withdrawal"),),
        purpose=_("Prove the consents the features rely on (LGPD art. 8 §2)."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("As long as the consent is used and five years after its withdrawal."),
        retention_months=60,
        shared_with=(),
        stored_in=("privacy.ConsentRecord",),
    ),
    ProcessingEntry(
        key="privacy_request",
        name=_("Data-subject requests and legal holds"),
        data_items=(_("the person's e-mail address or CPF"), _("what they asked and the answer")),
        purpose=_("Answer the rights of LGPD art. 18 and prove the answer; keep records a legal hold requires."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Five years after the answer; the identifiers of an anonymised person are pseudonymised at once."),
        retention_months=60,
        shared_with=(_("the person who asked"),),
        stored_in=("privacy.DataSubjectRequest", "privacy.LegalHold", "privacy.SealedIdentity"),
    ),
)

_PIX_KEY_V1 = next(entry for entry in _V1_ENTRIES if entry.key == "pix_key")
_PAYOUT_ACCOUNT = replace(
    _PIX_KEY_V1,
    name=_("Payout account (PIX key or bank account)"),
    data_items=(_PIX_KEY_V1.data_items[0],
                _("bank account: bank, branch, account number, CLABE, CBU/CVU, IBAN, SWIFT/BIC"),
                _("the account holder's name and tax id"), _("when it was last changed, by whom and why"),
                _("every earlier version")),
    retention=_("The account in force while the partner is paid, with its earlier versions; the copy on each payout "
                "is kept with the payout (fiscal hold)."),
    stored_in=("partners.Partner", "partners.PayoutMethodChange", "payouts.Payout", "safeguards.SafeguardFlag"),
)
#: Payout methods beyond PIX (bank accounts in five countries and international transfers): the payout account entry.
_V2_ENTRIES = tuple(_PAYOUT_ACCOUNT if entry.key == "pix_key" else entry for entry in _V1_ENTRIES)

#: Every version, oldest first. Add a version to change the record; never edit one that has been in force.
VERSIONS: tuple[ProcessingVersion, ...] = (
    ProcessingVersion(version="2026-12", effective_from=dt.date(2026, 12, 1), entries=_V1_ENTRIES),
    ProcessingVersion(version="2026-12-b", effective_from=dt.date(2026, 12, 4), entries=_V2_ENTRIES),
)


def version_in_force(on: dt.date) -> ProcessingVersion:
    """The version in force on `on`: the latest that took effect on or before it (the first one before any)."""
    started = [v for v in VERSIONS if v.effective_from <= on]
    return started[-1] if started else VERSIONS[0]


def version_named(name: str) -> ProcessingVersion | None:
    return next((v for v in VERSIONS if v.version == name), None)
