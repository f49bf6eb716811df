"""Account mapping pages: the partner uploads its list in the portal and reads the counts (its own mappings only),
sets what it shares; staff read every mapping, set the company's level and export the counts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parceria.accounts.services import user_create
from parceria.mapping.models import AccountMapping, PartnerSharing, SharingLevel
from parceria.mapping.services import mapping_create, partner_sharing_set
from tests.factories import make_customer, make_partner, staff_client
from tests.mapping.test_services import ACTOR, admin_of, cnpj_of, csv

pytestmark = pytest.mark.django_db


def portal_client(partner, name: str, role: str = "partner_member") -> Client:
    user = user_create(username=f"{name}@example.com", email=f"{name}@example.com", password="a long password 4 t",
                       role=role, partner=partner, actor=ACTOR)
    client = Client()
    client.force_login(user)
    return client


def test_a_partner_uploads_its_list_and_sees_the_counts():
    alfa = make_partner(name="Alfa")
    make_customer(domain="nossa.com.br")
    client = portal_client(alfa, "ana")

    response = client.post("/portal/account-mapping/", {"file": SimpleUploadedFile(
        "lista.csv", csv(",nossa.com.br,customer", f"{cnpj_of(9)},,prospect", "123,,prospect"))}, follow=True)

    mapping = AccountMapping.objects.get()
    text = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/portal/account-mapping/{mapping.pk}/"
    assert (mapping.partner_id, mapping.accounts, mapping.issue_count) == (alfa.pk, 2, 2)
    assert 'data-accounts>2<' in text and 'data-customers>1<' in text and "data-not-ours>1<" in text
    assert "data-no-matches" in text and "data-issue" in text


def test_a_bad_file_is_shown_as_an_error_on_the_form_and_nothing_is_stored():
    client = portal_client(make_partner(), "bia")

    response = client.post("/portal/account-mapping/", {"file": SimpleUploadedFile("x.csv", b"name\nx\n")})

    assert response.status_code == 422
    assert "tax_id" in response.content.decode()
    assert AccountMapping.objects.count() == 0


def test_a_partner_sees_only_its_own_mappings():
    alfa, bravo = make_partner(name="Alfa"), make_partner(name="Bravo")
    theirs = mapping_create(partner=bravo, data=csv(",bravo-only.com.br,"), actor=ACTOR)
    client = portal_client(alfa, "caio")

    assert client.get(f"/portal/account-mapping/{theirs.pk}/").status_code == 404
    assert client.get(f"/portal/account-mapping/{theirs.pk}/?export=csv").status_code == 404
    assert f"/portal/account-mapping/{theirs.pk}/" not in client.get("/portal/account-mapping/").content.decode()


def test_the_partners_admin_sets_what_it_shares_and_a_member_may_not():
    alfa = make_partner()
    client = portal_client(alfa, "duda", role="partner_admin")
    member = portal_client(alfa, "edu")

    assert client.post("/portal/account-mapping/sharing/", {"level": "all"}).status_code == 302
    assert client.post("/portal/account-mapping/sharing/", {"level": "bogus"}).status_code == 422
    assert member.post("/portal/account-mapping/sharing/", {"level": "counts"}).status_code == 403
    assert PartnerSharing.objects.get(partner=alfa).partner_level == SharingLevel.ALL
    page = member.get("/portal/account-mapping/").content.decode()
    assert 'action="/portal/account-mapping/sharing/"' not in page and "All matches, including open" in page


def test_staff_set_the_company_level_and_see_the_matches_both_sides_allow():
    alfa = make_partner(name="Alfa")
    make_customer(domain="nossa.com.br", name="Nossa Loja")
    mapping = mapping_create(partner=alfa, data=csv(",nossa.com.br,customer"), actor=ACTOR)
    partner_sharing_set(partner=alfa, partner_level=SharingLevel.OVERLAPS, actor=admin_of(alfa))  # with consent
    staff = staff_client("maria", "partner_manager")

    before = staff.get(f"/console/account-mappings/{mapping.pk}/").content.decode()
    saved = staff.post(f"/console/account-mappings/{mapping.pk}/sharing/", {"level": "all"})
    after = staff.get(f"/console/account-mappings/{mapping.pk}/").content.decode()

    assert "Nossa Loja" not in before and "data-no-matches" in before
    assert saved.status_code == 302
    assert "Nossa Loja" in after and "data-match" in after
    assert "33.3" not in after and "100.0 %" in after  # the overlap as the evaluation's evidence


def test_staff_export_the_counts_and_an_analyst_may_not_change_levels():
    alfa = make_partner(name="Alfa")
    mapping = mapping_create(partner=alfa, data=csv(",a.com.br,customer", ",b.com.br,"), actor=ACTOR)
    analyst = staff_client("ana", "analyst")

    exported = analyst.get(f"/console/account-mappings/{mapping.pk}/?export=csv", HTTP_ACCEPT_LANGUAGE="en")
    refused = analyst.post(f"/console/account-mappings/{mapping.pk}/sharing/", {"level": "all"})

    assert exported.content.decode("utf-8-sig").splitlines() == [
        "Segment,Accounts,Our customers,Our open opportunities,Not our customers",
        "customer,1,0,0,1", "(no segment),1,0,0,1", "Total,2,0,0,2"]
    assert refused.status_code == 403
    assert PartnerSharing.objects.count() == 0
    assert "Alfa" in analyst.get("/console/account-mappings/").content.decode()


def test_the_lists_read_their_counts_in_a_fixed_number_of_queries_and_export_them():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alfa = make_partner(name="Alfa")
    make_customer(domain="a.com.br")
    staff = staff_client("rui", "partner_manager")
    portal = portal_client(alfa, "eva")
    mapping_create(partner=alfa, data=csv(",a.com.br,customer", ",b.com.br,"), actor=ACTOR)

    def queries(client, url):
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url).status_code == 200
        return len(seen.captured_queries)

    one = (queries(staff, "/console/account-mappings/"), queries(portal, "/portal/account-mapping/"))
    for _ in range(3):
        mapping_create(partner=alfa, data=csv(",a.com.br,customer"), actor=ACTOR)
    assert (queries(staff, "/console/account-mappings/"), queries(portal, "/portal/account-mapping/")) == one

    exported = staff.get("/console/account-mappings/?export=csv", HTTP_ACCEPT_LANGUAGE="en")
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ("Partner,Uploaded,Accounts,Our customers,Our open opportunities,Not our customers,"
                        "Problems reported")
    assert [line.split(",")[2:] for line in lines[1:]] == [["1", "1", "0", "0", "0"]] * 3 + [["2", "1", "0", "1", "0"]]
    own = portal.get("/portal/account-mapping/?export=csv", HTTP_ACCEPT_LANGUAGE="en")
    assert own.content.decode("utf-8-sig").splitlines()[0].startswith("Uploaded,Accounts")


def test_an_upload_kept_in_a_temporary_file_is_deleted_after_mapping(settings, monkeypatch):
    """A list over FILE_UPLOAD_MAX_MEMORY_SIZE is spooled by Django to a temporary file: it is gone once mapped."""
    from django.core.files import uploadedfile

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    spooled: list[str] = []
    original = uploadedfile.TemporaryUploadedFile.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        spooled.append(self.temporary_file_path())

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", spy)
    client = portal_client(make_partner(), "gil")

    response = client.post("/portal/account-mapping/", {"file": SimpleUploadedFile(
        "lista.csv", csv(",temporario.com.br,customer", ",outro.com.br,"))})

    import os

    assert response.status_code == 302
    assert len(spooled) == 1 and not os.path.exists(spooled[0])

