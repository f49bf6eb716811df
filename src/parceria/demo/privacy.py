"""The demo's privacy desk: data-subject requests in each state of their 15 days and a legal hold, made through the
privacy services as an administrator would (docs/privacy.md)."""

from __future__ import annotations

from datetime import date, timedelta

from parceria.accounts.models import User
from parceria.common.audit import Actor
from parceria.demo.growth import APPLICANTS
from parceria.privacy.services import NewRequest, hold_place, request_answer, request_register, request_search


def privacy_create(*, partner_ids: list[int], today: date, actor: Actor) -> int:
    """An access request a partner admin sent from the portal three days ago, searched and ready to download; a
    correction due within three days; a portability request answered; a legal hold on a partner in a lawsuit.
    Answers how many requests it made."""
    admin = User.objects.filter(username="partner.admin@demo").first()
    made = 0
    if admin is not None:
        access = request_register(new=NewRequest(kind="access", user=admin, email=admin.email, channel="portal",
                                                 received_on=today - timedelta(days=3)),
                                  actor=Actor(label=f"user:{admin.username}", user=admin))
        request_search(req=access, actor=actor)
        made += 1
    applicant = f"contato@{APPLICANTS[0].name.lower().split()[0]}.example"
    request_register(new=NewRequest(kind="correction", email=applicant,
                                    details="Pede a correção do telefone de contato da candidatura.",
                                    received_on=today - timedelta(days=13)), actor=actor)
    portability = request_register(new=NewRequest(kind="portability", email="contato@exemplo-demo.com.br",
                                                  received_on=today - timedelta(days=20)), actor=actor)
    request_search(req=portability, actor=actor)
    request_answer(req=portability, answer="Nada encontrado sobre este endereço; a pessoa foi informada.",
                   actor=actor)
    made += 2
    if len(partner_ids) > 5:
        hold_place(partner_id=partner_ids[5], subject_email="", until=None, actor=actor,
                   reason="Ação judicial em curso: manter todos os registros do parceiro.")
    return made
