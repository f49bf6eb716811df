"""Attribution safeguards: each flag with its exact evidence and no flag on the near miss; a scan run twice raises
nothing new; clearing is audited; an open flag carries the partner's balance at the close, and the close pays again
once it is cleared."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from decimal import Decimal as D
from fractions import Fraction
from math import comb

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.br import cnpj

from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.common.bankaccounts import clabe_check_digit
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.models import AuditRecord
from parceria.partners.models import Partner
from parceria.partners.payout_details import payout_method_change
from parceria.payouts.close import period_close
from parceria.payouts.models import CarriedBalance, Payout
from parceria.referrals.models import ReferralClick
from parceria.referrals.services import link_create
from parceria.safeguards.detection import Thresholds, binomial_tail
from parceria.safeguards.models import FlagStatus, SafeguardFlag
from parceria.safeguards.selectors import held_partner_ids
from parceria.safeguards.services import flag_clear, safeguards_scan
from tests.factories import SP, credit, ingest, make_customer, make_partner, paid, refunded

ACTOR = Actor.system("tests")
NOW = datetime(2026, 4, 5, 10, 0, tzinfo=SP)


def scan(limits: Thresholds | None = None):
    return safeguards_scan(actor=ACTOR, now=NOW, limits=limits)


def branch_of(tax_id: str, branch: str = "0002") -> str:
    base = tax_id[:8] + branch
    return base + cnpj.calc_check_digits(base)


def flags(kind: str) -> list[tuple[int, dict]]:
    return [(f.partner_id, f.evidence) for f in SafeguardFlag.objects.filter(kind=kind).order_by("id")]


# --- self-referral ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_self_referral_by_tax_id_by_cnpj_root_and_by_e_mail_domain():
    partner, other = make_partner(), make_partner()
    same = make_customer(partner, tax_id=partner.tax_id, name="Own Co")
    branch = make_customer(partner, tax_id=branch_of(partner.tax_id), name="Own Branch")
    user_create(username="ana", password=None, role="partner_admin", email="ana@agencia.com.br", partner=partner,
                actor=ACTOR)
    by_domain = make_customer(partner, domain="agencia.com.br", name="Own Domain")
    make_customer(other, tax_id=branch_of(partner.tax_id, "0003"))  # another partner's customer: not its own
    result = scan()
    assert result.found["self_referral"] == 3 and result.raised["self_referral"] == 3
    assert flags("self_referral") == [
        (partner.pk, {"customer_id": same.pk, "customer_name": "Own Co", "customer_external_id": same.external_id,
                      "match": "tax_id", "customer_value": partner.tax_id, "partner_value": partner.tax_id,
                      "country": "BR"}),
        (partner.pk, {"customer_id": branch.pk, "customer_name": "Own Branch",
                      "customer_external_id": branch.external_id, "match": "cnpj_root",
                      "customer_value": branch_of(partner.tax_id), "partner_value": partner.tax_id,
                      "root": partner.tax_id[:8], "country": "BR"}),
        (partner.pk, {"customer_id": by_domain.pk, "customer_name": "Own Domain",
                      "customer_external_id": by_domain.external_id, "match": "email_domain",
                      "customer_value": "agencia.com.br", "partner_value": "agencia.com.br", "via": "user"}),
    ]


@pytest.mark.django_db
def test_a_public_e_mail_domain_never_makes_a_self_referral():
    partner = make_partner()
    user_create(username="bia", password=None, role="partner_admin", email="bia@gmail.com", partner=partner,
                actor=ACTOR)
    make_customer(partner, domain="gmail.com")
    make_customer(partner, domain="outra.com.br")
    assert sum(scan().found.values()) == 0
    assert not SafeguardFlag.objects.exists()


@pytest.mark.django_db
def test_the_same_cnpj_root_of_a_cpf_partner_is_no_self_referral():
    person = make_partner(tax_regime="pf")
    customer_tax_id = person.tax_id[:8] + "0001"
    customer_tax_id += cnpj.calc_check_digits(customer_tax_id)
    make_customer(person, tax_id=customer_tax_id)
    assert scan().found["self_referral"] == 0


# --- shared PIX key ---------------------------------------------------------------------------------------------


def set_pix(partner: Partner, key_type: str, key: str) -> None:
    Partner.objects.filter(pk=partner.pk).update(pix_key_type=key_type, pix_key=key)


@pytest.mark.django_db
def test_a_pix_key_of_two_partners_flags_both_and_a_third_one_is_new_evidence():
    a, b, alone = make_partner(name="Alfa"), make_partner(name="Beta"), make_partner(name="Solo")
    set_pix(a, "email", "pagamentos@alfa.com.br")
    set_pix(b, "email", "pagamentos@alfa.com.br")
    set_pix(alone, "email", "financeiro@solo.com.br")
    assert scan().raised["shared_pix_key"] == 2
    masked = "•" * (len("pagamentos@alfa.com.br") - 4) + "m.br"
    assert flags("shared_pix_key") == [
        (a.pk, {"pix_key_type": "email", "pix_key_masked": masked, "other_partner_ids": [b.pk],
                "other_partner_names": ["Beta"]}),
        (b.pk, {"pix_key_type": "email", "pix_key_masked": masked, "other_partner_ids": [a.pk],
                "other_partner_names": ["Alfa"]}),
    ]
    c = make_partner(name="Gama")
    set_pix(c, "email", "pagamentos@alfa.com.br")
    result = scan()
    assert result.found["shared_pix_key"] == 3 and result.raised["shared_pix_key"] == 3
    assert SafeguardFlag.objects.filter(kind="shared_pix_key").count() == 5
    assert not SafeguardFlag.objects.filter(partner=alone).exists()


# --- shared payout account (any method) -------------------------------------------------------------------------

#: A Nubank account (bank 260: its digits are checked for format only, so any digit is one account's).
NUBANK = {"bank_code": "260", "branch": "0001", "branch_digit": "", "account": "0012345", "account_digit": "6",
          "account_type": "checking"}
CLABE = "002010077777777771"  # center-key's clabe-validator example (tests/test_payout_methods.py)
IBAN = "DE89370400440532013000"  # SWIFT's IBAN registry example for Germany (tests/test_payout_methods.py)


def ted_partner(name: str, **details: str) -> Partner:
    partner = make_partner(name=name, tax_regime="pj")
    payout_method_change(partner=partner, method="br_ted",
                         details={**NUBANK, **details, "holder_tax_id": partner.tax_id}, actor=ACTOR)
    return partner


def intl_partner(name: str, iban: str) -> Partner:
    return make_partner(name=name, country="DE", currency="USD", payout_method="intl", payout_details={
        "beneficiary_name": name, "beneficiary_address": "Hauptstraße 1, Berlin", "bank_name": "Commerzbank",
        "bank_country": "DE", "bic": "COBADEFFXXX", "iban": iban, "account_number": ""})


def shared(partner_id: int, method: str, masked: str, *others: Partner) -> tuple[int, dict]:
    return (partner_id, {"payout_method": method, "account_masked": masked,
                         "other_partner_ids": [o.pk for o in others], "other_partner_names": [o.name for o in others]})


@pytest.mark.django_db
def test_one_ted_account_written_two_ways_flags_both_partners_and_holds_their_payouts():
    a = ted_partner("Alfa")  # branch 0001, account 0012345-6
    b = ted_partner("Beta", branch="1", branch_digit="", account="12.345", account_type="payment")
    other = ted_partner("Gama", account="0012346")  # the next account at the same branch: another account
    digit = ted_partner("Delta", account_digit="7")  # the same number with another digit: another account
    assert Partner.objects.get(pk=a.pk).payout_account["account"] == "0012345"
    assert Partner.objects.get(pk=b.pk).payout_account["account"] == "12345"
    result = scan()
    assert result.found["shared_pix_key"] == 2 and result.raised["shared_pix_key"] == 2
    masked = "260 Nubank (Nu Pagamentos) · 0001 · ••••2345-6"
    assert flags("shared_pix_key") == [shared(a.pk, "br_ted", masked, b), shared(b.pk, "br_ted", masked, a)]
    assert held_partner_ids([a.pk, b.pk, other.pk, digit.pk]) == {a.pk, b.pk}
    assert sum(scan().raised.values()) == 0  # the same evidence: nothing new


@pytest.mark.django_db
def test_a_ted_flag_carries_both_partners_balances_at_the_close():
    a, b, clean = ted_partner("Alfa"), ted_partner("Beta", account="12345"), ted_partner("Gama", account="54321")
    Partner.objects.update(payout_details_changed_at=None)  # no hold for a new account: only the flag holds
    for partner in (a, b, clean):
        credit(partner, "100.00")
    scan()
    march = period_close(month=date(2026, 3, 1), actor=ACTOR, now=NOW)
    assert [(p.partner_id, p.gross) for p in march.payouts] == [(clean.pk, D("100.00"))]
    assert sorted((c.partner_id, c.reason) for c in march.carried) == [(a.pk, "flagged"), (b.pk, "flagged")]


@pytest.mark.django_db
def test_one_clabe_flags_both_partners_and_a_transfer_into_it_too():
    a = make_partner(name="Alfa MX", country="MX", payout_method="mx_spei", payout_details={"clabe": CLABE})
    b = make_partner(name="Beta MX", country="MX", payout_method="mx_spei",
                     payout_details={"clabe": "002 010 07777777777 1"})
    c = make_partner(name="Gama MX", country="MX", payout_method="intl", payout_details={
        "beneficiary_name": "Gama", "beneficiary_address": "Reforma 1, CDMX", "bank_name": "Banamex",
        "bank_country": "MX", "bic": "BANKMXMM", "iban": "", "account_number": CLABE})
    make_partner(name="Otro MX", country="MX", payout_method="mx_spei",
                 payout_details={"clabe": "002180" + "12345678901" + clabe_check_digit("00218012345678901")})
    assert scan().raised["shared_pix_key"] == 3
    spei = "SPEI Banamex · CLABE ••••7771"
    assert flags("shared_pix_key") == [
        shared(a.pk, "mx_spei", spei, b, c), shared(b.pk, "mx_spei", spei, a, c),
        shared(c.pk, "intl", "SWIFT BANKMXMM · MX · ••••7771", a, b)]


@pytest.mark.django_db
def test_one_iban_in_any_case_or_spacing_flags_both_partners():
    a = intl_partner("Alfa GmbH", IBAN)
    b = intl_partner("Beta GmbH", "de89 3704 0044 0532 0130 00")
    intl_partner("Gama GmbH", "DE62 3704 0044 0532 0130 01")  # the next account number (its check digits computed)
    assert scan().raised["shared_pix_key"] == 2
    assert flags("shared_pix_key") == [
        shared(a.pk, "intl", "SWIFT COBADEFFXXX · DE · ••••3000", b),
        shared(b.pk, "intl", "SWIFT COBADEFFXXX · DE · ••••3000", a)]


@pytest.mark.django_db
def test_different_accounts_and_partners_with_no_method_are_not_flagged():
    ted_partner("Alfa")
    ted_partner("Beta", account="0012346")
    make_partner(name="Alfa MX", country="MX", payout_method="mx_spei", payout_details={"clabe": CLABE})
    intl_partner("Alfa GmbH", IBAN)
    none = [make_partner(name=f"Sem método {i}", payout_method="") for i in range(2)]
    assert [(p.payout_method, p.pix_key) for p in none] == [("", ""), ("", "")]
    # Stale details left on a partner with no method name no account it is paid at.
    Partner.objects.filter(pk__in=[p.pk for p in none]).update(payout_account={"clabe": CLABE})
    assert scan().found["shared_pix_key"] == 0
    assert not SafeguardFlag.objects.exists()


@pytest.mark.django_db
def test_a_pix_flag_keeps_its_evidence_key_so_a_cleared_one_is_not_raised_again():
    a, b = make_partner(name="Alfa"), make_partner(name="Beta")
    set_pix(a, "evp", "123e4567-e89b-12d3-a456-426614174000")
    set_pix(b, "evp", "123e4567-e89b-12d3-a456-426614174000")
    scan()
    digest = hashlib.sha256(b"123e4567-e89b-12d3-a456-426614174000").hexdigest()
    expected = {hashlib.sha256(json.dumps(["shared_pix_key", p.pk, digest, [o.pk]], separators=(",", ":")).encode())
                .hexdigest() for p, o in ((a, b), (b, a))}
    assert set(SafeguardFlag.objects.values_list("evidence_key", flat=True)) == expected
    for flag in SafeguardFlag.objects.all():
        flag_clear(flag=flag, note="Two companies of one group, one treasury.", actor=ACTOR)
    assert sum(scan().raised.values()) == 0


# --- refund rate ------------------------------------------------------------------------------------------------

SMALL = Thresholds(refund_min_invoices=4, refund_min_peers=3)


def invoices(partner: Partner, count: int, refunds: int) -> list[str]:
    customer = make_customer(partner)
    ids = [f"inv-{partner.pk}-{i}" for i in range(count)]
    ingest(*[paid(customer, "100.00", invoice_id=i, at="2026-03-10T12:00:00-03:00") for i in ids])
    ingest(*[refunded(customer, i, "100.00", at="2026-03-20T12:00:00-03:00") for i in ids[:refunds]])
    return ids


@pytest.mark.django_db
def test_a_refund_rate_above_the_peers_limit_is_flagged_with_its_figures():
    peers = [make_partner() for _ in range(3)]
    for p in peers:
        invoices(p, 4, 1)  # 25 % each: median 0.25, MAD 0 → limit max(0.75, 0.25, 0.05) = 0.75
    target = make_partner()
    ids = invoices(target, 4, 4)
    small = make_partner()
    invoices(small, 3, 3)  # too few invoices to be judged
    result = scan(SMALL)
    assert result.found["refund_rate"] == 1
    [(partner_id, evidence)] = flags("refund_rate")
    assert partner_id == target.pk
    assert evidence == {
        "window_start": (NOW - timedelta(days=90)).isoformat(), "window_end": NOW.isoformat(), "window_days": 90,
        "invoices": 4, "refunded": 4, "rate": "1.0000", "peers": 3, "peer_median": "0.2500", "peer_mad": "0.0000",
        "by_factor": "0.7500", "by_mad": "0.2500", "threshold": "0.7500", "median_factor": "3", "mad_k": "3",
        "min_rate": "0.05", "chance": "0.003906", "max_p": "0.01", "refunded_invoice_ids": ids}  # chance: 0.25 ** 4


@pytest.mark.django_db
def test_a_refund_rate_at_the_limit_is_not_flagged():
    for _ in range(3):
        invoices(make_partner(), 4, 1)
    invoices(make_partner(), 4, 3)  # 0.75: at the limit, not above it
    assert scan(SMALL).found["refund_rate"] == 0


@pytest.mark.django_db
def test_a_rate_above_the_limit_that_chance_explains_is_not_flagged():
    for _ in range(3):
        invoices(make_partner(), 20, 1)  # 5 % each: limit max(15 %, 5 %, 5 %) = 15 %
    invoices(make_partner(), 5, 1)  # 20 % > 15 %, but P(≥ 1 refund of 5 at 5 %) = 1 − 0.95⁵ ≈ 22.6 %
    assert scan(Thresholds(refund_min_invoices=5, refund_min_peers=3)).found["refund_rate"] == 0


@given(st.integers(0, 12), st.integers(1, 12), st.fractions(0, 1, max_denominator=50))
def test_the_binomial_tail_is_the_exact_sum(successes, trials, rate):
    exact = sum(Fraction(comb(trials, k)) * rate**k * (1 - rate) ** (trials - k)
                for k in range(successes, trials + 1)) if successes > 0 else Fraction(1)
    found = binomial_tail(successes, trials, Decimal(rate.numerator) / Decimal(rate.denominator))
    assert abs(float(found) - float(exact)) < 1e-9


@pytest.mark.django_db
def test_too_few_peers_judge_nobody():
    for _ in range(2):
        invoices(make_partner(), 4, 0)
    invoices(make_partner(), 4, 4)
    assert scan(SMALL).found["refund_rate"] == 0


# --- click bursts -----------------------------------------------------------------------------------------------


def clicks(link, ip_hash: str, start: datetime, count: int, step: timedelta) -> list[ReferralClick]:
    return [ReferralClick.objects.create(link=link, at=start + i * step, ip_hash=ip_hash) for i in range(count)]


@pytest.mark.django_db
def test_more_than_the_limit_of_clicks_within_the_minutes_is_a_burst():
    partner = make_partner()
    link = link_create(partner=partner, actor=ACTOR)
    start = datetime(2026, 4, 1, 9, 0, tzinfo=SP)
    made = clicks(link, "a" * 64, start, 21, timedelta(seconds=28))  # 21 clicks in 9 min 20 s
    clicks(link, "b" * 64, start, 20, timedelta(seconds=10))  # 20: not more than the limit
    clicks(link, "c" * 64, start, 21, timedelta(seconds=30))  # 21 clicks, but the 21st at exactly 10 min
    assert scan().found["click_burst"] == 1
    assert flags("click_burst") == [(partner.pk, {
        "ip_hash": "a" * 12, "clicks": 21, "limit": 20, "minutes": 10, "first_at": "2026-04-01T12:00:00+00:00",
        "last_at": "2026-04-01T12:09:20+00:00", "link_ids": [link.pk], "first_click_id": made[0].pk,
        "last_click_id": made[-1].pk})]


# --- idempotence, clearing, the close ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_scan_raises_nothing_and_a_cleared_flag_stays_cleared():
    partner = make_partner()
    make_customer(partner, tax_id=partner.tax_id)
    first = scan()
    assert first.raised["self_referral"] == 1
    second = scan()
    assert second.found["self_referral"] == 1 and sum(second.raised.values()) == 0
    flag = SafeguardFlag.objects.get()
    flag_clear(flag=flag, note="The partner's own subscription, agreed in the contract.", actor=ACTOR)
    assert sum(scan().raised.values()) == 0
    assert list(SafeguardFlag.objects.values_list("status", flat=True)) == [FlagStatus.CLEARED]
    make_customer(partner, tax_id=branch_of(partner.tax_id))  # new evidence: a new flag
    assert scan().raised["self_referral"] == 1
    assert SafeguardFlag.objects.filter(status=FlagStatus.OPEN).count() == 1


@pytest.mark.django_db
def test_clearing_is_audited_needs_a_note_and_happens_once():
    partner = make_partner()
    make_customer(partner, tax_id=partner.tax_id)
    scan()
    flag = SafeguardFlag.objects.get()
    with pytest.raises(InvalidInput):
        flag_clear(flag=flag, note="  ", actor=ACTOR)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN and not AuditRecord.objects.filter(action="safeguard_flag.cleared").exists()
    flag_clear(flag=flag, note="Checked with the partner manager.", actor=Actor(label="user:ana"))
    flag.refresh_from_db()
    assert (flag.status, flag.clear_note, flag.cleared_by_label) == (
        FlagStatus.CLEARED, "Checked with the partner manager.", "user:ana")
    record = AuditRecord.objects.get(action="safeguard_flag.cleared")
    assert (record.object_id, record.actor_label, record.reason, record.after) == (
        str(flag.pk), "user:ana", "Checked with the partner manager.", {"status": "cleared"})
    with pytest.raises(Conflict):
        flag_clear(flag=flag, note="again", actor=ACTOR)
    assert AuditRecord.objects.filter(action="safeguard_flag.cleared").count() == 1
    assert AuditRecord.objects.filter(action="safeguard_flag.raised", object_id=str(flag.pk)).count() == 1


@pytest.mark.django_db
def test_the_close_carries_a_flagged_partner_and_pays_it_once_cleared():
    flagged, clean = make_partner(), make_partner()
    make_customer(flagged, tax_id=flagged.tax_id)
    credit(flagged, "500.00")
    credit(clean, "300.00")
    scan()
    march = period_close(month=date(2026, 3, 1), actor=ACTOR, now=NOW)
    assert [(p.partner_id, p.gross) for p in march.payouts] == [(clean.pk, D("300.00"))]
    assert [(c.partner_id, c.balance, c.reason) for c in march.carried] == [(flagged.pk, D("500.00"), "flagged")]
    assert list(CarriedBalance.objects.values_list("partner_id", "balance", "reason")) == [
        (flagged.pk, D("500.0000"), "flagged")]
    flag_clear(flag=SafeguardFlag.objects.get(), note="Reviewed: a legitimate purchase.", actor=ACTOR)
    april = period_close(month=date(2026, 4, 1), actor=ACTOR, now=datetime(2026, 5, 5, 10, 0, tzinfo=SP))
    assert [(p.partner_id, p.gross, p.net) for p in april.payouts] == [(flagged.pk, D("500.00"), D("500.00"))]
    assert april.carried == []
    assert Payout.objects.filter(partner=flagged).count() == 1


# --- checked at the moment of attribution -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claim_that_attributes_a_partners_own_company_flags_it_at_once():
    from parceria.customers.attribution import claim_attribution
    from parceria.customers.models import ClaimSource

    partner = make_partner()
    own = make_customer(tax_id=branch_of(partner.tax_id))
    other = make_customer(tax_id=branch_of(make_partner().tax_id))
    claim_attribution(customer=own, partner_id=partner.pk, source=ClaimSource.DEAL, actor=ACTOR)
    claim_attribution(customer=other, partner_id=partner.pk, source=ClaimSource.DEAL, actor=ACTOR)
    assert [(p, e["customer_id"], e["match"]) for p, e in flags("self_referral")] == [
        (partner.pk, own.pk, "cnpj_root")]
    assert sum(scan().raised.values()) == 0


@pytest.mark.django_db
def test_the_scan_command_prints_counts_and_is_safe_to_run_again():
    from io import StringIO

    from django.core.management import call_command

    partner = make_partner()
    make_customer(partner, tax_id=partner.tax_id)
    outputs = []
    for _ in range(2):
        out = StringIO()
        call_command("safeguards_scan", stdout=out)
        outputs.append(out.getvalue().splitlines())
    assert outputs[0] == ["self_referral: 1 found, 1 new", "shared_pix_key: 0 found, 0 new",
                          "refund_rate: 0 found, 0 new", "click_burst: 0 found, 0 new", "total: 1 found, 1 new"]
    assert outputs[1][0] == "self_referral: 1 found, 0 new" and outputs[1][-1] == "total: 1 found, 0 new"
    assert SafeguardFlag.objects.count() == 1
