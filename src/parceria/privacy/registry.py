"""The registry of personal data: where every app keeps data about a person, so that a data-subject request finds,
exports and anonymises all of it (docs/privacy.md).

Every app declares its models in its `AppConfig.ready()` with `declare(PersonalData(...))` (the apps below privacy,
accounts and common, and Django's own tables are declared here, in `privacy.apps`). A test walks every model of the
project and fails when a model with a field that looks personal (an e-mail, a name, a phone, a tax id, a PIX key, an
address, free text, a JSON payload) is neither declared nor listed in `NOT_PERSONAL` with a reason: a new app cannot
forget its data.

A declaration says how rows are found for a person and which fields are theirs:

- `find`: identifier kind → the field compared: `"email"` (compared without case), `"tax_id"` (a CPF, compact),
  `"user"` (a user's id), `"partner"` (the id of a partner that *is* the person: a `pf` payee), `"username"`.
- `fields`: the personal fields, exported and replaced by pseudonyms on anonymisation.
- `mentions`: text or JSON fields where the person's values may appear inside other text (an audit record's
  before/after, an event's payload); any row of the model that contains one of the person's values is exported and
  the values inside it are replaced.
- `identifies`: the matched rows' ids are partners that are the person (the partner registry's `pf` payees).
- `reveals`: identifier kind → field whose values, in matched rows, identify the person further (an application
  found by CPF gives the contact's e-mail).
- `fiscal`: the date field of a record under the fiscal hold (holds.py): its identifiers are sealed before they are
  replaced.
- `erase`: "pseudonymise" (the row stays: its totals, its history) or "delete" (the row only served the person).
- `finder`: a function of the subject that returns the rows when no field lookup can find them.
- `blocker`: a function of the matched rows that returns why the person cannot be anonymised yet ("" when they can).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.apps import apps
from django.db import models

IdentifierKind = Literal["email", "tax_id", "user", "partner", "username"]


@dataclass(frozen=True)
class PersonalData:
    model: str
    category: str
    find: dict[str, str] = field(default_factory=dict)
    fields: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    identifies: bool = False
    reveals: dict[str, str] = field(default_factory=dict)
    fiscal: str = ""
    erase: Literal["pseudonymise", "delete"] = "pseudonymise"
    blocker: Callable[[models.QuerySet[Any]], str] | None = None
    #: Like `reveals`, for what needs a rule: a function of the matched rows → {identifier kind: values}.
    reveal: Callable[[list[Any]], dict[str, list[Any]]] | None = None
    #: Fixed values an anonymisation also writes to the person's own rows (a user cannot sign in any more).
    also: dict[str, Any] = field(default_factory=dict)
    #: For rows no field lookup finds (Django's sessions: the user is inside the encoded data).
    finder: Callable[[Any], Iterable[models.Model]] | None = None

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


_DECLARED: dict[str, list[PersonalData]] = {}

#: Models that hold no personal data although a field's name or type suggests it, with the reason (checked by
#: tests/privacy/test_registry.py). Apps add theirs with `not_personal(...)`.
NOT_PERSONAL: dict[str, str] = {}


def declare(*declarations: PersonalData) -> None:
    """Declare where an app keeps personal data (from its `AppConfig.ready()`). Declaring the same again replaces it."""
    for declaration in declarations:
        found = _DECLARED.setdefault(declaration.model.lower(), [])
        found[:] = [d for d in found if d != declaration] + [declaration]


def mentions(model: str, *columns: str, category: str = "activity_log") -> PersonalData:
    """A declaration of text or JSON fields that may mention a person (notes, explanations, payloads)."""
    return PersonalData(model=model, category=category, mentions=columns)


#: The house's convention for who did something: a CharField named `…_label`, `…_by` or `created_by` holds an
#: actor's label ("user:ana@example.com"). Every such field is declared as a mention by privacy.apps, by name.
ACTOR_LABEL_SUFFIXES = ("_label", "_by")


def actor_label_fields(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField) and not f.choices and f.name.endswith(ACTOR_LABEL_SUFFIXES)
    )


def not_personal(model: str, reason: str) -> None:
    """Say that a model holds no personal data despite its fields' names, and why."""
    NOT_PERSONAL[model.lower()] = reason


def declarations() -> list[PersonalData]:
    return [d for found in _DECLARED.values() for d in found]


def declared_models() -> set[str]:
    return set(_DECLARED)


def categories() -> list[str]:
    return sorted({d.category for d in declarations()})


def declared_fields(model_label: str) -> set[str]:
    """The fields of a model that some declaration names (personal or mentioning)."""
    return {f for d in _DECLARED.get(model_label.lower(), []) for f in (*d.fields, *d.mentions, *d.find.values())}


def each(kinds: Iterable[str] | None = None) -> Iterable[PersonalData]:
    wanted = set(kinds) if kinds is not None else None
    for d in declarations():
        if wanted is None or wanted & set(d.find):
            yield d
