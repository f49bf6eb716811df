"""CNAB 240 (FEBRABAN) bank files for payouts: the layout model shared by the writer and the return reader.

A layout is data: one JSON file per bank and product in ``layouts/`` (``itau_sispag_pix.json``: PIX to a key;
``itau_sispag_ted.json``: TED to an account at another bank). It says whom it pays (``pays_to``: a PIX key, or
a bank account) and lists, per record (file header, batch header, each detail segment, batch trailer, file
trailer), every field with its 1-based start and end position, its type, its ``source`` (keys of the layout's
``sources``: the manual or independent layout data each position was checked against) and either a constant
``value`` or, without one, the value of the same name that the writer supplies. The return codes are a table
per layout too: each code's meaning and status (paid, failed or pending). The code here is generic: a second
bank is a second JSON file. Loading checks that each record covers positions 1 to ``line_length`` with no gap
or overlap and that every field and code has a known source and status.

Field types, as they go on the line:

* ``num``   digits, zero-padded on the left; a value too long is an error.
* ``alnum`` digits and capital letters (tax ids, incl. the alphanumeric CNPJ), zero-padded on the left; with
  ``"align": "left"``, written from the left and blank-padded (Itaú's payee CPF: 11 digits and 3 blanks).
* ``alpha`` ASCII text without accents, upper case (unless ``keep_case``), space-padded on the right;
  too long is an error unless the field says ``truncate`` (names only).
* ``money`` an amount in cents, ``9(n)V99``, zero-padded; sub-cent or negative amounts are errors.
* ``date``  DDMMAAAA (zeros for none); ``time`` HHMMSS.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from parceria.common.errors import InvalidInput

FIELD_TYPES = frozenset({"num", "alnum", "alpha", "money", "date", "time"})
RETURN_STATUSES = frozenset({"paid", "failed", "pending"})
DETAIL_SEQUENCES = frozenset({"per_record", "per_payment"})
PAYEE_KINDS = frozenset({"pix_key", "bank_account"})
ACCOUNT_TYPES = frozenset({"checking", "savings", "payment"})
_LAYOUT_NAME = re.compile(r"^[a-z0-9_]+$")
_ALNUM = re.compile(r"^[0-9A-Z]*$")
REQUIRED_RECORDS = ("file_header", "batch_header", "batch_trailer", "file_trailer")


class CnabError(InvalidInput, ValueError):
    """Data that cannot be written to, or read from, a CNAB file."""

    code = "invalid_cnab"


class LayoutError(CnabError):
    """A layout file that is missing or inconsistent."""

    code = "invalid_cnab_layout"


@dataclass(frozen=True)
class Field:
    name: str
    start: int
    end: int
    type: str
    doc: str
    value: str | None = None
    truncate: bool = False
    keep_case: bool = False
    align: str = "right"
    source: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        return self.end - self.start + 1

    @cached_property
    def constant_text(self) -> str | None:
        """The constant `value` as it goes on the line; None for a field filled from the writer's values."""
        if self.value is None:
            return None
        return format_value(self, self.value if self.type in ("alpha", "alnum") else int(self.value))

    def cut(self, line: str) -> str:
        """This field's characters in `line`."""
        return line[self.start - 1 : self.end]


@dataclass(frozen=True)
class Record:
    key: str
    doc: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for field in self.fields:
            if field.name == name:
                return field
        raise LayoutError(f"record {self.key} has no field {name!r}")

    def constant(self, name: str) -> str | None:
        """The constant value of field `name`; None if the record has no such constant."""
        return self._constants.get(name)

    @cached_property
    def _constants(self) -> dict[str, str | None]:
        return {field.name: field.value for field in self.fields}

    def render(self, values: Mapping[str, object]) -> str:
        """The line of this record: constants from the layout, other fields from `values` by name."""
        return "".join(_render_field(self.key, field, values) for field in self.fields)


@dataclass(frozen=True)
class ReturnCode:
    """One occurrence code of a bank's return table: what it means and what it does to the payment."""

    status: str  # paid, failed or pending (see RETURN_STATUSES)
    meaning: str


@dataclass(frozen=True)
class Layout:
    name: str
    bank_code: str
    line_length: int
    records: Mapping[str, Record]
    detail_records: tuple[str, ...]
    detail_sequence: str  # per_record (FEBRABAN: every detail line numbered) or per_payment (one number per payment)
    pix_key_type_codes: Mapping[str, str]
    tax_id_kind_codes: Mapping[str, str]
    return_codes: Mapping[str, ReturnCode]
    ignored_return_segments: frozenset[str]
    sources: Mapping[str, str]
    pays_to: str  # pix_key (the payee's PIX key) or bank_account (the payee's bank, agency and account)
    account_type_codes: Mapping[str, str]  # checking, savings, payment -> the bank's code (bank_account layouts)
    excluded_payee_banks: Mapping[str, str]  # payee bank code -> why this layout cannot pay an account there

    def record(self, key: str) -> Record:
        try:
            return self.records[key]
        except KeyError:
            raise LayoutError(f"layout {self.name} has no record {key!r}") from None

    def detail_field(self, name: str) -> Field:
        """The field `name` of the first detail record that has one; LayoutError if none has."""
        for key in self.detail_records:
            for field in self.record(key).fields:
                if field.name == name:
                    return field
        raise LayoutError(f"layout {self.name}: no detail record has a field {name!r}")

    def identify(self, line: str) -> Record | None:
        """The record that `line` is, by its record type and (for details) segment letter; None if unknown."""
        kind_field, segment_field = self._identifiers
        kind = kind_field.cut(line)
        return self._by_identity.get((kind, None)) or self._by_identity.get((kind, segment_field.cut(line)))

    @cached_property
    def _identifiers(self) -> tuple[Field, Field]:
        """Where every record holds its record type, and where detail records hold their segment letter."""
        return self.record("file_header").field("record_type"), self.record(self.detail_records[0]).field("segment")

    @cached_property
    def _by_identity(self) -> dict[tuple[str | None, str | None], Record]:
        return {
            (record.constant("record_type"), record.constant("segment") if key in self.detail_records else None): record
            for key, record in self.records.items()
        }


def ascii_text(text: str) -> str:
    """`text` without accents and with every character that is not printable ASCII turned into a space."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if " " <= c <= "~" else " " for c in plain)


def format_value(field: Field, value: object) -> str:
    """`value` formatted for `field`: exactly `field.width` characters, or CnabError."""
    return _FORMATTERS[field.type](field, value)


def _render_field(record: str, field: Field, values: Mapping[str, object]) -> str:
    if field.constant_text is not None:
        return field.constant_text
    if field.name not in values:
        raise LayoutError(f"record {record}: no value supplied for field {field.name!r}")
    return format_value(field, values[field.name])


def _num(field: Field, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CnabError(f"{field.name}: expected a whole number, got {type(value).__name__}")
    text = str(value)
    if not (text.isascii() and text.isdigit()):
        raise CnabError(f"{field.name}: {text!r} is not a non-negative whole number")
    return _pad_left(field, text)


def _alnum(field: Field, value: object) -> str:
    text = str(value).upper()
    if not _ALNUM.fullmatch(text):
        raise CnabError(f"{field.name}: {value!r} may only hold digits and capital letters")
    if field.align == "left":
        if len(text) > field.width:
            raise CnabError(f"{field.name}: {text!r} does not fit in {field.width} positions")
        return text.ljust(field.width)
    return _pad_left(field, text)


def _pad_left(field: Field, text: str) -> str:
    if len(text) > field.width:
        raise CnabError(f"{field.name}: {text!r} does not fit in {field.width} positions")
    return text.zfill(field.width)


def _alpha(field: Field, value: object) -> str:
    text = " ".join(ascii_text(str(value)).split())
    text = text if field.keep_case else text.upper()
    if len(text) > field.width and not field.truncate:
        raise CnabError(f"{field.name}: {text!r} is longer than {field.width} characters")
    return text[: field.width].ljust(field.width)


def _money(field: Field, value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise CnabError(f"{field.name}: amounts must be Decimal, got {value!r}")
    cents = value * 100
    if cents != cents.to_integral_value() or cents < 0:
        raise CnabError(f"{field.name}: {value} is not a non-negative amount in whole cents")
    return _num(field, int(cents))


def _date(field: Field, value: object) -> str:
    if value is None or value == 0:
        return _num(field, 0)
    if not isinstance(value, date):
        raise CnabError(f"{field.name}: expected a date, got {value!r}")
    return _num(field, value.strftime("%d%m%Y"))


def _time(field: Field, value: object) -> str:
    if value == 0:
        return _num(field, 0)
    if not isinstance(value, datetime | time):
        raise CnabError(f"{field.name}: expected a time, got {value!r}")
    return _num(field, value.strftime("%H%M%S"))


_FORMATTERS: dict[str, Callable[[Field, object], str]] = {
    "num": _num,
    "alnum": _alnum,
    "alpha": _alpha,
    "money": _money,
    "date": _date,
    "time": _time,
}


def available_layouts() -> list[str]:
    folder = resources.files(__name__).joinpath("layouts")
    return sorted(entry.name.removesuffix(".json") for entry in folder.iterdir() if entry.name.endswith(".json"))


@lru_cache(maxsize=16)
def load_layout(name: str) -> Layout:
    """The layout `name` from ``layouts/<name>.json``, checked; LayoutError if missing or inconsistent."""
    if not _LAYOUT_NAME.fullmatch(name) or name not in available_layouts():
        raise LayoutError(f"unknown CNAB layout {name!r}; available: {', '.join(available_layouts())}")
    text = resources.files(__name__).joinpath("layouts", f"{name}.json").read_text(encoding="utf-8")
    return layout_from_dict(name, json.loads(text))


def layout_from_dict(name: str, data: dict[str, Any]) -> Layout:
    """A checked layout from its JSON structure (see ``layouts/itau_sispag_pix.json``)."""
    try:
        return _check_layout(_build_layout(name, data))
    except LayoutError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise LayoutError(f"layout {name}: malformed: {exc!r}") from None


def resolve_layout(layout: str | Layout) -> Layout:
    """`layout` itself, or the stored layout of that name."""
    return layout if isinstance(layout, Layout) else load_layout(layout)


def _build_layout(name: str, data: dict[str, Any]) -> Layout:
    returns = data["return"]
    cited = [*returns["sources"], *(key for k, keys in data.items() if k.endswith("_source") for key in keys)]
    if any(key not in data["sources"] for key in cited):
        raise LayoutError(f"layout {name}: a source is cited that 'sources' does not list")
    return Layout(
        name=name,
        bank_code=str(data["bank_code"]),
        line_length=int(data["line_length"]),
        records={key: _build_record(key, spec) for key, spec in data["records"].items()},
        detail_records=tuple(data["detail_records"]),
        detail_sequence=str(data.get("detail_sequence", "per_record")),
        pix_key_type_codes={str(k): str(v) for k, v in data.get("pix_key_type_codes", {}).items()},
        tax_id_kind_codes=dict(data["tax_id_kind_codes"]),
        return_codes={
            str(code): ReturnCode(status=str(spec["status"]), meaning=str(spec["meaning"]))
            for code, spec in returns["codes"].items()
        },
        ignored_return_segments=frozenset(returns.get("ignored_segments", ())),
        sources={str(key): str(text) for key, text in data["sources"].items()},
        pays_to=str(data.get("pays_to", "pix_key")),
        account_type_codes={str(k): str(v) for k, v in data.get("account_type_codes", {}).items()},
        excluded_payee_banks={str(k): str(v) for k, v in data.get("excluded_payee_banks", {}).items()},
    )


def _build_record(key: str, spec: dict[str, Any]) -> Record:
    fields = tuple(_build_field(item) for item in spec["fields"])
    return Record(key=key, doc=str(spec["doc"]), fields=fields)


def _build_field(item: dict[str, Any]) -> Field:
    value = item.get("value")
    return Field(
        name=str(item["name"]),
        start=int(item["start"]),
        end=int(item["end"]),
        type=str(item["type"]),
        doc=str(item["doc"]),
        value=None if value is None else str(value),
        truncate=bool(item.get("truncate", False)),
        keep_case=bool(item.get("keep_case", False)),
        align=str(item.get("align", "right")),
        source=tuple(str(key) for key in item["source"]),
    )


def _check_layout(layout: Layout) -> Layout:
    missing = [key for key in (*REQUIRED_RECORDS, *layout.detail_records) if key not in layout.records]
    if missing or not layout.detail_records:
        raise LayoutError(f"layout {layout.name}: missing records {missing or ['detail']}")
    for record in layout.records.values():
        _check_record(layout, record)
    _check_identifiers(layout)
    _check_returns(layout)
    _check_payee(layout)
    if layout.detail_sequence not in DETAIL_SEQUENCES:
        raise LayoutError(f"layout {layout.name}: detail_sequence must be one of {sorted(DETAIL_SEQUENCES)}")
    return layout


def _check_payee(layout: Layout) -> None:
    """A layout paying to PIX keys has a code per key type; one paying to accounts has a code per account type."""
    where = f"layout {layout.name}"
    if layout.pays_to not in PAYEE_KINDS:
        raise LayoutError(f"{where}: pays_to must be one of {sorted(PAYEE_KINDS)}")
    if layout.pays_to == "pix_key" and not layout.pix_key_type_codes:
        raise LayoutError(f"{where}: a layout paying to PIX keys needs pix_key_type_codes")
    account_types = set(layout.account_type_codes)
    if layout.pays_to == "bank_account" and not (account_types and account_types <= ACCOUNT_TYPES):
        raise LayoutError(f"{where}: paying to accounts needs account_type_codes among {sorted(ACCOUNT_TYPES)}")
    excluded = layout.excluded_payee_banks.items()
    if any(not (len(code) == 3 and code.isdigit() and why.strip()) for code, why in excluded):
        raise LayoutError(f"{where}: excluded_payee_banks maps 3-digit bank codes to the reason")


def _check_returns(layout: Layout) -> None:
    """Every return code is two characters with a known status; at least one code means paid."""
    for code, spec in layout.return_codes.items():
        if len(code) != 2 or spec.status not in RETURN_STATUSES or not spec.meaning.strip():
            raise LayoutError(
                f"layout {layout.name}: return code {code!r} needs 2 characters, a meaning and a status in"
                f" {sorted(RETURN_STATUSES)}"
            )
    if not any(spec.status == "paid" for spec in layout.return_codes.values()):
        raise LayoutError(f"layout {layout.name}: the return table has no code that means paid")


def _check_identifiers(layout: Layout) -> None:
    """Records are told apart by record type (and segment letter for details) at the same positions in all."""
    for name, keys in (("record_type", tuple(layout.records)), ("segment", layout.detail_records)):
        spots = {(layout.record(key).field(name).start, layout.record(key).field(name).end) for key in keys}
        if len(spots) != 1 or any(layout.record(key).constant(name) is None for key in keys):
            raise LayoutError(f"layout {layout.name}: {name} must be a constant at the same positions in {keys}")


def _check_record(layout: Layout, record: Record) -> None:
    where = f"layout {layout.name}, record {record.key}"
    position = 1
    for field in record.fields:
        if field.start != position or field.end < field.start:
            raise LayoutError(f"{where}: field {field.name} starts at {field.start}, expected {position}")
        if field.type not in FIELD_TYPES or not field.doc.strip():
            raise LayoutError(f"{where}: field {field.name} needs a type in {sorted(FIELD_TYPES)} and a doc")
        unknown = [key for key in field.source if key not in layout.sources]
        if not field.source or unknown:
            raise LayoutError(f"{where}: field {field.name} needs a source among {sorted(layout.sources)}")
        if field.align not in ("left", "right") or (field.align == "left" and field.type != "alnum"):
            raise LayoutError(f"{where}: field {field.name}: align 'left' is for alnum fields only")
        if field.value is not None:
            _render_field(record.key, field, {})
        position = field.end + 1
    if position != layout.line_length + 1:
        raise LayoutError(f"{where}: fields end at {position - 1}, expected {layout.line_length}")
    if len({field.name for field in record.fields}) != len(record.fields) or record.constant("record_type") is None:
        raise LayoutError(f"{where}: field names must be unique and record_type a constant")
