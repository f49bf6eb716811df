"""The audit trail in the console (/console/privacy/audit/): every app's records, newest first, filtered by actor,
object, action and days, each with a diff of its before/after values; the export of the filtered rows; who may open
it; bad filters answered with a message, never a 500. And the sensitive reads it shows: downloading a batch's bank
file and showing a whole PIX key each write exactly one audit record; the pages show PIX keys masked."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from parceria.common.audit import Actor, audit_record_create
from parceria.common.models import AuditRecord
from parceria.payouts.bank_files import batch_export
from parceria.payouts.models import Payout, PayoutBatch
from parceria.payouts.services import batch_approve
from parceria.privacy.audit_trail import changes
from parceria.privacy.sensitive_reads import sensitive_read_record
from tests.conftest import ApiClient
from tests.console.conftest import close_march
from tests.factories import ACTOR, SP, credit, make_key, make_partner, staff_client

AUDIT = "/console/privacy/audit/"
EVALUATED, OVERRIDDEN = "partner.evaluated", "partner.stage_overridden"  # actions the factories do not write




@pytest.fixture
def admin(db):
    return staff_client("root", "admin")


def record(at: datetime, *, actor: str, action: str, obj, before=None, after=None, reason: str = "") -> AuditRecord:
    with time_machine.travel(at, tick=False):
        return audit_record_create(actor=Actor(label=actor), action=action, obj=obj, before=before, after=after,
                                   reason=reason)


@pytest.fixture
def trail(db):
    """Four records of two partners by three actors over three days (São Paulo time)."""
    aurora, boreal = make_partner(name="Aurora"), make_partner(name="Boreal")
    rows = {
        "created": record(datetime(2026, 3, 1, 9, tzinfo=SP), actor="user:ana", action=EVALUATED, obj=aurora,
                          after={"name": "Aurora", "status": "prospect"}),
        "updated": record(datetime(2026, 3, 2, 23, 30, tzinfo=SP), actor="user:bruno", action=OVERRIDDEN, obj=aurora,
                          before={"name": "Aurora", "status": "prospect"},
                          after={"name": "Aurora", "status": "active"}, reason="contrato assinado"),
        "boreal": record(datetime(2026, 3, 3, 0, 30, tzinfo=SP), actor="user:ana", action="partner.stage_overridden",
                         obj=boreal, before={"tier": "silver"}, after={"tier": "gold"}),
        "key": record(datetime(2026, 3, 4, 12, tzinfo=SP), actor="api-key:Billing", action="partner.evaluated",
                      obj=boreal, after={"name": "Boreal"}),
    }
    rows["aurora"], rows["boreal_partner"] = aurora, boreal
    return rows


def body_rows(html: str) -> str:
    """The table's body (the trail's rows), or "" when the page lists none."""
    return html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""


def shown_ids(client, **params) -> list[int]:
    """The ids of the records the page lists, in order, read from each row's object cell and action."""
    response = client.get(AUDIT, params)
    assert response.status_code == 200, response.content.decode()[:500]
    return [r.pk for r in response.context["table"].page.object_list]


def test_the_page_lists_every_record_newest_first_with_who_what_and_the_reason(finance, trail):
    html = finance.get(AUDIT).content.decode()
    rows = body_rows(html)
    assert rows.index("api-key:Billing") < rows.index("contrato assinado")  # newest first
    assert rows.count('class="audit-row"') == AuditRecord.objects.count()
    assert "Stage move overridden" in rows and "Partner evaluated" in rows  # actions by their labels
    assert f'href="/console/partners/{trail["aurora"].pk}/">Partner #{trail["aurora"].pk}</a>' in rows
    assert '<time datetime="2026-03-02T23:30:00-03:00">' in rows


def test_before_and_after_are_a_diff_whose_changed_keys_are_marked(finance, trail):
    html = finance.get(AUDIT, {"object_type": "partners.partner", "object_id": trail["aurora"].pk,
                               "action": "partner.stage_overridden"}).content.decode()
    rows = body_rows(html)
    assert ('<li><span class="diff-key">name</span>:\n      <span class="same">Aurora</span></li>') in rows
    assert ('<li class="changed"><span class="diff-key">status</span><span class="visually-hidden"> (changed)</span>:'
            '\n      <del>prospect</del> → <ins>active</ins></li>') in rows


def test_changes_mark_added_removed_and_changed_keys_and_keep_unchanged_ones():
    diff = changes({"a": 1, "b": "x", "c": [1]}, {"a": 1, "b": "y", "d": {"k": True}})
    assert [(c.key, c.before, c.after, c.changed, c.added, c.removed) for c in diff] == [
        ("a", "1", "1", False, False, False), ("b", "x", "y", True, False, False),
        ("c", "[1]", "", True, False, True), ("d", "", '{"k": true}', True, True, False)]
    assert [(c.key, c.after, c.added) for c in changes(None, {"n": None})] == [("n", "", True)]
    assert [(c.key, c.before, c.after) for c in changes(None, None)] == []


def test_each_filter_narrows_the_trail(finance, trail):
    created, updated, boreal, key = trail["created"].pk, trail["updated"].pk, trail["boreal"].pk, trail["key"].pk
    assert shown_ids(finance, actor="ana") == [boreal, created]
    assert shown_ids(finance, actor="BILLING") == [key]  # any case
    assert shown_ids(finance, action="partner.evaluated") == [key, created]
    made = {r.object_id: r.pk for r in AuditRecord.objects.filter(action="partner.created")}  # by make_partner, now
    aurora, boreal_partner = str(trail["aurora"].pk), str(trail["boreal_partner"].pk)
    assert shown_ids(finance, object_type="partners.partner", object_id=boreal_partner) == [made[boreal_partner], key,
                                                                                            boreal]
    assert shown_ids(finance, object_id=aurora, object_type="partners.partner") == [made[aurora], updated, created]
    assert shown_ids(finance, object_id="999999", object_type="partners.partner") == []
    # Days are São Paulo days, both ends included: 23:30 on the 2nd is the 2nd; 00:30 on the 3rd is the 3rd.
    assert shown_ids(finance, since="2026-03-02", until="2026-03-02") == [updated]
    assert shown_ids(finance, since="2026-03-03", until="2026-03-31") == [key, boreal]
    assert shown_ids(finance, until="2026-03-01") == [created]


def test_filters_combine(finance, trail):
    assert shown_ids(finance, actor="ana", action="partner.stage_overridden") == [trail["boreal"].pk]
    assert shown_ids(finance, actor="ana", action="partner.stage_overridden", until="2026-03-02") == []
    html = finance.get(AUDIT, {"actor": "ana", "action": OVERRIDDEN, "until": "2026-03-02"}).content.decode()
    assert "No audit record matches these filters." in html and body_rows(html) == ""


def test_the_action_select_offers_the_actions_the_trail_holds_by_their_labels(finance, trail):
    html = finance.get(AUDIT).content.decode()
    assert '<option value="partner.evaluated">Partner evaluated</option>' in html
    assert '<option value="partner.stage_overridden">Stage move overridden</option>' in html
    assert 'value="payout_batch.approved"' not in html  # no such record yet
    assert '<option value="partners.partner">Partner</option>' in html


@pytest.mark.parametrize(("params", "message"), [
    ({"since": "2026-02-30"}, "Enter a valid date."),
    ({"until": "yesterday"}, "Enter a valid date."),
    ({"action": "partner.exploded"}, "Select a valid choice. partner.exploded is not one of the available choices."),
    ({"object_type": "nope.nope"}, "Select a valid choice. nope.nope is not one of the available choices."),
    ({"since": "2026-03-04", "until": "2026-03-01"}, "The last day comes before the first."),
    ({"actor": "x" * 201}, "Ensure this value has at most 200 characters (it has 201)."),
])
def test_a_bad_filter_is_shown_with_its_message_and_lists_nothing(finance, trail, params, message):
    response = finance.get(AUDIT, params)
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html and "Correct the filters above to see the audit trail." in html
    assert body_rows(html) == ""
    export = finance.get(AUDIT, {**params, "export": "csv"})
    assert export.status_code == 422 and "Content-Disposition" not in export


def test_a_page_number_that_is_not_one_shows_the_first_page(finance, trail):
    assert finance.get(AUDIT, {"page": "abc"}).status_code == 200
    assert finance.get(AUDIT, {"page": "999", "sort": "nonsense"}).status_code == 200


def test_the_csv_export_holds_the_filtered_rows_exactly(finance, trail):
    response = finance.get(AUDIT, {"actor": "ana", "export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="audit-trail.csv"'
    aurora, boreal = trail["aurora"].pk, trail["boreal_partner"].pk
    assert response.content.decode("utf-8-sig").splitlines() == [
        "When,Actor,Action,Action code,Object type,Object id,Reason,Changed,Before,After",
        f'2026-03-03 00:30,user:ana,Stage move overridden,partner.stage_overridden,partners.partner,{boreal},,tier,'
        '"{""tier"": ""silver""}","{""tier"": ""gold""}"',
        f'2026-03-01 09:00,user:ana,Partner evaluated,partner.evaluated,partners.partner,{aurora},,"name, status",,'
        '"{""name"": ""Aurora"", ""status"": ""prospect""}"',
    ]


def test_the_export_address_answers_the_same_file_in_csv_or_excel(finance, trail):
    url = reverse("privacy_console:audit_export")
    csv = finance.get(url, {"action": "partner.evaluated"}, HTTP_ACCEPT_LANGUAGE="en")
    assert csv["Content-Disposition"] == 'attachment; filename="audit-trail.csv"'
    assert len(csv.content.decode("utf-8-sig").splitlines()) == 3
    xlsx = finance.get(url, {"action": "partner.evaluated", "export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    assert xlsx["Content-Disposition"] == 'attachment; filename="audit-trail.xlsx"'
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["When", "Actor", "Action", "Action code", "Object type", "Object id", "Reason", "Changed",
                         "Before", "After"]
    assert [row[1:6] for row in values[1:]] == [
        ["api-key:Billing", "Partner evaluated", EVALUATED, "partners.partner", str(trail["boreal_partner"].pk)],
        ["user:ana", "Partner evaluated", EVALUATED, "partners.partner", str(trail["aurora"].pk)]]
    assert values[1][0] == datetime(2026, 3, 4, 12, 0) and values[1][9] == '{"name": "Boreal"}'


def test_the_export_is_in_the_readers_language(finance, trail):
    text = finance.get(AUDIT, {"action": "partner.stage_overridden", "actor": "bruno", "export": "csv"},
                       HTTP_ACCEPT_LANGUAGE="pt-br").content.decode("utf-8-sig")
    lines = text.splitlines()
    assert len(lines) == 2 and lines[1].startswith("02/03/2026 23:30;user:bruno;")


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("finance", 200), ("partner_manager", 403),
                                              ("analyst", 403)])
def test_admins_and_finance_open_the_trail_and_other_staff_see_nothing(db, trail, role, status):
    client = staff_client(f"{role}@x", role)
    for url in (AUDIT, reverse("privacy_console:audit_export")):
        response = client.get(url)
        assert response.status_code == status
        if status == 403:
            assert "Stage move overridden" not in response.content.decode() and "Content-Disposition" not in response


def test_partner_users_and_visitors_are_sent_away(client, trail):
    from tests.community.conftest import partner_user, portal_client

    assert client.get(AUDIT).status_code == 302 and "/login/" in client.get(AUDIT)["Location"]
    response = portal_client(partner_user(trail["aurora"], "ines")).get(AUDIT)
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_the_trail_makes_as_many_queries_with_sixty_records_as_with_six(finance, db):
    partner = make_partner()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert finance.get(AUDIT, {"actor": "user"}).status_code == 200
        return len(ctx.captured_queries)

    for n in range(6):
        audit_record_create(actor=Actor(label=f"user:u{n}"), action="partner.stage_overridden", obj=partner,
                            before={"n": n}, after={"n": n + 1})
    few = count()
    for n in range(54):
        audit_record_create(actor=Actor(label=f"user:v{n}"), action=EVALUATED if n % 2 else OVERRIDDEN,
                            obj=partner, after={"n": n})
    assert count() == few


def test_the_trail_shows_pix_keys_masked_and_still_marks_them_changed(finance, db):
    partner = make_partner()
    audit_record_create(actor=ACTOR, action="partner.payout_details_changed", obj=partner,
                        before={"pix_key_type": "email", "pix_key": "velho@aurora.com.br"},
                        after={"pix_key_type": "email", "pix_key": "novo@aurora.com.br"})
    html = finance.get(AUDIT).content.decode()
    assert "velho@aurora.com.br" not in html and "novo@aurora.com.br" not in html
    assert "<del>" + "•" * 15 + ".br</del> → <ins>" + "•" * 14 + "m.br</ins>" not in html  # (last 4 kept)
    assert "<del>" + "•" * 15 + "m.br</del> → <ins>" + "•" * 14 + "m.br</ins>" in html
    text = finance.get(AUDIT, {"export": "csv"}).content.decode("utf-8-sig")
    assert "velho@aurora.com.br" not in text and "novo@aurora.com.br" not in text and ",pix_key," in text


# Sensitive reads: each writes exactly one record, which the trail shows.


@pytest.fixture
def batch(db) -> PayoutBatch:
    keyed = make_partner(name="Com Chave", legal_name="Agência Com Chave Ltda", pix_key_type="email",
                         pix_key="fin@comchave.com.br")
    credit(keyed, "1000.00")
    batch = close_march()
    batch_approve(batch=batch, actor=Actor(label="finance-1"))
    return batch


def reads(action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action))


def test_downloading_a_bank_file_writes_one_audit_record(finance, batch):
    export = batch_export(batch=batch, kind="cnab", actor=ACTOR).export
    response = finance.get(f"/console/batches/{batch.pk}/exports/{export.pk}/")
    assert response.status_code == 200 and response["Content-Disposition"].endswith(f'filename="{export.filename}"')
    [read] = reads("payout_batch.file_downloaded")
    assert (read.actor_label, read.object_type, read.object_id, read.before) == (
        "user:fin", "payouts.payoutbatch", str(batch.pk), None)
    assert read.after == {"export_id": export.pk, "filename": export.filename, "kind": "cnab", "payouts": 1}
    assert "Bank file downloaded" in body_rows(finance.get(AUDIT).content.decode())


def test_downloading_a_bank_file_through_the_api_is_audited_too(batch):
    export = batch_export(batch=batch, kind="cnab", actor=ACTOR).export
    api = ApiClient(make_key("admin"))
    assert api.get(f"/payout-batches/{batch.pk}/exports/{export.pk}").status_code == 200
    [read] = reads("payout_batch.file_downloaded")
    assert read.actor_label.startswith("api-key:") and read.object_id == str(batch.pk)
    assert read.after == {"export_id": export.pk, "filename": export.filename, "kind": "cnab", "payouts": 1,
                          "through": "api"}
    assert api.get(f"/payout-batches/{batch.pk}/exports/{export.pk + 1}").status_code == 404
    assert len(reads("payout_batch.file_downloaded")) == 1


def test_a_refused_or_missing_download_records_nothing(db, batch):
    export = batch_export(batch=batch, kind="csv", actor=ACTOR).export
    manager = staff_client("pm@x", "partner_manager")
    assert manager.get(f"/console/batches/{batch.pk}/exports/{export.pk}/").status_code == 403
    finance = staff_client("fin@x", "finance")
    assert finance.get(f"/console/batches/{batch.pk}/exports/{export.pk + 1}/").status_code == 404
    assert finance.get(f"/console/batches/{batch.pk + 1}/exports/{export.pk}/").status_code == 404
    assert reads("payout_batch.file_downloaded") == []


def test_the_partner_page_masks_the_pix_key_and_showing_it_whole_is_audited(manager, db):
    partner = make_partner(name="Ipê", pix_key_type="email", pix_key="financeiro@ipe.example")
    page = manager.get(f"/console/partners/{partner.pk}/").content.decode()
    assert "financeiro@ipe.example" not in page
    assert "E-mail: <span class=\"nowrap pix-key-masked\">" + "•" * 18 + "mple</span>" in page
    assert f'href="/console/partners/{partner.pk}/pix-key/"' in page
    assert reads("partner.pix_key_viewed") == []
    whole = manager.get(f"/console/partners/{partner.pk}/pix-key/")
    assert whole.status_code == 200 and "<strong>financeiro@ipe.example</strong>" in whole.content.decode()
    [read] = reads("partner.pix_key_viewed")
    assert (read.actor_label, read.object_type, read.object_id, read.after) == (
        "user:pm", "partners.partner", str(partner.pk), {"pix_key_type": "email"})
    assert "financeiro@ipe.example" not in str(read.after)


def test_no_key_or_no_partner_shows_nothing_and_records_nothing(manager, db):
    partner = make_partner(name="Sem Chave", pix_key_type="", pix_key="")
    response = manager.get(f"/console/partners/{partner.pk}/pix-key/")
    assert response.status_code == 200 and "This partner has no PIX key" in response.content.decode()
    assert manager.get(f"/console/partners/{partner.pk + 1}/pix-key/").status_code == 404
    assert manager.post(f"/console/partners/{partner.pk}/pix-key/").status_code == 405
    assert reads("partner.pix_key_viewed") == []


def test_the_batch_page_masks_each_payout_key_and_showing_one_is_audited(finance, batch):
    payout = Payout.objects.get(pix_key="fin@comchave.com.br")
    html = finance.get(f"/console/batches/{batch.pk}/").content.decode()
    assert "fin@comchave.com.br" not in html and "•" * 15 + "m.br" in html
    assert f'href="/console/payouts/{payout.pk}/pix-key/"' in html
    whole = finance.get(f"/console/payouts/{payout.pk}/pix-key/")
    assert whole.status_code == 200 and "<strong>fin@comchave.com.br</strong>" in whole.content.decode()
    [read] = reads("payout.pix_key_viewed")
    assert (read.object_type, read.object_id, read.after) == (
        "payouts.payout", str(payout.pk), {"pix_key_type": "email", "partner_id": payout.partner_id})
    assert finance.get(f"/console/payouts/{payout.pk + 100}/pix-key/").status_code == 404
    assert len(reads("payout.pix_key_viewed")) == 1


def test_only_the_audited_reads_are_recorded_as_reads(db):
    partner = make_partner()
    with pytest.raises(ValueError, match="not an audited read"):
        sensitive_read_record(actor=ACTOR, action="partner.looked_at", obj=partner)
    assert not AuditRecord.objects.filter(action="partner.looked_at").exists()


def test_a_whole_key_reads_as_people_write_it(manager, db):
    phone = make_partner(pix_key_type="phone", pix_key="+5511912345678")
    cpf = make_partner(tax_regime="pf", pix_key_type="cpf", pix_key="52998224725")
    assert "+55 (11) 91234-5678" in manager.get(f"/console/partners/{phone.pk}/pix-key/").content.decode()
    assert "529.982.247-25" in manager.get(f"/console/partners/{cpf.pk}/pix-key/").content.decode()
    assert len(reads("partner.pix_key_viewed")) == 2


def test_each_linked_object_type_links_to_its_console_page(db):
    from django.apps import apps

    from parceria.privacy.audit_trail import OBJECT_PAGES, object_url

    for object_type in OBJECT_PAGES:
        apps.get_model(object_type)  # a model of that name exists
        assert object_url(object_type, "7").startswith("/console/") and "7/" in object_url(object_type, "7")
    assert object_url("partners.partner", "7") == "/console/partners/7/"
    assert object_url("partners.partner", "abc") == "" and object_url("payouts.payout", "7") == ""
