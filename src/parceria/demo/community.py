"""The demo's community: a few announcements (one for every partner, one for strategic partners, one pinned), the
showcase partner's users' answers to the partner survey of the last quarter, the meetings held with the first
partners that have a tier, and two escalation tickets (one answered and resolved, one still open). All through the
community services."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from parceria.accounts.models import User
from parceria.common.audit import Actor
from parceria.community.rules import quarter_months, quarter_of
from parceria.community.services import (
    announcement_create,
    meeting_record,
    nps_answer,
    ticket_comment,
    ticket_open,
    ticket_transition,
)
from parceria.partners.models import Partner, PartnerStatus

_ANNOUNCEMENTS = [
    ("Novo programa de certificação", "Lançamos a trilha **Integração avançada**.\n\nInscreva-se na área de "
     "treinamento até o fim do mês.", [], True),
    ("Fechamento mensal: nova data", "A partir do próximo mês o fechamento acontece no *terceiro dia útil*.", [],
     False),
    ("QBR dos parceiros estratégicos", "Agende a sua revisão trimestral com o seu gerente de parceria.",
     ["strategic"], False),
]


def community_create(*, partner_ids: Sequence[int], showcase_partner_id: int | None, now: datetime,
                     actor: Actor) -> int:
    """Create the community's demo rows; returns how many were created."""
    created = 0
    for days, (title, body, tiers, pinned) in enumerate(_ANNOUNCEMENTS):
        announcement_create(actor=actor, title=title, body=body, tiers=tiers, pinned=pinned, language="pt-br",
                            publish_at=now - timedelta(days=3 + 9 * days))
        created += 1
    if showcase_partner_id is not None:
        partner = Partner.objects.get(pk=showcase_partner_id)
        last_quarter = quarter_of(quarter_months(quarter_of(now.date()))[0] - timedelta(days=1))
        answered = quarter_months(last_quarter)[2].replace(day=10)
        moment = datetime.combine(answered, datetime.min.time(), tzinfo=now.tzinfo) + timedelta(hours=14)
        scores = [(9, "Ótimo suporte do gerente de parceria."), (6, "Os pagamentos poderiam ser mais rápidos.")]
        for user, (score, comment) in zip(User.objects.filter(partner=partner).order_by("pk"), scores, strict=False):
            nps_answer(actor=Actor(label=f"user:{user.username}", user=user), partner=partner, user=user,
                       score=score, comment=comment, now=moment)
            created += 1
        first = ticket_open(actor=actor, partner=partner, type="technical", severity="high",
                            subject="Webhook de faturas sem entrega", description="Desde ontem não recebemos eventos.",
                            now=now - timedelta(days=6))
        ticket_comment(actor=actor, ticket=first, body="Encontramos a causa; a correção sai hoje.", by_staff=True,
                       now=now - timedelta(days=6) + timedelta(hours=3))
        ticket_transition(actor=actor, ticket=first, status="resolved", now=now - timedelta(days=5))
        ticket_open(actor=actor, partner=partner, type="business", severity="medium",
                    subject="Revisão da comissão de um cliente", description="O cliente mudou de plano no meio do mês.",
                    now=now - timedelta(hours=30))
        created += 2
    partners = Partner.objects.filter(pk__in=partner_ids, status=PartnerStatus.ACTIVE,
                                      tier__isnull=False).order_by("pk")[:6]
    for n, partner in enumerate(partners):
        meeting_record(actor=actor, partner=partner, held_on=now.date() - timedelta(days=20 + 17 * n), kind="qbr",
                       attendees="Gerente de parceria; diretoria do parceiro", notes="Resultados do trimestre.",
                       next_steps="Plano conjunto para o próximo trimestre.", private_notes="Risco de renovação baixo.")
        created += 1
    return created
