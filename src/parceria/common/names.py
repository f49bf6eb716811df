"""How a company's name is recognised wherever it is stored (customers, deal registrations, the direct-sales
pipeline): the name without accents, case, punctuation and legal-form suffixes, and how alike two such names are.

One owner: customers keep `normalised_name` with it, deals compare with it. On PostgreSQL the candidates are found
by a trigram index (`similar_rows`), and the same difflib rule decides, so both databases give the same answer for
every pair the trigram search proposes (see docs/deals.md)."""

from __future__ import annotations

import math
import re
import unicodedata
from difflib import SequenceMatcher
from fractions import Fraction
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Length

#: Legal-form suffixes removed from the end of a name (as tokens, after dots are dropped and other punctuation is a
#: space): Brazil (Ltda, S.A., S/A, ME, EPP, EIRELI), Colombia and France (S.A.S.), Mexico (S.A. de C.V.).
LEGAL_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("sa", "de", "cv"), ("s", "de", "rl"), ("ltda",), ("sa",), ("s", "a"), ("me",), ("epp",), ("eireli",),
    ("sas",), ("srl",),
)

#: Names this similar (difflib's ratio of the normalised names, 0 to 1) go to review rather than deciding.
SIMILARITY_THRESHOLD = 0.9

#: On PostgreSQL, rows whose normalised name has at least this pg_trgm similarity to the one looked for are the
#: candidates (found through the GIN trigram index); difflib then decides with SIMILARITY_THRESHOLD. The higher it is,
#: the fewer posting lists the index reads (at 1,000,000 customers: about 48 ms at 0.6, 28 ms at 0.7, 8 ms at 0.8
#: for the median search, bench/deal_conflicts.py) and the more alike pairs it misses (examples in docs/deals.md).
TRIGRAM_THRESHOLD = 0.8

#: How many trigram candidates, the most alike first, difflib looks at.
TRIGRAM_CANDIDATES = 20


def normalise_name(value: str) -> str:
    """'Padaria São João Ltda.' → 'padaria sao joao'; 'ACME S.A. de C.V.' → 'acme'."""
    tokens = normalise_label(value.replace(".", "")).split()
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


def normalise_label(value: str) -> str:
    """A label without accents, case or punctuation, words separated by one space: 'São  Paulo/SP' → 'sao paulo sp'.
    Nothing is removed (no legal suffix): it compares regions and verticals."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def similarity(a: str, b: str) -> float:
    """How alike two normalised names are, 0 to 1 (the same on SQLite and PostgreSQL)."""
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


TRIGRAM_THRESHOLD_SQL = "set_config('pg_trgm.similarity_threshold', %s, true)"


def trigram_threshold_params() -> list[str]:
    """The parameter of TRIGRAM_THRESHOLD_SQL: it sets the `%` operator's threshold for the current transaction."""
    return [str(TRIGRAM_THRESHOLD)]


def similar_rows(queryset: QuerySet[Any], name: str, *fields: str, column: str = "normalised_name",
                 threshold_set: bool = False) -> list[tuple[float, tuple[Any, ...]]]:
    """The rows of `queryset` whose `column` is alike `name` (SIMILARITY_THRESHOLD), most alike first, each as
    (similarity, values of `fields`). On PostgreSQL the trigram index proposes the candidates (`threshold_set`: the
    caller already ran TRIGRAM_THRESHOLD_SQL in this transaction); elsewhere only the lengths that can reach the
    threshold are read (difflib's ratio is at most 2·min/(a+b))."""
    if not name:
        return []
    values = ("pk", column, *fields)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.lookups import TrigramSimilar
        from django.contrib.postgres.search import TrigramSimilarity

        if not threshold_set:
            with connection.cursor() as cursor:  # the `%` operator's threshold, for this transaction only
                cursor.execute(f"SELECT {TRIGRAM_THRESHOLD_SQL}", trigram_threshold_params())
        rows = (queryset.filter(TrigramSimilar(F(column), Value(name)))
                .annotate(_trigram=TrigramSimilarity(column, name)).order_by("-_trigram", "pk")
                .values_list(*values)[:TRIGRAM_CANDIDATES])
    else:
        threshold = Fraction(str(SIMILARITY_THRESHOLD))
        low = math.ceil(len(name) * threshold / (2 - threshold))
        high = math.floor(len(name) * (2 - threshold) / threshold)
        rows = (queryset.alias(_length=Length(column)).filter(_length__gte=low, _length__lte=high)
                .order_by("pk").values_list(*values))
    found = [(round(similarity(name, row[1]), 3), (row[0], *row[2:])) for row in rows]
    return sorted((f for f in found if f[0] >= SIMILARITY_THRESHOLD), key=lambda f: (-f[0], f[1][0]))


def trigram_index(table: str, column: str = "normalised_name") -> list[Any]:
    """Migration operations: the pg_trgm extension and a GIN trigram index on `table`.`column`, on PostgreSQL only
    (elsewhere they do nothing). The index is not part of the model's state: `similar_rows` is what uses it. Without
    `fastupdate`, each insert updates the index at once instead of queueing the row in the index's pending list,
    which every search would otherwise read in full until the next vacuum."""
    from django.contrib.postgres.operations import TrigramExtension
    from django.db import migrations

    index = f"{table}_{column}_trgm"

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column} gin_trgm_ops) "
                                  "WITH (fastupdate = off)")

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")

    return [TrigramExtension(), migrations.RunPython(create, drop, elidable=False)]
