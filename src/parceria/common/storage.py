"""Where uploaded files live: one folder per kind under MEDIA_ROOT (`$PARCERIA_VAR_DIR/media`).

No MEDIA_URL is configured and nothing serves MEDIA_ROOT: the files are served only through authenticated
views and API routes.
The folder is read from MEDIA_ROOT when first used and again after a change of the setting, so a test that
points MEDIA_ROOT at a folder of its own writes and lists only its own files."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class MediaFolderStorage(FileSystemStorage):
    """Files under MEDIA_ROOT/<folder>."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        super().__init__(base_url=None)

    @cached_property
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, self.folder)
