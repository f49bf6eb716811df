"""GET /api/v1/analytics/…: the scorecard, phases, partner scorecards, forecasts and risks (Ability.ANALYTICS)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analytics"])

# The routes of each part register themselves on `router` when their module is imported (after `router` exists).
from parceria.analytics import (  # noqa: E402, F401
    api_benchmarks,
    api_casestudies,
    api_forecasts,
    api_risks,
    api_scorecard,
)
