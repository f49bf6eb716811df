"""Data-subject requests (LGPD art. 18–19, docs/privacy.md): register, search, export once, anonymise, answer.

Every step is audited. An access or portability request produces one JSON file of everything the registry finds
about the person (registry.py, subjects.py); staff with the privacy ability download it once, and the file is then
deleted. An anonymisation replaces the person's values with stable pseudonyms in every row that is theirs or mentions
them; rows that only served them are deleted; records under the fiscal hold keep their amounts and their identifiers
are sealed (seal.py) until the hold ends. A second anonymisation of the same person finds nothing and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.models import partner_model
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput, NotFound
from parceria.common.storage import MediaFolderStorage
from parceria.common.taxids import TaxIdError
from parceria.privacy.holds import fiscal_hold_until, held_emails, held_partner_ids, under_fiscal_hold
from parceria.privacy.models import DataSubjectRequest, LegalHold, RequestKind, RequestStatus, SealedIdentity
from parceria.privacy.pseudonyms import is_pseudonym, pseudonym, subject_ref
from parceria.privacy.scan import occurrences
from parceria.privacy.seal import seal, unseal
from parceria.privacy.subjects import Found, Subject, find, subject_for

#: LGPD art. 19 II: a full answer within 15 days of the request.
ANSWER_DAYS = 15
EXPORT_FORMAT = "parceria.dsr-export/1"

exports = MediaFolderStorage("privacy-exports")


def _bad(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_field", details={"field": field})


def due_on(received: dt.date) -> dt.date:
    return received + dt.timedelta(days=ANSWER_DAYS)


@dataclass(frozen=True)
class NewRequest:
    kind: str
    email: str = ""
    tax_id: str = ""
    user: Any = None
    details: str = ""
    received_on: dt.date | None = None
    channel: str = "console"


def _snapshot(req: DataSubjectRequest) -> dict[str, Any]:
    return {"kind": req.kind, "status": req.status, "due_on": str(req.due_on), "found": req.found}


def request_register(*, new: NewRequest, actor: Actor) -> DataSubjectRequest:
    """Register a request. At least one identifier; a CPF must be a real one; the deadline is 15 days after receipt."""
    if new.kind not in RequestKind.values:
        raise _bad("kind", _("Unknown kind of request."))
    email = new.email.strip()
    if email and ("@" not in email or len(email) > 254):
        raise _bad("email", _("Enter a valid e-mail address."))
    if not (email or new.tax_id.strip() or new.user is not None):
        raise _bad("email", _("Say who the request is about: an e-mail address, a CPF or a user."))
    try:
        subject = subject_for(email=email, tax_id=new.tax_id.strip(), user=new.user)
    except TaxIdError as exc:
        raise _bad("tax_id", str(exc.reason)) from None
    received = new.received_on or timezone.localdate()
    if received > timezone.localdate():
        raise _bad("received_on", _("A request cannot be received in the future."))
    req = DataSubjectRequest.objects.create(
        kind=new.kind,
        subject_email=email or (new.user.email if new.user is not None else ""),
        subject_tax_id=next(iter(subject.tax_id), ""),
        subject_user=new.user,
        channel=new.channel,
        details=new.details.strip()[:5000],
        received_at=timezone.now()
        if received == timezone.localdate()
        else timezone.make_aware(dt.datetime.combine(received, dt.time(12))),
        due_on=due_on(received),
        registered_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    audit_record_create(actor=actor, action="dsr.registered", obj=req, after=_snapshot(req))
    return req


def _subject(req: DataSubjectRequest) -> Subject:
    return subject_for(email=req.subject_email, tax_id=req.subject_tax_id, user=req.subject_user)


def _locked(req: DataSubjectRequest) -> DataSubjectRequest:
    return DataSubjectRequest.objects.select_for_update().get(pk=req.pk)


def _summary(found: list[Found]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in found:
        out[item.declaration.category] = out.get(item.declaration.category, 0) + item.count
    return dict(sorted(out.items()))


def _row(instance: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for fld in instance._meta.concrete_fields:
        if isinstance(fld, models.FileField):
            data[fld.name] = str(getattr(instance, fld.attname) or "")
        elif isinstance(fld, models.BinaryField):
            continue
        else:
            data[fld.attname] = getattr(instance, fld.attname)
    return data


def export_document(req: DataSubjectRequest, found: list[Found]) -> dict[str, Any]:
    """The machine-readable answer to an access or portability request (LGPD art. 19 §3): every record found."""
    records: dict[str, list[dict[str, Any]]] = {}
    for item in found:
        label = item.declaration.model_class()._meta.label
        for how, rows in (("holder", item.rows), ("mentioned", item.mentioning)):
            for row in rows:
                records.setdefault(item.declaration.category, []).append(
                    {"model": label, "id": row.pk, "relation": how, "fields": _row(row)}
                )
    return {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now(),
        "request": {"id": req.pk, "kind": req.kind, "received_at": req.received_at, "due_on": req.due_on},
        "subject": {"email": req.subject_email, "tax_id": req.subject_tax_id, "user_id": req.subject_user_id},
        "summary": _summary(found),
        "records": records,
    }


def request_search(*, req: DataSubjectRequest, actor: Actor) -> DataSubjectRequest:
    """Find what Parceria holds about the person; for access, portability and sharing requests, write the export file
    (replacing an earlier one not yet downloaded). Nothing found is an answer too, and it is recorded."""
    with transaction.atomic():
        req = _locked(req)
        if req.status != RequestStatus.OPEN:
            raise Conflict(_("This request is already answered."))
        found = find(_subject(req), skip=req)
        req.found = _summary(found)
        if req.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY, RequestKind.SHARING) and found:
            body = json.dumps(export_document(req, found), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
            if req.export_name:
                exports.delete(req.export_name)
            req.export_name = exports.save(f"dsr-{req.pk}-{secrets.token_hex(8)}.json", ContentFile(body.encode()))
            req.downloaded_at = None
            req.downloaded_by_label = ""
        req.save(update_fields=["found", "export_name", "downloaded_at", "downloaded_by_label"])
        audit_record_create(actor=actor, action="dsr.searched", obj=req, after={"found": req.found})
    return req


def request_download(*, req: DataSubjectRequest, actor: Actor) -> tuple[str, bytes]:
    """The export file, once: the download is audited and the file deleted."""
    with transaction.atomic():
        req = _locked(req)
        if not req.export_name:
            raise NotFound(_("There is no export for this request: search first."))
        if req.downloaded_at is not None:
            raise Conflict(_("The export was already downloaded; search again for a new one."))
        with exports.open(req.export_name, "rb") as handle:
            body = handle.read()
        name = req.export_name
        req.downloaded_at = timezone.now()
        req.downloaded_by_label = actor.label[:200]
        req.save(update_fields=["downloaded_at", "downloaded_by_label"])
        audit_record_create(actor=actor, action="dsr.export_downloaded", obj=req, after={"file": name})
        transaction.on_commit(lambda: exports.delete(name))
    return f"parceria-dsr-{req.pk}.json", body


def request_answer(*, req: DataSubjectRequest, answer: str, refused: bool = False, actor: Actor) -> DataSubjectRequest:
    """Close a request with the answer given to the person."""
    answer = answer.strip()
    if not answer:
        raise _bad("answer", _("Write the answer given to the person."))
    with transaction.atomic():
        req = _locked(req)
        if req.status != RequestStatus.OPEN:
            raise Conflict(_("This request is already answered."))
        before = _snapshot(req)
        req.status = RequestStatus.REFUSED if refused else RequestStatus.ANSWERED
        req.answer = answer[:5000]
        req.answered_at = timezone.now()
        req.answered_by_label = actor.label[:200]
        req.save(update_fields=["status", "answer", "answered_at", "answered_by_label"])
        audit_record_create(actor=actor, action="dsr.answered", obj=req, before=before, after=_snapshot(req))
    return req


# --- Anonymisation --------------------------------------------------------------------------------------------


def _replace_text(text: str, replacements: list[tuple[str, str]]) -> str:
    lowered = text.casefold()
    for value, replacement in replacements:
        start = lowered.find(value.casefold())
        while start != -1:
            text = text[:start] + replacement + text[start + len(value) :]
            lowered = text.casefold()
            start = lowered.find(value.casefold(), start + len(replacement))
    return text


def _replace_in(value: Any, replacements: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        return _replace_text(value, replacements)
    if isinstance(value, dict):
        return {_replace_text(k, replacements): _replace_in(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_in(v, replacements) for v in value]
    return value


def _pseudonymised(fld: models.Field[Any, Any], value: Any, replacements: list[tuple[str, str]]) -> Any:
    if value in (None, ""):
        return value
    if isinstance(fld, models.JSONField):
        return _pseudonymise_leaves(value)
    if not isinstance(value, str) or is_pseudonym(value):
        return value
    email = isinstance(fld, models.EmailField) or "@" in value
    return pseudonym(value, max_length=getattr(fld, "max_length", None), email=email)


def _pseudonymise_leaves(value: Any) -> Any:
    if isinstance(value, str):
        return pseudonym(value) if value else value
    if isinstance(value, dict):
        return {k: _pseudonymise_leaves(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pseudonymise_leaves(v) for v in value]
    return value


def _blockers(found: list[Found], subject: Subject, today: dt.date) -> list[str]:
    reasons = []
    if subject.partner & held_partner_ids(today) or subject.email & held_emails(today):
        reasons.append(_("a legal hold is in force on this person's records"))
    for item in found:
        if item.declaration.blocker is not None and item.rows:
            pks = [row.pk for row in item.rows]
            reason = item.declaration.blocker(models.QuerySet(item.declaration.model_class()).filter(pk__in=pks))
            if reason:
                reasons.append(reason)
    return reasons


def request_anonymise(*, req: DataSubjectRequest, actor: Actor) -> DataSubjectRequest:
    """Anonymise the person the request names, in one transaction, and answer the request. Refused (Conflict, nothing
    changed) while a legal hold is in force or a contract needs the data (a registry blocker says why)."""
    if req.kind != RequestKind.ANONYMISATION:
        raise Conflict(_("Only an anonymisation request anonymises."))
    today = timezone.localdate()
    with transaction.atomic():
        req = _locked(req)
        if req.status != RequestStatus.OPEN:
            raise Conflict(_("This request is already answered."))
        subject = _subject(req)
        found = find(subject, skip=req)
        ref = subject_ref(req.subject_tax_id or req.subject_email or str(req.subject_user_id or ""))
        answer = ""
        if not found:
            earlier = (
                DataSubjectRequest.objects.filter(subject_ref=ref, kind=RequestKind.ANONYMISATION)
                .exclude(pk=req.pk)
                .order_by("answered_at")
                .first()
            )
            answer = (
                f"Nothing to anonymise: this person was anonymised by request #{earlier.pk}."
                if earlier
                else "Nothing was found about this person; nothing was changed."
            )
        else:
            reasons = _blockers(found, subject, today)
            if reasons:
                raise Conflict(_("Cannot anonymise yet: %(reasons)s.") % {"reasons": "; ".join(reasons)})
            changed, deleted, sealed = _anonymise(req, found, subject, today)
            answer = (
                f"Anonymised: {changed} records pseudonymised, {deleted} deleted"
                + (f", identifiers of {sealed} records under the fiscal hold sealed" if sealed else "")
                + "."
            )
        before = _snapshot(req)
        req.refresh_from_db()  # the registry's declaration of requests may just have pseudonymised this one
        req.found = _summary(found)
        req.answer = answer
        req.details = _replace_text(req.details, [(v, pseudonym(v, email="@" in v)) for v in subject.searchable])
        req.subject_email = pseudonym(req.subject_email, email=True) if req.subject_email else ""
        req.subject_tax_id = pseudonym(req.subject_tax_id) if req.subject_tax_id else ""
        req.subject_ref = ref
        req.status = RequestStatus.ANSWERED
        req.answered_at = timezone.now()
        req.answered_by_label = actor.label[:200]
        req.save()
        audit_record_create(
            actor=actor, action="dsr.anonymised", obj=req, before=before, after={**_snapshot(req), "answer": req.answer}
        )
        values = subject.searchable if found else []
    if values:
        # The check every anonymisation ends with, outside its transaction: does any text column of any table still
        # hold one of the person's values (a value another person shares, or a column no declaration names)?
        left = occurrences(values)
        req.answer += (
            " Scan afterwards: none of the person's values is left in any text column."
            if not left
            else " Scan afterwards: values still found in " + ", ".join(f"{k} ({n})" for k, n in sorted(left.items()))
            + " (shared with another person, or a column to declare)."
        )
        DataSubjectRequest.objects.filter(pk=req.pk).update(answer=req.answer)
    return req


def _anonymise(req: DataSubjectRequest, found: list[Found], subject: Subject, today: dt.date) -> tuple[int, int, int]:
    replacements = [(value, pseudonym(value, email="@" in value)) for value in subject.searchable]
    changed = deleted = 0
    held: list[dict[str, Any]] = []
    hold_until: dt.date | None = None
    for item in found:
        declaration = item.declaration
        model = declaration.model_class()
        if declaration.erase == "delete" and not declaration.fiscal:
            pks = [row.pk for row in item.rows]
            deleted += len(pks)
            models.QuerySet(model).filter(pk__in=pks).delete()
            rows: Iterable[models.Model] = item.mentioning
        else:
            rows = [*item.rows, *item.mentioning]
        own = {row.pk for row in item.rows}
        for row in rows:
            updates: dict[str, Any] = {}
            if row.pk in own:
                updates.update({k: v for k, v in declaration.also.items() if getattr(row, k) != v})
                for column in declaration.fields:
                    fld = cast("models.Field[Any, Any]", model._meta.get_field(column))
                    new = _pseudonymised(fld, getattr(row, fld.attname), replacements)
                    if new != getattr(row, fld.attname):
                        updates[fld.attname] = new
            for column in declaration.mentions:
                current = updates.get(column, getattr(row, column))
                new = _replace_in(current, replacements)
                if new != getattr(row, column):
                    updates[column] = new
            if not updates:
                continue
            if declaration.fiscal and row.pk in own:
                record_date = getattr(row, declaration.fiscal)
                record_day = record_date.date() if isinstance(record_date, dt.datetime) else record_date
                if under_fiscal_hold(record_day, today):
                    held.append(
                        {"model": model._meta.label, "id": row.pk, "fields": {c: getattr(row, c) for c in updates}}
                    )
                    until = fiscal_hold_until(record_day)
                    hold_until = until if hold_until is None or until > hold_until else hold_until
            models.QuerySet(model).filter(pk=row.pk).update(**updates)
            changed += 1
    if held and hold_until is not None:
        SealedIdentity.objects.create(
            request=req,
            pseudonym=subject_ref(req.subject_tax_id or req.subject_email),
            sealed=seal(held),
            hold_until=hold_until,
        )
    return changed, deleted, len(held)


# --- Legal holds ----------------------------------------------------------------------------------------------


def hold_place(
    *, partner_id: int | None, subject_email: str, reason: str, until: dt.date | None, actor: Actor
) -> LegalHold:
    """Place a legal hold on a partner's or a person's records: retention and anonymisation keep them."""
    email = subject_email.strip().lower()
    if not partner_id and not email:
        raise _bad("partner_id", _("Name a partner or a person's e-mail address."))
    if partner_id and not partner_model()._default_manager.filter(pk=partner_id).exists():
        raise _bad("partner_id", _("There is no partner with this number."))
    if email and "@" not in email:
        raise _bad("subject_email", _("Enter a valid e-mail address."))
    if not reason.strip():
        raise _bad("reason", _("Say why the records are held."))
    if until is not None and until < timezone.localdate():
        raise _bad("until", _("A hold cannot end in the past."))
    hold = LegalHold.objects.create(
        partner_id=partner_id or None, subject_email=email, reason=reason.strip()[:300], until=until,
        placed_by_label=actor.label[:200],
    )
    audit_record_create(
        actor=actor, action="legal_hold.placed", obj=hold,
        after={"partner_id": hold.partner_id, "until": str(until or ""), "reason": hold.reason},
    )
    return hold


def hold_release(*, hold: LegalHold, actor: Actor) -> LegalHold:
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.released_at is not None:
            return hold
        hold.released_at = timezone.now()
        hold.released_by_label = actor.label[:200]
        hold.save(update_fields=["released_at", "released_by_label"])
        audit_record_create(actor=actor, action="legal_hold.released", obj=hold, after={"released": True})
    return hold


# --- Sealed identities ----------------------------------------------------------------------------------------


def sealed_open(*, pseudonym_ref: str, reason: str, actor: Actor) -> list[dict[str, Any]]:
    """The identifiers sealed for a pseudonym (a tax authority's question about an anonymised payee's income), each
    opening audited with its reason. NotFound when nothing is sealed under it (or its hold has ended)."""
    if not reason.strip():
        raise _bad("reason", _("Say why the sealed identity is opened (who asked, under which procedure)."))
    sealed = list(SealedIdentity.objects.filter(pseudonym=pseudonym_ref.strip()).order_by("id"))
    if not sealed:
        raise NotFound(_("Nothing is sealed under this pseudonym."))
    opened: list[dict[str, Any]] = []
    for item in sealed:
        opened.extend(unseal(item.sealed))
        audit_record_create(actor=actor, action="sealed_identity.opened", obj=item, reason=reason.strip()[:500],
                            after={"records": len(opened), "hold_until": str(item.hold_until)})
    return opened
