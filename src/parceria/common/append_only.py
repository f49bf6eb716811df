"""The one append-only guard: records that are written once and never changed or deleted (ledger lines,
payouts and their withholdings and marks, received events, audit records, FX rates, versions of terms, …).

A model that inherits `AppendOnlyModel` refuses, with AppendOnlyError, to save a row that already exists
and to delete one, and its querysets (its manager and every related manager) refuse `update()` and
`delete()`. A change is a new row: a correcting ledger line, a new status mark, a new terms version.
On PostgreSQL the ledger also has a trigger that refuses raw UPDATE and DELETE (docs/postgresql.md).

One sanctioned exception: an anonymisation (privacy.services.request_anonymise, LGPD art. 18) replaces a person's
values with pseudonyms in these rows through a plain QuerySet; it never changes an amount, a date or a link, and the
ledger's lines hold no personal values (docs/privacy.md).
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.db import models


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete an append-only record."""


def _refuse(model: type[models.Model], what: str, correction: str) -> NoReturn:
    name = model._meta.verbose_name_plural
    raise AppendOnlyError(f"{name} are never {what}" + (f"; {correction}" if correction else ""))


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse(self.model, "updated", getattr(self.model, "append_only_update", ""))

    def delete(self) -> NoReturn:
        _refuse(self.model, "deleted", getattr(self.model, "append_only_delete", ""))


class AppendOnlyModel(models.Model):
    """Rows written once, never changed or deleted. `append_only_update` / `append_only_delete` say what to do
    instead (shown in the error)."""

    append_only_update: ClassVar[str] = ""
    append_only_delete: ClassVar[str] = ""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse(type(self), "updated", self.append_only_update)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(type(self), "deleted", self.append_only_delete)
