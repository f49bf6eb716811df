"""GET /api/v1/analytics/…: the scorecard, phases, partner scorecards, forecasts and risks (Ability.ANALYTICS)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analytics"])

# The scorecard, phases and figures routes register themselves on `router`.
from parceria.analytics import api_scorecard  # noqa: E402, F401
