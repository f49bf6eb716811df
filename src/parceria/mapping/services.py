"""Writes of account mapping (SPEC §11, docs/mapping.md).

`mapping_create` reads a partner's list in memory (mapping.upload), keeps of each account only the keyed digests of
its keys, compares them with the digests of our customers and of the open opportunities of the direct-sales
pipeline under the same mapping key, and stores the result. The raw list is never written anywhere: the caller
closes the upload (a temporary file is deleted then) and only digests, segments and line numbers are kept.
`mapping_match` compares a stored mapping with our records again (new customers since the upload).

Sharing levels: the company's (staff, per partner or program-wide) and the partner's (by the partner); the
effective level of a partner's mappings is the lower of the two (selectors.effective_level)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import across_partners
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import InvalidInput
from parceria.customers.models import Customer
from parceria.deals.models import Opportunity, OpportunityStage
from parceria.mapping import keys
from parceria.mapping.models import AccountMapping, MappedAccount, PartnerSharing, ProgramSharing, SharingLevel
from parceria.mapping.upload import parse
from parceria.partners.models import Partner
from parceria.privacy.consent import consent_set, may_consent_for
from parceria.privacy.models import ConsentPurpose, LegalBasis
from parceria.privacy.sharing import partner_recipient, sharing_record

BATCH = 5000
CHUNK = 20_000


def _our_rows(queryset: QuerySet[Any], keyed: keys.Keyed, wanted: dict[bytes, int]) -> dict[int, int]:
    """For each account index in `wanted` (digest → index), the lowest id of the rows of `queryset` (values id,
    country, tax id, domain) with a key of the same digest. Read through a chunked (server-side on PostgreSQL)
    cursor: a million customers are hashed without holding them all. A domain of ours needs no public-provider
    check: the list's are dropped, so one could never match."""
    found: dict[int, int] = {}
    raw, get = keyed.raw, wanted.get
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            for pk, country, tax_id, domain in rows:
                if tax_id:
                    index = get(raw("BR:" + tax_id[:8] if country == "BR" and len(tax_id) == 14
                                    else f"{country}:{tax_id}"))
                    if index is not None and (index not in found or pk < found[index]):
                        found[index] = pk
                if domain:
                    index = get(raw("@" + domain))
                    if index is not None and (index not in found or pk < found[index]):
                        found[index] = pk
    return found


def _match(keyed: keys.Keyed, accounts: list[MappedAccount]) -> None:
    """Set each account's customer and open opportunity from our records, compared by digest only."""
    wanted: dict[bytes, int] = {}
    for index, account in enumerate(accounts):
        for value in (account.tax_digest, account.domain_digest):
            if value:
                wanted[bytes.fromhex(value)] = index
    fields = ("pk", "country", "tax_id", "domain")
    # Every customer and pipeline opportunity is read on purpose, whoever asks: only the digests that match the
    # partner's own accounts are kept, and they are shown only as the sharing levels allow.
    with across_partners():
        customers = _our_rows(Customer.objects.order_by().values_list(*fields), keyed, wanted)
        opportunities = _our_rows(Opportunity.objects.filter(stage=OpportunityStage.OPEN).order_by()
                                  .values_list(*fields), keyed, wanted)
    for index, account in enumerate(accounts):
        account.customer_id = customers.get(index)
        account.opportunity_id = opportunities.get(index)


def _store(accounts: list[MappedAccount]) -> None:
    """Insert the accounts: COPY on PostgreSQL (100,000 rows in a fraction of a second), bulk INSERTs elsewhere."""
    if connection.vendor != "postgresql":
        MappedAccount.objects.bulk_create(accounts, batch_size=BATCH)
        return
    columns = ("mapping_id", "line", "segment", "tax_digest", "domain_digest", "customer_id", "opportunity_id")
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {MappedAccount._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
        for a in accounts:
            copy.write_row((a.mapping_id, a.line, a.segment, a.tax_digest, a.domain_digest, a.customer_id,
                            a.opportunity_id))


def mapping_create(*, partner: Partner, data: bytes, actor: Actor) -> AccountMapping:
    """Map a partner's customer list (CSV bytes). A file that cannot be mapped raises 413/422 and stores nothing;
    bad rows are reported on the mapping (upload module)."""
    parsed = parse(data, default_country=partner.country)
    del data
    salt = keys.new_salt()
    keyed = keys.Keyed(keys.mapping_secret(salt))
    accounts = [MappedAccount(line=a.line, segment=a.segment, tax_digest=keyed.hex(a.tax),
                              domain_digest=keyed.hex(a.domain)) for a in parsed.accounts]
    rows, issues, issue_count = parsed.rows, parsed.issues, parsed.issue_count
    del parsed  # the keys in the clear go no further
    _match(keyed, accounts)
    with transaction.atomic():
        mapping = AccountMapping.objects.create(
            partner=partner, salt=salt, rows=rows, accounts=len(accounts), issue_count=issue_count,
            issues=issues, created_by_label=actor.label, matched_at=timezone.now())
        for account in accounts:
            account.mapping = mapping
        _store(accounts)
        audit_record_create(actor=actor, action="account_mapping.created", obj=mapping,
                            after={"partner": partner.pk, "rows": rows, "accounts": len(accounts),
                                   "issues": issue_count})
    return mapping


def mapping_match(*, mapping: AccountMapping, actor: Actor) -> AccountMapping:
    """Compare a stored mapping's digests with our customers and open opportunities as they are now."""
    with transaction.atomic():
        mapping = AccountMapping.objects.select_for_update().get(pk=mapping.pk)
        accounts = list(MappedAccount.objects.filter(mapping=mapping).order_by("pk"))
        before = [(a.customer_id, a.opportunity_id) for a in accounts]
        _match(keys.Keyed(keys.mapping_secret(mapping.salt)), accounts)
        changed = [a for a, was in zip(accounts, before, strict=True) if (a.customer_id, a.opportunity_id) != was]
        MappedAccount.objects.bulk_update(changed, ["customer", "opportunity"], batch_size=BATCH)
        mapping.matched_at = timezone.now()
        mapping.save(update_fields=["matched_at"])
        audit_record_create(actor=actor, action="account_mapping.matched", obj=mapping,
                            after={"customers": sum(1 for a in accounts if a.customer_id), "changed": len(changed)})
    return mapping


def _level(value: str, *, blank: bool = False) -> str:
    if (value == "" and blank) or value in SharingLevel.values:
        return value
    raise InvalidInput(_("The sharing level must be one of %(levels)s; got %(value)r.")
                       % {"levels": ", ".join(SharingLevel.values), "value": value},
                       code="invalid_choice", details={"field": "level"})


def program_sharing() -> ProgramSharing:
    found, _ = ProgramSharing.objects.get_or_create(pk=1)
    return found


def program_sharing_set(*, level: str, actor: Actor) -> ProgramSharing:
    """Staff: the company's sharing level for every partner without one of its own."""
    level = _level(level)
    with transaction.atomic():
        setting = program_sharing()
        before = setting.company_level
        setting.company_level, setting.updated_by_label = level, actor.label
        setting.save()
        audit_record_create(actor=actor, action="account_sharing.program_set", obj=setting,
                            before={"company_level": before}, after={"company_level": level})
    return setting


def partner_sharing_set(*, partner: Partner, actor: Actor, company_level: str | None = None,
                        partner_level: str | None = None) -> PartnerSharing:
    """Set one side's level for a partner: `company_level` (staff; "" follows the program-wide level) or
    `partner_level` (the partner)."""
    with transaction.atomic():
        setting, _ = PartnerSharing.objects.select_for_update().get_or_create(partner=partner)
        before = {"company_level": setting.company_level, "partner_level": setting.partner_level}
        if company_level is not None:
            setting.company_level = _level(company_level, blank=True)
        if partner_level is not None:
            setting.partner_level = _level(partner_level)
        setting.save()
        audit_record_create(actor=actor, action="account_sharing.set", obj=partner, before=before,
                            after={"company_level": setting.company_level, "partner_level": setting.partner_level})
        if partner_level is not None and may_consent_for(actor.user, partner.pk):
            # A person of the partner choosing a level that shares matched accounts consents to sharing them; going
            # back to counts only withdraws it (privacy.consent; mapping.selectors.sharing_levels asks it).
            consent_set(user=actor.user, purpose=ConsentPurpose.ACCOUNT_MAPPING,
                        granted=setting.partner_level != SharingLevel.COUNTS, source="account_mapping",
                        partner_id=partner.pk, actor=actor)
    return setting


def matches_shared(*, mapping: AccountMapping, count: int, how: str, actor: Actor) -> None:
    """The sharing log's record of matched accounts (our customers' and open opportunities' names and domains)
    shown or downloaded to the mapping's partner (privacy/sharing.py); nothing when none is shown (`count` 0: the
    sharing levels show counts only, or nothing matched). `how`: "shown in the portal", "downloaded as csv", …"""
    if count <= 0:
        return
    sharing_record(recipient=partner_recipient(mapping.partner), channel="account_mapping",
                   legal_basis=LegalBasis.LEGITIMATE_INTEREST, categories=["customer_contact"],
                   description=f"{count} matched accounts of account mapping #{mapping.pk} {how}",
                   partner_id=mapping.partner_id, subjects=count, obj=mapping, actor=actor)
