"""Uploaded files live under MEDIA_ROOT, one folder per kind; each test has a MEDIA_ROOT of
its own (tests/conftest.py), so a test that lists stored files sees only its own, whatever runs beside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

import parceria.config.settings as production
from parceria.agreements.models import AgreementDocument
from parceria.disputes.models import DisputeAttachment

STORAGES = [(DisputeAttachment, "disputes"), (AgreementDocument, "agreements")]


def test_production_keeps_uploads_under_the_var_folder():
    assert production.MEDIA_ROOT == production.VAR_DIR / "media"


@pytest.mark.parametrize(("model", "folder"), STORAGES)
def test_each_kind_of_upload_has_its_folder_under_the_tests_own_media_root(model, folder, media_root, tmp_path):
    storage = model._meta.get_field("file").storage
    assert Path(storage.location) == media_root / folder
    with override_settings(MEDIA_ROOT=tmp_path / "elsewhere"):
        name = storage.save("2026/03/a.pdf", ContentFile(b"%PDF-1.4"))
        assert (tmp_path / "elsewhere" / folder / name).read_bytes() == b"%PDF-1.4"
    assert Path(storage.location) == media_root / folder
    assert not storage.exists(name)

