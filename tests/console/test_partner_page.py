"""A partner's page in the console speaks to people: tax ids, countries, subcategories and PIX keys formatted,
money in two decimals, rates as percentages, ledger lines explained in the reader's language; its payout method and
that method's history are shown masked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from parceria.common.audit import Actor
from parceria.common.pix import validate_pix_key
from parceria.partners.payout_details import partner_payout_details_change, payout_method_change
from parceria.partners.selectors import PAYOUT_HISTORY_ROWS
from tests.factories import ACTOR, TED_ACCOUNT, credit, make_partner, staff_client

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


def test_the_payout_method_its_hold_and_its_history_are_shown_masked():
    """A TED account (tests.factories.TED_ACCOUNT: the Icatu Seguros rules' worked example) replacing the PIX key the
    partner was registered with: the method, its masked account and hold, and both versions newest first."""
    partner = make_partner(name="Ipê Digital", tax_id="11222333000181")
    now = timezone.now()
    payout_method_change(partner=partner, method="br_ted", details={**TED_ACCOUNT, "holder_tax_id": partner.tax_id},
                         actor=Actor(label="user:ana@ipe.example"), now=now)
    page = staff_client("pm@x", "partner_manager").get(f"/console/partners/{partner.pk}/").content.decode()
    held = date_format(timezone.localtime(now + timedelta(hours=48)), "SHORT_DATETIME_FORMAT")
    assert ('<dd id="partner-payout-method">Bank account (TED) · <span class="payout-account">001 Banco do Brasil · '
            f'1584 · ••••0169-6</span> <span class="badge warn">changed: payouts held until {held}</span></dd>') in page
    assert "00210169" not in page and "pix-key-masked" not in page  # no PIX key now
    history = page.split('id="payout-method-history"')[1].split("</section>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", history.split("<tbody>")[1], re.S)
    cells = [re.findall(r"<td>(?:<time[^>]*>)?(.*?)(?:</time>)?</td>", row) for row in rows]
    assert [row[1:] for row in cells] == [
        ["ana@ipe.example", "Bank account (TED)", "001 Banco do Brasil · 1584 · ••••0169-6", ""],
        ["tests", "PIX key", "PIX cnpj ••••••••••0181", ""],
    ]


def test_the_partner_page_reads_the_history_in_one_query_however_long():
    partner = make_partner(name="Ipê Digital", tax_id="11222333000181")
    client = staff_client("pm@x", "partner_manager")
    url = f"/console/partners/{partner.pk}/"
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    for n in range(PAYOUT_HISTORY_ROWS + 2):
        partner_payout_details_change(partner=partner, key_type="email", key=f"pix{n}@ipe.example", actor=ACTOR)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(first)
    history = page.split('id="payout-method-history"')[1].split("</section>")[0]
    assert history.split("<tbody>")[1].count("<tr>") == PAYOUT_HISTORY_ROWS
    assert f"Only the {PAYOUT_HISTORY_ROWS} latest changes are shown." in history
