"""GET /api/v1/analytics/…: the scorecard, phases, partner scorecards, forecasts and risks (Ability.ANALYTICS)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analytics"])
