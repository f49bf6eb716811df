"""Sensitive reads are audited like changes (LGPD art. 37 and 46): whoever downloads a bank file, reveals a whole PIX
key or downloads a person's data leaves an audit record, with what was read in `after` and nothing before. The
pages that serve such a read call `sensitive_read_record` before they answer; the record shows in the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from parceria.common.audit import Actor, audit_record_create
from parceria.common.models import AuditRecord

#: The audited reads (each has its label in common.audit.ACTION_LABELS).
SENSITIVE_READS = frozenset({
    "payout_batch.file_downloaded",  # a batch's CNAB or CSV file, as sent to the bank
    "partner.pix_key_viewed",  # a partner's whole PIX key, revealed on its console page
    "payout.pix_key_viewed",  # the whole PIX key a payout was paid to, revealed on its batch's page
})


def sensitive_read_record(*, actor: Actor, action: str, obj: Any, details: dict[str, Any] | None = None,
                          reason: str = "") -> AuditRecord:
    """Record that `actor` read `obj` (`action`, one of SENSITIVE_READS); `details` say what was read (a file's
    name, a key's type) and never hold the sensitive value itself."""
    if action not in SENSITIVE_READS:
        raise ValueError(f"not an audited read: {action!r}")
    with transaction.atomic():
        return audit_record_create(actor=actor, action=action, obj=obj, after=details or {}, reason=reason)
