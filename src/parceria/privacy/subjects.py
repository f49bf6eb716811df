"""Finding a person's data: from what a request names (an e-mail, a CPF, a user), through the registry of every app's
declarations (registry.py), to every row that is theirs and every row that mentions them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db import models
from django.db.models import Q

from parceria.common.taxids import TaxIdError, validate_cpf
from parceria.privacy.pseudonyms import is_pseudonym
from parceria.privacy.registry import PersonalData, declarations
from parceria.privacy.scan import rows_holding

#: Values shorter than this are not looked for inside other text (too likely to match something else).
MIN_VALUE_LENGTH = 5


@dataclass
class Subject:
    """The identifiers of one person, grown as their rows are found."""

    email: set[str] = field(default_factory=set)
    tax_id: set[str] = field(default_factory=set)
    user: set[int] = field(default_factory=set)
    partner: set[int] = field(default_factory=set)
    username: set[str] = field(default_factory=set)
    values: set[str] = field(default_factory=set)

    def get(self, kind: str) -> set[Any]:
        return getattr(self, kind)

    def add(self, kind: str, found: Iterable[Any]) -> bool:
        known = self.get(kind)
        new = {v.lower() if kind == "email" else v for v in found if v not in (None, "")}
        new = {v for v in new if not (isinstance(v, str) and is_pseudonym(v))}
        if new - known:
            known |= new
            return True
        return False

    @property
    def searchable(self) -> list[str]:
        """The person's values looked for inside other text, longest first (so that a name inside an e-mail is
        replaced after the e-mail)."""
        texts = {str(v) for v in self.values | self.email | self.tax_id | self.username}
        texts |= {f"user:{u}" for u in self.username}  # the house's actor label, whatever the name's length
        texts |= {_cpf_formatted(t) for t in self.tax_id if len(t) == 11 and t.isdigit()}
        kept = (t for t in texts if len(t) >= MIN_VALUE_LENGTH and not is_pseudonym(t))
        return sorted(kept, key=lambda t: (-len(t), t))


@dataclass
class Found:
    """The rows of one declaration that are the person's (`rows`) or mention them (`mentioning`)."""

    declaration: PersonalData
    rows: list[models.Model]
    mentioning: list[models.Model]

    @property
    def count(self) -> int:
        return len(self.rows) + len(self.mentioning)


def _cpf_formatted(digits: str) -> str:
    return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"


def subject_for(*, email: str = "", tax_id: str = "", user: Any = None) -> Subject:
    """The starting identifiers of a request. A CPF is kept in its compact form (an invalid one raises TaxIdError)."""
    subject = Subject()
    if email:
        subject.add("email", [email.strip()])
    if tax_id:
        subject.add("tax_id", [validate_cpf(tax_id)])
    if user is not None:
        subject.add("user", [user.pk])
    return subject


def _lookup(declaration: PersonalData, subject: Subject) -> Q | None:
    parts: list[Q] = []
    for kind, column in declaration.find.items():
        values = subject.get(kind)
        if not values:
            continue
        if kind == "email":
            parts.extend(Q(**{f"{column}__iexact": v}) for v in sorted(values))
        else:
            parts.append(Q(**{f"{column}__in": sorted(values)}))
    return reduce(or_, parts) if parts else None


def _matched(declaration: PersonalData, subject: Subject) -> list[models.Model]:
    if declaration.finder is not None:
        return list(declaration.finder(subject))
    query = _lookup(declaration, subject)
    if query is None:
        return []
    model = declaration.model_class()
    return list(models.QuerySet(model).filter(query).order_by("pk"))


def _string_values(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _string_values(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _string_values(v)


def _mentioning(declaration: PersonalData, texts: list[str]) -> list[models.Model]:
    if not declaration.mentions or not texts:
        return []
    return list(rows_holding(declaration.model_class(), declaration.mentions, texts).order_by("pk"))


def find(subject: Subject, *, skip: models.Model | None = None) -> list[Found]:
    """Every declaration's rows for the person. The identifiers grow until nothing new is found (a CPF finds a `pf`
    partner, whose payouts are then the person's; an e-mail finds a user, whose sign-in name then finds attempts)."""
    for _ in range(4):
        grew = False
        for declaration in declarations():
            rows = _matched(declaration, subject)
            if not rows:
                continue
            if declaration.identifies:
                grew |= subject.add("partner", [row.pk for row in rows])
            for kind, column in declaration.reveals.items():
                grew |= subject.add(kind, [getattr(row, column) for row in rows])
            if declaration.reveal is not None:
                for kind, values in declaration.reveal(rows).items():
                    grew |= subject.add(kind, values)
        if not grew:
            break
    found = []
    for declaration in declarations():
        rows = _matched(declaration, subject)
        if skip is not None:
            rows = [row for row in rows if not (type(row) is type(skip) and row.pk == skip.pk)]
        for row in rows:
            for column in declaration.fields:
                subject.values |= {v for v in _string_values(getattr(row, column)) if v and not is_pseudonym(v)}
        found.append(Found(declaration, rows, []))
    texts = subject.searchable
    for item in found:
        seen = {row.pk for row in item.rows}
        item.mentioning = [
            row
            for row in _mentioning(item.declaration, texts)
            if row.pk not in seen and not (skip is not None and type(row) is type(skip) and row.pk == skip.pk)
        ]
    return [item for item in found if item.count]


def safe_subject_for(*, email: str = "", tax_id: str = "", user: Any = None) -> Subject | TaxIdError:
    try:
        return subject_for(email=email, tax_id=tax_id, user=user)
    except TaxIdError as exc:
        return exc
