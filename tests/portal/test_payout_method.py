"""The portal's payout method page (/portal/profile/payout-method/): a partner's user chooses a method, fills in its
details with the password again, and the change goes through partners.payout_details.payout_method_change (stored
with its history, held 48 hours, the admins told); bad details are shown beside their field with status 422 and
nothing stored.

Example accounts: the Banco do Brasil account of tests.factories.TED_ACCOUNT (the Icatu Seguros rules' worked example)
and the IBAN DE89370400440532013000 (SWIFT's IBAN registry example for Germany), as tests/test_payout_methods.py
cites them; a CLABE is made here from any 17 digits by the one check digit validate_clabe accepts.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parceria.accounts.services import user_create
from parceria.common.audit import AuditRecord
from parceria.common.bankaccounts import BankAccountError, validate_clabe
from parceria.partners.models import Partner, PayoutMethodChange
from parceria.partners.payout_details import partner_payout_details_change
from parceria.partners.selectors import PAYOUT_HISTORY_ROWS
from tests.factories import TED_ACCOUNT, make_partner
from tests.portal.conftest import ACTOR, PASSWORD, client_for

URL = "/portal/profile/payout-method/"
INTL_DE = {"beneficiary_name": "Alfa Consultoria GmbH", "beneficiary_address": "Hauptstraße 1, Berlin",
           "bank_name": "Commerzbank", "bank_country": "DE", "bic": "COBADEFFXXX", "iban": "DE89370400440532013000",
           "account_number": ""}


def clabe(first_17: str) -> str:
    """The CLABE that `first_17` opens: the one check digit common.bankaccounts accepts."""
    for digit in "0123456789":
        try:
            return validate_clabe(first_17 + digit).number
        except BankAccountError:
            continue
    raise AssertionError(f"no check digit closes {first_17}")


NEW_CLABE = clabe("01218000123456789")  # BBVA México (012 in Banxico's list)
BAD_CLABE = NEW_CLABE[:-1] + str((int(NEW_CLABE[-1]) + 1) % 10)


def partner_with_users(country: str, label: str) -> tuple[Partner, Any, Any]:
    partner = make_partner(country=country, name=f"Socio {label}")
    admin = user_create(username=f"admin-{label}@example.com", email=f"admin-{label}@example.com", password=PASSWORD,
                        role="partner_admin", partner=partner, actor=ACTOR)
    member = user_create(username=f"member-{label}@example.com", email=f"member-{label}@example.com",
                         password=PASSWORD, role="partner_member", partner=partner, actor=ACTOR)
    return partner, admin, member


def stored(partner: Partner) -> tuple[Any, ...]:
    """Everything a change would write: the partner's method columns, its history, the audit trail and the mail."""
    row = Partner.objects.filter(pk=partner.pk).values_list(
        "payout_method", "payout_account", "pix_key_type", "pix_key", "payout_details_changed_at").get()
    return (row, PayoutMethodChange.objects.filter(partner=partner).count(), AuditRecord.objects.count(),
            len(mail.outbox))


def field_block(html: str, name: str) -> str:
    """The <div class="field…"> that holds the input named `name`, up to its end."""
    for block in re.split(r'(?=<div class="field)', html):
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no field {name!r} in the page")


def change_form(html: str) -> str:
    return html.split(f'<form method="post" action="{URL}"')[1].split("</form>")[0]


def chooser(html: str) -> str:
    return html.split(f'<form method="get" action="{URL}"')[1].split("</form>")[0]


def assert_error_beside(response: Any, name: str, message: str) -> None:
    assert response.status_code == 422
    block = field_block(change_form(response.content.decode()), name)
    assert "field-error" in block.split(">")[0] and message in block, block[:600]


def post(client: Any, method: str, details: dict[str, str], *, password: str = PASSWORD, reason: str = "") -> Any:
    return client.post(URL, {"method": method, **details, "reason": reason, "password": password})


# --- GET: the chooser and each method's form ---------------------------------------------------------------------


FIELDS = {
    "pix": ("BR", ["key_type", "key"]),
    "br_ted": ("BR", ["bank_code", "branch", "branch_digit", "account", "account_digit", "account_type",
                      "holder_tax_id"]),
    "intl": ("BR", ["beneficiary_name", "beneficiary_address", "bank_name", "bank_country", "bic", "iban",
                    "account_number"]),
    "mx_spei": ("MX", ["clabe"]),
    "ar_cbu": ("AR", ["cbu"]),
    "co_bank": ("CO", ["bank_code", "account_type", "account_number", "holder_id_kind", "holder_id"]),
    "cl_bank": ("CL", ["bank_code", "account_type", "account_number", "holder_rut"]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("method", list(FIELDS))
def test_each_methods_form_is_shown(method):
    country, names = FIELDS[method]
    _partner, _admin, member = partner_with_users(country, "x")
    response = client_for(member).get(URL, {"method": method})
    assert response.status_code == 200
    html = response.content.decode()
    form = change_form(html)
    assert re.findall(r'<(?:input|select|textarea)[^>]* name="(\w+)"', form) == [
        "csrfmiddlewaretoken", "method", *names, "reason", "password"]
    assert f'<input type="hidden" name="method" value="{method}"' in form
    assert f'<option value="{method}" selected>' in chooser(html)
    assert "Only when the account is outside your country." in form
    if "bank_code" in names:  # the bank is chosen from the country's directory
        bank = {"br_ted": "Banco do Brasil (001)", "co_bank": "Bancolombia (1007)", "cl_bank": "BancoEstado (012)"}
        assert bank[method] in field_block(form, "bank_code")


@pytest.mark.django_db
def test_the_chooser_offers_the_methods_that_pay_the_partners_currency_and_defaults_to_the_current_one():
    _partner, _admin, member = partner_with_users("MX", "mx")
    client = client_for(member)
    html = client.get(URL).content.decode()
    assert re.findall(r'<option value="(\w+)"', chooser(html)) == ["mx_spei", "intl"]
    assert '<option value="mx_spei" selected>' in chooser(html)  # its current method
    assert 'name="clabe"' in html
    # a method that cannot pay pesos (PIX pays reais) is not offered: the current one is shown instead
    assert 'name="clabe"' in client.get(URL, {"method": "pix"}).content.decode()


@pytest.mark.django_db
def test_the_page_and_the_profile_show_the_current_method_masked_and_the_hold(world):
    a = world["a"]
    client = client_for(a.member)
    response = post(client, "br_ted", {**TED_ACCOUNT, "holder_tax_id": a.partner.tax_id})
    assert response.status_code == 302
    for page in (client.get("/portal/profile/"), client.get(URL)):
        html = page.content.decode()
        assert page.status_code == 200
        assert "Bank account (TED)" in html and "001 Banco do Brasil · 1584 · ••••0169-6" in html
        assert "payouts to this account are held until" in html
        assert "00210169" not in html  # the whole account number is never shown
    history = client.get(URL).content.decode().split('id="payout-method-history"')[1]
    rows = re.findall(r"<tr>(.*?)</tr>", history.split("<tbody>")[1], re.S)
    assert len(rows) == 2  # the new account, then the PIX key it was registered with
    assert "Bank account (TED)" in rows[0] and "member-a@example.com" in rows[0]
    assert "PIX key" in rows[1] and a.partner.tax_id not in history  # the key masked too


@pytest.mark.django_db
def test_the_profile_links_to_the_page_and_the_nav_lists_it(world):
    html = client_for(world["a"].member).get("/portal/profile/").content.decode()
    assert f'href="{URL}"' in html and "Change how you are paid" in html
    nav = client_for(world["a"].member).get(URL).content.decode().split('id="sidebar"')[1].split("</nav>")[0]
    assert f'<li class="sub"><a href="{URL}" aria-current="page">Payout method</a></li>' in nav


# --- POST: stored, held, told; or refused with nothing stored ----------------------------------------------------


@pytest.mark.django_db
def test_a_valid_spei_change_is_stored_held_and_mailed_to_the_admins(django_capture_on_commit_callbacks):
    partner, _admin, member = partner_with_users("MX", "mx")
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "mx_spei", {"clabe": f"{NEW_CLABE[:3]} {NEW_CLABE[3:6]} {NEW_CLABE[6:]}"})
    assert response.status_code == 302 and response["Location"] == "/portal/profile/"
    partner.refresh_from_db()
    assert (partner.payout_method, partner.payout_account) == (
        "mx_spei", {"clabe": NEW_CLABE, "bank_code": "012", "bank_name": "BBVA México"})
    assert partner.payout_details_changed_at is not None
    latest = PayoutMethodChange.objects.filter(partner=partner).latest("id")
    assert (latest.method, latest.account["clabe"], latest.holds, latest.changed_by) == (
        "mx_spei", NEW_CLABE, True, "user:member-mx@example.com")
    assert PayoutMethodChange.objects.filter(partner=partner).count() == 2
    (message,) = mail.outbox
    assert message.to == ["admin-mx@example.com"]
    assert "New payout method: SPEI (CLABE), SPEI BBVA México · CLABE ••••" in message.body
    assert NEW_CLABE not in message.body and "held until" in message.body
    page = client.get("/portal/profile/").content.decode()
    assert "Your admins were notified; payouts to the new account start after 48 hours." in page
    held = partner.payout_details_changed_at + timedelta(hours=48)
    assert held.isoformat() not in page and "payouts to this account are held until" in page


@pytest.mark.django_db
def test_a_clabe_with_a_bad_check_digit_is_refused_beside_it_and_nothing_is_stored(django_capture_on_commit_callbacks):
    partner, _admin, member = partner_with_users("MX", "mx")
    before = stored(partner)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(client_for(member), "mx_spei", {"clabe": BAD_CLABE})
    assert_error_beside(response, "clabe", "check digit")
    assert f'value="{BAD_CLABE}"' in field_block(change_form(response.content.decode()), "clabe")  # to correct it
    assert stored(partner) == before and callbacks == [] and mail.outbox == []


@pytest.mark.django_db
def test_a_wrong_password_stores_nothing(world, django_capture_on_commit_callbacks):
    a = world["a"]
    before = stored(a.partner)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(a.member), "br_ted", {**TED_ACCOUNT, "holder_tax_id": a.partner.tax_id},
                        password="not the password")
    assert_error_beside(response, "password", "That password is not correct.")
    assert stored(a.partner) == before


@pytest.mark.django_db
def test_an_account_in_another_country_needs_a_reason(world, django_capture_on_commit_callbacks):
    a = world["a"]
    client, before = client_for(a.member), stored(a.partner)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "intl", INTL_DE)
    assert_error_beside(response, "reason", "this account is in DE, not in the partner&#x27;s country BR")
    assert stored(a.partner) == before
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "intl", INTL_DE, reason="Our holding company's treasury is in Berlin.")
    assert response.status_code == 302
    latest = PayoutMethodChange.objects.filter(partner=a.partner).latest("id")
    assert (latest.method, latest.reason) == ("intl", "Our holding company's treasury is in Berlin.")
    history = client.get(URL).content.decode().split('id="payout-method-history"')[1]
    assert "Our holding company&#x27;s treasury is in Berlin." in history and "DE89370400440532013000" not in history
    assert "SWIFT COBADEFFXXX · DE · ••••3000" in history


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "details", "field", "message"), [
    ("br_ted", {**TED_ACCOUNT, "account_digit": "7"}, "account_digit", ""),
    ("br_ted", {**TED_ACCOUNT, "holder_tax_id": "52998224725"}, "holder_tax_id", "must be the partner"),
    ("br_ted", {**TED_ACCOUNT, "account": ""}, "account", "This field is required."),
    ("pix", {"key_type": "cpf", "key": "123"}, "key", ""),
    ("mx_spei", {"clabe": NEW_CLABE}, "method", "cannot pay in BRL"),
    ("paypal", {}, "method", "Select a valid choice"),
])
def test_bad_details_are_shown_beside_their_field(world, method, details, field, message):
    a = world["a"]
    details = {"holder_tax_id": a.partner.tax_id, **details} if method == "br_ted" else details
    before = stored(a.partner)
    assert_error_beside(post(client_for(a.member), method, details), field, message)
    assert stored(a.partner) == before


# --- tenancy -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_partners_user_sees_and_changes_only_its_own(world):
    a, b = world["a"], world["b"]
    assert post(client_for(a.member), "br_ted", {**TED_ACCOUNT, "holder_tax_id": a.partner.tax_id}).status_code == 302
    a_after = stored(a.partner)[0]
    client = client_for(b.admin)
    html = client.get(URL).content.decode()
    shown = html.split('id="payout-method-current"')[1].split('id="payout-method-change"')[0] + html.split(
        'id="payout-method-history"')[1]
    assert "Bank account (TED)" not in shown and "0169" not in html
    assert "member-a@example.com" not in html and "Alfa" not in html
    # B's user posting A's account changes B (and is refused: the holder is not B), never A
    response = post(client, "br_ted", {**TED_ACCOUNT, "holder_tax_id": a.partner.tax_id})
    assert_error_beside(response, "holder_tax_id", b.partner.tax_id)
    assert stored(a.partner)[0] == a_after
    a.partner.refresh_from_db()
    assert a.partner.payout_method == "br_ted"


@pytest.mark.django_db
def test_only_partner_users_reach_it(world, client):
    assert client.get(URL).status_code == 302 and "/login/" in client.get(URL)["Location"]  # signed out
    staff = user_create(username="fin", password=PASSWORD, role="finance", email="fin@example.com", actor=ACTOR)
    client.force_login(staff)
    response = client.post(URL, {"method": "pix", "key_type": "email", "key": "x@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/console/"
    assert not PayoutMethodChange.objects.filter(method="pix", account__key="x@example.com").exists()


# --- in the reader's language ---------------------------------------------------------------------------------------


PAGE_WORDS = {
    "pt-br": ["Como você recebe", "Forma de recebimento", "Conta bancária (TED)", "Agência", "Dígito da conta",
              "Conta corrente", "Só quando a conta é de fora do seu país.", "Histórico da forma de recebimento"],
    "es": ["Cómo recibe sus pagos", "Forma de cobro", "Cuenta bancaria en Brasil (TED)", "Agencia",
           "Dígito de la cuenta", "Cuenta corriente (conta corrente)", "Solo cuando la cuenta está fuera de su país.",
           "Historial de la forma de cobro"],
}
REASON_ERROR = {
    "pt-br": "esta conta é de DE, não do país do parceiro (BR): explique por quê (pelo menos 10 caracteres)",
    "es": "esta cuenta está en DE, no en el país del socio (BR): explique por qué (al menos 10 caracteres)",
}
NOTICE = {
    "pt-br": ("A conta que recebe os pagamentos de Alfa Consultoria foi alterada por ",
              "Nova forma de recebimento: Conta bancária (TED), 001 Banco do Brasil · 1584 · ••••0169-6",
              "Os pagamentos para a nova conta ficam retidos até"),
    "es": ("La cuenta que recibe los pagos de Alfa Consultoria fue cambiada por ",
           "Nueva forma de cobro: Cuenta bancaria en Brasil (TED), 001 Banco do Brasil · 1584 · ••••0169-6",
           "Los pagos a la nueva cuenta quedan retenidos hasta el"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["pt-br", "es"])
def test_the_page_its_errors_and_the_notice_are_in_the_readers_language(world, language,
                                                                        django_capture_on_commit_callbacks):
    a = world["a"]
    client = client_for(a.member)
    client.cookies["django_language"] = language
    html = client.get(URL, {"method": "br_ted"}).content.decode()
    missing = [words for words in PAGE_WORDS[language] if words not in html]
    assert missing == []
    assert_error_beside(post(client, "intl", INTL_DE), "reason", REASON_ERROR[language])
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, "br_ted", {**TED_ACCOUNT, "holder_tax_id": a.partner.tax_id}).status_code == 302
    (message,) = mail.outbox
    assert [line for line in NOTICE[language] if line not in message.body] == []


# --- the password's throttle and the page's queries ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_password_check_is_the_sign_in_throttles(world):
    """Five wrong passwords (LOGIN_FAILURES_PER_USER) lock the user: then even the right one is refused unchecked."""
    a = world["a"]
    client, before = client_for(a.member), stored(a.partner)
    details = {**TED_ACCOUNT, "holder_tax_id": a.partner.tax_id}
    assert [post(client, "br_ted", details, password=f"guess {n}").status_code for n in range(5)] == [422] * 5
    locked = post(client, "br_ted", details)
    assert locked.status_code == 429 and "Too many wrong passwords" in locked.content.decode()
    assert stored(a.partner) == before


@pytest.mark.django_db
def test_the_page_reads_the_history_in_one_query_however_long():
    partner, _admin, member = partner_with_users("BR", "q")
    client = client_for(member)
    with CaptureQueriesContext(connection) as first:
        assert client.get(URL).status_code == 200
    for n in range(PAYOUT_HISTORY_ROWS + 2):
        partner_payout_details_change(partner=partner, key_type="email", key=f"pix{n}@example.com", actor=ACTOR)
    with CaptureQueriesContext(connection) as many:
        html = client.get(URL).content.decode()
    assert len(many) == len(first)
    history = html.split('id="payout-method-history"')[1]
    assert history.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == PAYOUT_HISTORY_ROWS
    assert f"Only the {PAYOUT_HISTORY_ROWS} latest changes are shown." in history
