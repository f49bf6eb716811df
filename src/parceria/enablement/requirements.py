"""What a certification asks for, evaluated for one partner (pure data in, a checklist out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Requirement:
    key: str  # "course", "demo", "pilot"
    met: bool
    detail: str = ""


@dataclass(frozen=True)
class Checklist:
    certification_id: int
    requirements: tuple[Requirement, ...]
    renewal: bool  # evidence counts for renewing an earlier certificate
    evidence_at: datetime | None  # when the course evidence was completed
    earned_by_id: int | None

    @property
    def met(self) -> bool:
        return all(r.met for r in self.requirements)
