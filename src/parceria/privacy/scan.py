"""The check an anonymisation ends with: does any text column of any table still hold one of the person's values?

Every concrete text-like column (CharField, TextField, EmailField, JSONField as text, GenericIPAddressField) of every
installed model is searched, whatever the registry says, so that a declaration that forgot a column shows here."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

TEXT_COLUMNS = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)


def rows_holding(model: type[models.Model], columns: Iterable[str], texts: Iterable[str]) -> models.QuerySet[Any]:
    """The rows of `model` where one of `columns`, read as text, contains one of `texts` (any case). A JSON column
    keeps a non-ASCII value escaped, so each text is also looked for in its JSON-escaped form. The one search both
    the data-subject search (privacy.subjects) and the final scan use."""
    needles = sorted({n for t in texts if t for n in (t, json.dumps(t)[1:-1])})
    queryset: models.QuerySet[Any] = models.QuerySet(model)
    aliases = {f"_text_{column}": Cast(column, TextField()) for column in columns}
    if not needles or not aliases:
        return queryset.none()
    match = reduce(or_, (Q(**{f"{alias}__icontains": n}) for alias in aliases for n in needles))
    return queryset.annotate(**aliases).filter(match)


def occurrences(texts: list[str]) -> dict[str, int]:
    """{"app.Model.column": rows} for every column where one of `texts` still appears (compared without case)."""
    found: dict[str, int] = {}
    if not any(texts):
        return found
    for model in apps.get_models():
        for fld in model._meta.concrete_fields:
            if isinstance(fld, TEXT_COLUMNS) and (count := rows_holding(model, [fld.attname], texts).count()):
                found[f"{model._meta.label}.{fld.name}"] = count
    return found
