"""Where the analytics app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import declare, mentions, not_personal


def register() -> None:
    declare(mentions("analytics.CaseStudyVersion", "title", "partner_label", "customers", "sections", "results"))
    for model in ("analytics.ProgramFigure", "analytics.RollupState", "analytics.BenchmarkSnapshot"):
        not_personal(model, "program figures and computed scores")
