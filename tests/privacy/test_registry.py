"""The registry of personal data covers every model: a model with a field that can hold a person's data is declared
(privacy/registry.py) or named not personal with a reason, so that a new app cannot forget its data."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import models

from parceria.privacy.processing_data import version_in_force
from parceria.privacy.registry import NOT_PERSONAL, categories, declarations, declared_fields, declared_models

TEXT_LIKE = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField, models.FileField)


def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, TEXT_LIKE) and not f.choices and not f.primary_key
    ]


def test_every_model_that_can_hold_personal_data_is_declared_or_excluded_with_a_reason() -> None:
    forgotten = [
        m._meta.label
        for m in apps.get_models()
        if _text_fields(m) and m._meta.label_lower not in declared_models() and m._meta.label_lower not in NOT_PERSONAL
    ]
    assert forgotten == []
    assert all(reason.strip() for reason in NOT_PERSONAL.values())


def test_declarations_name_real_fields_and_known_kinds() -> None:
    for d in declarations():
        model = d.model_class()
        names = {f.name for f in model._meta.concrete_fields} | {f.attname for f in model._meta.concrete_fields}
        for column in (*d.fields, *d.mentions, *d.find.values(), *d.reveals.values(), *d.also):
            assert column in names, (d.model, column)
        assert set(d.find) <= {"email", "tax_id", "user", "partner", "username"}, d.model
        if d.fiscal:
            assert d.fiscal in names


def test_the_personal_fields_of_the_main_kinds_are_declared() -> None:
    assert {"email", "first_name", "last_name", "username"} <= declared_fields("accounts.User")
    assert {"tax_id", "pix_key", "name", "legal_name"} <= declared_fields("partners.Partner")
    assert {"payee_name", "payee_tax_id", "pix_key"} <= declared_fields("payouts.Payout")
    assert {"contact_name", "contact_email", "contact_phone"} <= declared_fields("recruiting.Application")
    assert {"before", "after", "actor_label"} <= declared_fields("common.AuditRecord")


def test_every_kind_the_registry_declares_is_in_the_record_of_processing_in_force() -> None:
    keys = {e.key for e in version_in_force(dt.date.today()).entries}
    assert set(categories()) - keys == set()
