"""Read a bank's CNAB 240 return file: which payouts were paid and which failed, and why.

The return file has the remittance's records (same layout) with the occurrence codes filled in. Each
detail record that carries our ``reference`` (segment A) gives one ReturnEntry, whose status comes from
the layout's own return table (each bank has its own codes; a code means what that bank's table says):

* ``paid``    a paid code (Itaú: 00, FC, FD), alone or with pending ones;
* ``failed``  failed codes only (a rejection or cancellation);
* ``pending`` a pending code (scheduled, accepted, informational: Itaú's BD, PD …), alone or with failed
  ones, which the bank reports as warnings on an accepted payment: not a final answer yet;
* ``review``  a code the table does not have, or paid and failed codes together: never counted as paid
  nor failed; the payout stays pending and the entry's ``note`` says why, for someone to look at.

The file is checked as it is read (line length, bank, record order, batch numbers, trailer counts and
sums); any fault raises ReturnFileError with its line number, and nothing is returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from parceria.payouts.cnab import CnabError, Field, Layout, Record, resolve_layout

ReturnStatus = Literal["paid", "failed", "pending", "review"]


class ReturnFileError(CnabError):
    """A return file that cannot be read; `line` is the 1-based line at fault."""

    code = "invalid_return_file"

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}", details={"line": line})
        self.line = line


@dataclass(frozen=True)
class ReturnEntry:
    """The bank's answer for one payment. `amount` is the effective amount when the bank reports one, else the
    amount sent; `date` the effective payment date, None when not (yet) paid; `note` why a payment is pending
    or needs review (empty when paid or failed)."""

    reference: str
    status: ReturnStatus
    codes: list[str]
    amount: Decimal
    date: dt.date | None
    note: str = ""


def parse_return(text: str | bytes, *, layout: str | Layout = "itau_sispag_pix") -> list[ReturnEntry]:
    """The entries of a return file, in file order; ReturnFileError if the file is not a valid return. `layout`
    is the one the remittance was written with: ``itau_sispag_pix`` (the default) or ``itau_sispag_ted``."""
    reader = _ReturnReader(resolve_layout(layout))
    lines = _numbered_lines(text)
    for number, line in lines:
        reader.feed(number, line)
    reader.finish(lines[-1][0])
    return reader.entries


def describe_codes(codes: Sequence[str], *, layout: str | Layout = "itau_sispag_pix") -> list[str]:
    """Each occurrence code with its meaning from the layout, e.g. "AM: Agência do favorecido inválida"."""
    spec = resolve_layout(layout)
    return [f"{code}: {_meaning(spec, code)}" for code in codes]


def _meaning(spec: Layout, code: str) -> str:
    known = spec.return_codes.get(code)
    return known.meaning if known else f"not in the {spec.name} return table"


def classify(codes: Sequence[str], *, layout: str | Layout = "itau_sispag_pix") -> tuple[ReturnStatus, str]:
    """The status of a payment whose return line has `codes`, and a note when it is pending or needs review."""
    spec = resolve_layout(layout)
    statuses = {code: spec.return_codes[code].status for code in codes if code in spec.return_codes}
    described = "; ".join(describe_codes(codes, layout=spec))
    unknown = [code for code in codes if code not in statuses]
    if unknown or not codes:
        return "review", f"unknown return code {', '.join(unknown) or '(none)'}: left pending for review ({described})"
    found = set(statuses.values())
    if {"paid", "failed"} <= found:
        return "review", f"the bank reports it both paid and rejected: left pending for review ({described})"
    if "paid" in found:
        return "paid", ""
    if "pending" in found:
        return "pending", f"not final yet: {described}"
    return "failed", ""


def _numbered_lines(text: str | bytes) -> list[tuple[int, str]]:
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    lines = [line.removesuffix("\r") for line in text.rstrip("\x1a").split("\n")]  # some banks end with ^Z
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ReturnFileError(1, "the file is empty")
    return list(enumerate(lines, start=1))


@dataclass
class _Batch:
    number: str
    records: int = 1
    amount: Decimal = Decimal(0)


@dataclass
class _ReturnReader:
    spec: Layout
    entries: list[ReturnEntry] = field(default_factory=list)
    batch: _Batch | None = None
    batches: int = 0
    records: int = 0
    state: Literal["start", "file", "done"] = "start"

    def feed(self, number: int, line: str) -> None:
        self._check_line(number, line)
        record = self._identify(number, line)
        if self.state == "start" and (record is None or record.key != "file_header"):
            raise ReturnFileError(number, "the file must start with a file header")
        self.records += 1
        if record is None or record.key in self.spec.detail_records:
            self._on_detail(number, line, record)
        elif record.key in _HANDLERS:
            _HANDLERS[record.key](self, number, line, record)
        else:
            raise ReturnFileError(number, f"unexpected record {record.key}")

    def finish(self, last_line: int) -> None:
        if self.state != "done":
            raise ReturnFileError(last_line, "the file ends without a file trailer")

    def _check_line(self, number: int, line: str) -> None:
        if len(line) != self.spec.line_length:
            raise ReturnFileError(number, f"has {len(line)} characters, expected {self.spec.line_length}")
        if self.state == "done":
            raise ReturnFileError(number, "a record after the file trailer")
        bank = self.spec.record("file_header").field("bank_code").cut(line)
        if bank != self.spec.bank_code:
            raise ReturnFileError(number, f"bank code {bank!r}, expected {self.spec.bank_code}")

    def _identify(self, number: int, line: str) -> Record | None:
        """The record `line` is; None for a detail segment that the layout ignores (e.g. Z, authentication)."""
        record = self.spec.identify(line)
        if record is not None:
            return record
        detail = self.spec.record(self.spec.detail_records[0])
        kind, segment = detail.field("record_type").cut(line), detail.field("segment").cut(line)
        if kind == detail.constant("record_type") and segment in self.spec.ignored_return_segments:
            return None
        if kind == detail.constant("record_type"):
            raise ReturnFileError(number, f"unknown detail segment {segment!r}")
        raise ReturnFileError(number, f"unknown record type {kind!r}")

    def _on_file_header(self, number: int, line: str, record: Record) -> None:
        if self.state != "start":
            raise ReturnFileError(number, "a second file header")
        self.state = "file"

    def _on_batch_header(self, number: int, line: str, record: Record) -> None:
        self._expect(number, self.state == "file" and self.batch is None, "a batch header inside a batch")
        self.batch = _Batch(number=record.field("batch_number").cut(line))
        self.batches += 1

    def _on_detail(self, number: int, line: str, record: Record | None) -> None:
        batch = self._open_batch(number, line)
        batch.records += 1
        if record is not None and any(f.name == "reference" for f in record.fields):
            entry = _entry(self.spec, number, line, record)
            batch.amount += _money(number, line, record, "amount")
            self.entries.append(entry)

    def _on_batch_trailer(self, number: int, line: str, record: Record) -> None:
        batch = self._open_batch(number, line)
        batch.records += 1
        _match(number, "batch trailer record count", _int(number, line, record, "batch_record_count"), batch.records)
        _match(number, "batch trailer amount sum", _money(number, line, record, "batch_amount"), batch.amount)
        self.batch = None

    def _on_file_trailer(self, number: int, line: str, record: Record) -> None:
        self._expect(number, self.state == "file" and self.batch is None, "a file trailer before the batch trailer")
        _match(number, "file trailer batch count", _int(number, line, record, "file_batch_count"), self.batches)
        _match(number, "file trailer record count", _int(number, line, record, "file_record_count"), self.records)
        self.state = "done"

    def _open_batch(self, number: int, line: str) -> _Batch:
        if self.batch is None:
            raise ReturnFileError(number, "a batch record outside a batch (no batch header before it)")
        found = self.spec.record("file_header").field("batch_number").cut(line)
        self._expect(number, found == self.batch.number, f"batch number {found}, expected {self.batch.number}")
        return self.batch

    @staticmethod
    def _expect(number: int, condition: bool, message: str) -> None:
        if not condition:
            raise ReturnFileError(number, message)


_HANDLERS = {
    "file_header": _ReturnReader._on_file_header,
    "batch_header": _ReturnReader._on_batch_header,
    "batch_trailer": _ReturnReader._on_batch_trailer,
    "file_trailer": _ReturnReader._on_file_trailer,
}


def _match(number: int, label: str, stated: object, counted: object) -> None:
    if stated != counted:
        raise ReturnFileError(number, f"{label} is {stated}, but the file holds {counted}")


def _entry(spec: Layout, number: int, line: str, record: Record) -> ReturnEntry:
    reference = record.field("reference").cut(line).strip()
    occurrences = record.field("occurrences").cut(line)
    codes = [code for code in (occurrences[i : i + 2].strip() for i in range(0, len(occurrences), 2)) if code]
    if not reference or not codes:
        raise ReturnFileError(number, f"payment {reference or '(no reference)'} has no occurrence code")
    effective = _money(number, line, record, "effective_amount")
    status, note = classify(codes, layout=spec)
    return ReturnEntry(
        reference=reference,
        status=status,
        codes=codes,
        amount=effective or _money(number, line, record, "amount"),
        date=_date(number, line, record, "effective_date"),
        note=note,
    )


def _int(number: int, line: str, record: Record, name: str) -> int:
    raw = record.field(name).cut(line)
    if not (raw.isascii() and raw.isdigit()):
        raise ReturnFileError(number, f"{name} {raw!r} is not a number")
    return int(raw)


def _money(number: int, line: str, record: Record, name: str) -> Decimal:
    return Decimal(_int(number, line, record, name)).scaleb(-2)


def _date(number: int, line: str, record: Record, name: str) -> dt.date | None:
    raw = record.field(name).cut(line)
    if not raw.strip(" 0"):
        return None
    try:
        return dt.datetime.strptime(raw, "%d%m%Y").date()
    except ValueError:
        raise ReturnFileError(number, f"{name} {raw!r} is not a date DDMMAAAA") from None


def write_return(
    remittance: str,
    answers: Mapping[str, str],
    *,
    paid_on: dt.date,
    layout: str | Layout = "itau_sispag_pix",
) -> str:
    """The bank's answer to one of our remittances, as the layout describes it: the same records with the file
    code of a return, each payment's occurrence codes from `answers` (by our reference, up to five 2-character
    codes run together; a payment not named gets ``00``, paid) and, for the paid ones, the effective date
    `paid_on` and the amount sent. Every position comes from the layout's fields, so the result reads back
    with parse_return. Used by the demo to replay a bank's answers, and by tests."""
    spec = resolve_layout(layout)
    lines = [line.removesuffix("\r") for line in remittance.rstrip("\r\n").split("\n")]
    header = spec.record("file_header")
    lines[0] = _put(lines[0], header.field("file_code"), "2")
    for i, line in enumerate(lines):
        record = spec.identify(line)
        if record is None or not any(f.name == "reference" for f in record.fields):
            continue
        code = answers.get(record.field("reference").cut(line).strip(), "00")
        codes = [code[i : i + 2] for i in range(0, len(code), 2)]
        unknown = [c for c in codes if c not in spec.return_codes]
        if unknown or not codes:
            raise CnabError(f"return code {code!r} is not in the {spec.name} return table")
        line = _put(line, record.field("occurrences"), code)
        if any(spec.return_codes[c].status == "paid" for c in codes):
            line = _put(line, record.field("effective_date"), paid_on.strftime("%d%m%Y"))
            line = _put(line, record.field("effective_amount"), record.field("amount").cut(line))
        lines[i] = line
    return "".join(f"{line}\r\n" for line in lines)


def _put(line: str, target: Field, text: str) -> str:
    """`line` with `target` holding `text`: occurrence codes left-aligned and blank-padded, numbers zero-padded."""
    numeric = text.isdigit() and target.name != "occurrences"
    value = text.rjust(target.width, "0") if numeric else text.ljust(target.width)
    if len(value) != target.width:
        raise CnabError(f"{target.name}: {text!r} does not fit {target.width} positions")
    return line[: target.start - 1] + value + line[target.end :]
