"""Bulk-payment CSV files for the treasury team to load into its bank's portal, one layout per payout method outside
Brazil: Mexico (SPEI to a CLABE), Argentina (CBU or CVU), Colombia and Chile (a bank account), and international
transfers (IBAN or account number, with the BIC). Not any one bank's layout: the columns a bulk-payment portal of the
country asks for, under clear English snake_case headers, for the team to map onto its bank's template.

Pure data in, text out: no model, no database. The account details come already validated and normalised (the
CLABE's check digit, the CBU's, the IBAN's and the BIC's in parceria.common.bankaccounts); this module only formats.

The rules of every file:

- One row per payout, header first, CRLF line ends, written by the project's one CSV writer
  (parceria.common.csvfile.csv_text), so a text cell a spreadsheet would run as a formula gets a leading apostrophe.
- No total line at the end (a choice of the product: bank portals read every line as a payment and reject a trailing
  total). `transfer_totals` gives the count and the sum for the treasury team to check against the portal's summary.
- One currency per file (the portal debits one account); a row in another currency is refused.
- Amounts are the net to send with exactly the currency's minor units (parceria.payouts.exports.format_minor over
  parceria.common.money: "1500.00" MXN, "1500" CLP). A finer fraction is refused, never rounded here, and so is an
  amount that is not positive.
- Every row's account must have its method's keys (ACCOUNT_KEYS), or the file is refused naming the payout and the key.
- Dates are ISO 8601 (2026-10-05). The payee's name, tax id and our reference are written as given.

Mexico, SPEI (`mx_spei`):

- SPEI moves Mexican pesos only; dollars between Mexican accounts go by SPID, another Banco de México system (El
  Financiero, "Pagos en dólares inician con sólo tres bancos", quoting Banxico: the two systems differ in the currency,
  pesos and dollars; Bitso's help centre, "What is SPEI?"). A file in another currency is refused.
- The "referencia numérica" the payee sees is a number of up to 7 digits (CONDUSEF, "Agiliza tus pagos y
  transferencias bancarias", Revista Proteja su Dinero, May 2018, revista.condusef.gob.mx/2018/05/agiliza-tus-pagos-y-
  transferencias-bancarias/: "número de referencia (folio de hasta siete dígitos)"; the STP client library
  cuenca-mx/stp, stpmex/resources/ordenes.py, types referenciaNumerica as an integer 0 < n < 10^7). Column
  `numeric_reference`: our reference when it is a whole number from 1 to 9,999,999 (written without leading zeros);
  any other reference is refused, since the payee could not match the payment.
- The "concepto de pago" carries up to 40 characters (SPEI_CONCEPT_LENGTH), and longer text is cut there (at 39
  when the formula guard adds its apostrophe, so the cell stays within 40). [verify] with the bank's portal: 40 is
  the length commonly given for Banxico's field, but no Banxico document stating it was found, and a participant
  may take fewer: STP's client library cuts conceptoPago at 39 (cuenca-mx/stp, above). A choice of the product
  until confirmed.
- Columns: reference, numeric_reference, beneficiary_name, beneficiary_rfc (the payee's tax id), clabe, bank_code
  (the CLABE's first three digits, Banxico's bank code), bank_name, amount, currency, payment_date, concept.

Argentina, CBU or CVU (`ar_cbu`): reference, beneficiary_name, beneficiary_cuit (the payee's CUIT or CUIL),
account_kind (CBU for a bank account, CVU for a payment provider's virtual account), cbu_cvu (22 digits), amount,
currency, payment_date, concept.

Colombia, bank account (`co_bank`): reference, beneficiary_name, beneficiary_tax_id (the payee's NIT or cédula),
holder_id_type (NIT or CC), holder_id, bank_code, bank_name, account_type, account_number, amount, currency,
payment_date, concept.

- holder_id_type: NIT is the "Número de Identificación Tributaria", the tax number (python-stdnum, stdnum.co.nit);
  CC the "cédula de ciudadanía", a citizen's identity card (as Bancolombia's account-opening requirements name it).
- account_type keeps the English value (savings or checking); banks' templates use the Spanish terms of
  CO_ACCOUNT_TYPE_TERMS: "ahorros" (a "cuenta de ahorros", e.g. Coltefinanciera's product page) and "corriente" (a
  "cuenta corriente", Scotiabank Colpatria's financial-education page "Cuentas corrientes").

Chile, bank account (`cl_bank`): reference, beneficiary_name, beneficiary_rut (the payee's RUT), holder_rut,
bank_code, bank_name, account_type, account_number, amount, currency (CLP has no minor unit: "150000"),
payment_date, concept.

- RUTs are written with python-stdnum's cl.rut.format: dots, a hyphen and the check digit ("76.086.428-5").
- account_type keeps the English value (checking, vista or savings); the Spanish terms are CL_ACCOUNT_TYPE_TERMS:
  "cuenta corriente", "cuenta vista" (a demand deposit without cheques, CMF Educa, "Cuenta a la Vista",
  cmfeduca.cl/educa/600/w3-article-27449.html) and "cuenta de ahorro" (SBIF, "Productos Banca: Ahorro").

International transfer (`intl`): reference, payee_name, payee_tax_id, beneficiary_name (the account holder, as the
bank knows it), beneficiary_address, bank_name, bank_country (ISO 3166 alpha-2), bic, iban, account_number, amount,
currency, payment_date, concept. One of iban and account_number is filled: the IBAN when there is one, else the
account number (a country outside the IBAN registry). The currency must be one Parceria pays in
(parceria.common.money.CURRENCIES).

Argentina, Colombia, Chile and international transfers write the concept as given: only SPEI's limit is applied here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stdnum.cl import rut

from parceria.common.csvfile import csv_text, safe_cell
from parceria.common.money import MoneyError, get_currency
from parceria.payouts.exports import format_minor

#: The "concepto de pago" of a SPEI transfer: at most this many characters ([verify], see the module's docstring).
SPEI_CONCEPT_LENGTH = 40
#: The "referencia numérica" of a SPEI transfer: at most this many digits.
SPEI_REFERENCE_DIGITS = 7

#: Colombia: the account types as banks' templates name them in Spanish (the file keeps the English value).
CO_ACCOUNT_TYPE_TERMS = {"savings": "ahorros", "checking": "corriente"}
#: Colombia: how the file writes the kind of the account holder's id.
CO_HOLDER_ID_TYPES = {"nit": "NIT", "cc": "CC"}
#: Chile: the account types as banks name them in Spanish (the file keeps the English value).
CL_ACCOUNT_TYPE_TERMS = {"checking": "cuenta corriente", "vista": "cuenta vista", "savings": "cuenta de ahorro"}
#: Argentina: how the file writes the kind of account.
AR_ACCOUNT_KINDS = {"cbu": "CBU", "cvu": "CVU"}

#: The keys each method's account details must have (upstream validated and normalised them).
ACCOUNT_KEYS: dict[str, tuple[str, ...]] = {
    "mx_spei": ("clabe", "bank_code", "bank_name"),
    "ar_cbu": ("cbu", "account_kind"),
    "co_bank": ("bank_code", "bank_name", "account_type", "account_number", "holder_id_kind", "holder_id"),
    "cl_bank": ("bank_code", "bank_name", "account_type", "account_number", "holder_rut"),
    # account_number is needed only when iban is "" (checked per row).
    "intl": ("beneficiary_name", "beneficiary_address", "bank_name", "bank_country", "bic", "iban"),
}

#: The header of each method's file.
TRANSFER_COLUMNS: dict[str, tuple[str, ...]] = {
    "mx_spei": ("reference", "numeric_reference", "beneficiary_name", "beneficiary_rfc", "clabe", "bank_code",
                "bank_name", "amount", "currency", "payment_date", "concept"),
    "ar_cbu": ("reference", "beneficiary_name", "beneficiary_cuit", "account_kind", "cbu_cvu", "amount", "currency",
               "payment_date", "concept"),
    "co_bank": ("reference", "beneficiary_name", "beneficiary_tax_id", "holder_id_type", "holder_id", "bank_code",
                "bank_name", "account_type", "account_number", "amount", "currency", "payment_date", "concept"),
    "cl_bank": ("reference", "beneficiary_name", "beneficiary_rut", "holder_rut", "bank_code", "bank_name",
                "account_type", "account_number", "amount", "currency", "payment_date", "concept"),
    "intl": ("reference", "payee_name", "payee_tax_id", "beneficiary_name", "beneficiary_address", "bank_name",
             "bank_country", "bic", "iban", "account_number", "amount", "currency", "payment_date", "concept"),
}


class TransferFileError(ValueError):
    """A row, or a set of rows, that cannot go into a transfer file; the message names the payout (our reference)."""


@dataclass(frozen=True)
class TransferRow:
    reference: str  # our payout id, echoed by banks as the payment reference
    payee_name: str
    payee_tax_id: str  # RFC (MX), CUIT/CUIL (AR), NIT or cédula (CO), RUT (CL), any tax id (international)
    currency: str  # MXN, ARS, COP, CLP, USD, EUR, ...
    amount: Decimal  # net to send, at the currency's minor unit
    payment_date: date
    account: Mapping[str, str]  # the method's normalised details, keys in ACCOUNT_KEYS
    concept: str = ""  # short payment description, e.g. "Parceria commissions 2026-10"


def transfer_totals(rows: Iterable[TransferRow]) -> tuple[int, Decimal]:
    """How many payments the file carries and their sum, in the file's one currency (0 and 0 for no rows). The same
    checks as the files: one currency, positive amounts at the currency's minor unit."""
    listed = _one_currency(rows)
    total = sum((_checked_amount(row) for row in listed), Decimal(0))
    if listed:
        total = total.quantize(get_currency(listed[0].currency).minor_unit)
    return len(listed), total


def spei_csv(rows: Iterable[TransferRow]) -> str:
    """The SPEI file (Mexico): MXN only, a numeric reference of up to 7 digits, the concept cut at 40 characters."""
    return _file("mx_spei", rows, _spei_fields)


def cbu_csv(rows: Iterable[TransferRow]) -> str:
    """The CBU/CVU file (Argentina)."""
    return _file("ar_cbu", rows, _cbu_fields)


def co_bank_csv(rows: Iterable[TransferRow]) -> str:
    """The bank-account file of Colombia."""
    return _file("co_bank", rows, _co_fields)


def cl_bank_csv(rows: Iterable[TransferRow]) -> str:
    """The bank-account file of Chile (RUTs with dots, hyphen and check digit)."""
    return _file("cl_bank", rows, _cl_fields)


def intl_csv(rows: Iterable[TransferRow]) -> str:
    """The international transfer file (BIC with an IBAN or an account number)."""
    return _file("intl", rows, _intl_fields)


def transfer_csv(method: str, rows: Iterable[TransferRow]) -> str:
    """The file of `method` (one of TRANSFER_COLUMNS); TransferFileError (a ValueError) for another method."""
    writer = _WRITERS.get(method)
    if writer is None:
        raise TransferFileError(f"unknown transfer method {method!r}; the methods are {', '.join(TRANSFER_COLUMNS)}")
    return writer(rows)


# The rows of each method.


def _spei_fields(row: TransferRow) -> list[str]:
    if row.currency != "MXN":
        raise TransferFileError(f"payout {row.reference}: SPEI moves Mexican pesos only, not {row.currency}")
    account = row.account
    return [row.reference, _numeric_reference(row.reference), row.payee_name, row.payee_tax_id, account["clabe"],
            account["bank_code"], account["bank_name"], *_money_and_date(row), _spei_concept(row.concept)]


def _cbu_fields(row: TransferRow) -> list[str]:
    account = row.account
    kind = _choice(row, "account_kind", AR_ACCOUNT_KINDS)
    return [row.reference, row.payee_name, row.payee_tax_id, kind, account["cbu"], *_money_and_date(row), row.concept]


def _co_fields(row: TransferRow) -> list[str]:
    account = row.account
    id_type = _choice(row, "holder_id_kind", CO_HOLDER_ID_TYPES)
    _choice(row, "account_type", CO_ACCOUNT_TYPE_TERMS)
    return [row.reference, row.payee_name, row.payee_tax_id, id_type, account["holder_id"], account["bank_code"],
            account["bank_name"], account["account_type"], account["account_number"], *_money_and_date(row),
            row.concept]


def _cl_fields(row: TransferRow) -> list[str]:
    account = row.account
    _choice(row, "account_type", CL_ACCOUNT_TYPE_TERMS)
    return [row.reference, row.payee_name, rut.format(row.payee_tax_id), rut.format(account["holder_rut"]),
            account["bank_code"], account["bank_name"], account["account_type"], account["account_number"],
            *_money_and_date(row), row.concept]


def _intl_fields(row: TransferRow) -> list[str]:
    account = row.account
    iban = account["iban"]
    number = ""
    if not iban:
        number = account.get("account_number", "")
        if not number:
            raise TransferFileError(f"payout {row.reference}: the account has no iban, so it needs account_number")
    return [row.reference, row.payee_name, row.payee_tax_id, account["beneficiary_name"],
            account["beneficiary_address"], account["bank_name"], account["bank_country"], account["bic"], iban,
            number, *_money_and_date(row), row.concept]


_WRITERS: dict[str, Callable[[Iterable[TransferRow]], str]] = {
    "mx_spei": spei_csv,
    "ar_cbu": cbu_csv,
    "co_bank": co_bank_csv,
    "cl_bank": cl_bank_csv,
    "intl": intl_csv,
}


# What every file shares.


def _file(method: str, rows: Iterable[TransferRow], fields: Callable[[TransferRow], list[str]]) -> str:
    listed = _one_currency(rows)
    for row in listed:
        _check_keys(method, row)
    return csv_text([fields(row) for row in listed], header=TRANSFER_COLUMNS[method])


def _one_currency(rows: Iterable[TransferRow]) -> list[TransferRow]:
    listed = list(rows)
    if listed:
        first = listed[0]
        for row in listed[1:]:
            if row.currency != first.currency:
                raise TransferFileError(f"payout {row.reference} is in {row.currency} but payout {first.reference} "
                                        f"in {first.currency}: a file carries one currency")
    return listed


def _check_keys(method: str, row: TransferRow) -> None:
    for key in ACCOUNT_KEYS[method]:
        if key not in row.account:
            raise TransferFileError(f"payout {row.reference}: the {method} account details lack {key!r}")


def _choice(row: TransferRow, key: str, known: Mapping[str, str]) -> str:
    value = row.account[key]
    if value not in known:
        raise TransferFileError(f"payout {row.reference}: {key} {value!r} is not one of {', '.join(known)}")
    return known[value]


def _checked_amount(row: TransferRow) -> Decimal:
    _amount_text(row)
    return row.amount


def _amount_text(row: TransferRow) -> str:
    if not row.amount.is_finite() or row.amount <= 0:
        raise TransferFileError(f"payout {row.reference}: the amount to send must be positive, not {row.amount}")
    try:
        return format_minor(row.amount, row.currency)
    except MoneyError as exc:
        raise TransferFileError(f"payout {row.reference}: {exc}") from None


def _money_and_date(row: TransferRow) -> Sequence[str]:
    return (_amount_text(row), row.currency, row.payment_date.isoformat())


def _spei_concept(concept: str) -> str:
    """The concept cut at SPEI_CONCEPT_LENGTH characters, counting the apostrophe the formula guard would add."""
    cut = concept[:SPEI_CONCEPT_LENGTH]
    if safe_cell(cut) != cut:
        cut = concept[: SPEI_CONCEPT_LENGTH - 1]
    return cut


def _numeric_reference(reference: str) -> str:
    """Our reference as SPEI's "referencia numérica": a whole number from 1 to 9,999,999."""
    text = reference.strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 10**SPEI_REFERENCE_DIGITS:
        raise TransferFileError(f"payout {reference}: SPEI's numeric reference is a number of 1 to "
                                f"{SPEI_REFERENCE_DIGITS} digits (not 0); this reference does not fit")
    return str(int(text))
