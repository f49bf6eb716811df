"""Write a CNAB 240 remittance of transfers: one file, one batch, the layout's detail segments per payment.

The layout says whom it pays: a PIX key (``itau_sispag_pix``: the payment's ``pix_key_type`` and ``pix_key``)
or a bank account (``itau_sispag_ted``: the payment's ``account``, a BankAccount). Pure: plain data in, the
file's text out (ASCII, CRLF line endings, every line ``line_length`` long). The positions come from the
layout (``layouts/<name>.json``); this module only supplies values by field name. Bad input is refused with
RemittanceError naming the payment and the field; only names are truncated. An account's check digits are
written as given, not verified here (the bank-account rules are another module's).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from parceria.common.pix import PixKeyError, parse_key_type, validate_pix_key
from parceria.common.taxids import TaxIdError, validate_tax_id
from parceria.payouts.cnab import ACCOUNT_TYPES, CnabError, Layout, LayoutError, Record, ascii_text, resolve_layout

_REFERENCE = re.compile(r"^[0-9A-Z][0-9A-Z._/-]*$")
_DIGITS = re.compile(r"^[0-9]+$")
_CHECK_DIGITS = re.compile(r"^[0-9A-Z]{1,2}$")
_BRANCH_DIGIT = re.compile(r"^[0-9A-Z]?$")


class RemittanceError(CnabError):
    """A company or payment that cannot go into a remittance file."""

    code = "invalid_remittance"


@dataclass(frozen=True)
class Company:
    """The paying company and the account the transfers are debited from."""

    name: str
    tax_id: str
    bank_code: str
    agency: str
    account: str
    account_digit: str
    address: str = ""
    address_number: str = ""
    address_complement: str = ""
    city: str = ""
    zip_code: str = ""
    state: str = ""


@dataclass(frozen=True)
class BankAccount:
    """A payee's account at a Brazilian bank, for a transfer to an account (TED).

    `bank_code` is the bank's 3-digit COMPE code, `branch` the agency and `account` the account number, both
    digits only and without their check digits; `account_digit` is the account's check digit (one or two
    characters, digits or a letter such as X). `account_type` is one of ``checking``, ``savings`` or
    ``payment`` (a payment institution's account). `branch_digit` is kept for completeness: Itaú's layout has
    no place for it (the agency goes without its check digit)."""

    bank_code: str
    branch: str
    account: str
    account_digit: str
    account_type: str = "checking"
    branch_digit: str = ""


@dataclass(frozen=True)
class RemittancePayment:
    """One transfer. `reference` (our payout id, the "seu número") comes back in the return file. A layout
    paying to PIX keys needs `pix_key_type` and `pix_key`; one paying to accounts needs `account` (the key
    may then be ""). What the layout does not use is ignored."""

    reference: str
    payee_name: str
    payee_tax_id: str
    pix_key_type: str
    pix_key: str
    amount: Decimal
    payment_date: date
    message: str = ""
    account: BankAccount | None = None


def write_remittance(
    *,
    layout: str | Layout = "itau_sispag_pix",
    company: Company,
    payments: Sequence[RemittancePayment],
    file_sequence: int,
    generated_at: datetime,
) -> str:
    """The remittance file for `payments`, debited from `company`'s account, as text with CRLF line ends."""
    spec = resolve_layout(layout)
    file_values = {**_company_values(spec, company), **_file_values(file_sequence, generated_at)}
    details = _detail_lines(spec, file_values, payments, generated_at.date())
    batch_values = {
        **file_values,
        "batch_record_count": len(details) + 2,
        "batch_amount": sum((p.amount for p in payments), Decimal(0)),
    }
    lines = [
        _render(spec.record("file_header"), file_values, "file header"),
        _render(spec.record("batch_header"), batch_values, "batch header"),
        *details,
        _render(spec.record("batch_trailer"), batch_values, "batch trailer"),
        _render(spec.record("file_trailer"), {**file_values, **_file_counts(len(details))}, "file trailer"),
    ]
    return "".join(f"{line}\r\n" for line in lines)


def _render(record: Record, values: Mapping[str, object], context: str) -> str:
    try:
        return record.render(values)
    except LayoutError:
        raise
    except CnabError as exc:
        raise RemittanceError(f"{context}: {exc.message}") from None


def _file_counts(detail_count: int) -> dict[str, object]:
    return {"file_batch_count": 1, "file_record_count": detail_count + 4}


def _file_values(file_sequence: int, generated_at: datetime) -> dict[str, object]:
    if isinstance(file_sequence, bool) or not isinstance(file_sequence, int) or file_sequence < 1:
        raise RemittanceError(f"file_sequence must be a positive whole number, got {file_sequence!r}")
    if not isinstance(generated_at, datetime):
        raise RemittanceError("generated_at must be a datetime")
    return {
        "batch_number": 1,
        "file_sequence": file_sequence,
        "generated_date": generated_at.date(),
        "generated_time": generated_at,
    }


def _company_values(spec: Layout, company: Company) -> dict[str, object]:
    if company.bank_code != spec.bank_code:
        raise RemittanceError(f"layout {spec.name} is for bank {spec.bank_code}, not the company's {company.bank_code}")
    if not ascii_text(company.name).strip():
        raise RemittanceError("company name is required")
    kind, tax_id = _tax_id(spec, company.tax_id, "company")
    return {
        "bank_code": spec.bank_code,
        "company_tax_id_kind": kind,
        "company_tax_id": tax_id,
        "company_agency": company.agency,
        "company_account": company.account,
        "company_account_digit": company.account_digit,
        "company_name": company.name,
        **_company_address(company),
    }


def _company_address(company: Company) -> dict[str, object]:
    return {
        "company_address": company.address,
        "company_address_number": company.address_number or 0,
        "company_address_complement": company.address_complement,
        "company_city": company.city,
        "company_zip_code": company.zip_code.replace("-", "") or 0,
        "company_state": company.state,
    }


def _tax_id(spec: Layout, value: str, context: str) -> tuple[str, str]:
    """The layout's inscription kind code (CPF or CNPJ) and the compact Brazilian tax id."""
    try:
        tax_id = validate_tax_id("BR", value)
    except TaxIdError as exc:
        raise RemittanceError(f"{context}: {exc}") from None
    return spec.tax_id_kind_codes[tax_id.kind], tax_id.compact


def _detail_lines(
    spec: Layout, file_values: Mapping[str, object], payments: Sequence[RemittancePayment], earliest: date
) -> list[str]:
    if not payments:
        raise RemittanceError("a remittance needs at least one payment")
    _check_unique_references(payments)
    lines: list[str] = []
    for number, payment in enumerate(payments, start=1):
        values = {**file_values, **_payment_values(spec, payment, earliest)}
        for key in spec.detail_records:
            # FEBRABAN numbers every detail record; Itaú SISPAG gives a payment's segments one number (note 9).
            values["sequence"] = number if spec.detail_sequence == "per_payment" else len(lines) + 1
            lines.append(_render(spec.record(key), values, f"payment {payment.reference}"))
    return lines


def _check_unique_references(payments: Sequence[RemittancePayment]) -> None:
    seen: set[str] = set()
    for payment in payments:
        if payment.reference in seen:
            raise RemittanceError(f"payment reference {payment.reference!r} appears twice; references must be unique")
        seen.add(payment.reference)


def _payment_values(spec: Layout, payment: RemittancePayment, earliest: date) -> dict[str, object]:
    context = f"payment {payment.reference}"
    _check_reference(payment.reference)
    _check_amount(payment.amount, context)
    _check_date(payment.payment_date, earliest, context)
    if not ascii_text(payment.payee_name).strip():
        raise RemittanceError(f"{context}: payee name is required")
    kind, tax_id = _tax_id(spec, payment.payee_tax_id, context)
    to_account = spec.pays_to == "bank_account"
    payee = _account_values(spec, payment, context) if to_account else _pix_values(spec, payment, context)
    return {
        "payee_name": payment.payee_name,
        "reference": payment.reference,
        "payment_date": payment.payment_date,
        "amount": payment.amount,
        "payee_tax_id_kind": kind,
        "payee_tax_id": tax_id,
        "payee_message": payment.message,
        **payee,
    }


def _check_reference(reference: str) -> None:
    if not isinstance(reference, str) or not _REFERENCE.fullmatch(reference):
        raise RemittanceError(
            f"payment reference {reference!r} must be digits, capital letters and . _ / - (it comes back unchanged)"
        )


def _check_amount(amount: Decimal, context: str) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise RemittanceError(f"{context}: amount must be a Decimal, got {amount!r}")
    if amount <= 0:
        raise RemittanceError(f"{context}: amount must be greater than zero, got {amount}")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise RemittanceError(f"{context}: amount {amount} has fractions of a cent")


def _check_date(payment_date: date, earliest: date, context: str) -> None:
    if not isinstance(payment_date, date) or isinstance(payment_date, datetime):
        raise RemittanceError(f"{context}: payment_date must be a date (not a datetime)")
    if payment_date < earliest:
        raise RemittanceError(f"{context}: payment date {payment_date} is before the file's date {earliest}")


def _pix_values(spec: Layout, payment: RemittancePayment, context: str) -> dict[str, object]:
    """The layout's code for the payment's PIX key type, and the normalised key."""
    if not (isinstance(payment.pix_key, str) and payment.pix_key.strip()):
        raise RemittanceError(f"{context}: pix_key is required: layout {spec.name} pays to a PIX key")
    try:
        key = validate_pix_key(payment.pix_key_type, payment.pix_key)
        code = spec.pix_key_type_codes[parse_key_type(payment.pix_key_type).value]
    except PixKeyError as exc:
        raise RemittanceError(f"{context}: {exc.message}") from None
    except KeyError:
        raise LayoutError(f"layout {spec.name} has no code for PIX key type {payment.pix_key_type!r}") from None
    return {"pix_key_type_code": code, "pix_key": key}


def _account_values(spec: Layout, payment: RemittancePayment, context: str) -> dict[str, object]:
    """The payee's bank, agency, account and check digit(s) as the layout's fields take them. Only the form is
    checked (digits, lengths that fit); whether the check digits are right is not this module's to say."""
    account = payment.account
    if account is None:
        raise RemittanceError(f"{context}: account is required: layout {spec.name} pays to a bank account")
    if not isinstance(account, BankAccount):
        raise RemittanceError(f"{context}: account must be a BankAccount, got {type(account).__name__}")
    bank = _account_digits(spec, account.bank_code, "account.bank_code", "payee_bank_code", context)
    if len(bank) != 3 or bank == "000":
        raise RemittanceError(f"{context}: account.bank_code {bank!r} must be a bank's 3-digit code")
    if bank in spec.excluded_payee_banks:
        raise RemittanceError(
            f"{context}: account.bank_code {bank}: layout {spec.name} cannot pay it: {spec.excluded_payee_banks[bank]}"
        )
    digit = account.account_digit
    if not (isinstance(digit, str) and _CHECK_DIGITS.fullmatch(digit.upper())):
        raise RemittanceError(f"{context}: account.account_digit {digit!r} must be 1 or 2 digits or capital letters")
    digit = digit.upper()  # a check digit X may come as x
    if not (isinstance(account.branch_digit, str) and _BRANCH_DIGIT.fullmatch(account.branch_digit.upper())):
        raise RemittanceError(f"{context}: account.branch_digit {account.branch_digit!r} must be one digit or letter")
    if account.account_type not in ACCOUNT_TYPES or account.account_type not in spec.account_type_codes:
        raise RemittanceError(
            f"{context}: account.account_type {account.account_type!r} must be one of {sorted(spec.account_type_codes)}"
        )
    return {
        "payee_bank_code": bank,
        "payee_branch": _account_digits(spec, account.branch, "account.branch", "payee_branch", context),
        "payee_account": _account_digits(spec, account.account, "account.account", "payee_account", context),
        "payee_dac_first": digit[:-1],
        "payee_dac": digit[-1],
        "transfer_identification": spec.account_type_codes[account.account_type],
    }


def _account_digits(spec: Layout, value: object, name: str, field_name: str, context: str) -> str:
    """`value` if it is digits only and fits the layout's field `field_name`; RemittanceError naming `name`."""
    if not (isinstance(value, str) and _DIGITS.fullmatch(value)):
        raise RemittanceError(f"{context}: {name} {value!r} must be digits only (no punctuation, no check digit)")
    width = spec.detail_field(field_name).width
    if len(value) > width:
        raise RemittanceError(f"{context}: {name} {value!r} has {len(value)} digits, the layout has room for {width}")
    return value
