"""GET /api/v1/analytics/…: the scorecard, phases, partner scorecards, forecasts and risks (Ability.ANALYTICS)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analytics"])

# --- forecasts (analytics.api_forecasts registers its routes on `router`) ---
from parceria.analytics import api_forecasts  # noqa: E402, F401
