"""The annual income statement (informe de rendimentos, SPEC §7.5) of one partner for one calendar year,
as data, CSV and PDF, in the official model of the partner's tax regime.

**What counts: paid payouts, in the month of their payment date (regime de caixa).** A payout's month and
year for tax are those of `Payout.payment_date` (`withholding.payment_month`): the day of the close that
made it, when its gross is paid or credited to the partner. That is the taxable event: the tax is withheld
"por ocasião de cada pagamento ou crédito" (Lei 7.713/1988 art. 7 §1; for companies, on the amounts "pagas
ou creditadas", RIR/2018 art. 718). The withholding sums and taxes the payments of that same month, so the
statement reports each payout's income and tax in the month the tax was computed for, whenever the bank
confirmed the transfer: a payout dated 5 December and marked paid on 2 January counts in December.
(December's own close runs in January, so its payouts are dated, taxed and counted in the next year.)

Only a payout whose latest status is paid counts. A pending payout has not been paid yet; a failed payout
was never paid (its gross went back on the balance, and the later close that pays it again makes a new
payout, with its own payment date). The notes list every payout dated in the year that is not counted,
and the payouts of the year's closes dated in another year, with the reason.

**Which model.** `data/informe.json` maps each partner tax regime to a model and each withholding code to
its place in the model, with the sources:

- ``pf`` (individuals): the Comprovante de Rendimentos Pagos e de Imposto sobre a Renda Retido na Fonte of
  IN RFB 2.060/2021, Anexo I: quadros 1 to 8. Quadro 3 line 01 is the gross paid in reais; the other lines
  take the withholdings whose code the data maps to them (``inss`` → 02 contribuição previdenciária
  oficial, ``0588`` → 05 IRRF). A code the data does not place is listed in quadro 7.
- ``pj`` and ``pj_simples`` (companies): the Comprovante Anual de Rendimentos Pagos ou Creditados e de
  Retenção de Imposto de Renda na Fonte - Pessoa Jurídica (IN SRF 119/2000): per month of payment, each
  retention code with the gross income and the tax withheld.
- ``foreign``: no Brazilian model applies; a plain annual statement in the reader's language.

The official labels are the model's, in Portuguese; the notes around them follow the reader's language
(pt-br, es or en). Brazilian models show amounts in reais: payouts in another currency are listed in the
complementary information, not added to the figures in reais.
"""

from parceria.payouts.informe.income_csv import income_statement_csv
from parceria.payouts.informe.income_pdf import income_statement_pdf
from parceria.payouts.informe.statement import IncomeStatement, income_statement, paid_years
from parceria.payouts.statements.formatting import check_language, reader_language

__all__ = [
    "IncomeStatement",
    "check_language",
    "income_statement",
    "income_statement_csv",
    "income_statement_pdf",
    "paid_years",
    "reader_language",
]
