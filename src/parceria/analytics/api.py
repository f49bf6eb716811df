"""GET /api/v1/analytics/…: the scorecard, phases, partner scorecards, forecasts and risks (Ability.ANALYTICS)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analytics"])

# Case studies (routes registered on `router` by their module)
from parceria.analytics import api_casestudies  # noqa: E402, F401
