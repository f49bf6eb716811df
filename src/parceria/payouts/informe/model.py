"""The official models of the informe de rendimentos and the data that places each withholding code in them.

`data/informe.json` maps each partner tax regime to a model and each withholding code to its place in the
model, with the sources (see `parceria.payouts.informe`). The official labels are the models' own, in
Portuguese by design: they are printed as the law has them, whatever the reader's language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from parceria.partners.models import TaxRegime

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "informe.json"
REAIS = "BRL"

#: The months as the official models print them.
MESES = (
    "Janeiro", "Fevereiro", "Março", "Abril", "Maio", "Junho",
    "Julho", "Agosto", "Setembro", "Outubro", "Novembro", "Dezembro",
)  # fmt: skip

# The official model for individuals: IN RFB 2.060/2021, Anexo I (quadro, line, printed text).
PF_QUADRO_3 = (
    ("q3_01", "01", "Total dos rendimentos (inclusive férias)"),
    ("q3_02", "02", "Contribuição previdenciária oficial"),
    ("q3_03", "03", "Contribuições a entidades de previdência complementar, pública ou privada, e a fundos de "
                    "aposentadoria programada individual (Fapi) (preencher também o quadro 7)"),
    ("q3_04", "04", "Pensão alimentícia (preencher também o quadro 7)"),
    ("q3_05", "05", "Imposto sobre a renda retido na fonte"),
)  # fmt: skip
PF_QUADRO_4 = (
    ("q4_01", "01", "Parcela isenta dos proventos de aposentadoria, reserva remunerada, reforma e pensão (65 anos "
                    "ou mais), exceto a parcela isenta do 13º salário"),
    ("q4_02", "02", "Parcela isenta do 13º salário de aposentadoria, reserva remunerada, reforma e pensão (65 anos "
                    "ou mais)"),
    ("q4_03", "03", "Diárias e ajudas de custo"),
    ("q4_04", "04", "Pensão e proventos de aposentadoria ou reforma por moléstia grave; proventos de aposentadoria "
                    "ou reforma por acidente em serviço"),
    ("q4_05", "05", "Lucros e dividendos, apurados a partir de 1996, pagos por pessoa jurídica (lucro real, "
                    "presumido ou arbitrado)"),
    ("q4_06", "06", "Valores pagos ao titular ou sócio da microempresa ou empresa de pequeno porte, exceto pró-labore, "
                    "aluguéis ou serviços prestados"),
    ("q4_07", "07", "Indenizações por rescisão de contrato de trabalho, inclusive a título de PDV, e por acidente de "
                    "trabalho"),
    ("q4_08", "08", "Juros de mora recebidos, devidos pelo atraso no pagamento de remuneração por exercício de "
                    "emprego, cargo ou função"),
    ("q4_09", "09", "Outros (especificar)"),
)  # fmt: skip
PF_QUADRO_5 = (
    ("q5_01", "01", "Décimo terceiro salário"),
    ("q5_02", "02", "Imposto sobre a renda retido na fonte sobre 13º salário"),
    ("q5_03", "03", "Outros"),
)
PF_QUADRO_6 = (
    ("q6_01", "01", "Total dos rendimentos tributáveis (inclusive férias e décimo terceiro salário)"),
    ("q6_02", "02", "Exclusão: despesas com a ação judicial"),
    ("q6_03", "03", "Dedução: contribuição previdenciária oficial"),
    ("q6_04", "04", "Dedução: pensão alimentícia (preencher também o quadro 7)"),
    ("q6_05", "05", "Imposto sobre a renda retido na fonte"),
    ("q6_06", "06", "Rendimentos isentos de pensão, proventos de aposentadoria ou reforma por moléstia grave ou "
                    "aposentadoria ou reforma por acidente em serviço"),
)  # fmt: skip
PF_LINES = frozenset(key for quadro in (PF_QUADRO_3, PF_QUADRO_4, PF_QUADRO_5, PF_QUADRO_6) for key, _n, _t in quadro)
PF_TOTAL_LINE = "q3_01"  # the gross paid; every other line is fed by withholding codes
MODELS = ("pf", "pj", "other")


@dataclass(frozen=True)
class CodeInfo:
    """What the statement says about one withholding code (data/informe.json)."""

    code: str
    official: str  # Portuguese, printed in the official model
    description: str  # English msgid, shown translated in the notes
    pf_line: str | None


@dataclass(frozen=True)
class RegimeInfo:
    model: str
    natureza: str = ""
    default_code: str | None = None
    note: str = ""


@dataclass(frozen=True)
class InformeData:
    codes: dict[str, CodeInfo]
    regimes: dict[str, RegimeInfo]


def parse_informe_data(raw: dict[str, Any]) -> InformeData:
    """Read and check the data: each pf_line is a line of the model, each regime a known model."""
    codes: dict[str, CodeInfo] = {}
    for code, item in raw["codes"].items():
        line = item.get("pf_line")
        if line is not None and (line not in PF_LINES or line == PF_TOTAL_LINE):
            raise ValueError(f"informe data: code {code} has pf_line {line!r}, not a withholding line of the model")
        codes[code] = CodeInfo(code, str(item["official"]), str(item["description"]), line)
    regimes: dict[str, RegimeInfo] = {}
    for regime, item in raw["regimes"].items():
        if item["model"] not in MODELS:
            raise ValueError(f"informe data: regime {regime} has model {item['model']!r}, not one of {MODELS}")
        default = item.get("default_code")
        if default is not None and default not in codes:
            raise ValueError(f"informe data: regime {regime} has default_code {default!r}, not a known code")
        regimes[regime] = RegimeInfo(item["model"], item.get("natureza", ""), default, item.get("note", ""))
    missing = sorted(set(TaxRegime.values) - set(regimes))
    if missing:
        raise ValueError(f"informe data: no model for the tax regimes {', '.join(missing)}")
    return InformeData(codes, regimes)


@cache
def informe_data() -> InformeData:
    return parse_informe_data(json.loads(DATA_FILE.read_text(encoding="utf-8")))


def regime_info(tax_regime: str) -> RegimeInfo:
    return informe_data().regimes[tax_regime]


def official_description(code: str, fallback: str = "") -> str:
    info = informe_data().codes.get(code)
    return info.official if info else fallback


def code_description(code: str, fallback: str = "") -> str:
    """The code's description in the active language (its English msgid translated), or `fallback`."""
    info = informe_data().codes.get(code)
    return _(info.description) if info else fallback  # the msgids are data: translated in payouts/locale
