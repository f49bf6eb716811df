"""The check an anonymisation ends with: does any text column of any table still hold one of the person's values?

Every concrete text-like column (CharField, TextField, EmailField, JSONField as text, GenericIPAddressField) of every
installed model is searched, whatever the registry says, so that a declaration that forgot a column shows here."""

from __future__ import annotations

import json
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

TEXT_COLUMNS = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)


def occurrences(texts: list[str]) -> dict[str, int]:
    """{"app.Model.column": rows} for every column where one of `texts` still appears (compared without case)."""
    found: dict[str, int] = {}
    needles = sorted({n for t in texts if t for n in (t, json.dumps(t)[1:-1])})
    if not needles:
        return found
    for model in apps.get_models():
        for fld in model._meta.concrete_fields:
            if not isinstance(fld, TEXT_COLUMNS):
                continue
            alias = f"_scan_{fld.attname}"
            queryset = models.QuerySet(model).annotate(**{alias: Cast(fld.attname, TextField())})
            count = queryset.filter(reduce(or_, (Q(**{f"{alias}__icontains": n}) for n in needles))).count()
            if count:
                found[f"{model._meta.label}.{fld.name}"] = count
    return found
