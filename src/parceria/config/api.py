"""The REST API under /api/v1/ (SPEC §14.2): the one NinjaAPI, with the routers of the domain apps and the
error handling of parceria.api. A new app's router is added here (docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from parceria.agreements.api import router as agreements_router
from parceria.analytics.api import router as analytics_router
from parceria.api import idempotency
from parceria.api.auth import ApiKeyAuth
from parceria.api.errors import guard_api_views, install_error_handlers
from parceria.api.openapi import declare_request_rules
from parceria.api.parser import ApiParser
from parceria.commissions.api import router as ledger_router
from parceria.commissions.fx_api import router as fx_router
from parceria.commissions.intake_api import events_router
from parceria.commissions.whatif_api import router as plans_router
from parceria.customers.api import router as customers_router
from parceria.deals.analytics_api import router as deals_analytics_router
from parceria.deals.api import router as deals_router
from parceria.deals.opportunities_api import router as opportunities_router
from parceria.disputes.adjustments_api import router as adjustments_router
from parceria.disputes.api import router as disputes_router
from parceria.enablement.api import router as enablement_router
from parceria.integrations.api import router as integrations_router
from parceria.leads.api import router as leads_router
from parceria.mapping.api import router as mapping_router
from parceria.partners.api import router as partners_router
from parceria.partners.pipeline_api import router as pipeline_router
from parceria.payouts.api import router as payouts_router
from parceria.payouts.statements_api import router as statements_router
from parceria.referrals.api import router as referrals_router
from parceria.tiers.api import router as tiers_router


class ParceriaApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        return declare_request_rules(document, error)  # type: ignore[return-value]


api = ParceriaApi(
    title="Parceria API",
    version="1",
    description=(
        "Partners, customers, events and the commission ledger. Authenticate with an API key "
        "(`Authorization: Bearer <key>`); keys are scoped `platform`, `partner`, `analytics`, `finance` or `admin`. "
        'Errors are JSON: `{"error": {"code", "message", "details"}}`. Amounts are decimal strings. '
        "Every POST takes an `Idempotency-Key` header (1 to 255 printable ASCII characters): the same key and request "
        "again replay the first answer (`Idempotent-Replayed: true`); the same key with another request is a 409."
    ),
    auth=ApiKeyAuth(),
    parser=ApiParser(),
    urls_namespace="api-v1",
)
install_error_handlers(api)
idempotency.install(api)  # every POST route takes an Idempotency-Key (api/idempotency.py)
api.add_router("/partners", partners_router)
api.add_router("/partners", ledger_router)
api.add_router("/customers", customers_router)
api.add_router("/events", events_router)
api.add_router("", payouts_router)
api.add_router("", fx_router)
api.add_router("", plans_router)
api.add_router("", statements_router)
api.add_router("/disputes", disputes_router)
api.add_router("/adjustments", adjustments_router)
api.add_router("", enablement_router)
api.add_router("", pipeline_router)
api.add_router("", tiers_router)
api.add_router("/agreements", agreements_router)
api.add_router("/deal-registrations", deals_router)
api.add_router("/opportunities", opportunities_router)
api.add_router("", deals_analytics_router)
api.add_router("/referral-links", referrals_router)
api.add_router("/leads", leads_router)
api.add_router("/account-mappings", mapping_router)
api.add_router("/analytics", analytics_router)
api.add_router("/integrations", integrations_router)

_patterns, _app_name, _namespace = api.urls
urlpatterns = (guard_api_views(api, _patterns), _app_name, _namespace)
