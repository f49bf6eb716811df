"""The `Stripe-Signature` header of a webhook Stripe sends (https://docs.stripe.com/webhooks#verify-manually).

The header is `t=<unix time>,v1=<hex HMAC-SHA256>[,v1=…][,v0=…]`: the signature is HMAC-SHA256, keyed with the
endpoint's signing secret (`whsec_…`), over `<t>.<raw body>`. Stripe sends several `v1` signatures while a secret is
being rolled (the old and the new one); any one of them matching is enough. Other schemes (`v0`, test mode's
legacy one) are ignored. A timestamp older than the tolerance is refused so that a captured request cannot be
replayed later; one from the future is refused past the same tolerance (a clock that far ahead is no webhook of now).

Compared in constant time (`hmac.compare_digest`), so the comparison's duration tells nothing of the expected
signature.
"""

from __future__ import annotations

import hashlib
import hmac

#: The longest header read: a few signatures and a timestamp fit many times over.
MAX_HEADER = 4096
SCHEME = "v1"


class SignatureError(ValueError):
    """A webhook whose signature does not prove that Stripe sent it now."""


def parse_header(header: str) -> tuple[int, list[str]]:
    """The header's timestamp and its `v1` signatures. Raises SignatureError for a header of another shape."""
    if not header or len(header) > MAX_HEADER:
        raise SignatureError("the Stripe-Signature header is missing or too long")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError("the Stripe-Signature header is not a list of key=value pairs")
        if key == "t":
            if timestamp is not None or not value.isascii() or not value.isdigit() or len(value) > 12:
                raise SignatureError("the Stripe-Signature header's timestamp t is not one Unix time")
            timestamp = int(value)
        elif key == SCHEME:
            signatures.append(value)
    if timestamp is None:
        raise SignatureError("the Stripe-Signature header has no timestamp t")
    if not signatures:
        raise SignatureError(f"the Stripe-Signature header has no {SCHEME} signature")
    return timestamp, signatures


def expected_signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def verify(*, body: bytes, header: str, secret: str, tolerance: int, now: float) -> int:
    """Check that `header` signs `body` with `secret` within `tolerance` seconds of `now`; the signed timestamp.
    Raises SignatureError saying what is wrong (never which signature was expected)."""
    timestamp, signatures = parse_header(header)
    expected = expected_signature(secret, timestamp, body).encode("ascii")
    # Every candidate is compared (no early exit), each in constant time.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected, candidate.encode("utf-8", "surrogateescape"))
    if not matched:
        raise SignatureError("no v1 signature of the Stripe-Signature header matches the body and the secret")
    if abs(now - timestamp) > tolerance:
        raise SignatureError(
            f"the Stripe-Signature header's timestamp is {int(now - timestamp)} s away from now, more than the "
            f"{tolerance} s allowed"
        )
    return timestamp
