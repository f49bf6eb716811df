"""The payout pages: the close wizard, batches, payouts and a partner's income statements in the console
(namespace payouts_console, under /console/); the partner's payouts and statements in the portal (namespace
payouts_portal, under /portal/)."""

from django.urls import path, register_converter

from parceria.payouts.views import console, portal


class FormatConverter:
    regex = "pdf|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class MonthConverter:
    regex = "[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):02d}"


register_converter(FormatConverter, "fmt")
register_converter(MonthConverter, "mm")


console_patterns = [
    path("close/", console.close_start, name="close"),
    path("close/<str:month>/", console.close_preview_view, name="close_preview"),
    path("batches/<int:batch_id>/", console.batch_detail, name="batch"),
    path("batches/<int:batch_id>/approve/", console.batch_approve_view, name="batch_approve"),
    path("batches/<int:batch_id>/export/", console.batch_export_view, name="batch_export"),
    path("batches/<int:batch_id>/export-all/", console.batch_export_all_view, name="batch_export_all"),
    path("batches/<int:batch_id>/exports/<int:export_id>/", console.export_download, name="export_download"),
    path("batches/<int:batch_id>/return/", console.return_import, name="return_import"),
    path("payouts/", console.payouts, name="list"),
    path("payouts/<int:payout_id>/mark/", console.payout_mark_view, name="payout_mark"),
    path("payouts/<int:payout_id>/pix-key/", console.payout_pix_key, name="payout_pix_key"),
    path("partners/<int:partner_id>/income-statements/<int:year>.pdf", console.partner_income_statement,
         {"fmt": "pdf"}, name="income_statement_pdf"),
    path("partners/<int:partner_id>/income-statements/<int:year>.csv", console.partner_income_statement,
         {"fmt": "csv"}, name="income_statement_csv"),
]

portal_patterns = [
    path("payouts/", portal.payouts, name="list"),
    path("statements/<int:year>-<mm:month>.<fmt:fmt>", portal.statement, name="statement"),
    path("income-statements/<int:year>.<fmt:fmt>", portal.income, name="income_statement"),
]
