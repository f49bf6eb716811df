"""Stable pseudonyms: the same personal value always becomes the same pseudonym (so records that were linked by it,
a payee's payouts by CPF say, stay linked), and the pseudonym cannot be turned back without the installation's key
and the original value (LGPD art. 13 §4: pseudonymisation keeps the means of re-identification apart).

The key is derived from SECRET_KEY; rotating SECRET_KEY changes future pseudonyms but not those already written.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

#: The domain an anonymised e-mail address is given: `.invalid` is reserved and never delivers (RFC 2606 §2).
ANONYMISED_DOMAIN = "anonymised.invalid"
PREFIX = "anon-"


def _key() -> bytes:
    return hashlib.sha256(b"parceria.privacy.pseudonym:" + settings.SECRET_KEY.encode()).digest()


def digest(value: str, length: int = 12) -> str:
    """The keyed digest of a value, compared without case and outer spaces."""
    normal = value.strip().casefold()
    return hmac.new(_key(), normal.encode(), hashlib.sha256).hexdigest()[:length]


def pseudonym(value: str, *, max_length: int | None = None, email: bool = False) -> str:
    """The pseudonym of one personal value, fitting a column of `max_length` characters."""
    if not value:
        return value
    if is_pseudonym(value):
        return value
    text = f"{PREFIX}{digest(value)}" + (f"@{ANONYMISED_DOMAIN}" if email else "")
    if max_length is not None and len(text) > max_length:
        text = f"{PREFIX}{digest(value, max(4, max_length - len(PREFIX)))}"[:max_length]
    return text


def is_pseudonym(value: str) -> bool:
    return value.startswith(PREFIX)


def subject_ref(identifier: str) -> str:
    """What stays of a person after an anonymisation: the pseudonym of the identifier the request named."""
    return pseudonym(identifier)
