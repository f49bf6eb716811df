"""What the asset library does with files: recognise an upload by its content (never its name), render its
preview, and stamp a partner's name and logo on a co-branded PDF."""

from __future__ import annotations

import base64
import io
import zipfile
from dataclasses import dataclass
from html import escape
from typing import Any

from PIL import Image, UnidentifiedImageError

PDF = "application/pdf"
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
#: Office Open XML: the main part's content type in [Content_Types].xml → (file content type, extension).
OFFICE_TYPES = {
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml":
        ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
PREVIEW_BOX = (480, 480)


class UnknownContent(ValueError):
    """The file is none of the accepted types."""


@dataclass(frozen=True)
class Recognised:
    content_type: str
    extension: str


def recognise(data: bytes) -> Recognised:
    """The type of `data` by its content: a PDF pypdf opens, an image Pillow verifies, or a PPTX/DOCX/XLSX zip."""
    if data.startswith(b"%PDF-"):
        from pypdf import PdfReader
        try:
            if len(PdfReader(io.BytesIO(data)).pages) < 1:
                raise UnknownContent("the PDF has no page")
        except UnknownContent:
            raise
        except Exception as exc:
            raise UnknownContent("the PDF cannot be read") from exc
        return Recognised(PDF, "pdf")
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnknownContent("not an accepted file type") from exc
    if kind not in IMAGE_TYPES:
        raise UnknownContent("not an accepted image type")
    return Recognised(IMAGE_TYPES[kind], "jpg" if kind == "JPEG" else kind.lower())


def _office(data: bytes) -> Recognised:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise UnknownContent("a zip that is not an Office document") from exc
    for main, found in OFFICE_TYPES.items():
        if main in types:
            return Recognised(*found)
    raise UnknownContent("a zip that is not a presentation, document or spreadsheet")


#: The extensions a name may carry for each recognised type (a name claiming another accepted type is refused).
EXTENSIONS = {"pdf": {"pdf"}, "png": {"png"}, "jpg": {"jpg", "jpeg"}, "webp": {"webp"}, "pptx": {"pptx"},
              "docx": {"docx"}, "xlsx": {"xlsx"}}
KNOWN_EXTENSIONS = frozenset().union(*EXTENSIONS.values())


def name_disagrees(name: str, found: Recognised) -> str | None:
    """The extension of `name` when it names another accepted type than the content is (a PNG named .pdf), else
    None (a matching, unknown or missing extension: the content decides)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in KNOWN_EXTENSIONS and extension not in EXTENSIONS[found.extension]:
        return extension
    return None


def is_image(content_type: str) -> bool:
    return content_type in IMAGE_TYPES.values()


def preview_png(data: bytes, content_type: str) -> bytes | None:
    """A PNG thumbnail (at most PREVIEW_BOX): an image scaled down, a PDF's first page rendered by pypdfium2;
    None for the other types."""
    if is_image(content_type):
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            thumb = image.convert("RGBA") if image.mode not in ("RGB", "RGBA") else image.copy()
    elif content_type == PDF:
        import pypdfium2
        document = pypdfium2.PdfDocument(data)
        try:
            first = document[0]
            width = first.get_width()
            thumb = first.render(scale=min(2.0, PREVIEW_BOX[0] / max(width, 1))).to_pil()
            first.close()
        finally:
            document.close()
    else:
        return None
    thumb.thumbnail(PREVIEW_BOX)
    out = io.BytesIO()
    thumb.save(out, format="PNG")
    return out.getvalue()


def image_size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def _stamp_pdf(name: str, logo: bytes | None, width_pt: float, height_pt: float) -> bytes:
    """A one-page PDF of the template's page size with the partner's name (and logo) in the reserved area: a band
    along the bottom of the page."""
    from weasyprint import HTML  # imported here: loading Pango costs time other code paths need not pay

    logo_html = ""
    if logo:
        kind = "png" if logo.startswith(b"\x89PNG") else "jpeg"
        logo_html = (f'<img src="data:image/{kind};base64,{base64.b64encode(logo).decode()}" alt="" '
                     'style="height:28pt;max-width:120pt;vertical-align:middle;margin-right:8pt">')
    html = f"""<html><head><style>
@page {{ size: {width_pt:.2f}pt {height_pt:.2f}pt; margin: 0; }}
body {{ margin: 0; font-family: sans-serif; }}
.band {{ position: absolute; left: 24pt; right: 24pt; bottom: 14pt; height: 36pt; display: flex;
        align-items: center; font-size: 12pt; color: #1f2933; }}
</style></head><body><div class="band">{logo_html}<span>{escape(name)}</span></div></body></html>"""
    return HTML(string=html).write_pdf()


def co_branded(template: bytes, *, name: str, logo: bytes | None) -> bytes:
    """`template` with the partner's name and logo stamped on every page (merged with pypdf; the text stays
    extractable)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(template)))
    stamps: dict[tuple[float, float], Any] = {}
    for page in writer.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        if size not in stamps:
            stamps[size] = PdfReader(io.BytesIO(_stamp_pdf(name, logo, *size))).pages[0]
        page.merge_page(stamps[size])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
