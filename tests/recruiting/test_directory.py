"""The public directory lists only active partners that opted in, preferred placement first (the integration partner
definition grants `directory_placement`), then by tier and name, with search and filters, in a fixed number of
queries; a partner's page takes a message that becomes a lead offered to that partner; the listing is edited by the
partner's admin (a logo checked by its content)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from parceria.accounts.services import user_create
from parceria.common.audit import Actor
from parceria.enablement.models import Certification, Course, PartnerCertification
from parceria.leads.models import Lead, LeadOffer
from parceria.partners.services import PartnerChanges, partner_update
from parceria.recruiting.models import DirectoryContact, DirectoryListing
from parceria.recruiting.services import ListingFields, listing_update
from tests.factories import ACTOR, PASSWORD, make_integration_partner, make_partner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def commits(monkeypatch):
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


def png(size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (30, 90, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def admin_of(partner) -> Actor:
    """An admin of the partner: opting in records the partner's consent to the listing (privacy.consent), which only
    a person of the partner can give."""
    user = partner.users.filter(role="partner_admin").first() or user_create(
        username=f"admin-{partner.pk}@example.com", password=None, role="partner_admin",
        email=f"admin-{partner.pk}@example.com", partner=partner, actor=ACTOR)
    return Actor(label=f"user:{user.username}", user=user)


def listed(partner, text: str = "Implantamos o ERP em lojas.", **extra) -> DirectoryListing:
    return listing_update(partner=partner, fields=ListingFields(opted_in=True, description=text, **extra),
                          actor=admin_of(partner))


def names(response) -> list[str]:
    return [e.partner.name for e in response.context["page"].object_list]


def test_only_active_partners_that_opted_in_are_listed_preferred_first_then_by_tier():
    alfa = make_partner(name="Alfa Digital", tier="certified")
    bravo = make_partner(name="Bravo Consultoria", tier="strategic")
    crm = make_integration_partner(name="Zeta CRM")
    plain = make_partner(name="Delta Agência")
    hidden = make_partner(name="Eco Opt-out", tier="strategic")
    prospect = make_partner(name="Foxtrot Prospect", status="prospect")
    suspended = make_partner(name="Golf Suspenso", tier="preferred")
    for p in (alfa, bravo, crm, plain, prospect, suspended):
        listed(p)
    listing_update(partner=hidden, fields=ListingFields(opted_in=False, description="x"), actor=ACTOR)
    partner_update(partner=suspended, changes=PartnerChanges(status="suspended"), actor=ACTOR)

    page = Client().get(reverse("recruiting:directory"))

    assert page.status_code == 200
    assert names(page) == ["Zeta CRM", "Bravo Consultoria", "Alfa Digital", "Delta Agência"]
    assert [e.preferred for e in page.context["page"].object_list] == [True, False, False, False]
    for p in (hidden, prospect, suspended):
        slug = DirectoryListing.objects.get(partner=p).slug
        assert Client().get(reverse("recruiting:directory_detail", args=[slug])).status_code == 404
        assert p.name not in page.content.decode()


def test_search_and_filters():
    listed(make_partner(name="Saúde Mais", category="industry_vertical", subcategory="healthcare",
                        verticals=["saúde"], country="BR"), text="Clínicas e hospitais.")
    listed(make_partner(name="Moda Viva", category="industry_vertical", subcategory="fashion_beauty",
                        verticals=["moda"], country="MX", tier="preferred"), text="Tiendas de ropa.")
    client = Client()

    assert names(client.get(reverse("recruiting:directory"), {"q": "saude clinicas"})) == ["Saúde Mais"]
    assert names(client.get(reverse("recruiting:directory"), {"vertical": "moda"})) == ["Moda Viva"]
    assert names(client.get(reverse("recruiting:directory"), {"country": "BR"})) == ["Saúde Mais"]
    assert names(client.get(reverse("recruiting:directory"), {"tier": "preferred"})) == ["Moda Viva"]
    assert names(client.get(reverse("recruiting:directory"), {"q": "nada disso"})) == []


def test_the_directory_reads_in_a_fixed_number_of_queries_and_shows_certifications():
    course = Course.objects.create(code="core-x", title="Core", hours=2)
    cert = Certification.objects.create(code="advanced-x", name="Produto avançado", course=course)
    client = Client()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("recruiting:directory")).status_code == 200
        return len(captured)

    def certified() -> None:
        p = make_partner(tier="preferred")
        listed(p)
        PartnerCertification.objects.create(partner=p, certification=cert, issued_at=timezone.now(),
                                            expires_at=timezone.now() + timedelta(days=30), basis="requirements")

    certified()
    one = queries()
    for _n in range(6):
        certified()
    many = queries()

    assert one == many == 5
    assert client.get(reverse("recruiting:directory")).content.decode().count("Produto avançado") == 7


def test_a_message_becomes_a_lead_offered_to_the_partner_and_its_admins_are_told():
    partner = make_partner(name="Alfa Digital")
    user_create(username="admin@alfa.example", email="admin@alfa.example", password=PASSWORD,
                role="partner_admin", partner=partner, actor=ACTOR)
    slug = listed(partner).slug
    form = {"contact_name": "Rita Alves", "contact_email": "rita@bompreco.com.br", "contact_phone": "11 5555-0000",
            "company_name": "Mercado Bom Preço", "country": "BR", "tax_id": "", "website": "www.bompreco.com.br",
            "message": "Queremos implantar em 3 lojas.", "company_fax": ""}

    answer = Client().post(reverse("recruiting:directory_detail", args=[slug]), form, REMOTE_ADDR="203.0.113.5")

    lead = Lead.objects.get()
    offer = LeadOffer.objects.get()
    contact = DirectoryContact.objects.get()
    assert answer.status_code == 200 and "will contact you soon" in answer.content.decode()
    assert (lead.company_name, lead.domain, lead.contact_email, lead.status, lead.estimated_value) == (
        "Mercado Bom Preço", "bompreco.com.br", "rita@bompreco.com.br", "offered", 0)
    assert "Queremos implantar em 3 lojas." in lead.notes and "11 5555-0000" in lead.notes
    assert (offer.partner, offer.status) == (partner, "pending")
    assert (contact.partner, contact.lead, contact.offered) == (partner, lead, True)
    assert [m.to for m in mail.outbox] == [["admin@alfa.example"]]


def test_robots_floods_and_bad_messages_store_nothing(settings):
    settings.PARCERIA = {**settings.PARCERIA, "DIRECTORY_CONTACTS_PER_HOUR": 1}
    slug = listed(make_partner()).slug
    url = reverse("recruiting:directory_detail", args=[slug])
    form = {"contact_name": "Rita", "contact_email": "rita@bompreco.com.br", "company_name": "Bom Preço",
            "country": "BR", "website": "bompreco.com.br", "message": "Olá", "company_fax": ""}
    client = Client()

    robot = client.post(url, {**form, "company_fax": "x"}, REMOTE_ADDR="203.0.113.5")
    no_identity = client.post(url, {**form, "website": ""}, REMOTE_ADDR="203.0.113.5")
    assert (robot.status_code, no_identity.status_code) == (200, 422)
    assert Lead.objects.count() == 0 and DirectoryContact.objects.count() == 0

    assert client.post(url, form, REMOTE_ADDR="203.0.113.5").status_code == 200
    flood = client.post(url, {**form, "company_name": "Outro"}, REMOTE_ADDR="203.0.113.5")
    assert flood.status_code == 429
    assert Lead.objects.count() == 1 and DirectoryContact.objects.count() == 1


def portal(partner, role: str) -> Client:
    user = user_create(username=f"{role}@p{partner.pk}.example", email=f"{role}@p{partner.pk}.example",
                       password=PASSWORD, role=role, partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    return client


def test_the_partner_admin_edits_the_listing_with_a_logo_checked_by_its_content():
    partner = make_partner(name="Alfa Digital")
    admin, member = portal(partner, "partner_admin"), portal(partner, "partner_member")
    url = reverse("recruiting_portal:directory_profile")
    data = {"opted_in": "on", "headline": "ERP para o varejo", "description": "Implantação em 30 dias.",
            "website": "alfa.example", "regions": "SP, RJ"}

    refused = member.post(url, data)
    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "logo.png"
    bad = admin.post(url, {**data, "logo": fake})
    assert refused.status_code == 403 and bad.status_code == 422
    assert "must be a PNG, JPEG or WebP image" in bad.content.decode()
    assert not DirectoryListing.objects.exists()

    image = io.BytesIO(png())
    image.name = "logo.pdf"
    saved = admin.post(url, {**data, "logo": image})

    listing = DirectoryListing.objects.get()
    assert saved.status_code == 302
    assert (listing.opted_in, listing.headline, listing.website, listing.regions, listing.logo_type) == (
        True, "ERP para o varejo", "https://alfa.example", ["SP", "RJ"], "image/png")
    logo = Client().get(reverse("recruiting:directory_logo", args=[listing.slug]))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content) == png()


def test_a_logo_over_the_limit_is_refused(settings):
    settings.PARCERIA = {**settings.PARCERIA, "DIRECTORY_LOGO_MAX_BYTES": 100}
    partner = make_partner()

    with pytest.raises(Exception, match="larger than"):
        listing_update(partner=partner, fields=ListingFields(opted_in=True, description="x", logo=png(64)),
                       actor=Actor.system())
    assert not DirectoryListing.objects.exists()
