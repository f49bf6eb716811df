from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image
from pypdf import PdfWriter

from parceria.mdf.services import Upload


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def receipt() -> Upload:
    return Upload("nota-fiscal.pdf", pdf_bytes())


def claimed_fund(partner) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A claimed marketing fund request of `partner` (made mdf-eligible) with its proof file: (request id, proof id),
    for the sweeps of the console and portal addresses."""
    from django.utils import timezone

    from parceria.common.audit import Actor
    from parceria.mdf.services import budgets_create, claim_submit, request_create, request_decide
    from parceria.partners.models import Partner

    actor = Actor.system("tests")
    Partner.objects.filter(pk=partner.pk).update(tier="preferred")
    partner.refresh_from_db()
    today = timezone.localdate()
    budgets_create(quarter=today, actor=actor)
    fund = request_create(partner=partner, actor=actor, title="Evento secreto", kind="event", planned_on=today,
                          amount=Decimal("100.00"), description="d", expected_results="r", today=today)
    request_decide(request=fund, approve=True, actor=actor)
    fund = claim_submit(request=fund, amount=Decimal("50.00"), files=[Upload("nf.pdf", pdf_bytes())], actor=actor)
    return fund.pk, fund.proofs.get().pk
