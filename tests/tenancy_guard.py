"""The tenancy guard of the test suite: while a request acts for a partner (a portal page, or an API route called
with a partner key: accounts.tenancy.partner_scope), every query that reads a partner-owned table must read it
through that partner. Such a query names the partner in its condition on the table it reads from:
`"<table>"."partner_id" = <the partner>` (or IN a list holding only it), or, for the partners table,
`"partners_partner"."id" = <the partner>`. A query that does not fails the test loudly, naming the SQL: a page or
route that forgot its app's scoping function (partners.selectors.scope_partners, customers.selectors.scope_customers,
...) or filters by something else than its partner is found here, whatever it shows.

Rows reached through a join or a subquery of a bound query are the partner's by construction; a query by primary
keys that came from a bound query (e.g. a page's payouts by id) declares itself with `tenancy_guard.derived()`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.apps import apps

from parceria.accounts.tenancy import partner_scope


class UnscopedQuery(AssertionError):
    """A partner's request read a partner-owned table without naming its partner."""


_derived: ContextVar[bool] = ContextVar("tenancy_guard_derived", default=False)
_KEYWORDS = "WHERE|INNER|LEFT|RIGHT|FULL|CROSS|JOIN|ORDER|GROUP|LIMIT|OFFSET|UNION|HAVING|FOR|WINDOW|ON"
# FROM "table" [[AS] alias]: a table the statement reads (the ORM's own subquery aliases U0, U1… excluded)
_MAIN_TABLE = re.compile(rf'\bFROM\s+"(\w+)"(?!\s+U\d)(?:\s+(?:AS\s+)?(?!(?:{_KEYWORDS})\b)(\w+))?', re.IGNORECASE)
_SUBQUERY = re.compile(r"\([^()]*\)")


def _top_level(sql: str) -> str:
    """`sql` with every parenthesised part blanked (innermost first, the length kept), so that the statement's own
    FROM is the first one left."""
    while True:
        emptied = _SUBQUERY.sub(lambda m: " " * len(m.group(0)), sql)
        if emptied == sql:
            return sql
        sql = emptied


def partner_owned_tables() -> dict[str, str]:
    """Each partner-owned table and the column that names its partner."""
    tables = {}
    for model in apps.get_models():
        if model._meta.label == "partners.Partner":
            tables[model._meta.db_table] = model._meta.pk.column
            continue
        field = next((f for f in model._meta.concrete_fields if f.name == "partner" and f.is_relation), None)
        if field is not None and field.related_model._meta.label == "partners.Partner":
            tables[model._meta.db_table] = field.column
    return tables


def _params_at(sql: str, end: int, params: Any, count: int) -> list[Any]:
    first = sql[:end].count("%s")
    values = list(params or ())
    return values[first:first + count]


def bound_to(sql: str, params: Any, table: str, column: str, partner_id: int, alias: str | None = None) -> bool:
    """Whether `sql` restricts `table` (read as `alias`, if it has one) to `partner_id` by `column` (= %s,
    IN (%s, ...) all of it, = ANY(%s) of an array of it alone, or IN the partner scoping's subquery)."""
    # the column as the ORM writes it ("table"."column"), as raw SQL on that table does (column, "column"), or
    # through the table's alias (alias.column)
    aliased = rf'|(?<![\w."]){alias}\."?{column}"?' if alias else ""
    target = rf'(?:"{table}"\."{column}"|(?<![\w."]){column}\b|(?<![\w.])"{column}"{aliased})'
    scoped = r'IN\s*\(SELECT\s+U0\."id"\s+FROM\s+"partners_partner"\s+U0\s+WHERE\s+U0\."id"\s*=\s*(%s)\)'
    for match in re.finditer(target + r"\s*(?:" + scoped + r")", sql):  # through partners.selectors.scope_partners
        if _params_at(sql, match.start(1), params, 1) == [partner_id]:
            return True
    for match in re.finditer(target + r"\s*(=\s*%s|IN\s*\(((?:%s,?\s*)+)\))", sql):
        count = match.group(2).count("%s") if match.group(2) else 1
        values = _params_at(sql, match.start(1), params, count)
        if values and all(v == partner_id for v in values):
            return True
    for match in re.finditer(target + r"\s*(=\s*ANY\(%s\))", sql):  # common.bulk.key_in on PostgreSQL: one array
        values = _params_at(sql, match.start(1), params, 1)
        if values and isinstance(values[0], list | tuple) and values[0] and all(v == partner_id for v in values[0]):
            return True
    return False


def check(sql: str, params: Any, tables: dict[str, str]) -> None:
    partner_id = partner_scope()
    if partner_id is None or _derived.get() or not sql.lstrip().upper().startswith("SELECT"):
        return
    # the first table of the text (a subquery's, when the select list has one) and the statement's own
    for match in {m.groups() for m in (_MAIN_TABLE.search(sql), _MAIN_TABLE.search(_top_level(sql))) if m}:
        table, alias = match
        if table in tables and not bound_to(sql, params, table, tables[table], partner_id, alias):
            raise UnscopedQuery(f"a request of partner {partner_id} read {table} without naming its partner: "
                                f"{sql} {params!r}")


@contextmanager
def derived() -> Iterator[None]:
    """Queries inside read rows whose keys came from a query bound to the partner (tests only need this)."""
    token = _derived.set(True)
    try:
        yield
    finally:
        _derived.reset(token)


def wrapper(tables: dict[str, str]) -> Any:
    def guard(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        check(sql, params, tables)
        return execute(sql, params, many, context)

    return guard
