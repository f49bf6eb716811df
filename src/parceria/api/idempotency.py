"""Idempotent POST requests: the `Idempotency-Key` header (docs/api.md, "Idempotent requests").

A client that retries a POST (a timeout, a dropped connection) sends the same `Idempotency-Key` again and gets the
first answer again instead of doing the work twice. One mechanism serves every POST route of the API: `install`
adds two decorators to the NinjaAPI where it is assembled (config/api.py), so no route has code of its own.

- The key is 1 to 255 printable ASCII characters; anything else is a 400 `invalid_idempotency_key`.
- A key belongs to the principal that sent it (an API key or a user): another principal's same key is another key.
- After the API key and the request's data are checked (a 401 or 422 keeps nothing, so the corrected request may use
  the same key), the key is claimed: a row unique per principal and key, inserted and committed in its own
  transaction before the route runs. A second request that finds the row
  - with another method, path, query or body: 409 `idempotency_key_reused`, nothing done;
  - still without an answer (the first request is running): 409 `idempotency_key_in_use`, nothing done;
  - with an answer: that answer again (status, body and content type) with `Idempotent-Replayed: true`.
- The route's work and the answer it stores run in one transaction, so that a stored answer always has its work
  committed and a claim without an answer never does: a claim left by a process that died is taken over after
  STALE_CLAIM. A route that raises rolls back its work; its answer is kept when it is a 4xx.
- A 5xx answer (or an error that escapes the API's handlers) is not kept: the claim is released, a retry runs again.
- Keys and answers are kept `settings.IDEMPOTENCY_KEY_DAYS` days (30): `parceria idempotency-prune` deletes older
  ones, and an older one is treated as gone until then.
- A route without an API key (none today) ignores the header: there is no principal to keep it for.

"The same body" is the same JSON value (key order and spacing aside; numbers as written), the same form fields and
files (a multipart body's boundary aside), or else the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.transaction import Atomic
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from ninja import NinjaAPI

from parceria.api.models import IdempotencyKey
from parceria.common.errors import Conflict, ParceriaError

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
#: A claim without an answer older than this belongs to a request that died (no request runs this long: the proxy
#: and the server time out well before); the next request with the key takes it over and runs.
STALE_CLAIM = timedelta(minutes=10)
_KEY = re.compile(r"[\x20-\x7e]{1,255}")
_STATE = "_parceria_idempotency"


class InvalidIdempotencyKey(ParceriaError):
    status = 400
    code = "invalid_idempotency_key"


def _owner(principal: Any) -> str | None:
    """Whose key it is: the API key's or the user's id; None for a request without a principal."""
    if getattr(principal, "api_key", None) is not None:
        return f"api-key:{principal.api_key.pk}"
    if getattr(principal, "user", None) is not None:
        return f"user:{principal.user.pk}"
    return None


# --- what "the same request" is ----------------------------------------------------------------------------------


def _number(text: str) -> list[str]:
    """A JSON number as written (`1.10` is not `1.1`), tagged so that it cannot equal a string or a list: no JSON
    string the API accepts holds a NUL (parser.py)."""
    return ["\x00number", text]


_DECODER = json.JSONDecoder(parse_float=_number, parse_int=_number)


def _canonical_json(body: bytes) -> bytes | None:
    try:
        value = _DECODER.decode(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    # A JSON string may escape a lone surrogate ("\ud800"): valid JSON, no UTF-8; kept as such in the bytes hashed.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


def _form(request: HttpRequest) -> bytes:
    """A form's fields and files, in a stable order: what a multipart body says, whatever its boundary."""
    files = []
    for field, uploads in sorted(request.FILES.lists()):
        for upload in uploads:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)  # the route reads it next
            files.append([field, upload.name, upload.content_type, digest.hexdigest()])
    return json.dumps([sorted(request.POST.lists()), files], ensure_ascii=False).encode()


def request_hash(request: HttpRequest) -> str:
    """The SHA-256 of what the request asks: its method, path, query and body (module docstring)."""
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        body = _form(request)
    else:
        raw = request.body
        body = (_canonical_json(raw) if raw else None) or raw
    query = json.dumps(sorted(request.GET.lists()), ensure_ascii=False).encode()
    digest = hashlib.sha256()
    for part in ((request.method or "").encode(), request.path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


# --- the claim and the answer ------------------------------------------------------------------------------------


@dataclass
class _Claim:
    record: IdempotencyKey
    atomic: Atomic | None = None  # the transaction of the route's work, open until its answer is stored


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status, content_type=record.content_type or None)
    response[REPLAYED_HEADER] = "true"
    return response


def _claim(*, owner: str, key: str, request: HttpRequest, fingerprint: str) -> IdempotencyKey | HttpResponse:
    """Claim `key` for this request in its own transaction, or answer the request from the key's row: its stored
    answer, or a 409 (raised) when another request holds or held the key."""
    for _ in range(3):  # a row released, expired or stale between two looks is looked at again
        now = timezone.now()
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(owner=owner, key=key, method=request.method or "",
                                                     path=request.path, request_hash=fingerprint, created_at=now)
        except IntegrityError:
            pass
        record = IdempotencyKey.objects.filter(owner=owner, key=key).first()
        if record is None:
            continue
        if record.created_at < now - timedelta(days=settings.IDEMPOTENCY_KEY_DAYS):
            IdempotencyKey.objects.filter(pk=record.pk, created_at=record.created_at).delete()
            continue
        if record.request_hash != fingerprint:
            raise Conflict(
                f"this {HEADER} was sent with another request ({record.method} {record.path}, or another body); "
                "use a new key for a new request",
                code="idempotency_key_reused",
            )
        if record.status is not None:
            return _replay(record)
        if record.created_at >= now - STALE_CLAIM:
            raise Conflict(f"a request with this {HEADER} is still running; retry when it has answered",
                           code="idempotency_key_in_use")
        taken = IdempotencyKey.objects.filter(pk=record.pk, created_at=record.created_at, status__isnull=True)
        if taken.update(created_at=now):
            record.created_at = now
            return record
    raise Conflict(f"a request with this {HEADER} is still running; retry when it has answered",
                   code="idempotency_key_in_use")


def _keep(record: IdempotencyKey, response: HttpResponseBase) -> None:
    IdempotencyKey.objects.filter(pk=record.pk).update(
        status=response.status_code, content_type=response.get("Content-Type", ""),
        body=bytes(response.content), completed_at=timezone.now(),  # type: ignore[attr-defined]
    )


def _release(record: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=record.pk, status__isnull=True).delete()


def _kept(response: HttpResponseBase) -> bool:
    return response.status_code < 500 and not response.streaming


# --- the two decorators -----------------------------------------------------------------------------------------


def claim_key(view: Callable[..., Any]) -> Callable[..., Any]:
    """Around each route's function (after the API key and the data are checked): claim the key, or answer from
    it; then open the transaction of the route's work, which `keep_answer` closes once the answer is stored."""

    @wraps(view)
    def claimed(request: HttpRequest, **values: Any) -> Any:
        key = request.headers.get(HEADER)
        owner = _owner(getattr(request, "auth", None))
        if request.method != "POST" or key is None or owner is None:
            return view(request, **values)
        if not _KEY.fullmatch(key):
            raise InvalidIdempotencyKey(f"{HEADER} must be 1 to 255 printable ASCII characters")
        outcome = _claim(owner=owner, key=key, request=request, fingerprint=request_hash(request))
        if isinstance(outcome, HttpResponse):
            return outcome
        claim = _Claim(outcome, transaction.atomic())
        setattr(request, _STATE, claim)
        claim.atomic.__enter__()  # type: ignore[union-attr]
        try:
            return view(request, **values)
        except BaseException:
            atomic, claim.atomic = claim.atomic, None
            atomic.__exit__(*sys.exc_info())  # type: ignore[union-attr]  # the work rolls back
            raise

    return claimed


def keep_answer(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Around each operation's whole run (authentication, data, route, error handlers): store the answer of a
    claimed key, in the route's transaction when it is still open, and commit; release the key on a 5xx."""

    @wraps(run)
    def kept(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        try:
            response = run(request, **kwargs)
        except BaseException:
            claim = getattr(request, _STATE, None)
            if claim is not None:
                if claim.atomic is not None:
                    claim.atomic.__exit__(*sys.exc_info())
                _release(claim.record)
            raise
        claim = getattr(request, _STATE, None)
        if claim is None:
            return response
        keep = _kept(response)
        if claim.atomic is not None:
            try:
                if keep:
                    _keep(claim.record, response)
            except BaseException:
                claim.atomic.__exit__(*sys.exc_info())
                _release(claim.record)
                raise
            try:
                claim.atomic.__exit__(None, None, None)  # the work and its answer commit together
            except BaseException:
                _release(claim.record)
                raise
        elif keep:
            _keep(claim.record, response)
        if not keep:
            _release(claim.record)
        return response

    return kept


def install(api: NinjaAPI) -> None:
    """Make every POST route of `api` idempotent by its `Idempotency-Key` header (call before `api.urls`)."""
    api.add_decorator(keep_answer, mode="view")
    api.add_decorator(claim_key, mode="operation")


def prune(*, days: int | None = None) -> int:
    """Delete the keys older than `days` (default settings.IDEMPOTENCY_KEY_DAYS); the number deleted."""
    cutoff = timezone.now() - timedelta(days=settings.IDEMPOTENCY_KEY_DAYS if days is None else days)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
