"""The banks a partner's payout account can be at, per country: the code a bank file or transfer names the bank by
and, in Brazil, its ISPB. The one owner of these directories.

The directories are data, in ``common/data/banks.json``, each country citing where its codes come from and when they
were read:

- BR: COMPE code and ISPB from the Banco Central's list of STR participants (ParticipantesSTR.csv), every pair the
  same in a second copy of that list (BancosBrasileiros).
- MX: Banxico's institution codes, the first three digits of a CLABE.
- CO: the four-digit codes of ACH payouts, from two payment providers' documentation ([verify] against ACH Colombia).
- CL: the SBIF (now CMF) codes.
- AR: the BCRA entity codes, the first three digits of a CBU (a CVU's 000 prefix names no bank).

A bank missing from a directory cannot be chosen until it is added there from the same kind of source.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Bank:
    country: str
    code: str
    name: str
    ispb: str = ""


@dataclass(frozen=True)
class _Directory:
    code_length: int
    by_code: dict[str, Bank]
    by_name: tuple[Bank, ...]


def _sort_key(name: str) -> str:
    """A name without accents and case, so that "Itaú" sorts with "Itau" and "albo" with "Albo"."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1)
def _directories() -> dict[str, _Directory]:
    text = resources.files("parceria.common").joinpath("data", "banks.json").read_text(encoding="utf-8")
    directories = {}
    for country, entry in json.loads(text)["countries"].items():
        rows = [
            Bank(country=country, code=str(row["code"]), name=str(row["name"]), ispb=str(row.get("ispb", "")))
            for row in entry["banks"]
        ]
        directories[country] = _Directory(
            code_length=int(entry["code_length"]),
            by_code={row.code: row for row in rows},
            by_name=tuple(sorted(rows, key=lambda row: (_sort_key(row.name), row.code))),
        )
    return directories


def countries() -> list[str]:
    """The countries with a bank directory (ISO 3166 alpha-2), sorted."""
    return sorted(_directories())


def bank(country: str, code: str) -> Bank | None:
    """The bank of `country` with `code`, or None. The code may come without its leading zeros ("1" is Banco do
    Brasil's "001"), and the country in any case."""
    directory = _directories().get(str(country).strip().upper())
    if directory is None:
        return None
    compact = "".join(str(code).split())
    if not compact.isdigit():
        return None
    return directory.by_code.get(compact.zfill(directory.code_length))


def banks(country: str) -> list[Bank]:
    """The banks of `country` sorted by name (ignoring accents and case), for a form's choices; [] for a country
    without a directory."""
    directory = _directories().get(str(country).strip().upper())
    return list(directory.by_name) if directory else []
