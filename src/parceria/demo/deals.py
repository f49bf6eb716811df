"""The demo's deal registrations: partners register a share of the customers they bring 20–80 days before the
customer signs up, and the sign-up converts the registration (so the registration→customer link, the sales cycle
and the lead conversion have a history). Around them, the conflicts a real program sees: a second partner
registering a company another partner already registered or already has as a customer (rejected by the conflict
check), names alike an existing customer left in review and decided by staff some days later, and prospects
approved that never convert (their `expires_on` passes). Every step runs through the deal services at its
historical moment (DemoClock), so `created_at`, `decided_at` and `converted_at` carry their dates.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from parceria.accounts.models import User
from parceria.common.audit import Actor
from parceria.customers.models import Customer
from parceria.customers.services import customer_create
from parceria.deals.models import DealRegistration, DealStatus
from parceria.deals.services import DealFields, deal_convert, deal_decide, deal_register
from parceria.demo.clock import DemoClock
from parceria.demo.customers import CustomerSpec
from parceria.demo.logins import BRAZIL_MANAGER
from parceria.demo.timeline import DemoCalendar
from parceria.partners.models import Partner, PartnerStatus

#: Share of the partner customers (signed up inside the window) registered as a deal before they sign up.
DEAL_SHARE = 0.15
#: Days between a registration and the customer's sign-up (within the 90 days a registration holds).
LEAD_DAYS = (20, 80)
#: Estimated yearly value of a registered deal, by currency (whole units).
VALUE_RANGE = {"BRL": (6_000, 90_000), "MXN": (20_000, 300_000), "ARS": (1_500_000, 20_000_000),
               "COP": (5_000_000, 80_000_000), "CLP": (1_500_000, 25_000_000), "USD": (1_200, 18_000)}
CONTACTS = ("Ana Souza", "Bruno Lima", "Carla Méndez", "Diego Rojas", "Fernanda Castro", "Javier Gómez",
            "Luísa Andrade", "María Torres", "Paulo Ribeiro", "Sofía Herrera")
#: Prospects registered that never become customers (their registration expires).
PROSPECTS = (("Metalúrgica Serra Dourada", "serradourada-metal.com.br"),
             ("Grupo Horizonte Austral", "horizonteaustral.com"),
             ("Cooperativa Vale do Ipê", "valedoipe-coop.com.br"),
             ("Transportes Rio Claro Norte", "rioclaronorte.com.br"),
             ("Editora Pau-Brasil Digital", "paubrasildigital.com.br"),
             ("Laboratório Cerrado Vivo", "cerradovivo-lab.com.br"))


def _staff() -> Actor:
    """The Brazil partner manager, who decides the registrations in review."""
    manager = User.objects.get(username=BRAZIL_MANAGER)
    return Actor(label=f"user:{manager.username}", user=manager)


def deal_customers(specs: Sequence[CustomerSpec], rng: random.Random) -> set[int]:
    """Indexes of the partner customers whose sign-up a registration precedes (signed up after the window's
    first month, so the registration falls inside the history)."""
    return {s.index for s in specs if s.partner is not None and s.start_month >= 1 and rng.random() < DEAL_SHARE}


def _partner_actor(partner_id: int) -> Actor:
    return Actor(label=f"partner:{partner_id}")


def _fields(name: str, country: str, currency: str, domain: str, tax_id: str, rng: random.Random) -> DealFields:
    low, high = VALUE_RANGE.get(currency, VALUE_RANGE["USD"])
    contact = rng.choice(CONTACTS)
    return DealFields(company_name=name, country=country, tax_id=tax_id, domain=domain, contact_name=contact,
                      contact_email=f"{contact.split()[0].lower().encode('ascii', 'ignore').decode()}@{domain}",
                      estimated_value=Decimal(rng.randrange(low, high, 100)), currency=currency)


def _active(partner_id: int) -> bool:
    return Partner.objects.filter(pk=partner_id).exclude(status=PartnerStatus.TERMINATED).exists()


def deal_customers_create(specs: Sequence[CustomerSpec], calendar: DemoCalendar, partner_ids: Sequence[int],
                          clock: DemoClock, rng: random.Random, *, actor: Actor) -> int:
    """For each spec: its partner registers the company 20–80 days before the sign-up (staff approve it some days
    later when the check sent it to review), then the customer is created at its sign-up and the registration
    converted into it. Answers the registrations converted."""
    converted = 0
    for spec in specs:
        fields = spec.create_fields(calendar, partner_ids)
        signed_up = calendar.day(spec.start_month, spec.start_day)
        partner_id = partner_ids[spec.partner] if spec.partner is not None else None
        registration = None
        if partner_id is not None and _active(partner_id):
            day = signed_up - timedelta(days=rng.randint(*LEAD_DAYS))
            with clock.at(clock.office(day, rng.randint(9, 17), rng.randint(0, 59))):
                registration = deal_register(partner=Partner.objects.get(pk=partner_id), actor=_partner_actor(
                    partner_id), fields=_fields(spec.name, spec.country, spec.currency, spec.domain,
                                                fields.tax_id or "", rng))
            if registration.status == DealStatus.IN_REVIEW:
                with clock.at(clock.office(day + timedelta(days=rng.randint(1, 4)), 11)):
                    registration = deal_decide(registration=registration, approve=True, actor=_staff(),
                                               reason="Empresa diferente do cadastro parecido; aprovado.")
        with clock.at(clock.office(signed_up, 10)):
            customer, _created = customer_create(fields=fields, actor=actor)
            if registration is not None:
                registration.refresh_from_db()
                if registration.status == DealStatus.APPROVED:
                    deal_convert(registration=registration, customer=customer, actor=_staff())
                    registration.refresh_from_db()
                converted += registration.status == DealStatus.CONVERTED
    return converted


def _other_partner(partner_id: int | None, partner_ids: Sequence[int], rng: random.Random) -> int | None:
    candidates = [pk for pk in partner_ids if pk != partner_id and _active(pk)]
    return rng.choice(candidates) if candidates else None


def conflicts_register(month: int, calendar: DemoCalendar, partner_ids: Sequence[int], clock: DemoClock,
                       rng: random.Random) -> None:
    """Month `month`'s contested registrations: a second partner registers a company another partner already has
    as a customer and one another partner registered (both rejected), and one a name alike a customer (in review,
    decided by staff some days later)."""
    day = calendar.day(month, 12)
    customer = Customer.objects.exclude(partner=None).exclude(domain="").order_by("-pk").first()
    registered = DealRegistration.objects.filter(status=DealStatus.APPROVED).order_by("-created_at", "-pk").first()
    for offset, (name, country, domain, tax_id, owner) in enumerate(
            [(c.name, c.country, c.domain, c.tax_id, c.partner_id) for c in [customer] if c is not None]
            + [(r.company_name, r.country, r.domain, r.tax_id, r.partner_id) for r in [registered] if r is not None]):
        other = _other_partner(owner, partner_ids, rng)
        if other is None:
            continue
        currency = Partner.objects.get(pk=other).currency
        with clock.at(clock.office(day + timedelta(days=offset), 15, 30)):
            deal_register(partner=Partner.objects.get(pk=other), actor=_partner_actor(other),
                          fields=_fields(name, country, currency, domain, tax_id, rng))
    if customer is None:
        return
    other = _other_partner(customer.partner_id, partner_ids, rng)
    if other is None:
        return
    slug = customer.domain.split(".")[0]
    with clock.at(clock.office(day + timedelta(days=3), 10, 15)):
        alike = deal_register(partner=Partner.objects.get(pk=other), actor=_partner_actor(other), fields=_fields(
            f"{customer.name} Ltda.", customer.country, Partner.objects.get(pk=other).currency,
            f"{slug}-filial.com", "", rng))
    if alike.status == DealStatus.IN_REVIEW:
        approve = rng.random() < 0.4
        with clock.at(clock.office(day + timedelta(days=3 + rng.randint(2, 6)), 14, 45)):
            deal_decide(registration=alike, approve=approve, actor=_staff(), reason=(
                "Outra unidade, com CNPJ próprio; aprovado." if approve
                else "Mesmo grupo de um cliente já atendido; registro recusado."))


def prospects_register(month: int, calendar: DemoCalendar, partner_ids: Sequence[int], clock: DemoClock,
                       rng: random.Random) -> None:
    """One prospect registered in `month` that never becomes a customer: approved, it expires by its date."""
    name, domain = PROSPECTS[month % len(PROSPECTS)]
    partner_id = _other_partner(None, [pk for pk in partner_ids
                                       if Partner.objects.filter(pk=pk, country="BR").exists()], rng)
    if partner_id is None:
        return
    with clock.at(clock.office(calendar.day(month, 5), 16, 20)):
        deal_register(partner=Partner.objects.get(pk=partner_id), actor=_partner_actor(partner_id),
                      fields=_fields(name, "BR", "BRL", domain, "", rng))
