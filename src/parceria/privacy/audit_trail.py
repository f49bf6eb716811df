"""The audit trail in the console (LGPD art. 37; SPEC §10.2): the audit records of every app, filtered by actor, object,
action and date, each with its before/after values as a diff, and the rows of its export. Reads only; the records
are written by `common.audit.audit_record_create` (sensitive reads through privacy.sensitive_reads)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.common.audit import action_label
from parceria.common.models import AuditRecord
from parceria.common.pix import masked_pix_key

#: The console page of an audited object, by its type (`app_label.model`): the name of a URL that takes the object's
#: id. Other objects are shown without a link. (Names, not imports: privacy sits below these apps.)
OBJECT_PAGES: dict[str, str] = {
    "agreements.agreement": "agreements_console:detail",
    "deals.dealregistration": "deals_console:detail",
    "disputes.dispute": "disputes_console:detail",
    "leads.lead": "leads_console:detail",
    "mapping.accountmapping": "mapping_console:detail",
    "marketing.asset": "marketing_console:asset",
    "mdf.fundrequest": "mdf_console:detail",
    "partners.partner": "console:partner",
    "payouts.payoutbatch": "payouts_console:batch",
    "recruiting.application": "recruiting_console:application",
    "safeguards.safeguardflag": "safeguards_console:detail",
    "webhooks.endpoint": "webhooks_console:detail",
}


@dataclass(frozen=True)
class AuditFilters:
    """What the trail is narrowed to; a blank value (or None) does not narrow."""

    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Change:
    """One key of a record's before/after values: its value before and after as text, and whether it changed."""

    key: str
    before: str
    after: str
    changed: bool
    added: bool
    removed: bool


@dataclass(frozen=True)
class AuditRow:
    record: AuditRecord
    action_label: str
    object_label: str
    object_url: str
    changes: list[Change]

    @property
    def changed_keys(self) -> list[str]:
        return [c.key for c in self.changes if c.changed]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_records(filters: AuditFilters) -> QuerySet[AuditRecord]:
    """The audit records that match `filters`, newest first. The actor matches the label's text (a user name, an
    API key's name, a command) or the signed-in user's name, ignoring case; the dates are days in the local time
    zone, both included."""
    records = AuditRecord.objects.all()
    if filters.actor.strip():
        text = filters.actor.strip()
        records = records.filter(Q(actor_label__icontains=text) | Q(actor_user__username__iexact=text))
    if filters.object_type:
        records = records.filter(object_type=filters.object_type)
    if filters.object_id.strip():
        records = records.filter(object_id=filters.object_id.strip())
    if filters.action:
        records = records.filter(action=filters.action)
    if filters.since is not None:
        records = records.filter(at__gte=_day_start(filters.since))
    if filters.until is not None:
        records = records.filter(at__lt=_day_start(filters.until + timedelta(days=1)))
    return records.order_by("-at", "-id")


def audited_actions() -> list[tuple[str, str]]:
    """The actions the trail holds, as (code, label) in the reader's language, by label."""
    codes = AuditRecord.objects.order_by().values_list("action", flat=True).distinct()
    return sorted(((code, action_label(code)) for code in codes), key=lambda pair: (pair[1].lower(), pair[0]))


def object_type_label(object_type: str) -> str:
    """An object's type as people read it ("partners.partner" → "Partner"); the code when no model has it."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    name = str(model._meta.verbose_name)
    return name[:1].upper() + name[1:]


def audited_object_types() -> list[tuple[str, str]]:
    """The types of object the trail holds, as (code, label), by label."""
    codes = AuditRecord.objects.order_by().values_list("object_type", flat=True).distinct()
    return sorted(((code, object_type_label(code)) for code in codes), key=lambda pair: (pair[1].lower(), pair[0]))


def object_url(object_type: str, object_id: str) -> str:
    """The console page of an audited object, or "" when there is none to link to."""
    name = OBJECT_PAGES.get(object_type)
    if name is None or not object_id.isdigit():
        return ""
    try:
        return reverse(name, args=[int(object_id)])
    except NoReverseMatch:
        return ""


#: The keys of before/after values that hold a PIX key: the trail shows them masked like the partner's page does
#: (all but the last 4 characters), so the trail does not reveal what the pages audit the reading of.
MASKED_KEYS = frozenset({"pix_key"})


def masked(value: Any) -> Any:
    """A PIX key masked by common.pix.masked_pix_key; anything not a text as it is."""
    return masked_pix_key(value) if isinstance(value, str) else value


def _shown(values: Any) -> Any:
    if isinstance(values, dict):
        return {key: masked(v) if key in MASKED_KEYS else v for key, v in values.items()}
    return values


def value_text(value: Any) -> str:
    """A before/after value as text: strings as they are, None as "", anything else as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def _as_dict(values: Any) -> dict[str, Any]:
    if values is None:
        return {}
    if isinstance(values, dict):
        return values
    return {"": values}  # a value that is not a dict is one unnamed value


def changes(before: Any, after: Any) -> list[Change]:
    """Each key of `before` and `after`, in the order they first appear (before's, then after's new ones), with
    whether its value changed; a key only after was added, a key only before was removed."""
    old, new = _as_dict(before), _as_dict(after)
    keys = list(old) + [key for key in new if key not in old]
    shown_old, shown_new = _shown(old), _shown(new)
    return [
        Change(key=key, before=value_text(shown_old.get(key)), after=value_text(shown_new.get(key)),
               changed=key not in old or key not in new or old[key] != new[key],
               added=key not in old, removed=key not in new)
        for key in keys
    ]


def audit_row(record: AuditRecord) -> AuditRow:
    return AuditRow(record=record, action_label=action_label(record.action),
                    object_label=object_type_label(record.object_type),
                    object_url=object_url(record.object_type, record.object_id),
                    changes=changes(record.before, record.after))


def export_header() -> list[str]:
    return [_("When"), _("Actor"), _("Action"), _("Action code"), _("Object type"), _("Object id"), _("Reason"),
            _("Changed"), _("Before"), _("After")]


def export_row(record: AuditRecord) -> list[Any]:
    """A record as a row of the export: the stored values as JSON (PIX keys masked), and the keys that changed."""
    changed = [c.key for c in changes(record.before, record.after) if c.changed]
    return [record.at, record.actor_label, action_label(record.action), record.action, record.object_type,
            record.object_id, record.reason, ", ".join(changed),
            "" if record.before is None else value_text(_shown(record.before)),
            "" if record.after is None else value_text(_shown(record.after))]
