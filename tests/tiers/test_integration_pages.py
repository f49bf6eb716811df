"""The integration partner on the pages: the portal's tier page (English and Brazilian Portuguese, only the signed-in
partner's), the console's Tiers list (column and CSV) and the console partner page."""

from __future__ import annotations

import csv
import io

import pytest

from parceria.partners.models import Partner
from tests.factories import make_integration_partner, make_partner, staff_client
from tests.tiers.conftest import part, row_text
from tests.tiers.test_integration import NOW, customers_using, integration_agreement, qualifying
from tests.tiers.test_portal import portal

pytestmark = pytest.mark.django_db


def missing_one() -> Partner:
    """An integration partner with its agreement and 2 customers using the integration (3 needed)."""
    partner = make_integration_partner("0.15", name="Sigma Sync")
    integration_agreement(partner)
    customers_using(partner, 2)
    return partner


def test_the_portal_shows_what_is_missing_to_be_an_integration_partner(assess):
    partner = missing_one()
    assess(NOW)
    html = portal(partner).get("/portal/tier/").content.decode()
    assert part(html, "integration-partner-title") == "Integration partner"
    assert part(html, "integration-status") == (
        "Not qualified 1 integration partner requirement is still missing.")
    assert row_text(html, "tier", "integration", 1) == (
        "Customers using the integration in the last full quarter 2 at least 3 Not met "
        "1 more customer using the integration in a quarter")
    assert row_text(html, "tier", "integration", 0) == (
        "Technology integration agreement in force Yes Required Met —")
    assert part(html, "integration-benefits") == (
        "Revenue share range 15–25 % Integration share rate agreed 15.00 % Joint go-to-market support Yes "
        "Preferred placement in the partner directory Yes Co-investment in integration maintenance Yes")
    assert 'id="integration-rate-note"' not in html
    assert part(html, "current-tier-title") == "Current tier: No tier yet"  # the ladder is unchanged


def test_the_portal_in_portuguese_with_the_rate_note(assess):
    partner = qualifying("0.10", name="Omega APIs")
    assess(NOW)
    html = portal(partner, "pt-br").get("/portal/tier/").content.decode()
    assert part(html, "integration-partner-title") == "Parceiro de integração"
    assert part(html, "integration-status") == (
        "Qualificado Todos os requisitos de parceiro de integração foram atendidos na última avaliação.")
    assert row_text(html, "tier", "integration", 1) == (
        "Clientes que usaram a integração no último trimestre completo 3 no mínimo 3 Atendido —")
    assert row_text(html, "tier", "integration", 2) == (
        "Compromisso de manutenção (o contrato se renova automaticamente ou vigora por mais 12 meses) Sim "
        "Obrigatório Atendido —")
    assert part(html, "integration-benefits") == (
        "Faixa de participação na receita 15–25 % Taxa de participação de integração acordada 10,00 % "
        "Apoio conjunto de go-to-market Sim Destaque no diretório de parceiros Sim "
        "Coinvestimento na manutenção da integração Sim")
    assert part(html, "integration-rate-note") == (
        "A taxa de participação de integração acordada está fora da faixa de participação na receita da definição "
        "de parceiro de integração. A taxa não muda automaticamente; ela é revista com o contrato.")


def test_before_the_first_assessment_the_portal_lists_the_requirements():
    partner = make_integration_partner("0.20")
    html = portal(partner).get("/portal/tier/").content.decode()
    assert part(html, "integration-status") == (
        "Not assessed yet The next assessment checks the integration partner requirements below.")
    assert row_text(html, "tier", "integration", 1) == (
        "Customers using the integration in the last full quarter at least 3")


def test_a_partner_that_is_not_an_integration_partner_gets_no_section_nor_another_partners(assess):
    integrator = qualifying("0.10", name="Omega APIs")
    other = make_partner(name="Alfa Consultoria")
    assess(NOW)
    html = portal(other).get("/portal/tier/").content.decode()
    assert 'id="integration-partner"' not in html
    assert "Omega" not in html and "Integration partner" not in html
    own = portal(integrator).get("/portal/tier/").content.decode()
    assert 'id="integration-partner"' in own and "Alfa" not in own


def test_the_console_list_and_csv_show_the_integration_partner_column(assess):
    qualified = qualifying("0.10", name="Omega APIs")
    missing = missing_one()
    plain = make_partner(name="Alfa Consultoria")
    assess(NOW)
    client = staff_client("pm", "partner_manager")
    html = client.get("/console/tiers/").content.decode()
    assert "<th scope=\"col\">Integration partner</th>" in html
    assert row_text(html, "partner", str(qualified.pk)).endswith(
        "5 more referrals in a quarter Met share rate outside the range")
    assert row_text(html, "partner", str(missing.pk)).endswith(
        "5 more referrals in a quarter Not met Customers using the integration in the last full quarter: 2 "
        "(at least 3) · 1 more customer using the integration in a quarter")
    assert row_text(html, "partner", str(plain.pk)).endswith("5 more referrals in a quarter —")
    rows = list(csv.reader(io.StringIO(client.get("/console/tiers/?export=csv").content.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["Integration partner", "Missing for integration partner"]
    assert [(r[1], r[-2], r[-1]) for r in rows[1:]] == [
        ("Alfa Consultoria", "", ""), ("Omega APIs", "qualified", ""),
        ("Sigma Sync", "not qualified", "integration_customers: 2 (needs >= 3), 1 more")]


def test_the_console_partner_page_shows_the_integration_partner_in_portuguese(assess):
    partner = missing_one()
    plain = make_partner()
    assess(NOW)
    client = staff_client("pm", "partner_manager")
    html = client.get(f"/console/partners/{partner.pk}/", HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    text = part(html, "integration-partner")
    assert text.startswith("Parceiro de integração Não qualificado Falta 1 requisito de parceiro de integração.")
    assert ("Clientes que usaram a integração no último trimestre completo 2 no mínimo 3 Não atendido "
            "Falta 1 cliente usando a integração no trimestre") in text
    assert 'id="integration-partner"' not in client.get(f"/console/partners/{plain.pk}/").content.decode()


@pytest.mark.parametrize(
    ("value", "names"),
    [("", ["Alfa Consultoria", "Omega APIs", "Sigma Sync"]), ("qualified", ["Omega APIs"]),
     ("missing", ["Sigma Sync"]), ("none", ["Alfa Consultoria"])],
)
def test_the_console_list_filters_on_the_integration_partner_result(assess, value, names):
    qualifying("0.20", name="Omega APIs")
    missing_one()
    make_partner(name="Alfa Consultoria")
    assess(NOW)
    response = staff_client("pm", "partner_manager").get(f"/console/tiers/?export=csv&integration={value}")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == names


def test_an_unknown_integration_filter_is_refused_beside_the_field():
    response = staff_client("pm", "partner_manager").get("/console/tiers/?integration=maybe")
    assert response.status_code == 422
    assert 'id="id_integration_error"' in response.content.decode()
