"""A partner's page in the console speaks to people: tax ids, countries, subcategories and PIX keys formatted,
money in two decimals, rates as percentages, ledger lines explained in the reader's language."""

from __future__ import annotations

import pytest

from parceria.common.pix import validate_pix_key
from tests.factories import credit, make_partner, staff_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "country", "subcategory", "pix", "balance", "created"), [
    ("pt-br", "Brasil", "Agência digital", "E-mail", "R$ 1.234,57", "Parceiro criado"),
    ("es", "Brasil", "Agencia digital", "Correo electrónico", "R$ 1.234,57", "Socio creado"),
    ("en", "Brazil", "Digital agency", "E-mail", "R$ 1,234.57", "Partner created"),
])
def test_the_profile_and_balance_read_as_people_write_them(language, country, subcategory, pix, balance, created):
    partner = make_partner(name="Ipê Digital", tax_id="11222333000181", pix_key_type="email",
                           pix_key=validate_pix_key("email", "financeiro@ipe.example"))
    credit(partner, "1234.5678", note="Launch bonus")
    client = staff_client("pm@x", "partner_manager")
    page = client.get(f"/console/partners/{partner.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "11.222.333/0001-81" in page and "11222333000181" not in page
    assert f"<dd>{country} · BRL</dd>" in page
    assert subcategory in page and "digital_agency" not in page
    # The key masked (all but its last 4 characters); its own page shows it whole, and that is audited.
    assert f'{pix}: <span class="nowrap pix-key-masked">{"•" * 18}mple</span>' in page
    assert "financeiro@ipe.example" not in page
    whole = client.get(f"/console/partners/{partner.pk}/pix-key/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<dt>{pix}</dt>" in whole and "<strong>financeiro@ipe.example</strong>" in whole
    assert balance in page and "1234.5678" not in page and "1.234,5678" not in page
    assert created in page and "partner.created" not in page  # the audit trail names its actions
