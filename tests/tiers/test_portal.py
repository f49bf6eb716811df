"""The portal's tier page and dashboard card: the partner's tier, its benefits, each requirement of the next tier with
the partner's number, the target and what is missing (money to the cent), the latest assessment and the demotion
grace; in English and in Brazilian Portuguese; only the signed-in partner's data."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from parceria.partners.models import Partner, TierAssessment
from parceria.partners.services import PartnerChanges, partner_update
from parceria.tiers.selectors import tier_overview, tier_progress
from tests.enablement.conftest import partner_user
from tests.factories import ACTOR, at, make_customer, make_partner
from tests.tiers.conftest import certify_advanced, csat, make_certified, monthly, part, row_text

pytestmark = pytest.mark.django_db
NOW = at("2026-04-15 10:00")
_users = itertools.count(1)


def portal(partner: Partner, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(partner_user(partner, f"admin-{next(_users)}@portal", "partner_admin"))
    return client


def certified_with_arr(name: str = "Alfa Consultoria") -> Partner:
    """Certified figures, ARR R$ 37,654.33 (12 × (100.00 + 3,037.8608) = 37,654.3296) and CSAT 3.50."""
    partner = make_partner(name=name)
    make_certified(partner)
    first = partner.customers.order_by("id").first()
    second = make_customer(partner)
    monthly(second, "3037.8608")
    csat(first, 4)
    csat(second, 3)
    return partner


def test_the_page_shows_the_tier_its_benefits_and_what_is_missing_for_the_next(assess):
    partner = certified_with_arr()
    assess(NOW)
    html = portal(partner).get("/portal/tier/").content.decode()
    assert part(html, "current-tier-title") == "Current tier: Certified"
    assert part(html, "assessed-on") == "Latest assessment: 04/15/2026. The figures on this page are the ones it used."
    assert part(html, "next-tier-title") == "Next tier: Preferred"
    assert part(html, "missing-count") == "3 requirements are still missing."
    assert row_text(html, "metric", "arr") == (
        "ARR from referred customers R$ 37,654.33 at least R$ 50,000.00 Not met R$ 12,345.67 more ARR")
    assert row_text(html, "metric", "csat") == (
        "CSAT (mean of customers' latest scores) 3.50 above 4.00 Not met "
        "The mean CSAT must rise above 4.00 (it is 3.50)")
    assert row_text(html, "metric", "advanced_certification") == (
        "Advanced product certification No Required Not met Earn the advanced product certification")
    assert html.count("<tr data-metric=") == 3  # the certified requirements are met: only Preferred's are listed
    assert row_text(html, "benefit", "commission_rate") == "Referral commission 20.00 % 25.00 %"
    assert row_text(html, "benefit", "success_manager") == "Partner success manager No Yes"
    assert row_text(html, "benefit", "exclusive_territory") == "Exclusive territory No No"
    assert "Certified (now) Preferred (next)" in part(html, "benefits")
    assert "(01/01/2026 to 03/31/2026)" in part(html, "next-tier")
    assert 'id="grace"' not in html and 'id="not-assessed"' not in html
    assert '<a href="/portal/tier/" aria-current="page">Tier</a>' in html


def test_the_page_in_brazilian_portuguese_formats_money_dates_and_words(assess):
    partner = certified_with_arr()
    assess(NOW)
    html = portal(partner, "pt-br").get("/portal/tier/").content.decode()
    assert part(html, "current-tier-title") == "Nível atual: Certificado"
    assert part(html, "assessed-on") == "Última avaliação: 15/04/2026. Os números desta página são os que ela usou."
    assert part(html, "missing-count") == "Ainda faltam 3 requisitos."
    assert row_text(html, "metric", "arr") == (
        "ARR dos clientes indicados R$ 37.654,33 no mínimo R$ 50.000,00 Não atendido Faltam R$ 12.345,67 de ARR")
    assert row_text(html, "metric", "csat") == (
        "CSAT (média das últimas notas dos clientes) 3,50 acima de 4,00 Não atendido "
        "O CSAT médio precisa passar de 4,00 (hoje é 3,50)")
    assert row_text(html, "benefit", "commission_rate") == "Comissão por indicação 20,00 % 25,00 %"


def test_gaps_in_counts_and_met_requirements_are_shown_in_plain_words(assess):
    partner = make_partner(name="Beta Sistemas")
    customer = make_customer(partner, attributed_at="2026-02-10T10:00:00-03:00")
    monthly(customer, "50.00")
    make_customer(partner, attributed_at="2026-02-11T10:00:00-03:00")
    assess(NOW)
    html = portal(partner).get("/portal/tier/").content.decode()
    assert part(html, "current-tier-title") == "Current tier: No tier yet"
    assert part(html, "next-tier-title") == "Next tier: Certified"
    assert row_text(html, "metric", "training_complete") == (
        "Core training programme complete No Required Not met Complete the core training programme")
    assert row_text(html, "metric", "successful_implementations") == "Successful implementations 1 at least 1 Met —"
    assert row_text(html, "metric", "referrals_last_quarter") == (
        "Referrals in the last full quarter 2 at least 5 Not met 3 more referrals in a quarter")
    assert part(html, "missing-count") == "2 requirements are still missing."
    assert row_text(html, "benefit", "commission_rate") == "Referral commission 20.00 %"  # only the next tier's column


def test_before_the_first_assessment_the_page_shows_the_targets_only():
    partner = make_partner(name="Gama Digital")
    html = portal(partner).get("/portal/tier/").content.decode()
    assert part(html, "not-assessed").startswith("Your tier has not been assessed yet.")
    assert 'id="assessed-on"' not in html and 'id="missing-count"' not in html
    assert row_text(html, "metric", "referrals_last_quarter") == "Referrals in the last full quarter at least 5"
    assert row_text(html, "metric", "training_complete") == "Core training programme complete Required"
    assert "Not met" not in html


def test_the_demotion_grace_and_the_lower_tier_requirements_it_misses(assess):
    partner = make_partner(name="Delta Cloud", tier="preferred")
    assess(NOW)  # no figures at all: below Preferred from 2026-04-15, demoted from the quarter after the next one
    record = TierAssessment.objects.get(partner=partner)
    assert (record.resulting_tier, record.below_since.isoformat()) == ("preferred", "2026-04-15")
    html = portal(partner).get("/portal/tier/").content.decode()
    assert part(html, "grace") == (
        "Your figures have been below the Preferred requirements since 04/15/2026. If they are still below at an "
        "assessment on or after 10/01/2026, you lose the Preferred tier.")
    assert part(html, "next-tier-title") == "Next tier: Strategic"
    assert row_text(html, "metric", "training_complete") == (
        "Core training programme complete (a Certified requirement) No Required Not met "
        "Complete the core training programme")
    assert row_text(html, "metric", "arr", 0) == (
        "ARR from referred customers (a Preferred requirement) R$ 0.00 at least R$ 50,000.00 Not met "
        "R$ 50,000.00 more ARR")
    assert row_text(html, "metric", "arr", 1) == (
        "ARR from referred customers R$ 0.00 at least R$ 200,000.00 Not met R$ 200,000.00 more ARR")
    assert row_text(html, "metric", "csat", 1) == (
        "CSAT (mean of customers' latest scores) — above 4.50 Not met "
        "No customer score yet: the mean CSAT must be above 4.50")
    assert part(html, "missing-count") == "9 requirements are still missing."
    overview = tier_overview(partner)
    assert [(r.tier, r.metric) for r in overview.missing] == [
        (m["tier"], m["metric"]) for m in tier_progress(partner)["missing_for_next_tier"]]


def test_the_highest_tier_in_grace_names_the_tier_it_would_fall_to_and_what_keeps_it(assess):
    """Preferred figures (ARR R$ 85,654.33, CSAT 4.50, the advanced certification) under the Strategic tier."""
    partner = certified_with_arr("Épsilon TI")
    certify_advanced(partner, at("2026-01-20 10:00"))
    for _ in range(4):
        customer = make_customer(partner)
        monthly(customer, "1000.00")
        csat(customer, 5)
    partner_update(partner=partner, changes=PartnerChanges(tier="strategic"), actor=ACTOR)
    assess(NOW)
    html = portal(partner).get("/portal/tier/").content.decode()
    assert part(html, "grace") == (
        "Your figures have been below the Strategic requirements since 04/15/2026. If they are still below at an "
        "assessment on or after 10/01/2026, your tier changes to Preferred.")
    assert part(html, "next-tier-title") == "You are in the highest tier"
    assert row_text(html, "metric", "arr") == (
        "ARR from referred customers R$ 85,654.33 at least R$ 200,000.00 Not met R$ 114,345.67 more ARR")
    assert row_text(html, "metric", "csat") == (
        "CSAT (mean of customers' latest scores) 4.50 above 4.50 Not met "
        "The mean CSAT must rise above 4.50 (it is 4.50)")
    assert row_text(html, "metric", "joint_business_plan") == (
        "Approved joint business plan in force No Required Not met Have a joint business plan approved and in force")
    assert row_text(html, "benefit", "commission_rate") == "Referral commission 30.00 %"


def test_the_dashboard_card_links_to_the_page(assess):
    partner = certified_with_arr()
    assess(NOW)
    html = portal(partner).get("/portal/").content.decode()
    assert part(html, "tier-next") == "Next tier: Preferred . 3 requirements are still missing."
    assert "Latest assessment: 04/15/2026." in part(html, "tier-title") or "Latest assessment: 04/15/2026." in html
    assert '<a href="/portal/tier/">See your tier progress</a>' in html


def test_a_partner_sees_only_its_own_tier_and_numbers(assess):
    mine = certified_with_arr("Alfa Consultoria")
    other = make_partner(name="Bravo Secreta", tier="strategic")
    for _ in range(3):
        monthly(make_customer(other), "7777.77")
    assess(NOW)
    html = portal(mine).get("/portal/tier/").content.decode()
    assert "Bravo Secreta" not in html and "93,333.24" not in html and "Strategic (now)" not in html
    assert row_text(html, "metric", "arr").startswith("ARR from referred customers R$ 37,654.33")
    assert portal(mine).get(f"/portal/tier/?partner={other.pk}").content.decode().count("R$ 37,654.33") == 1
