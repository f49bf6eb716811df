"""The endpoints' signing secrets: made, sealed for storage, opened to sign, and the signature itself.

A secret must be readable to sign with, so it cannot be hashed like a password. It is stored sealed: XOR with a
keystream of HMAC-SHA256(k_enc, nonce ‖ counter), then authenticated with HMAC-SHA256(k_mac, nonce ‖ ciphertext)
(encrypt-then-MAC), the two keys derived from SECRET_KEY for this purpose only and apart from each other. A copy of
the database alone does not reveal the secrets; rotating SECRET_KEY makes them unreadable (each endpoint then needs
a new secret). The secret is shown once, when made."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

from django.conf import settings

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def _key(use: bytes) -> bytes:
    """The sealing key for `use` (b"enc" or b"mac"), derived from SECRET_KEY."""
    return hmac.new(settings.SECRET_KEY.encode(), b"parceria.webhooks.secret-seal." + use, hashlib.sha256).digest()


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        counter += 1
    return out[:length]


def seal(secret: str) -> str:
    nonce, plain = secrets.token_bytes(16), secret.encode()
    cipher = bytes(a ^ b for a, b in zip(plain, _keystream(_key(b"enc"), nonce, len(plain)), strict=True))
    tag = hmac.new(_key(b"mac"), nonce + cipher, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(nonce + tag + cipher).decode()


def unseal(sealed: str) -> str:
    raw = base64.urlsafe_b64decode(sealed.encode())
    nonce, tag, cipher = raw[:16], raw[16:48], raw[48:]
    if not hmac.compare_digest(tag, hmac.new(_key(b"mac"), nonce + cipher, hashlib.sha256).digest()):
        raise ValueError("the sealed secret does not open with this SECRET_KEY")
    return bytes(a ^ b for a, b in zip(cipher, _keystream(_key(b"enc"), nonce, len(cipher)), strict=True)).decode()


def canonical_body(payload: dict[str, object]) -> bytes:
    """The bytes sent for an event's payload (and signed): compact JSON with sorted keys."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The `Parceria-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" with the secret>` (the
    scheme of Stripe's `Stripe-Signature`)."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = 300, now: int | None = None) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is within `tolerance` seconds."""
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    stamps = [v for k, v in parts if k == "t"]
    macs = [v for k, v in parts if k == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not macs:
        return False
    t = int(stamps[0])
    if abs((int(time.time()) if now is None else now) - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, m) for m in macs)
