"""Partner statements (SPEC §7.5): the monthly statement of a partner's ledger, as data, CSV and PDF.

* `monthly` — the data: every ledger line of the month, the balances and totals by kind per currency, the
  payouts of the month's close with their withholdings;
* `monthly_csv`, `monthly_pdf` — the statement as a CSV file and as an A4 PDF (WeasyPrint, from an HTML
  template whose labels come from the gettext catalogues, in the reader's language: pt-br, es or en);
* `formatting` — how statements write money, rates, dates and month names for their reader, the languages
  they are written in, and the parties (payer and partner) with their formatted tax ids;
* `withheld` — the taxes withheld from payouts as the statements show them; `pdf` — the PDF renderer.

The annual income statement (informe de rendimentos) is `parceria.payouts.informe`; it uses `formatting`,
`withheld` and `pdf` from here.
"""

from parceria.payouts.statements.monthly import Statement, statement_for
from parceria.payouts.statements.monthly_csv import statement_csv
from parceria.payouts.statements.monthly_pdf import statement_pdf

__all__ = ["Statement", "statement_csv", "statement_for", "statement_pdf"]
