"""Rates, tax ids, phone numbers and countries as people read them (common/formatting.py and its template tags)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from stdnum.br import cnpj, cpf

from parceria.common.formatting import country_name, format_percent, format_phone, format_tax_id

LANGUAGES = ["en", "pt-br", "es"]
rates = st.decimals(min_value=0, max_value=1, places=6, allow_nan=False, allow_infinity=False)


def parse_percent(text: str, language: str) -> Decimal:
    number = text.removesuffix("%").strip()
    if language != "en":
        number = number.replace(".", "").replace(",", ".")
    return Decimal(number.replace(",", ""))


@given(rate=rates, language=st.sampled_from(LANGUAGES))
def test_a_percentage_reads_back_as_the_rate_times_100(rate, language):
    text = format_percent(rate, language=language)
    assert parse_percent(text, language) == rate * 100  # exact: a 6-place rate needs at most 4 places
    assert text.endswith("%") and (text.endswith(" %") == (language != "en"))


@pytest.mark.parametrize(("rate", "language", "text"), [
    ("0.25", "en", "25%"), ("0.250000", "pt-br", "25 %"), ("0.25", "es", "25 %"), ("0.025", "pt-br", "2,5 %"),
    ("0.015", "en", "1.5%"), ("0.123456", "es", "12,3456 %"), ("0", "en", "0%"), ("1", "pt-br", "100 %"),
])
def test_percentages(rate, language, text):
    assert format_percent(Decimal(rate), language=language) == text


@given(root=st.integers(min_value=1, max_value=99_999_999), branch=st.integers(min_value=1, max_value=9999))
def test_a_cnpj_is_written_with_its_dots_slash_and_hyphen(root, branch):
    base = f"{root:08d}{branch:04d}"
    number = base + cnpj.calc_check_digits(base)
    text = format_tax_id(number, "BR")
    assert re.fullmatch(r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}", text)
    assert re.sub(r"\D", "", text) == number
    assert format_tax_id(text, "BR") == text  # formatting a formatted id changes nothing


@given(base=st.integers(min_value=1, max_value=999_999_998))
def test_a_cpf_is_written_with_its_dots_and_hyphen(base):
    digits = f"{base:09d}"
    number = digits + cpf._calc_check_digits(digits)
    if not cpf.is_valid(number):  # a number of one repeated digit is not a CPF
        assert format_tax_id(number, "BR") == number
        return
    text = format_tax_id(number, "BR")
    assert re.fullmatch(r"\d{3}\.\d{3}\.\d{3}-\d{2}", text) and re.sub(r"\D", "", text) == number


@given(text=st.text(max_size=30))
def test_anything_that_is_not_a_valid_tax_id_is_shown_as_stored(text):
    result = format_tax_id(text, "BR")
    assert result == text.strip() or re.sub(r"\D", "", result) == re.sub(r"\D", "", text)


@pytest.mark.parametrize(("value", "country", "text"), [
    ("12345678000195", "BR", "12.345.678/0001-95"), ("12345678909", "BR", "123.456.789-09"),
    ("20267565393", "AR", "20-26756539-3"), ("125319092", "CL", "12.531.909-2"), ("8600007957", "CO", "860.000.795-7"),
    ("12345678000190", "BR", "12345678000190"),  # wrong check digits: as stored
])
def test_tax_ids(value, country, text):
    assert format_tax_id(value, country) == text


@given(area=st.integers(min_value=11, max_value=99), number=st.integers(min_value=0, max_value=99_999_999))
def test_a_brazilian_mobile_number_is_written_with_its_area_code_and_hyphen(area, number):
    e164 = f"+55{area}9{number:08d}"
    text = format_phone(e164)
    assert text == f"+55 ({area}) 9{number:08d}"[:-4] + "-" + f"{number:08d}"[-4:]
    assert "+" + re.sub(r"\D", "", text) == e164


@pytest.mark.parametrize(("value", "text"), [
    ("+5511912345678", "+55 (11) 91234-5678"), ("+551133334444", "+55 (11) 3333-4444"),
    ("+14155550100", "+14155550100"), ("ana@example.com", "ana@example.com"), ("", ""),
])
def test_phones(value, text):
    assert format_phone(value) == text


@pytest.mark.parametrize(("language", "brazil", "mexico"), [
    ("en", "Brazil", "Mexico"), ("pt-br", "Brasil", "México"), ("es", "Brasil", "México"),
])
def test_countries_in_the_readers_language(language, brazil, mexico):
    with translation.override(language):
        assert (country_name("BR"), country_name("mx"), country_name("ZZ"), country_name("")) == (
            brazil, mexico, "ZZ", "")


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "25% · 12.345.678/0001-95 · +55 (11) 91234-5678 · Brazil"),
    ("pt-br", "25 % · 12.345.678/0001-95 · +55 (11) 91234-5678 · Brasil"),
    ("es", "25 % · 12.345.678/0001-95 · +55 (11) 91234-5678 · Brasil"),
])
def test_the_template_tags(language, expected):
    template = Template("{% load parceria %}{% percent rate %} · {{ tax|tax_id:'BR' }} · {{ tel|phone }} · "
                        "{{ code|country }}")
    with translation.override(language):
        html = template.render(Context({"rate": Decimal("0.250000"), "tax": "12345678000195",
                                        "tel": "+5511912345678", "code": "BR"}))
    assert html == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "At November 2026"), ("pt-br", "At novembro de 2026"), ("es", "At noviembre de 2026"),
])
def test_a_month_inside_a_sentence(language, expected):
    from datetime import date

    template = Template('{% load parceria %}At {{ month|date:"YEAR_MONTH_FORMAT"|mid_sentence }}')
    with translation.override(language):
        assert template.render(Context({"month": date(2026, 11, 1)})) == expected
