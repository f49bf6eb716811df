"""Announcements' limited Markdown, rendered safely: the text is HTML-escaped first, then paragraphs, line breaks,
**bold**, *italic* and http(s) links [text](url) are turned into tags. Nothing the author typed becomes a tag."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)\"'<>]+)\)")


def _inline(text: str) -> str:
    text = _LINK.sub(r'<a href="\2" rel="noopener nofollow">\1</a>', text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _ITALIC.sub(r"<em>\1</em>", text)


def render_markdown(source: str) -> SafeString:
    paragraphs = [p for p in re.split(r"\n\s*\n", source.replace("\r\n", "\n").strip()) if p.strip()]
    html = "".join(f"<p>{_inline(escape(p)).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return mark_safe(html)  # noqa: S308 — every character of `source` was escaped before any tag was added


def plain_text(source: str) -> str:
    """The text without its Markdown marks (a link keeps its text): for excerpts."""
    text = _LINK.sub(r"\1", source)
    text = _BOLD.sub(r"\1", text)
    return " ".join(_ITALIC.sub(r"\1", text).split())
