"""Static files: `parceria serve` collects them only when their sources changed (a stamp of the sources' hashes), and
WhiteNoise serves the collected files with their compressed variants; `serve` and `demo` print the address served."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

from parceria.site import staticfiles
from parceria.site.management.commands import serve


@pytest.fixture
def sources(tmp_path: Path):
    """A static folder of the project's own (beside every app's) and an empty STATIC_ROOT."""
    folder = tmp_path / "sources"
    (folder / "extra").mkdir(parents=True)
    (folder / "extra" / "site.css").write_text("body { color: black; }\n")
    with override_settings(STATICFILES_DIRS=[str(folder)], STATIC_ROOT=str(tmp_path / "static")):
        yield folder, tmp_path / "static"


@pytest.fixture
def collections(monkeypatch):
    """How many times collectstatic ran."""
    runs: list[int] = []
    real = staticfiles.call_command

    def counted(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(staticfiles, "call_command", counted)
    return runs


def test_static_files_are_collected_once_then_again_only_when_a_source_changes(sources, collections):
    folder, root = sources
    out = io.StringIO()
    assert staticfiles.collect_if_changed(out) is True
    assert "Collecting the static files" in out.getvalue()
    assert (root / "extra" / "site.css").read_text() == "body { color: black; }\n"
    assert (root / "web" / "parceria.css").is_file() and (root / "admin" / "css" / "base.css").is_file()
    assert (root / staticfiles.STAMP_NAME).read_text() == staticfiles.sources_digest() + "\n"

    quiet = io.StringIO()
    assert staticfiles.collect_if_changed(quiet) is False
    assert (collections, quiet.getvalue()) == ([1], "")

    (folder / "extra" / "site.css").write_text("body { color: navy; }\n")
    assert staticfiles.collect_if_changed(io.StringIO()) is True
    assert (root / "extra" / "site.css").read_text() == "body { color: navy; }\n"

    (folder / "extra" / "new.js").write_text("// new\n")
    assert staticfiles.collect_if_changed(io.StringIO()) is True
    assert (root / "extra" / "new.js").is_file() and collections == [1, 1, 1]


def test_a_removed_static_folder_is_collected_again(sources, collections):
    _, root = sources
    assert staticfiles.collect_if_changed(io.StringIO()) is True
    (root / staticfiles.STAMP_NAME).unlink()
    (root / "extra" / "site.css").unlink()
    assert staticfiles.collect_if_changed(io.StringIO()) is True
    assert (root / "extra" / "site.css").is_file() and collections == [1, 1]


def test_the_digest_depends_on_content_not_on_modification_times(sources):
    folder, _ = sources
    before = staticfiles.sources_digest()
    css = folder / "extra" / "site.css"
    css.write_text(css.read_text())
    assert staticfiles.sources_digest() == before
    css.write_text("body { color: red; }\n")
    assert staticfiles.sources_digest() != before


def test_whitenoise_serves_the_collected_files_with_their_compressed_variant(tmp_path):
    """Outside development (DEBUG off) the files come from STATIC_ROOT, where collectstatic wrote the .gz beside
    each file, not from the apps' folders, which have none."""
    assert settings.WHITENOISE_USE_FINDERS is False
    css = tmp_path / "web" / "parceria.css"
    css.parent.mkdir(parents=True)
    body = b"/* collected */ body { color: black; }\n" * 40
    css.write_bytes(body)
    Path(f"{css}.gz").write_bytes(gzip.compress(body))
    with override_settings(STATIC_ROOT=str(tmp_path)):
        middleware = WhiteNoiseMiddleware(lambda request: None)
    request = RequestFactory().get("/static/web/parceria.css", HTTP_ACCEPT_ENCODING="gzip")
    response = middleware(request)
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)) == body


def test_serve_prints_the_address_it_serves(monkeypatch):
    calls: dict[str, list[str]] = {}
    monkeypatch.setattr(serve, "collect_if_changed", lambda out: False)
    monkeypatch.setattr(serve.os, "execvp", lambda program, argv: calls.setdefault("argv", argv))
    out = io.StringIO()
    with override_settings(PARCERIA={**settings.PARCERIA, "SERVE_PORT": 8611}):
        call_command("serve", stdout=out)
    assert "Serving Parceria on http://127.0.0.1:8611/" in out.getvalue()
    assert calls["argv"][calls["argv"].index("--bind") + 1] == "127.0.0.1:8611"


@pytest.mark.django_db
def test_demo_prints_the_address_serve_will_serve():
    from parceria.demo.management.commands.demo import Command

    out = io.StringIO()
    with override_settings(PARCERIA={**settings.PARCERIA, "SERVE_HOST": "0.0.0.0", "SERVE_PORT": 8611}):  # noqa: S104
        call_command(Command(), partners=12, customers=30, months=2, quiet=True, stdout=out)
    assert "open http://0.0.0.0:8611/" in out.getvalue() and "8000" not in out.getvalue()
