"""Tenancy sweep (SPEC §16, DESIGN rule 6): a user of partner A requests every portal URL filled with partner B's
ids and gets 404 (or 403), with none of B's names or ids in the body; A's exports and downloads hold no B data."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from parceria.accounts.models import Invitation, User
from parceria.disputes.models import Dispute, DisputeAttachment, DisputeComment
from parceria.disputes.services import dispute_attachment_add
from parceria.partners.invitations import user_invite
from tests.portal.conftest import ACTOR, client_for

ID_PARAMS = {"line_id", "dispute_id", "user_id", "attachment_id", "invitation_id"}
MIN_ROUTES = 20


def portal_routes() -> list[tuple[str, set[str]]]:
    _prefix, resolver = get_resolver().namespace_dict["portal"]
    return [(p.name, set(p.pattern.converters)) for p in resolver.url_patterns if p.name]


def fill(params: set[str], b: Any) -> list[dict[str, Any]]:
    values = {"line_id": b.line.pk, "dispute_id": b.dispute.pk, "user_id": b.member.pk, "year": 2026, "month": 3,
              "attachment_id": b.attachment.pk, "invitation_id": b.invitation.pk}
    base = {name: values[name] for name in params if name != "fmt"}
    return [{**base, "fmt": fmt} for fmt in ("pdf", "csv")] if "fmt" in params else [base]


def post_data(b: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("mine.pdf", b"%PDF-1.4 mine", content_type="application/pdf"),
            "text": "hello", "reason": "no", "subject": "ledger_line", "ledger_line": b.line.pk,
            "payout": b.payout.pk, "description": "mine now", "email": "x@example.com", "key_type": "email",
            "key": "thief@example.com", "password": "wrong"}


def body_of(response: Any) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def assert_no_leak(text: str, b: Any, url: str) -> None:
    for secret in b.secrets:
        assert secret not in text, f"{url} shows B's {secret!r}"


@pytest.mark.django_db
def test_a_user_of_a_reaches_nothing_of_b_by_any_portal_url(world):
    a, b = world["a"], world["b"]
    b.attachment = dispute_attachment_add(dispute=b.dispute, filename="bravo-secret.pdf", actor=ACTOR, is_staff=False,
                                          content=SimpleUploadedFile("bravo-secret.pdf", b"%PDF-1.4 bravo secret"))
    b.secrets.append("bravo-secret.pdf")
    b.invitation = user_invite(inviter=b.admin, email="convidada@bravo.example", base_url="http://testserver",
                               actor=ACTOR)
    b.secrets.append("convidada@bravo.example")
    client = client_for(a.admin)
    routes = portal_routes()
    assert len(routes) >= MIN_ROUTES
    swept = 0
    for name, params in routes:
        for kwargs in fill(params, b):
            url = reverse(f"portal:{name}", kwargs=kwargs)
            for method in ("get", "post"):
                response = getattr(client, method)(url, post_data(b) if method == "post" else None)
                swept += 1
                if params & ID_PARAMS:
                    # 405: a GET of a POST-only action, refused before any lookup (the same for every id)
                    allowed = (403, 404, 405) if method == "get" else (403, 404)
                    assert response.status_code in allowed, f"{method.upper()} {url}: {response.status_code}"
                else:
                    assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"
                assert_no_leak(body_of(response), b, url)
    assert swept >= 2 * MIN_ROUTES
    b.dispute.refresh_from_db()
    assert b.dispute.status == "open" and not DisputeComment.objects.filter(dispute=b.dispute).exists()
    assert User.objects.get(pk=b.member.pk).is_active
    assert Invitation.objects.get(pk=b.invitation.pk).withdrawn_at is None
    assert list(DisputeAttachment.objects.values_list("pk", flat=True)) == [b.attachment.pk]
    assert not Dispute.objects.filter(partner=a.partner, ledger_line=b.line).exists()
    b.partner.refresh_from_db()
    assert b.partner.pix_key == "" and b.partner.payout_details_changed_at is None
    assert all("b@example.com" not in ",".join(m.to) for m in mail.outbox)


@pytest.mark.django_db
def test_exports_and_downloads_of_a_hold_only_a_data(world):
    a, b = world["a"], world["b"]
    client = client_for(a.member)
    urls = ["/portal/customers/?export=csv", "/portal/commissions/?export=csv", "/portal/payouts/?export=csv",
            "/portal/disputes/?export=csv", "/portal/statements/2026-03.csv", "/portal/statements/2026-03.pdf",
            "/portal/income-statements/2026.csv", "/portal/income-statements/2026.pdf"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = body_of(response)
        assert_no_leak(text, b, url)
        if url.endswith("csv"):
            assert str(b.line.pk) not in {row.split(",")[0] for row in text.splitlines()[1:]} or b.line.pk == a.line.pk
    ledger_csv = body_of(client.get("/portal/commissions/?export=csv"))
    assert "inv_alfa" in ledger_csv and "Padaria Alfa" in body_of(client.get("/portal/customers/?export=csv"))


@pytest.mark.django_db
def test_a_member_cannot_manage_users(world):
    a = world["a"]
    client = client_for(a.member)
    assert client.get("/portal/users/").status_code == 403
    assert client.post("/portal/users/invite/", {"email": "new@example.com"}).status_code == 403
    assert client.post(f"/portal/users/{a.admin.pk}/remove/").status_code == 403
    assert not User.objects.filter(email="new@example.com").exists()
    assert User.objects.get(pk=a.admin.pk).is_active and mail.outbox == []


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(world):
    from django.test import Client

    response = Client().get("/portal/commissions/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
