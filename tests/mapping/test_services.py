"""Account mapping: reading a list (bad rows reported by line, nothing stored for a bad file), the overlap counts
against a direct computation, no raw value of the list anywhere in the database, and the sharing levels."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from stdnum.br import cnpj

from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.common.taxids import synthetic_tax_id
from parceria.deals.models import Opportunity, OpportunityStage
from parceria.mapping import keys
from parceria.mapping.models import AccountMapping, MappedAccount, SharingLevel
from parceria.mapping.selectors import customer_overlap, mapping_counts, matched_accounts, sharing_levels
from parceria.mapping.services import mapping_create, mapping_match, partner_sharing_set, program_sharing_set
from parceria.mapping.upload import MAX_BYTES, UploadTooLarge, parse
from tests.factories import make_customer, make_partner

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")


def admin_of(partner) -> Actor:
    """An admin of the partner acting: choosing a level that shares matched accounts records the partner's consent
    (privacy.consent), which only a person of the partner can give."""
    from parceria.accounts.services import user_create

    user = user_create(username=f"admin-{partner.pk}@example.com", password=None, role="partner_admin",
                       email=f"admin-{partner.pk}@example.com", partner=partner, actor=ACTOR)
    return Actor(label=f"user:{user.username}", user=user)


def cnpj_of(n: int, branch: str = "0001") -> str:
    """A valid CNPJ whose root is made from `n`, at `branch`."""
    base = f"{30_000_000 + n:08d}{branch}"
    return base + cnpj.calc_check_digits(base)


def csv(*rows: str, header: str = "tax_id,domain,segment") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def opportunity(n: int, *, tax_id: str = "", domain: str = "", stage: str = OpportunityStage.OPEN) -> Opportunity:
    return Opportunity.objects.create(external_id=f"opp-{n}", company_name=f"Prospect {n}",
                                      normalised_name=f"prospect {n}", country="BR", tax_id=tax_id,
                                      cnpj_root=tax_id[:8] if len(tax_id) == 14 else "", domain=domain, stage=stage)


# --- reading the list ---------------------------------------------------------------------------------------------

def test_bad_rows_are_reported_by_line_and_column_and_the_others_mapped():
    parsed = parse(csv(
        f"{cnpj.format(cnpj_of(1))},alfa.com.br,customer",   # line 2: good
        "11.111.111/1111-11,,customer",                       # line 3: invalid tax id, no other key
        f"{cnpj_of(1, '0002')},,prospect",                    # line 4: same CNPJ root as line 2
        ",gmail.com,customer",                                # line 5: public provider
        ",https://www.Alfa.com.br/loja,customer",             # line 6: same domain as line 2
        "123,beta.com.br,prospect",                           # line 7: bad tax id, good domain
        ",not a domain,",                                     # line 8
        "",                                                   # blank: not a row
        f"{cnpj_of(3)},,",                                    # line 10: good, no segment
    ), default_country="BR")

    assert parsed.rows == 8
    assert [(a.line, a.segment, a.tax, a.domain) for a in parsed.accounts] == [
        (2, "customer", f"BR:{cnpj_of(1)[:8]}", "@alfa.com.br"), (7, "prospect", "", "@beta.com.br"),
        (10, "", f"BR:{cnpj_of(3)[:8]}", "")]
    assert parsed.issues == [
        {"line": 3, "column": "tax_id", "code": "invalid_tax_id"}, {"line": 3, "column": "", "code": "no_key"},
        {"line": 4, "column": "", "code": "duplicate", "first_line": 2},
        {"line": 5, "column": "domain", "code": "public_email_domain"}, {"line": 5, "column": "", "code": "no_key"},
        {"line": 6, "column": "", "code": "duplicate", "first_line": 2},
        {"line": 7, "column": "tax_id", "code": "invalid_tax_id"},
        {"line": 8, "column": "domain", "code": "invalid_domain"}, {"line": 8, "column": "", "code": "no_key"}]
    assert parsed.issue_count == 9


@pytest.mark.parametrize(("data", "code"), [
    (b"name,email\nx,y\n", "invalid_header"),
    (b"tax_id,tax_id\n1,2\n", "invalid_header"),
    (b"tax_id\n123\n", "no_accounts"),
    (b"domain\n\xff\xfe\xfa\n", "invalid_csv"),
    (b"", "invalid_header"),
])
def test_a_file_that_cannot_be_mapped_is_refused_and_nothing_is_stored(data, code):
    partner = make_partner()

    with pytest.raises(InvalidInput) as refused:
        mapping_create(partner=partner, data=data, actor=ACTOR)

    assert refused.value.code == code
    assert (AccountMapping.objects.count(), MappedAccount.objects.count()) == (0, 0)


def test_an_oversized_file_is_413_and_nothing_is_stored():
    data = b"domain\n" + b"a.com.br\n" * (MAX_BYTES // 9 + 1)

    with pytest.raises(UploadTooLarge) as refused:
        mapping_create(partner=make_partner(), data=data, actor=ACTOR)

    assert (refused.value.status, refused.value.code) == (413, "too_large")
    assert AccountMapping.objects.count() == 0


def test_semicolons_a_country_column_and_a_byte_order_mark_are_read():
    rfc = synthetic_tax_id("MX", 5)
    parsed = parse(f"\ufeffTax_ID;Country;Segment\n{rfc};mx;Customer\n".encode(), default_country="BR")

    assert [(a.tax, a.segment) for a in parsed.accounts] == [(f"MX:{rfc}", "customer")]


# --- the overlap ------------------------------------------------------------------------------------------------

def test_counts_by_segment_matches_and_the_keys_compared():
    partner = make_partner()
    ours = make_customer(tax_id=cnpj_of(1, "0009"), domain="alfa.com.br", name="Alfa Comércio")
    by_domain = make_customer(domain="gama.com.br", name="Gama")
    opp = opportunity(1, tax_id=cnpj_of(2), domain="beta.com.br")
    opportunity(2, domain="delta.com.br", stage=OpportunityStage.LOST)

    mapping = mapping_create(partner=partner, actor=ACTOR, data=csv(
        f"{cnpj_of(1)},,customer",        # our customer by CNPJ root (another branch)
        ",gama.com.br,customer",          # our customer by domain
        ",beta.com.br,prospect",          # our open opportunity
        ",delta.com.br,prospect",         # a lost opportunity is not open
        f"{cnpj_of(5)},epsilon.com.br,",  # nobody's
    ))

    segments, total = mapping_counts(mapping)
    assert [(s.segment, s.accounts, s.our_customers, s.our_open_opportunities, s.not_ours) for s in segments] == [
        ("customer", 2, 2, 0, 0), ("prospect", 2, 0, 1, 2), ("", 1, 0, 0, 1)]
    assert (total.accounts, total.our_customers, total.our_open_opportunities, total.not_ours) == (5, 2, 1, 3)
    assert {(a.line, a.customer_id, a.opportunity_id) for a in MappedAccount.objects.filter(mapping=mapping)} == {
        (2, ours.pk, None), (3, by_domain.pk, None), (4, None, opp.pk), (5, None, None), (6, None, None)}
    assert (mapping.rows, mapping.accounts, mapping.issue_count) == (5, 5, 0)


def test_two_mappings_of_the_same_list_have_different_digests():
    partner = make_partner()
    first = mapping_create(partner=partner, data=csv(",alfa.com.br,"), actor=ACTOR)
    second = mapping_create(partner=partner, data=csv(",alfa.com.br,"), actor=ACTOR)

    digests = set(MappedAccount.objects.values_list("domain_digest", flat=True))
    assert len(digests) == 2
    assert bytes(first.salt) != bytes(second.salt)
    assert MappedAccount.objects.get(mapping=first).domain_digest == keys.digest(
        keys.mapping_secret(bytes(first.salt)), "@alfa.com.br")


@given(st.binary(min_size=1, max_size=100), st.text(max_size=80))
def test_the_keyed_hash_is_hmac_sha256(secret, key):
    assert keys.Keyed(secret).hex(key) == keys.digest(secret, key)


def test_comparing_again_finds_a_customer_that_arrived_after_the_upload():
    partner = make_partner()
    mapping = mapping_create(partner=partner, data=csv(",later.com.br,customer"), actor=ACTOR)
    assert mapping_counts(mapping)[1].our_customers == 0

    customer = make_customer(domain="later.com.br")
    mapping_match(mapping=mapping, actor=ACTOR)

    assert MappedAccount.objects.get(mapping=mapping).customer_id == customer.pk
    assert customer_overlap(partner).percent == 100


ROOTS = st.integers(min_value=0, max_value=7)
DOMAINS = st.sampled_from(["", "a.com.br", "b.com.br", "c.com", "d.net", "gmail.com"])
BRANCHES = st.sampled_from(["0001", "0002"])


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ours=st.lists(st.tuples(st.none() | ROOTS, BRANCHES, DOMAINS), max_size=8),
       pipeline=st.lists(st.tuples(st.none() | ROOTS, DOMAINS), max_size=4),
       theirs=st.lists(st.tuples(st.none() | ROOTS, BRANCHES, DOMAINS, st.sampled_from(["customer", "prospect"])),
                       min_size=1, max_size=10))
def test_overlap_counts_equal_a_direct_computation(ours, pipeline, theirs):
    with transaction.atomic():
        partner = make_partner()
        for root, branch, domain in ours:
            make_customer(tax_id=cnpj_of(root, branch) if root is not None else "", domain=domain)
        for n, (root, domain) in enumerate(pipeline):
            opportunity(n, tax_id=cnpj_of(root) if root is not None else "", domain=domain)
        rows = [f"{cnpj_of(r, b) if r is not None else ''},{d},{s}" for r, b, d, s in theirs]
        # The direct computation: a company is its CNPJ root or its domain (never a public provider's); a row that
        # shares either with an earlier row is the same company.
        def keys_of(root, domain):
            return {k for k in (f"r{root}" if root is not None else "",
                                f"d{domain}" if domain and domain != "gmail.com" else "") if k}
        our_keys = set().union(*(keys_of(r, d) for r, _, d in ours)) if ours else set()
        pipe_keys = set().union(*(keys_of(r, d) for r, d in pipeline)) if pipeline else set()
        seen: set[str] = set()
        expected: dict[str, list[int]] = {}
        for root, _, domain, segment in theirs:
            k = keys_of(root, domain)
            if not k or k & seen:
                continue
            seen |= k
            row = expected.setdefault(segment, [0, 0, 0])
            row[0] += 1
            row[1] += bool(k & our_keys)
            row[2] += bool(k & pipe_keys)
        if not expected:
            with pytest.raises(InvalidInput):
                mapping_create(partner=partner, data=csv(*rows), actor=ACTOR)
        else:
            mapping = mapping_create(partner=partner, data=csv(*rows), actor=ACTOR)
            segments, _ = mapping_counts(mapping)
            assert {s.segment: [s.accounts, s.our_customers, s.our_open_opportunities] for s in segments} == expected
        transaction.set_rollback(True)


# --- no raw value kept ------------------------------------------------------------------------------------------

def _text_columns_holding(values: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, value) for every column of every table whose text holds one of `values`."""
    found = []
    cast = "TEXT" if connection.vendor == "sqlite" else "text"
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            # The columns as the database describes them (SQLite's get_table_description cannot parse every
            # CREATE TABLE of the schema, so the cursor's description of an empty SELECT names them).
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} WHERE 1 = 0")
            for column_name in [c[0] for c in cursor.description]:
                name = connection.ops.quote_name(column_name)
                for value in values:
                    cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} "
                                   f"WHERE CAST({name} AS {cast}) LIKE %s LIMIT 1", [f"%{value}%"])
                    if cursor.fetchone():
                        found.append((table, column_name, value))
    return found


def test_after_mapping_no_table_holds_a_raw_tax_id_or_domain_of_the_list():
    partner = make_partner()
    make_customer(tax_id=cnpj_of(1), domain="nossa.com.br")
    theirs = [cnpj_of(40), cnpj_of(41, "0007"), cnpj_of(42)]
    mapping = mapping_create(partner=partner, actor=ACTOR, data=csv(
        f"{cnpj.format(theirs[0])},segredo-um.com.br,customer",
        f"{theirs[1]},https://www.Segredo-Dois.com.br/x,prospect",
        f"{theirs[2]},,customer",
        f"{cnpj_of(1)},nossa.com.br,customer",
        "99.999.999/0001-00,segredo-tres.com.br,customer",  # an invalid tax id: reported, not kept either
    ))
    assert mapping.accounts == 5

    raw = [*theirs, *(t[:8] for t in theirs), cnpj.format(theirs[0]), "segredo-um", "egredo-dois", "segredo-tres",
           "99999999000100", "99.999.999"]
    assert _text_columns_holding(raw) == []
    assert ("customers_customer", "tax_id", cnpj_of(1)) in _text_columns_holding([cnpj_of(1)])  # the scan finds


# --- sharing levels --------------------------------------------------------------------------------------------

def test_the_effective_level_is_the_lower_of_both_sides_and_hides_matches():
    partner, other = make_partner(), make_partner()
    make_customer(domain="alfa.com.br")
    opportunity(1, domain="beta.com.br")
    mapping = mapping_create(partner=partner, data=csv(",alfa.com.br,", ",beta.com.br,", ",zeta.com.br,"),
                             actor=ACTOR)

    def shown():
        level = sharing_levels(partner).effective
        return level, sorted(a.line for a in matched_accounts(mapping, level))

    assert shown() == (SharingLevel.COUNTS, [])  # nobody opted in
    admin = admin_of(partner)
    partner_sharing_set(partner=partner, partner_level=SharingLevel.ALL, actor=admin)
    assert shown() == (SharingLevel.COUNTS, [])  # the company shares counts only (program-wide default)
    program_sharing_set(level=SharingLevel.OVERLAPS, actor=ACTOR)
    assert shown() == (SharingLevel.OVERLAPS, [2])
    partner_sharing_set(partner=partner, company_level=SharingLevel.ALL, actor=ACTOR)
    assert shown() == (SharingLevel.ALL, [2, 3])
    partner_sharing_set(partner=partner, partner_level=SharingLevel.COUNTS, actor=admin)
    assert shown() == (SharingLevel.COUNTS, [])
    assert sharing_levels(other).effective == SharingLevel.COUNTS
    assert sharing_levels(other).company == SharingLevel.OVERLAPS


def test_a_bad_sharing_level_is_refused_and_nothing_changes():
    partner = make_partner()
    admin = admin_of(partner)
    partner_sharing_set(partner=partner, partner_level=SharingLevel.OVERLAPS, actor=admin)

    with pytest.raises(InvalidInput):
        partner_sharing_set(partner=partner, partner_level="everything", actor=admin)

    assert sharing_levels(partner).partner == SharingLevel.OVERLAPS


def test_the_overlap_is_the_evidence_of_the_customer_overlap_criterion():
    partner = make_partner()
    assert customer_overlap(partner) is None
    make_customer(domain="alfa.com.br")
    mapping_create(partner=partner, data=csv(",alfa.com.br,", ",beta.com.br,", ",gama.com.br,"), actor=ACTOR)

    overlap = customer_overlap(partner)

    assert (overlap.accounts, overlap.our_customers, str(overlap.percent)) == (3, 1, "33.3")
