"""The demo's recruiting: partners listed in the public directory (the showcase partner and a dozen active partners of
every category, some with a logo drawn at load time), and applications from the "Become a partner" page in each state
— received, in review, accepted (its admin invited) and declined — all through the recruiting services. E-mails the
services send while the demo loads are dropped (nobody reads them)."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings

from parceria.accounts.models import Role
from parceria.common.audit import Actor
from parceria.common.taxids import synthetic_tax_id
from parceria.partners.models import Partner, PartnerStatus
from parceria.recruiting.services import (
    ApplicationFields,
    ListingFields,
    application_accept,
    application_decline,
    application_review,
    application_submit,
    listing_update,
)

#: How many active partners (besides the showcase partner) are listed in the directory.
LISTED = 12
#: Tax ids of the applicants: far from the demo partners' and customers' numbers.
APPLICANT_TAX_ID_BASE = 990_000
BASE_URL = "http://127.0.0.1:8000/"
DECLINED = "Ainda não atendemos o setor de saúde na Colômbia; falaremos de novo em 2027."
HEADLINES = {
    "technology_integration": ("Integração pronta com o seu CRM e e-commerce",
                               "Conectamos vendas, estoque e financeiro sem planilhas."),
    "consulting_agency": ("Implantação em 30 dias, com treinamento da equipe",
                          "Levamos pequenas e médias empresas do caderno ao ERP, com suporte local."),
    "industry_vertical": ("Especialistas no seu setor",
                          "Processos e relatórios prontos para o dia a dia do setor, do pedido ao fiscal."),
    "international": ("Distribuição e suporte em toda a América Latina",
                      "Atendemos em espanhol e português, com faturamento local."),
}


@dataclass(frozen=True)
class Applicant:
    kind: str
    name: str
    country: str
    subcategory: str
    language: str
    outcome: str  # submitted, in_review, accepted, declined


APPLICANTS = (
    Applicant("agency", "Agência Ipê Digital", "BR", "", "pt-br", "submitted"),
    Applicant("integration", "Conecta Fiscal", "BR", "accounting", "pt-br", "in_review"),
    Applicant("consultancy", "Norte Gestão Empresarial", "BR", "", "pt-br", "accepted"),
    Applicant("vertical", "Clínica Digital Andina", "CO", "healthcare", "es", "declined"),
    Applicant("accelerator", "Impulsa Aceleradora", "MX", "", "es", "submitted"),
)


@contextmanager
def _mail_dropped() -> Iterator[None]:
    before = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = before


def _logo(text: str, hue: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 96), (30 + hue % 120, 70 + hue % 90, 140 + hue % 100))
    ImageDraw.Draw(image).text((34, 38), text[:2].upper(), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def directory_listings_create(partner_ids: Sequence[int], showcase_partner_id: int | None, actor: Actor) -> int:
    """List the showcase partner and up to LISTED other active partners (every other one with a logo)."""
    active = list(Partner.objects.filter(pk__in=partner_ids, status=PartnerStatus.ACTIVE).order_by("pk"))
    chosen = [p for p in active if p.pk == showcase_partner_id] + [p for p in active
                                                                    if p.pk != showcase_partner_id][:LISTED]
    for n, partner in enumerate(chosen):
        headline, description = HEADLINES.get(partner.category, HEADLINES["consulting_agency"])
        # The partner's admin opts in, which records the partner's consent to the listing (privacy.consent): a
        # listing without it stays out of the directory.
        admin = partner.users.filter(role=Role.PARTNER_ADMIN).order_by("pk").first()
        by = Actor(label=f"user:{admin.username}", user=admin) if admin else actor
        listing_update(partner=partner, actor=by, fields=ListingFields(
            opted_in=True, headline=headline, description=description,
            website=f"https://{partner.name.lower().split()[0]}.example", regions=tuple(partner.territories[:3]),
            logo=_logo(partner.name, n * 37) if n % 2 == 0 else None))
    return len(chosen)


def applications_create(actor: Actor) -> int:
    """The applications, each taken to its outcome by the Brazil partner manager."""
    with _mail_dropped():
        for n, who in enumerate(APPLICANTS):
            slug = who.name.lower().split()[0]
            address = f"198.51.100.{n + 10}"
            application = application_submit(address=address, base_url=BASE_URL, fields=ApplicationFields(
                kind=who.kind, name=who.name, legal_name=f"{who.name} Ltda", country=who.country,
                tax_id=synthetic_tax_id(who.country, APPLICANT_TAX_ID_BASE + n), subcategory=who.subcategory,
                website=f"https://{slug}.example", contact_name="Contato Demo", language=who.language,
                contact_email=f"contato@{slug}.example", customers_served="Pequenas e médias empresas da região.",
                kind_answer="Cerca de 40 clientes ativos.", motivation="Nossos clientes pedem um sistema de gestão.",
                verticals=("varejo",), territories=("SP",) if who.country == "BR" else (), consent=True))
            if who.outcome == "in_review":
                application_review(application=application, actor=actor)
            elif who.outcome == "accepted":
                application_accept(application=application, actor=actor, base_url=BASE_URL)
            elif who.outcome == "declined":
                application_decline(application=application, actor=actor, base_url=BASE_URL, reason=DECLINED)
    return len(APPLICANTS)
