"""The static files `parceria serve` serves: collected into STATIC_ROOT (with their compressed variants, which
WhiteNoise serves) only when the files the finders find have changed since the last collection, so that a restart
takes a second and an upgrade still brings its new files."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command


class Output(Protocol):
    def write(self, text: str) -> object: ...

    def flush(self) -> object: ...


#: Inside STATIC_ROOT, so that removing the folder also removes the stamp and the next start collects again.
STAMP_NAME = ".sources.sha256"


def sources_digest() -> str:
    """One SHA-256 of every file collectstatic would copy (its path under STATIC_URL and its content, the first
    finder's file for a path as collectstatic takes it) and of the storage that writes them."""
    ignore = apps.get_app_config("staticfiles").ignore_patterns  # type: ignore[attr-defined]
    files: dict[str, str] = {}
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore):
            prefix = getattr(storage, "prefix", None)
            name = f"{prefix}/{path}" if prefix else path
            files.setdefault(name.replace("\\", "/"), storage.path(path))
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for name in sorted(files):
        content = hashlib.sha256(Path(files[name]).read_bytes()).hexdigest()
        digest.update(f"\0{name}\0{content}".encode())
    return digest.hexdigest()


def stamp_path() -> Path:
    return Path(settings.STATIC_ROOT) / STAMP_NAME


def collect_if_changed(out: Output) -> bool:
    """Collect the static files unless the stamp says these very sources were collected; True when it collected."""
    digest = sources_digest()
    stamp = stamp_path()
    if stamp.is_file() and stamp.read_text().strip() == digest:
        return False
    out.write(f"Collecting the static files into {settings.STATIC_ROOT} (after an install or an upgrade; "
              "this takes a minute)…\n")
    out.flush()
    # From an empty folder: collectstatic skips a file whose copy is newer than its source, which an upgrade that
    # brings an older file (or two changes within a second) would leave stale; and files no longer shipped go.
    call_command("collectstatic", interactive=False, clear=True, verbosity=0)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest + "\n")
    return True
