"""The one writer of audit records."""

from __future__ import annotations

from typing import Any

from parceria.common.models import AuditRecord


class Actor:
    """Who is acting: a signed-in user, an API key, or the system (commands, tasks)."""

    def __init__(self, *, label: str, user: Any = None, api_key: Any = None) -> None:
        self.label = label
        self.user = user
        self.api_key = api_key

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(label=label)

    def __repr__(self) -> str:
        return f"Actor({self.label!r})"


def audit_record_create(
    *,
    actor: Actor,
    action: str,
    obj: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditRecord:
    return AuditRecord.objects.create(
        actor_user=actor.user if getattr(actor.user, "pk", None) else None,
        actor_label=actor.label[:200],
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=before,
        after=after,
        reason=reason,
    )
