"""Database faults raised by a view answer 503 (common/dbfaults.py), never the 500 of a bug: the API's JSON error
under /api/ (a fault the API's own handlers did not see, such as one met while releasing an Idempotency-Key), the
plain 503 page elsewhere. A fault raised by a middleware reaches Django's handler500, which answers the same
(api/errors.py, site/errors.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from parceria.api.errors import API_ROOT, database_fault_response
from parceria.common.dbfaults import database_fault, log_fault, where
from parceria.site.errors import database_fault_page


class DatabaseFaultMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        fault = database_fault(exception)
        if fault is None:
            return None
        log_fault(fault, exception, where(request))
        if request.path.startswith(API_ROOT):
            return database_fault_response(fault)
        return database_fault_page(fault)
