"""`GET /api/v1/analytics/risks?on=YYYY-MM-DD`: the risk list (analytics.risks) as JSON, for staff and analytics
keys; a partner credential gets 403 (the list compares partners). Reason texts are in the request's language."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema

from parceria.analytics.access import analytics_reader
from parceria.analytics.api import router
from parceria.analytics.risks import risk_list
from parceria.api.schemas import ERRORS
from parceria.common.errors import InvalidInput

#: A day the API takes: YYYY-MM-DD, years 1900–9998 (the calendar check follows).
DAY_PATTERN = (r"^(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"
               r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")


class RiskReasonOut(Schema):
    key: str = Field(description="falling_referrals, csat_drop, no_new_customer, agreement_ending, dispute_spike or "
                                 "refund_rate (docs/analytics.md, The risk list).")
    text: str = Field(description="The reason as a sentence in the request's language.")
    weight: int = Field(description="The points it adds to the score.")
    evidence: dict[str, Any] = Field(description="The figures behind the reason (its keys depend on `key`).")
    url: str = Field(description="The console page of the evidence.")


class RiskPartnerOut(Schema):
    partner_id: int
    partner_name: str
    score: int = Field(description="The sum of the reasons' weights, at most 100.")
    reasons: list[RiskReasonOut]


class RiskListOut(Schema):
    on: date
    partners: list[RiskPartnerOut] = Field(description="Highest score first.")


class RiskParams(Schema):
    on: str | None = Field(None, json_schema_extra={"pattern": DAY_PATTERN},
                           description="The day the list is for, YYYY-MM-DD (default: today).")


def day_of(text: str) -> date:
    try:
        if re.fullmatch(DAY_PATTERN, text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput(f"on must be a day as YYYY-MM-DD, got {text!r}", code="invalid_date", details={"field": "on"})


@router.get("/risks", response={200: RiskListOut, **ERRORS}, summary="Partners at risk, with their reasons")
def risks(request: HttpRequest, params: Query[RiskParams]) -> Any:
    analytics_reader(request)
    on = day_of(params.on) if params.on is not None else timezone.localdate()
    return {"on": on, "partners": [
        {"partner_id": r.partner_id, "partner_name": r.partner_name, "score": r.score,
         "reasons": [{"key": x.key, "text": x.text, "weight": x.weight, "evidence": x.evidence, "url": x.url}
                     for x in r.reasons]} for r in risk_list(on)]}
