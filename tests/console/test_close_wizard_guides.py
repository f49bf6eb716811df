"""The close wizard guides: it proposes the month due, sums sub-cent carries in one line, names partners in its
exceptions, tells an approver who already approved that a different one is needed, answers GET on every
confirmation URL with a page (never a 405), and writes money in its messages as the reader's language does."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from parceria.common.audit import Actor
from parceria.common.months import add_months, month_start
from parceria.payouts.models import BatchApproval, Payout, PayoutBatch
from parceria.payouts.services import batch_approve
from tests.console.conftest import MARCH, close_march
from tests.factories import credit, make_partner


def speaking(client, language: str):
    client.cookies["django_language"] = language
    return client


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_the_wizard_proposes_the_earliest_month_not_closed_that_has_ended(finance):
    last_ended = add_months(month_start(timezone.localdate()), months=-1)
    empty = finance.get("/console/close/").content.decode()  # no line, no close: the last month that ended
    assert f'value="{last_ended:%Y-%m}"' in empty and f'href="/console/close/{last_ended:%Y-%m}/"' in empty

    credit(make_partner(), "500.00", at="2026-03-15T12:00:00-03:00")
    page = finance.get("/console/close/").content.decode()
    assert "<strong>March 2026</strong> is the month to close" in page
    assert 'value="2026-03"' in page and '<a class="button" href="/console/close/2026-03/">' in page

    close_march()
    page = finance.get("/console/close/").content.decode()
    assert "<strong>April 2026</strong> is the month to close" in page and 'value="2026-04"' in page


@pytest.mark.django_db
def test_sub_cent_carries_are_one_line_per_currency_in_the_readers_language(finance):
    for n in range(37):
        credit(make_partner(name=f"Fração {n}"), "100.0050")
    credit(make_partner(name="Abaixo"), "42.10")
    html = speaking(finance, "pt-br").get("/console/close/2026-03/").content.decode()
    assert html.count("37 parceiros levam menos de R$ 0,01 (R$ 0,1850 no total)") == 1
    carried = html.split('id="carrying"')[1].split("</section>")[0]
    assert carried.count("<tr>") == 2  # the header and the one balance of a cent or more (R$ 42,10)
    assert "Fração" not in carried and "R$ 42,10" in carried
    close_march()
    batch = PayoutBatch.objects.get()
    page = speaking(finance, "es").get(f"/console/batches/{batch.pk}/").content.decode()
    assert page.count("37 socios arrastran menos de R$ 0,01 (R$ 0,1850 en total)") == 1


@pytest.fixture
def big_batch(db) -> PayoutBatch:
    credit(make_partner(name="Grande Parceira", pix_key_type="email", pix_key="fin@grande.com.br"), "60000.00")
    return close_march()


def test_an_approver_who_approved_is_told_a_different_one_is_needed(big_batch, finance, finance2):
    url = f"/console/batches/{big_batch.pk}/"
    first = finance.post(f"{url}approve/", {"confirmed": "1"})
    assert first.status_code == 302 and BatchApproval.objects.count() == 1
    assert flashed(first) == ["Your approval is recorded (1 of 2). The batch of March 2026 (R$ 60,000.00 gross) "
                              "needs a second approval from a different approver."]
    page = finance.get(url).content.decode()
    assert f'action="{url}approve/"' not in page
    assert "The second approval must come from a different approver" in page

    again = finance.post(f"{url}approve/", {"confirmed": "1"})
    assert again.status_code == 302 and again["Location"] == url
    assert flashed(again) == ["You have already approved this batch. The second approval must come from a "
                              "different approver."]
    assert BatchApproval.objects.count() == 1
    assert "different approver" in finance.get(f"{url}approve/", follow=True).content.decode()

    other = finance2.get(url).content.decode()
    assert f'action="{url}approve/"' in other and "must come from a different approver" not in other
    done = finance2.post(f"{url}approve/", {"confirmed": "1"})
    assert BatchApproval.objects.count() == 2
    assert flashed(done) == ["Your approval is recorded: the batch of March 2026 (R$ 60,000.00 gross) is approved "
                             "and can be exported."]


def test_get_on_every_confirmation_url_shows_a_page_never_a_405(big_batch, finance, analyst):
    url = f"/console/batches/{big_batch.pk}/"
    payout = Payout.objects.get()
    approve = finance.get(f"{url}approve/")
    assert approve.status_code == 200 and "Approve the batch" in approve.content.decode()
    assert f'<form method="post" action="{url}approve/"' in approve.content.decode()
    assert BatchApproval.objects.count() == 0  # GET only asks
    for path, anchor in ((f"{url}export/", "#export"), (f"{url}return/", "#return")):
        answer = finance.get(path)
        assert answer.status_code == 302 and answer["Location"] == f"{url}{anchor}", path
    assert finance.get(f"/console/payouts/{payout.pk}/mark/").status_code == 200
    assert finance.get("/console/close/2026-03/").status_code == 302  # closed: its batch
    assert finance.get("/console/close/").status_code == 200
    for path in (f"{url}approve/", f"{url}export/", f"{url}return/"):
        answer = analyst.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith(url), path


def test_messages_write_money_in_the_readers_language(finance):
    partner = make_partner(name="Aurora", pix_key_type="email", pix_key="fin@aurora.com.br")
    credit(partner, "1000.00")
    run = speaking(finance, "pt-br").post("/console/close/2026-03/", {"confirmed": "1"})
    assert flashed(run) == ["O fechamento de Março de 2026 está feito: 1 pagamento, R$ 985,00 líquidos a enviar. "
                            "Revise e aprove o lote."]
    payout = Payout.objects.get()
    batch_approve(batch=payout.batch, actor=Actor(label="other"))
    marked = finance.post(f"/console/payouts/{payout.pk}/mark/", {"status": "failed", "reference": "x",
                                                                  "confirmed": "1"})
    assert flashed(marked)[-1:] == [f"O pagamento de R$ 985,00 para {payout.payee_name} foi marcado como falho: "
                                    "R$ 1.000,00 voltou ao saldo."]


def test_the_month_due_waits_for_the_end_of_the_month(db):
    from parceria.payouts.close import close_due

    credit(make_partner(), "10.00", at="2026-03-15T12:00:00-03:00")
    due = close_due(today=date(2026, 3, 31))
    assert (due.month, due.ready, due.closable_from, due.waiting) == (MARCH, False, date(2026, 4, 1), 0)
    due = close_due(today=date(2026, 4, 1))
    assert (due.month, due.ready, due.waiting) == (MARCH, True, 1)
    due = close_due(today=date(2026, 7, 2))
    assert (due.month, due.ready, due.waiting, due.payouts_due) == (MARCH, True, 4, date(2026, 4, 30))


@pytest.mark.django_db
def test_a_missing_exchange_rate_is_explained_in_the_readers_language(finance):
    credit(make_partner(name="Porteña", country="AR"), "90000.00")
    html = speaking(finance, "pt-br").get("/console/close/2026-03/").content.decode()
    assert ("Não há câmbio USD→ARS até 31/03/2026: o pagamento mínimo em ARS (US$ 20,00) não pode ser convertido, "
            "então os saldos em ARS ficam para o próximo mês.") in html
    assert "no FX rate" not in html
