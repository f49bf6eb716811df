"""What the upload pages share: reading the uploaded CSV file into rows (or the form's error), the row errors of a
refused file, and the downloadable template of a table's columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse

from parceria.common.csvfile import CsvLine, csv_text, read_table
from parceria.common.downloads import attachment
from parceria.common.errors import ParceriaError
from parceria.deals.forms import CsvUploadForm
from parceria.deals.uploads import RowError, UploadRefused
from parceria.web.forms import add_domain_error

#: The example row of each downloadable template.
REGISTRATION_EXAMPLE = ["Padaria São João Ltda", "BR", "11.222.333/0001-81", "padariasj.com.br", "Joana Lima",
                        "joana@padariasj.com.br", "12500.00", "BRL", "varejo", "SP", ""]
OPPORTUNITY_EXAMPLE = ["crm-0001", "Padaria São João Ltda", "BR", "11.222.333/0001-81", "padariasj.com.br", "open",
                       "Ana Souza", "48000.00", "BRL", "2027-03-31"]


@dataclass
class Upload:
    """The answer to an upload: the service's result, or the rows' errors (and the page's status)."""

    result: Any = None
    errors: list[RowError] = field(default_factory=list)
    status: int = 200


def run_upload(form: CsvUploadForm, *, columns: Sequence[str], required: Sequence[str], max_rows: int,
               action: Callable[[list[CsvLine]], Any]) -> Upload:
    """Read the form's file as a table and hand its rows to `action`; a refused file leaves its errors on the form
    (and every bad row in `errors`), nothing stored."""
    if not form.is_valid():
        too_large = any(e.code == "too_large" for e in form.errors.as_data().get("file", []))
        return Upload(status=413 if too_large else 422)
    try:
        rows = read_table(form.cleaned_data["file"].read(), columns=columns, required=required, max_rows=max_rows)
        return Upload(result=action(rows))
    except UploadRefused as exc:
        form.add_error("file", exc.message)
        return Upload(errors=exc.errors, status=422)
    except ParceriaError as exc:
        add_domain_error(form, exc, "file")
        return Upload(status=exc.status)


def template_response(columns: Sequence[str], example: Sequence[str], filename: str) -> HttpResponse:
    """A CSV file of the header and one example row: what to fill in."""
    return attachment(csv_text([example], header=columns), content_type="text/csv; charset=utf-8",
                      filename=filename)
