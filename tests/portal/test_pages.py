"""Portal pages: exact dashboard figures, ledger filters, statement downloads, translations and money formats."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal as D

import pytest
from django.core import mail
from django.utils import timezone

from parceria.accounts.models import User
from parceria.common.months import add_months, month_start
from parceria.disputes.models import Dispute
from parceria.payouts.models import Payout
from parceria.payouts.services import payout_mark
from parceria.portal.selectors import dashboard
from tests.factories import credit, ingest, make_customer, make_partner, paid, refunded
from tests.portal.conftest import ACTOR, PASSWORD, client_for


def known_ledger():
    """Last month: a credit of 1,024.56. This month: an invoice of 1,000.00 at the preferred rate (25 %) accrues
    250.0000, a refund of 200.00 claws back 50.0000, and an adjustment of 10.00 (not earnings).
    Earned this month 200.00; balance 1,234.56."""
    from parceria.accounts.services import user_create

    partner = make_partner(tier="preferred", name="Gama Parcerias")
    user = user_create(username="gama@example.com", email="gama@example.com", password=PASSWORD,
                       role="partner_admin", partner=partner, actor=ACTOR)
    now = timezone.now() - timedelta(minutes=2)
    this_month = month_start(timezone.localdate(now))
    last_month = add_months(this_month, months=-1)
    last_month_day = timezone.make_aware(datetime(last_month.year, last_month.month, 1, 12, 0))
    credit(partner, "1024.56", at=last_month_day + timedelta(days=3))
    customer = make_customer(partner, name="Loja Gama", external_id="cus_gama")
    ingest(paid(customer, "1000.00", invoice_id="inv_gama_1", at=now.isoformat()))
    ingest(refunded(customer, "inv_gama_1", "200.00", at=now.isoformat()))
    credit(partner, "10.00", at=now, note="goodwill")
    return partner, user


def stat(html: str, element_id: str) -> str:
    block = html[html.index(f'id="{element_id}"'):]
    return re.search(r'class="value">([^<]*)<', block).group(1)


@pytest.mark.django_db
def test_dashboard_shows_exact_earnings_balance_and_next_payout():
    partner, user = known_ledger()
    board = dashboard(partner)
    (brl,) = board.figures
    assert brl.currency == "BRL" and brl.pending == ()
    assert str(brl.earned_this_month) == "200.0000" and str(brl.balance) == "1234.5600"
    # No close yet: the next one closes last month, whose balance (1,024.56) it pays; IRRF 1.5 % is withheld.
    assert brl.next_payout.pays and str(brl.next_payout.amount) == "1024.56"
    assert (brl.next_payout.withheld, brl.next_payout.net) == (D("15.37"), D("1009.19"))
    (series,) = board.chart["series"]
    assert series["currency"] == "BRL" and series["values"][-1] == "200.0000" and series["values"][-2] == "0.0000"
    assert len(board.chart["labels"]) == 12 == len(series["values"])
    html = client_for(user).get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert stat(html, "earned-this-month") == "R$ 200.00"
    assert stat(html, "available-balance") == "R$ 1,234.56"
    assert stat(html, "next-payout") == "R$ 1,009.19"
    assert 'id="earnings-data"' in html and "<script>" not in html.replace('<script id="earnings-data"', "")
    assert "Preferred" in html and "25%" in html and "Strategic" in html


@pytest.mark.django_db
def test_a_balance_below_the_minimum_says_it_carries():
    partner = make_partner(name="Delta")
    from parceria.accounts.services import user_create

    user = user_create(username="d@example.com", password=PASSWORD, role="partner_member", partner=partner,
                       actor=ACTOR)
    credit(partner, "99.99", at=timezone.now() - timedelta(minutes=1))
    html = client_for(user).get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert stat(html, "next-payout") == "R$ 99.99"
    assert "Below the minimum payout of R$ 100.00: it carries to the next close. R$ 0.01 more" in html


@pytest.mark.django_db
def test_the_dashboard_in_portuguese_and_money_per_locale():
    _partner, user = known_ledger()
    client = client_for(user)
    pt = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert "Saldo disponível" in pt and "Ganhos deste mês" in pt and "Comissões" in pt
    assert stat(pt, "available-balance") == "R$ 1.234,56"
    es = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Saldo disponible" in es
    en = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Available balance" in en and stat(en, "available-balance") == "R$ 1,234.56"


@pytest.mark.django_db
def test_ledger_filters_by_kind_month_and_text():
    _partner, user = known_ledger()
    client = client_for(user)

    def ids(query: str) -> list[str]:
        html = client.get(f"/portal/commissions/?{query}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        return re.findall(r'<span class="badge[^"]*">([A-Za-z ]+)</span>\s*</td>', html)

    assert sorted(ids("")) == ["Accrual", "Adjustment", "Adjustment", "Clawback"]
    assert ids("kind=clawback") == ["Clawback"]
    assert ids("q=goodwill") == ["Adjustment"]
    assert sorted(ids("q=inv_gama_1")) == ["Accrual", "Clawback"]
    this_month = f"{month_start(timezone.localdate()):%Y-%m}"
    assert sorted(ids(f"month={this_month}")) == ["Accrual", "Adjustment", "Clawback"]
    assert ids("q=nothing-like-this") == []


@pytest.mark.django_db
def test_statements_download_as_pdf_and_csv(world):
    client = client_for(world["a"].member)
    pdf = client.get("/portal/statements/2026-03.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == 'attachment; filename="parceria-statement-2026-03.pdf"'
    csv = client.get("/portal/statements/2026-03.csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8" and "inv_alfa" in csv.content.decode()
    income = client.get("/portal/income-statements/2026.pdf")
    assert income["Content-Type"] == "application/pdf"
    page = client.get("/portal/payouts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/portal/statements/2026-03.pdf" in page and "/portal/income-statements/" not in page  # not paid yet
    payout_mark(payout=Payout.objects.get(partner=world["a"].partner), status="paid", source="bank", actor=ACTOR)
    page = client.get("/portal/payouts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    year = timezone.localdate().year  # the payout is paid today
    assert f"/portal/income-statements/{year}.pdf" in page
    assert client.get("/portal/statements/2026-13.pdf").status_code == 404


@pytest.mark.django_db
def test_a_partner_opens_comments_on_and_withdraws_a_dispute(world):
    a = world["a"]
    client = client_for(a.member)
    created = client.post("/portal/disputes/new/", {"subject": "payout", "payout": a.payout.pk, "description": "low"})
    dispute = Dispute.objects.get(partner=a.partner, payout=a.payout)
    assert created["Location"] == f"/portal/disputes/{dispute.pk}/"
    partial = client.post(f"/portal/disputes/{dispute.pk}/comment/", {"text": "any news?"}, HTTP_HX_REQUEST="true")
    fragment = partial.content.decode()
    assert partial.status_code == 200 and "any news?" in fragment and "<html" not in fragment
    client.post(f"/portal/disputes/{dispute.pk}/withdraw/", {"reason": "sorted"})
    dispute.refresh_from_db()
    assert dispute.status == "withdrawn"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_admin_invites_and_removes_a_user(world_tx):
    a = world_tx["a"]
    client = client_for(a.admin)
    assert client.post("/portal/users/invite/", {"email": "Nova@Example.com", "name": "Nova Pessoa"}).status_code == 302
    invited = User.objects.get(email="nova@example.com")
    assert (invited.role, invited.partner_id, invited.has_usable_password()) == ("partner_member", a.partner.pk, False)
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/\S+)", message.body).group(1)
    assert "/reset/" in link or "password" in link
    form = client_for(a.member).__class__().get(link, follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    assert client.post(f"/portal/users/{invited.pk}/remove/").status_code == 302
    assert not User.objects.get(pk=invited.pk).is_active


@pytest.mark.django_db
def test_a_pending_payout_is_shown_with_its_net_amount_and_date_instead_of_carrying():
    """After last month's close paid 1,000.00 (IRRF 1.5 % = 15.00, net 985.00) and before the bank paid it, the
    dashboard shows the pending payout, not "carries to the next close" for the 0.0034 left on the balance."""
    from django.utils import translation
    from django.utils.formats import date_format
    from django.utils.text import capfirst

    from parceria.accounts.services import user_create
    from parceria.payouts.close import payout_due_date, period_close
    from parceria.payouts.models import Payout, PayoutStatus
    from parceria.payouts.services import payout_mark

    partner = make_partner(name="Epsilon", tax_regime="pj")
    user = user_create(username="e@example.com", password=PASSWORD, role="partner_member", partner=partner,
                       actor=ACTOR)
    last = add_months(month_start(timezone.localdate()), months=-1)
    credit(partner, "1000.0034", at=timezone.make_aware(datetime(last.year, last.month, 10, 12, 0)))
    period_close(month=last, actor=ACTOR, now=timezone.now())
    payout = Payout.objects.get(partner=partner)
    assert (payout.gross, payout.net, payout.due_date) == (D("1000.0000"), D("985.0000"), payout_due_date(last))

    (brl,) = dashboard(partner).figures
    assert [(p.id, p.period, p.currency, p.net, p.due_date) for p in brl.pending] == [
        (payout.pk, last, "BRL", D("985.0000"), payout_due_date(last))]
    assert brl.balance == D("0.0034")
    client = client_for(user)
    html = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    def month_and_due(language: str) -> tuple[str, str]:
        with translation.override(language):
            return capfirst(date_format(last, "YEAR_MONTH_FORMAT")), date_format(payout.due_date, "SHORT_DATE_FORMAT")

    month, due = month_and_due("en")
    assert stat(html, "next-payout") == "R$ 985.00"
    assert f"{month} close: payout pending, net of taxes withheld, to be paid by {due}." in html
    assert "Carried over" not in html and "carries" not in html
    pt = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    month, due = month_and_due("pt-br")
    assert stat(pt, "next-payout") == "R$ 985,00"
    assert f"{month}: pagamento pendente, líquido dos impostos retidos, a ser feito até {due}." in pt
    es = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    month, due = month_and_due("es")
    assert f"{month}: pago pendiente, neto de impuestos retenidos, a realizar hasta el {due}." in es

    payout_mark(payout=payout, status=PayoutStatus.PAID, source="bank", actor=ACTOR)  # paid: nothing pending
    html = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "payout pending" not in html
    assert stat(html, "next-payout") == "—" and 'data-reason="below_minimum"' in html
