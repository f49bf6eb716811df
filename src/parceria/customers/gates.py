"""The lifecycle gate that reads customers (registered in CustomersConfig.ready): a partner leaves the pilot stage
only with enough pilot customers that have paid an invoice."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parceria.customers.selectors import pilot_customers_with_revenue
from parceria.partners.lifecycle import GateResult, Ticks
from parceria.partners.lifecycle_data import PILOT_CUSTOMERS_REQUIRED, Gate
from parceria.partners.models import Partner


def gate_pilot_customers(partner: Partner, stage: str, ticks: Ticks) -> GateResult:
    count = pilot_customers_with_revenue(partner)
    values = {"count": count, "required": PILOT_CUSTOMERS_REQUIRED}
    if count >= PILOT_CUSTOMERS_REQUIRED:
        return GateResult(Gate.PILOT_CUSTOMERS, True,
                          _("%(count)s pilot customers have paid an invoice (%(required)s needed).") % values)
    return GateResult(Gate.PILOT_CUSTOMERS, False,
                      _("Only %(count)s pilot customers have paid an invoice; %(required)s are needed.") % values)
