"""The demo's co-marketing: a handful of assets made at load time (PDFs rendered by WeasyPrint, a PNG drawn by
Pillow: no binary file is kept in the repository), some downloads by the showcase partner's users, and joint
marketing activities of this month (the months before carry the imported figures of demo/figures.py)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from parceria.accounts.models import User
from parceria.common.audit import Actor
from parceria.marketing import selectors, services
from parceria.marketing.models import ActivityStatus, Asset
from parceria.partners.models import Partner


def _pdf(title: str, lines: Sequence[str]) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time other code paths need not pay

    body = "".join(f"<p>{line}</p>" for line in lines)
    return HTML(string=f"""<html><head><style>@page {{ size: A4; margin: 2cm 2cm 3cm; }}
body {{ font-family: sans-serif; color: #1f2933; }} h1 {{ color: #0b5394; font-size: 26pt; }}
.bar {{ height: 12pt; background: #0b5394; margin-bottom: 18pt; }}</style></head>
<body><div class="bar"></div><h1>{title}</h1>{body}</body></html>""").write_pdf()


def _png(label: str) -> bytes:
    image = Image.new("RGB", (640, 360), "#0b5394")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 120, 600, 240), fill="#ffffff")
    draw.text((60, 170), label, fill="#0b5394")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def marketing_create(*, partner_ids: Sequence[int], showcase_partner_id: int | None, today: date,
                     actor: Actor) -> int:
    """The demo's assets, downloads and activities; the number of assets."""
    verticals = selectors.partner_verticals()[:2]
    specs: list[dict[str, Any]] = [
        dict(title="Parceria em uma página", kind="one_pager", language="pt-br", co_brandable=True,
             description="Apresentação de uma página com o nome e o logotipo do parceiro.",
             data=_pdf("Parceria para o seu cliente", ["Gestão de parceiros com comissões exatas ao centavo.",
                                                       "Fale com o seu parceiro certificado."]), name="one-pager.pdf"),
        dict(title="Sales deck 2026", kind="deck", language="en", verticals=verticals,
             description="The deck partners present to prospects.",
             data=_pdf("Sales deck 2026", ["Why partners win with Parceria.", "Pricing and plans."]),
             name="sales-deck.pdf"),
        dict(title="Kit de logotipos", kind="logo_pack", language="pt-br", white_label=False,
             description="O logotipo em PNG para materiais conjuntos.", data=_png("Parceria"), name="logo.png"),
        dict(title="Caso de éxito: retail", kind="case_study", language="es", min_tier="preferred",
             description="Un caso de éxito para socios preferentes y estratégicos.",
             data=_pdf("Caso de éxito", ["Un minorista duplicó sus ventas con un socio."]), name="caso.pdf"),
    ]
    assets: list[Asset] = []
    for spec in specs:
        data, name = spec.pop("data"), spec.pop("name")
        assets.append(services.asset_create(**spec, upload=SimpleUploadedFile(name, data), actor=actor))
    if showcase_partner_id is None:
        return len(assets)
    showcase = Partner.objects.get(pk=showcase_partner_id)
    users = list(User.objects.filter(partner_id=showcase_partner_id).order_by("id")[:2])
    for n, user in enumerate(users):
        for asset in assets[: 3 - n]:
            version = asset.versions.order_by("-number").first()
            if version is not None:
                services.download_record(asset=asset, version=version, partner=showcase, user=user,
                                         co_branded=asset.co_brandable)
    first_of_month = today.replace(day=1)
    services.activity_record(partner=showcase, kind="webinar", title="Webinar conjunto: comissões sem planilhas",
                             held_on=first_of_month, status=ActivityStatus.DONE, actor=actor,
                             link="https://example.com/webinar")
    services.activity_record(partner=showcase, kind="case_study", title="Estudo de caso com cliente piloto",
                             held_on=today + timedelta(days=10), status=ActivityStatus.PLANNED, actor=actor)
    for partner_id in list(partner_ids)[:3]:
        if partner_id != showcase_partner_id:
            services.activity_record(partner=Partner.objects.get(pk=partner_id), kind="event",
                                     title="Evento regional", held_on=first_of_month, status=ActivityStatus.DONE,
                                     actor=actor)
    return len(assets)
