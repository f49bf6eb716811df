"""Every action the recruiting, marketing, MDF, community, notifications and privacy apps audit has its label on the
audit pages, in each language."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from parceria.common.audit import ACTION_LABELS, action_label

APPS = ("recruiting", "marketing", "mdf", "community", "notifications", "privacy")


def test_every_action_these_apps_audit_has_a_label_in_each_language():
    root = Path(__file__).resolve().parents[1] / "src" / "parceria"
    source = "".join(p.read_text() for app in APPS for p in (root / app).rglob("*.py"))
    actions = set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', source))

    assert len(actions) > 25
    assert sorted(actions - set(ACTION_LABELS)) == []
    with translation.override("pt-br"):
        assert action_label("application.accepted") == "Candidatura de parceiro aceita"
        assert action_label("mdf.claim_decided") == "Pedido de reembolso de fundo de marketing decidido"
    with translation.override("es"):
        assert action_label("ticket.opened") == "Ticket de escalamiento abierto"
