"""How an account is recognised on both sides of a mapping, and the keyed hashes the sides are compared by.

An account's keys are normalised the same way on both sides:
- its tax id, compacted and validated for its country (common.taxids); a Brazilian CNPJ counts by its root, the
  first 8 characters, which name the company whatever the branch: key ``BR:<root>``; any other tax id
  ``<country>:<compact>`` (a CPF has 11 digits, so it never collides with a root);
- its web domain (customers.services.normalise_domain): key ``@<domain>``. A public e-mail provider's domain
  (deals.names.is_public_email_domain) is never a company's and gives no key.

Keys are compared only as HMAC-SHA256 digests keyed with the mapping's secret: HMAC-SHA256 of a random salt of the
mapping (32 bytes, kept on the mapping, never shown or exported) under the server's SECRET_KEY. The partner never
learns the secret; staff never see it or the salt; the digests of one mapping cannot be compared with another's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

from parceria.deals.names import is_public_email_domain

SALT_BYTES = 32
_CONTEXT = b"parceria.account-mapping\x00"


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def mapping_secret(salt: bytes | memoryview) -> bytes:
    """The key of one mapping's digests, derived from the server's secret key and the mapping's salt."""
    return hmac.digest(settings.SECRET_KEY.encode(), _CONTEXT + bytes(salt), "sha256")


def tax_key(country: str, compact: str) -> str:
    """The key of a compact, validated tax id: a CNPJ by its root, any other by its country and number."""
    if country == "BR" and len(compact) == 14:
        return "BR:" + compact[:8]
    return f"{country}:{compact}"


def domain_key(domain: str) -> str:
    """The key of a normalised domain, or "" for a public e-mail provider's."""
    if not domain or is_public_email_domain(domain):
        return ""
    return "@" + domain


class Keyed:
    """HMAC-SHA256 under one secret (RFC 2104), with the padded key's two hash states computed once: a million
    keys are hashed in a fraction of the time `hmac.digest` takes, which sets the key up again for each."""

    def __init__(self, secret: bytes) -> None:
        block = secret.ljust(64, b"\0") if len(secret) <= 64 else hashlib.sha256(secret).digest().ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def raw(self, key: str) -> bytes:
        """The 32-byte digest of a key."""
        inner = self._inner.copy()
        inner.update(key.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def hex(self, key: str) -> str:
        """The digest as 64 hex characters, "" for no key."""
        return self.raw(key).hex() if key else ""


def digest(secret: bytes, key: str) -> str:
    """The keyed digest of a key, as 64 hex characters ("" for no key)."""
    return hmac.digest(secret, key.encode(), "sha256").hex() if key else ""
