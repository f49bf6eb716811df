"""Reading a partner's customer list (CSV) into the keys of its accounts, in memory only.

The file is UTF-8 (with or without a byte-order mark) or UTF-16 with its mark (common.csvfile.decode),
at most MAX_BYTES and MAX_ROWS rows; its first line is a header naming, in any order and any case, at least one of
`tax_id` and `domain`, and optionally `segment` (e.g. customer, prospect) and `country` (ISO 3166 alpha-2; blank:
the partner's country). Cells are separated by commas or, when the header has none, by semicolons or tabs.

Bad rows do not refuse the file: each is reported by its line, column and a code, and the other rows are mapped.
- `invalid_tax_id`: the tax id is not valid for the row's country; `invalid_domain`: not a web domain;
  `public_email_domain`: a public e-mail provider's domain (never a company's); `invalid_country`;
  `invalid_segment` (over 40 characters, or control characters). A row whose other key is good is still mapped by it.
- `no_key`: the row has neither a valid tax id nor a valid domain: it is skipped.
- `duplicate`: the row shares a key (tax id, CNPJ root or domain) with an earlier row, the same company: it is
  reported with the earlier row's line and not counted again.
The file as a whole is refused (nothing stored) when it is over the size limit (413), cannot be decoded, has no
usable header, holds more than MAX_ROWS rows, or no row with a valid key (422). Reports hold no cell's value.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from parceria.common.countries import is_country
from parceria.common.csvfile import decode, delimiter_of
from parceria.common.errors import InvalidInput, ParceriaError
from parceria.common.taxids import TaxIdError, validate_tax_id
from parceria.customers.services import DOMAIN, normalise_domain
from parceria.deals.names import is_public_email_domain
from parceria.mapping.keys import domain_key, tax_key

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 200_000
SEGMENT_MAX = 40
COLUMNS = ("tax_id", "domain", "segment", "country")
#: How many issues a mapping keeps (the count of all is kept too).
ISSUES_KEPT = 1000


class UploadTooLarge(ParceriaError):
    status = 413
    code = "too_large"


@dataclass(frozen=True)
class Account:
    """One account of the list: its line, segment and keys (in memory only; the mapping keeps their digests)."""

    line: int
    segment: str
    tax: str
    domain: str


@dataclass
class ParsedList:
    rows: int = 0
    accounts: list[Account] = field(default_factory=list)
    issues: list[dict[str, object]] = field(default_factory=list)
    issue_count: int = 0

    def report(self, line: int, column: str, code: str, first_line: int | None = None) -> None:
        self.issue_count += 1
        if len(self.issues) < ISSUES_KEPT:
            issue: dict[str, object] = {"line": line, "column": column, "code": code}
            if first_line is not None:
                issue["first_line"] = first_line
            self.issues.append(issue)


def check_size(size: int | None) -> None:
    if size is not None and size > MAX_BYTES:
        raise UploadTooLarge(_("The file has %(size)s bytes; the limit is %(limit)s MB.")
                             % {"size": f"{size:,}", "limit": MAX_BYTES // (1024 * 1024)},
                             details={"field": "file", "limit": MAX_BYTES})


def _bad_file(message: str, code: str = "invalid_csv") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": "file"})


def parse(data: bytes, *, default_country: str) -> ParsedList:
    """The accounts of a customer list, or a 413/422 error for a file that cannot be mapped at all."""
    check_size(len(data))
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
    except csv.Error as exc:
        raise _bad_file(_("The header cannot be read as CSV (%(error)s).") % {"error": exc}) from None
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown or not ({"tax_id", "domain"} & set(header)):
        raise _bad_file(_("The first line must be a header naming tax_id and/or domain, and optionally segment and "
                          "country."), "invalid_header")
    if len(set(header)) != len(header):
        raise _bad_file(_("The header names a column more than once."), "invalid_header")
    at = {name: header.index(name) for name in COLUMNS if name in header}
    parsed = ParsedList()
    seen: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not "".join(cells).strip():
                continue
            parsed.rows += 1
            if parsed.rows > MAX_ROWS:
                raise _bad_file(_("The file holds more than %(rows)s rows; split it.") % {"rows": f"{MAX_ROWS:,}"},
                                "too_many_rows")
            account = _account(parsed, line, {name: cells[i].strip() if i < len(cells) else ""
                                              for name, i in at.items()}, default_country)
            if account is None:
                continue
            first = next((seen[k] for k in (account.tax, account.domain) if k and k in seen), None)
            if first is not None:
                parsed.report(line, "", "duplicate", first)
                continue
            for key in (account.tax, account.domain):
                if key:
                    seen[key] = line
            parsed.accounts.append(account)
    except csv.Error as exc:
        raise _bad_file(_("Line %(line)s: the file cannot be read as CSV (%(error)s).")
                        % {"line": reader.line_num, "error": exc}) from None
    if not parsed.accounts:
        raise _bad_file(_("No row has a valid tax id or web domain; nothing was mapped."), "no_accounts")
    return parsed


def _account(parsed: ParsedList, line: int, cell: dict[str, str], default_country: str) -> Account | None:
    country = cell.get("country", "").upper() or default_country
    tax = domain = ""
    if not is_country(country):
        parsed.report(line, "country", "invalid_country")
    elif cell.get("tax_id"):
        try:
            tax = tax_key(country, validate_tax_id(country, cell["tax_id"]).compact)
        except TaxIdError:
            parsed.report(line, "tax_id", "invalid_tax_id")
    if cell.get("domain"):
        name = normalise_domain(cell["domain"])
        if not DOMAIN.match(name):
            parsed.report(line, "domain", "invalid_domain")
        elif is_public_email_domain(name):
            parsed.report(line, "domain", "public_email_domain")
        else:
            domain = domain_key(name)
    segment = cell.get("segment", "").lower()
    if len(segment) > SEGMENT_MAX or any(ord(c) < 32 or ord(c) == 127 for c in segment):
        parsed.report(line, "segment", "invalid_segment")
        segment = ""
    if not tax and not domain:
        parsed.report(line, "", "no_key")
        return None
    return Account(line, segment, tax, domain)
