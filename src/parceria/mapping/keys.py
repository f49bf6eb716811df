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


def digest(secret: bytes, key: str) -> str:
    """The keyed digest of a key, as 64 hex characters ("" for no key)."""
    return hmac.digest(secret, key.encode(), "sha256").hex() if key else ""
