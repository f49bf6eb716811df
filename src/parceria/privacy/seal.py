"""Sealed identities: what an anonymisation replaced in records under the fiscal hold, encrypted with a key derived
from SECRET_KEY (Fernet: AES-128-CBC with HMAC-SHA256, from the `cryptography` package), so that no person's
identifiers stay readable in the database while the tax records they belong to must still be kept. An authorised
administrator can open one for an authority (audited); retention deletes it when its hold ends."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    key = hashlib.sha256(b"parceria.privacy.seal:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(data: Any) -> str:
    return _fernet().encrypt(json.dumps(data, sort_keys=True, default=str).encode()).decode()


def unseal(token: str) -> Any:
    return json.loads(_fernet().decrypt(token.encode()))
