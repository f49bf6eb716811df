"""The idempotency keys of the API's POST requests (idempotency.py; docs/api.md, "Idempotent requests")."""

from __future__ import annotations

from django.db import models


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` a principal sent with a POST: claimed (committed) before the request's work starts, and
    given the request's answer in the same transaction as the work, so that the same key replays that answer. A row
    without a status is a request still running (or one that died before committing; it may be claimed again after
    idempotency.STALE_CLAIM). Kept IDEMPOTENCY_KEY_DAYS days, then pruned by `parceria idempotency-prune`."""

    owner = models.CharField(max_length=40, help_text="Who sent it: `api-key:<id>` or `user:<id>`.")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.TextField(help_text="The URL path the key was first sent to.")
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the request's query and canonical body.")
    created_at = models.DateTimeField(db_index=True, help_text="When the key was (last) claimed.")
    completed_at = models.DateTimeField(null=True, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True,
                                              help_text="The answer's status; empty while the request runs.")
    content_type = models.CharField(max_length=200, blank=True)
    body = models.BinaryField(blank=True, default=b"")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="api_idempotency_key_unique_per_owner")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"
