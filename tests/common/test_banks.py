"""Bank directories (common/banks.py, common/data/banks.json).

The directory values asserted here are those of the sources banks.json cites (the Banco Central's STR participants
for Brazil).
"""

from __future__ import annotations

import json
import unicodedata
from importlib import resources

import pytest

from parceria.common.bankaccounts import validate_cbu, validate_clabe
from parceria.common.banks import Bank, bank, banks, countries


def _data() -> dict:
    return json.loads(resources.files("parceria.common").joinpath("data", "banks.json").read_text(encoding="utf-8"))


# Directories


@pytest.mark.parametrize(("code", "name", "ispb"), [
    ("001", "Banco do Brasil", "00000000"),
    ("104", "Caixa Econômica Federal", "00360305"),
    ("237", "Bradesco", "60746948"),
    ("341", "Itaú Unibanco", "60701190"),
    ("033", "Santander", "90400888"),
    ("260", "Nubank (Nu Pagamentos)", "18236120"),
    ("070", "BRB - Banco de Brasília", "00000208"),
    ("536", "Neon", "20855875"),
    ("756", "Sicoob", "02038232"),
])
def test_brazilian_banks_with_their_ispb(code, name, ispb):
    assert bank("BR", code) == Bank(country="BR", code=code, name=name, ispb=ispb)


@pytest.mark.parametrize(("country", "code", "name"), [
    ("MX", "002", "Banamex"), ("MX", "012", "BBVA México"), ("MX", "072", "Banorte"), ("MX", "646", "STP"),
    ("MX", "638", "Nu México"),
    ("CO", "1007", "Bancolombia"), ("CO", "1051", "Davivienda"), ("CO", "1001", "Banco de Bogotá"),
    ("CO", "1507", "Nequi"),
    ("CL", "001", "Banco de Chile"), ("CL", "012", "BancoEstado"), ("CL", "037", "Banco Santander Chile"),
    ("AR", "007", "Banco Galicia"), ("AR", "011", "Banco de la Nación Argentina"), ("AR", "285", "Banco Macro"),
])
def test_banks_of_the_other_countries(country, code, name):
    found = bank(country, code)
    assert found == Bank(country=country, code=code, name=name)


def test_lookups_take_a_code_without_its_zeros_and_a_country_in_any_case():
    assert bank("br", " 1 ") == bank("BR", "001")
    assert bank("mx", "12") == bank("MX", "012")
    assert bank("BR", "999") is None
    assert bank("BR", "abc") is None
    assert bank("US", "001") is None and banks("US") == []
    assert bank("AR", "000") is None  # a CVU's prefix names no bank


def test_the_directories_agree_with_the_account_validators():
    assert bank("MX", validate_clabe("002010077777777771").bank_code) == Bank("MX", "002", "Banamex")
    assert bank("AR", validate_cbu("2850590940090418135201")[:3]) == Bank("AR", "285", "Banco Macro")


def test_codes_and_names_are_unique_per_country_and_of_the_countrys_length():
    data = _data()
    assert countries() == ["AR", "BR", "CL", "CO", "MX"]
    for country in countries():
        rows = banks(country)
        length = data["countries"][country]["code_length"]
        assert rows and all(row.country == country and len(row.code) == length and row.code.isdigit() for row in rows)
        assert len({row.code for row in rows}) == len(rows)
        assert len({row.name for row in rows}) == len(rows)
        assert all(bank(country, row.code) == row for row in rows)


def test_every_brazilian_bank_has_its_eight_digit_ispb_and_no_other_country_has_one():
    rows = banks("BR")
    assert len(rows) == 50
    assert all(len(row.ispb) == 8 and row.ispb.isdigit() for row in rows)
    assert len({row.ispb for row in rows}) == len(rows)
    assert all(row.ispb == "" for country in ("MX", "CO", "CL", "AR") for row in banks(country))


def test_choices_are_sorted_by_name_ignoring_accents_and_case():
    assert [row.name for row in banks("MX")][:6] == ["Actinver", "Afirme", "albo", "Arcus", "Banamex", "BanBajío"]
    for country in countries():
        names = [row.name for row in banks(country)]
        plain = ["".join(c for c in unicodedata.normalize("NFKD", n) if not unicodedata.combining(c)).casefold()
                 for n in names]
        assert plain == sorted(plain)


def test_every_directory_cites_its_sources():
    data = _data()
    for country, entry in data["countries"].items():
        cited = [key for key in data["sources"] if key in entry["source"]]
        assert cited, country
        for row in entry["banks"]:
            assert any(key in row.get("source", entry["source"]) for key in data["sources"]), (country, row)
    assert all("Read 2026-12-04" in text for key, text in data["sources"].items() if key != "banxico")
