"""How a partner is paid: the payout methods, the details each needs, and the one check of those details.

A payout method is a kind of transfer the company can send, each with the country it pays into (None: any) and the
currencies it pays in:

==========  =========  ========  ============================================================================
method      country    currency  details (normalised, as stored on the partner and copied on each payout)
==========  =========  ========  ============================================================================
pix         BR         BRL       key_type, key (a DICT key: common.pix)
br_ted      BR         BRL       bank_code, bank_name, ispb, branch, branch_digit, account, account_digit,
                                 account_type (checking, savings, payment), holder_tax_id (CPF or CNPJ)
mx_spei     MX         MXN       clabe, bank_code, bank_name (the bank is the CLABE's first three digits)
ar_cbu      AR         ARS       cbu, account_kind (cbu; cvu when it starts with 000, a payment provider's)
co_bank     CO         COP       bank_code, bank_name, account_type (savings, checking), account_number,
                                 holder_id_kind (nit, cc), holder_id
cl_bank     CL         CLP       bank_code, bank_name, account_type (checking, vista, savings), account_number,
                                 holder_rut
intl        any        any       beneficiary_name, beneficiary_address, bank_name, bank_country, bic, iban
                                 (where the bank's country uses IBAN) or account_number (where it does not)
==========  =========  ========  ============================================================================

Every check digit is checked by the one owner of its rule: PIX keys by common.pix, CLABE, CBU/CVU, IBAN and BIC by
common.bankaccounts, Brazilian agency and account digits by common.banks, tax ids by common.taxids; the bank
directories (codes and names per country) are common.banks' data.

Each method's account has one identity (`account_identity`): the account the money lands in, whatever its spelling,
so that two partners paid into one account can be found (the safeguards' shared payout account).

A method in a country other than the partner's needs a reason (a partner paid into an account abroad is a choice
someone must explain); a holder tax id must then be valid in the account's country, and otherwise must be the
partner's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from parceria.common.bankaccounts import (
    BankAccountError,
    uses_iban,
    validate_bic,
    validate_cbu,
    validate_clabe,
    validate_iban,
)
from parceria.common.banks import bank
from parceria.common.brbank import BrAccountError, validate_br_account
from parceria.common.countries import is_country
from parceria.common.errors import InvalidInput
from parceria.common.pix import PixKeyError, masked_pix_key, parse_key_type, validate_pix_key
from parceria.common.taxids import TaxIdError, validate_tax_id


class PayoutMethod(StrEnum):
    PIX = "pix"
    BR_TED = "br_ted"
    MX_SPEI = "mx_spei"
    AR_CBU = "ar_cbu"
    CO_BANK = "co_bank"
    CL_BANK = "cl_bank"
    INTL = "intl"


@dataclass(frozen=True)
class MethodSpec:
    method: PayoutMethod
    label: Any
    country: str | None
    currencies: frozenset[str] | None  # None: any currency


METHODS: dict[str, MethodSpec] = {
    spec.method.value: spec
    for spec in (
        MethodSpec(PayoutMethod.PIX, pgettext_lazy("payout method", "PIX key"), "BR", frozenset({"BRL"})),
        MethodSpec(PayoutMethod.BR_TED, pgettext_lazy("payout method", "Bank account (TED)"), "BR", frozenset({"BRL"})),
        MethodSpec(PayoutMethod.MX_SPEI, pgettext_lazy("payout method", "SPEI (CLABE)"), "MX", frozenset({"MXN"})),
        MethodSpec(PayoutMethod.AR_CBU, pgettext_lazy("payout method", "CBU or CVU"), "AR", frozenset({"ARS"})),
        MethodSpec(PayoutMethod.CO_BANK, pgettext_lazy("payout method", "Colombian bank account"), "CO",
                   frozenset({"COP"})),
        MethodSpec(PayoutMethod.CL_BANK, pgettext_lazy("payout method", "Chilean bank account"), "CL",
                   frozenset({"CLP"})),
        MethodSpec(PayoutMethod.INTL, pgettext_lazy("payout method", "International transfer (SWIFT)"), None, None),
    )
}

#: The details each method takes from its form or API call (what is stored adds the derived ones, e.g. bank_name).
METHOD_FIELDS: dict[str, tuple[str, ...]] = {
    "pix": ("key_type", "key"),
    "br_ted": ("bank_code", "branch", "branch_digit", "account", "account_digit", "account_type", "holder_tax_id"),
    "mx_spei": ("clabe",),
    "ar_cbu": ("cbu",),
    "co_bank": ("bank_code", "account_type", "account_number", "holder_id_kind", "holder_id"),
    "cl_bank": ("bank_code", "account_type", "account_number", "holder_rut"),
    "intl": ("beneficiary_name", "beneficiary_address", "bank_name", "bank_country", "bic", "iban", "account_number"),
}
OPTIONAL_FIELDS = frozenset({"branch_digit", "iban", "account_number"})

ACCOUNT_TYPES: dict[str, dict[str, Any]] = {
    "br_ted": {
        "checking": pgettext_lazy("account type", "Checking account (conta corrente)"),
        "savings": pgettext_lazy("account type", "Savings account (poupança)"),
        "payment": pgettext_lazy("account type", "Payment account (conta de pagamento)"),
    },
    "co_bank": {
        "savings": pgettext_lazy("account type", "Savings account (cuenta de ahorros)"),
        "checking": pgettext_lazy("account type", "Checking account (cuenta corriente)"),
    },
    "cl_bank": {
        "checking": pgettext_lazy("account type", "Checking account (cuenta corriente)"),
        "vista": pgettext_lazy("account type", "Demand account (cuenta vista / RUT)"),
        "savings": pgettext_lazy("account type", "Savings account (cuenta de ahorro)"),
    },
}
CO_HOLDER_ID_KINDS = {"nit": gettext_lazy("NIT"), "cc": gettext_lazy("Cédula de ciudadanía")}
#: A method's account number: digits only, at most this many (the widest of the countries' bank portals' fields).
MAX_ACCOUNT_DIGITS = 20
MIN_REASON_LENGTH = 10


class PayoutMethodError(InvalidInput, ValueError):
    """Payout details that cannot be stored, naming the field (details["field"]) beside which the page shows it."""

    code = "invalid_payout_method"

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, details={"field": field})

    @property
    def field(self) -> str:
        return str(self.details["field"])


def method_spec(method: str) -> MethodSpec:
    spec = METHODS.get(method)
    if spec is None:
        raise PayoutMethodError(
            _("payout method must be one of %(methods)s") % {"methods": ", ".join(METHODS)}, field="method"
        )
    return spec


def method_pays(method: str, currency: str) -> bool:
    """Whether `method` can pay an amount in `currency` ("" method: none can)."""
    spec = METHODS.get(method)
    return spec is not None and (spec.currencies is None or currency in spec.currencies)


def validate_payout_account(
    method: str,
    details: Mapping[str, Any],
    *,
    partner_country: str,
    partner_tax_id: str,
    currency: str,
    reason: str = "",
) -> dict[str, str]:
    """The normalised details of a payout method for a partner in `partner_country` with `partner_tax_id`, paid in
    `currency`; PayoutMethodError naming the field otherwise. Nothing is stored here."""
    spec = method_spec(method)
    if not method_pays(method, currency):
        raise PayoutMethodError(
            _("%(method)s cannot pay in %(currency)s, the partner's payout currency")
            % {"method": spec.label, "currency": currency},
            field="method",
        )
    if not isinstance(details, Mapping):
        raise PayoutMethodError(_("give the method's details"), field="method")
    values = {name: _text(details.get(name), name) for name in METHOD_FIELDS[spec.method]}
    for name, value in values.items():
        if not value and name not in OPTIONAL_FIELDS:
            raise PayoutMethodError(_("this field is required"), field=name)
    account = _CHECKS[spec.method](values)
    country = spec.country or account["bank_country"]
    abroad = country != partner_country.upper()
    reason = " ".join(str(reason or "").split())
    if abroad and len(reason) < MIN_REASON_LENGTH:
        raise PayoutMethodError(
            _("this account is in %(country)s, not in the partner's country %(partner)s: say why (at least %(n)s "
              "characters)") % {"country": country, "partner": partner_country.upper(), "n": MIN_REASON_LENGTH},
            field="reason",
        )
    _check_holder(spec.method, account, country, partner_tax_id, abroad=abroad)
    return account


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PayoutMethodError(_("must be text"), field=name)
    text = " ".join(value.split())
    if len(text) > 200:
        raise PayoutMethodError(_("must have at most 200 characters"), field=name)
    return text


def _holder_field(method: PayoutMethod) -> str | None:
    return {"br_ted": "holder_tax_id", "co_bank": "holder_id", "cl_bank": "holder_rut"}.get(method.value)


def _check_holder(method: PayoutMethod, account: dict[str, str], country: str, partner_tax_id: str, *,
                  abroad: bool) -> None:
    """The account's holder must be the partner (its tax id), unless the account is abroad with a reason, where the
    holder's id need only be valid in the account's country."""
    field = _holder_field(method)
    if field is None:
        return
    if account.get("holder_id_kind") == "cc":  # a Colombian cédula has no check digit: 5 to 10 digits
        holder = account[field].replace(".", "").replace(" ", "")
        if not (holder.isascii() and holder.isdigit() and 5 <= len(holder) <= 10):
            raise PayoutMethodError(_("a cédula has 5 to 10 digits"), field=field)
    else:
        try:
            holder = validate_tax_id(country, account[field]).compact
        except TaxIdError as exc:
            raise PayoutMethodError(_("not a valid tax id: %(reason)s") % {"reason": exc.reason},
                                    field=field) from None
    if not abroad and holder != partner_tax_id:
        raise PayoutMethodError(
            _("the account's holder must be the partner: give the partner's tax id %(tax_id)s")
            % {"tax_id": partner_tax_id},
            field=field,
        )
    account[field] = holder


def _choice(values: dict[str, str], name: str, choices: Mapping[str, Any]) -> str:
    value = values[name].lower()
    if value not in choices:
        raise PayoutMethodError(_("must be one of %(choices)s") % {"choices": ", ".join(choices)}, field=name)
    return value


def _digits(values: dict[str, str], name: str, most: int = MAX_ACCOUNT_DIGITS) -> str:
    value = values[name].replace("-", "").replace(".", "").replace(" ", "")
    if not value.isascii() or not value.isdigit() or len(value) > most:
        raise PayoutMethodError(_("must be digits only, at most %(n)s") % {"n": most}, field=name)
    return value


def _directory_bank(country: str, code: str, field: str) -> tuple[str, str]:
    found = bank(country, code)
    if found is None:
        raise PayoutMethodError(
            _("no bank in %(country)s has the code %(code)s") % {"country": country, "code": code}, field=field
        )
    return found.code, found.name


def _pix(values: dict[str, str]) -> dict[str, str]:
    try:
        kind = parse_key_type(values["key_type"]).value
    except (PixKeyError, ValueError):
        raise PayoutMethodError(_("use one of cpf, cnpj, email, phone or evp"), field="key_type") from None
    try:
        return {"key_type": kind, "key": validate_pix_key(kind, values["key"])}
    except PixKeyError as exc:
        raise PayoutMethodError(exc.message, field="key") from None


def _br_ted(values: dict[str, str]) -> dict[str, str]:
    account_type = _choice(values, "account_type", ACCOUNT_TYPES["br_ted"])
    try:
        checked = validate_br_account(
            values["bank_code"], values["branch"], values["branch_digit"], values["account"], values["account_digit"]
        )
    except BrAccountError as exc:
        raise PayoutMethodError(str(exc), field=exc.field) from None
    found = bank("BR", checked.bank_code)
    assert found is not None  # validate_br_account refuses a bank outside the directory
    return {
        "bank_code": found.code,
        "bank_name": found.name,
        "ispb": found.ispb,
        "branch": checked.branch,
        "branch_digit": checked.branch_digit,
        "account": checked.account,
        "account_digit": checked.account_digit,
        "account_type": account_type,
        "holder_tax_id": values["holder_tax_id"],
    }


def _mx_spei(values: dict[str, str]) -> dict[str, str]:
    try:
        clabe = validate_clabe(values["clabe"])
    except BankAccountError as exc:
        raise PayoutMethodError(str(exc), field="clabe") from None
    code, name = _directory_bank("MX", clabe.bank_code, "clabe")
    return {"clabe": clabe.number, "bank_code": code, "bank_name": name}


def _ar_cbu(values: dict[str, str]) -> dict[str, str]:
    try:
        number = validate_cbu(values["cbu"])
    except BankAccountError as exc:
        raise PayoutMethodError(str(exc), field="cbu") from None
    # A CVU (a payment provider's virtual account) has the CBU's layout with entity code 000 (BCRA Com. "A" 6510).
    return {"cbu": number, "account_kind": "cvu" if number.startswith("000") else "cbu"}


def _co_bank(values: dict[str, str]) -> dict[str, str]:
    code, name = _directory_bank("CO", values["bank_code"], "bank_code")
    return {
        "bank_code": code,
        "bank_name": name,
        "account_type": _choice(values, "account_type", ACCOUNT_TYPES["co_bank"]),
        "account_number": _digits(values, "account_number"),
        "holder_id_kind": _choice(values, "holder_id_kind", CO_HOLDER_ID_KINDS),
        "holder_id": values["holder_id"],
    }


def _cl_bank(values: dict[str, str]) -> dict[str, str]:
    code, name = _directory_bank("CL", values["bank_code"], "bank_code")
    return {
        "bank_code": code,
        "bank_name": name,
        "account_type": _choice(values, "account_type", ACCOUNT_TYPES["cl_bank"]),
        "account_number": _digits(values, "account_number"),
        "holder_rut": values["holder_rut"],
    }


def _intl(values: dict[str, str]) -> dict[str, str]:
    country = values["bank_country"].upper()
    if not is_country(country):
        raise PayoutMethodError(_("must be an ISO 3166 country code (two letters)"), field="bank_country")
    try:
        bic = validate_bic(values["bic"])
    except BankAccountError as exc:
        raise PayoutMethodError(str(exc), field="bic") from None
    if bic[4:6] != country:
        raise PayoutMethodError(
            _("this SWIFT/BIC code is of a bank in %(bic)s, not in %(country)s")
            % {"bic": bic[4:6], "country": country},
            field="bic",
        )
    iban, number = values["iban"], ""
    if iban:
        try:
            iban = validate_iban(iban)
        except BankAccountError as exc:
            raise PayoutMethodError(str(exc), field="iban") from None
        if iban[:2] != country:
            raise PayoutMethodError(
                _("this IBAN is of an account in %(iban)s, not in %(country)s")
                % {"iban": iban[:2], "country": country},
                field="iban",
            )
    elif uses_iban(country):
        raise PayoutMethodError(_("banks in %(country)s use IBAN: give it") % {"country": country}, field="iban")
    else:
        number = values["account_number"].replace(" ", "").upper()
        if not number or not number.isascii() or not number.isalnum() or len(number) > 34:
            raise PayoutMethodError(_("give the account number: letters and digits, at most 34"),
                                    field="account_number")
    return {
        "beneficiary_name": values["beneficiary_name"],
        "beneficiary_address": values["beneficiary_address"],
        "bank_name": values["bank_name"],
        "bank_country": country,
        "bic": bic,
        "iban": iban,
        "account_number": number,
    }


_CHECKS = {
    PayoutMethod.PIX: _pix,
    PayoutMethod.BR_TED: _br_ted,
    PayoutMethod.MX_SPEI: _mx_spei,
    PayoutMethod.AR_CBU: _ar_cbu,
    PayoutMethod.CO_BANK: _co_bank,
    PayoutMethod.CL_BANK: _cl_bank,
    PayoutMethod.INTL: _intl,
}


def account_summary(method: str, account: Mapping[str, str]) -> str:
    """One line naming where the money goes, with every account number masked but its last 4 characters (pages,
    notices, the close's list)."""
    def tail(value: str) -> str:
        return f"••••{value[-4:]}" if value else ""

    match method:
        case "pix":
            return f"PIX {account.get('key_type', '')} {masked_pix_key(account.get('key', ''))}"
        case "br_ted":
            return (f"{account.get('bank_code')} {account.get('bank_name')} · {account.get('branch')} · "
                    f"{tail(account.get('account', ''))}-{account.get('account_digit')}")
        case "mx_spei":
            return f"SPEI {account.get('bank_name')} · CLABE {tail(account.get('clabe', ''))}"
        case "ar_cbu":
            return f"{account.get('account_kind', 'cbu').upper()} {tail(account.get('cbu', ''))}"
        case "co_bank" | "cl_bank":
            return f"{account.get('bank_name')} · {tail(account.get('account_number', ''))}"
        case "intl":
            number = account.get("iban") or account.get("account_number", "")
            return f"SWIFT {account.get('bic')} · {account.get('bank_country')} · {tail(number)}"
    return ""


# --- the account's identity ---------------------------------------------------------------------------------------

_SEPARATORS = str.maketrans("", "", " .-/\t\n")


def _compact(value: Any) -> str:
    """A number as text, upper case, without spaces, dots, hyphens or slashes."""
    return str(value or "").translate(_SEPARATORS).upper()


def _number(value: Any) -> str:
    """A compact number without its leading zeros ("0" for a number of zeros only; "" for none)."""
    compact = _compact(value)
    return compact.lstrip("0") or ("0" if compact else "")


def _pix_identity(account: Mapping[str, Any]) -> str | None:
    key = str(account.get("key") or "").strip()
    if not key:
        return None
    try:
        return validate_pix_key(str(account.get("key_type") or ""), key)
    except (PixKeyError, ValueError):
        return key  # stored before a rule changed: compared as stored


def _br_ted_identity(account: Mapping[str, Any]) -> str | None:
    bank_code, branch, number = (_number(account.get(f)) for f in ("bank_code", "branch", "account"))
    if not (bank_code and branch and number):
        return None
    digit = _compact(account.get("account_digit"))
    if bank_code == "237" and digit == "P":  # Bradesco writes its check digit 10 as P or as 0 (common.brbank)
        digit = "0"
    return f"br:{bank_code}:{branch}:{number}-{digit}"


def _local_identity(country: str, account: Mapping[str, Any]) -> str | None:
    bank_code, number = _number(account.get("bank_code")), _number(account.get("account_number"))
    return f"{country}:{bank_code}:{number}" if bank_code and number else None


def _intl_identity(account: Mapping[str, Any]) -> str | None:
    iban = _compact(account.get("iban"))
    if iban:
        return f"iban:{iban}"
    number, bic = _compact(account.get("account_number")), _compact(account.get("bic"))
    if not (number and bic):
        return None
    country = _compact(account.get("bank_country")) or bic[4:6]
    # A local account number written as the account of a transfer to its own country is that local account.
    if country == "MX" and _valid(validate_clabe, number):
        return f"clabe:{number}"
    if country == "AR" and _valid(validate_cbu, number):
        return f"cbu:{number}"
    # The BIC's first 8 characters name the institution (bank, country, location); the optional 3 that follow name a
    # branch, XXX the primary office (ISO 9362, https://en.wikipedia.org/wiki/ISO_9362, as python-stdnum's
    # stdnum/bic.py describes the code): CHASUS33 and CHASUS33XXX are one bank.
    return f"swift:{bic[:8]}:{number}"


def _valid(check: Callable[[str], object], number: str) -> bool:
    try:
        check(number)
    except ValueError:  # BankAccountError, or a digit int() does not read (e.g. a superscript)
        return False
    return True


def account_identity(method: str, account: Mapping[str, Any] | None) -> str | None:
    """The account a method's details pay into, as one normalised text: equal for two partners exactly when their
    payouts land in the same account, however the details were written (spaces, dots, hyphens, case, leading zeros).
    None for no method, an unknown one, or details that name no account.

    - pix: the PIX key, normalised by common.pix (as stored);
    - br_ted: bank, branch and account with its check digit, leading zeros dropped; the branch's check digit and the
      account type are left out (the digit follows from the branch; one number at one branch is one holder's);
    - mx_spei: the CLABE; ar_cbu: the CBU or CVU;
    - co_bank and cl_bank: the bank's code and the account number, leading zeros dropped;
    - intl: the IBAN; without one, the BIC's institution (its first 8 characters) and the account number, or the
      CLABE or CBU when the account is a valid one in Mexico or Argentina (the same account SPEI or a CBU pays).
    """
    if not isinstance(account, Mapping):
        return None
    match method:
        case "pix":
            return _pix_identity(account)
        case "br_ted":
            return _br_ted_identity(account)
        case "mx_spei":
            clabe = _compact(account.get("clabe"))
            return f"clabe:{clabe}" if clabe else None
        case "ar_cbu":
            cbu = _compact(account.get("cbu"))
            return f"cbu:{cbu}" if cbu else None
        case "co_bank":
            return _local_identity("co", account)
        case "cl_bank":
            return _local_identity("cl", account)
        case "intl":
            return _intl_identity(account)
    return None
