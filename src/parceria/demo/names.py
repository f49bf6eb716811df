"""Plausible, made-up names for partners and customers, drawn from the word lists with a seeded generator.

A `NameBook` remembers the names and domains it has handed out, so that every partner name and every
customer domain is unique however many are asked for (a city, then a number, tells duplicates apart).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field

from parceria.demo import words


def slug(text: str, max_length: int = 40) -> str:
    """'Padaria Bom Sabor' → 'padariabomsabor' (ASCII letters and digits only)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())[:max_length] or "empresa"


def person_name(rng: random.Random, language: str) -> str:
    first = rng.choice(words.FIRST_NAMES[language])
    last = rng.sample(words.SURNAMES[language], 2)
    return f"{first} {last[0]} {last[1]}"


def legal_name(rng: random.Random, name: str, country: str, tax_regime: str) -> str:
    """The registered name: the trade name with the country's (and, in Brazil, the tax regime's) legal form."""
    key = f"{country}:{tax_regime}" if country == "BR" else country
    return f"{name} {rng.choice(words.LEGAL_FORMS[key])}"


@dataclass
class NameBook:
    """Hands out unique partner names and customer (name, domain) pairs."""

    partner_names: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)
    _counters: dict[str, int] = field(default_factory=dict)

    def partner_name(self, rng: random.Random, country: str, subcategory: str) -> str:
        language = words.LANGUAGE[country]
        roots = words.PARTNER_ROOTS[country] + (words.SPANISH_ROOTS if language == "es" else ())
        suffixes = words.PARTNER_SUFFIXES[language][subcategory]
        candidate = f"{rng.choice(roots)} {rng.choice(suffixes)}"
        for _ in range(20):
            if candidate not in self.partner_names:
                break
            candidate = f"{rng.choice(roots)} {rng.choice(suffixes)}"
        else:
            candidate = f"{candidate} {rng.choice(words.CITIES[country])}"
        return self._claim_name(candidate)

    def consultant_name(self, rng: random.Random) -> tuple[str, str]:
        """A Brazilian individual consultant (PF): (trade name, legal name = the person's name)."""
        person = person_name(rng, "pt")
        return self._claim_name(f"{person} {rng.choice(words.PERSON_TRADES)}"), person

    def customer(self, rng: random.Random, country: str, vertical: str) -> tuple[str, str]:
        """(name, domain) of a small business in `country`, with a domain no other customer has."""
        language = words.LANGUAGE[country]
        kind = rng.choice(words.BUSINESS_KINDS[language][vertical])
        if rng.random() < 0.3:
            tail = rng.choice(words.SURNAMES[language])
            tail = f"{tail} & {rng.choice(words.SURNAMES[language])}" if rng.random() < 0.4 else tail
        else:
            tail = rng.choice(words.BUSINESS_TAILS[language])
        name = f"{kind} {tail}"
        tld = words.TOP_LEVEL_DOMAINS[country]
        label = slug(name)
        if f"{label}.{tld}" in self.domains:  # a second business of that name: in another city
            name = f"{name} {rng.choice(words.CITIES[country])}"
            label = slug(name, 50)
        domain = base = f"{label}.{tld}"
        while domain in self.domains:  # a chain: number its units
            number = self._counters[base] = self._counters.get(base, 1) + 1
            domain = f"{label}{number}.{tld}"
        self.domains.add(domain)
        return name, domain

    def _claim_name(self, name: str) -> str:
        unique = name
        while unique in self.partner_names:
            number = self._counters[name] = self._counters.get(name, 1) + 1
            unique = f"{name} {number}"
        self.partner_names.add(unique)
        return unique
