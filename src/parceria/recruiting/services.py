"""Writes of recruiting: an application submitted from the public page (one transaction: the prospect partner, the
application, the lifecycle's first exit criterion ticked with the application as its evidence), reviewed, accepted
(the partner becomes active and its admin is invited) or declined (the partner leaves the pipeline as rejected and the
applicant is told why, in their language); a partner's directory listing; a message from the directory, which
becomes a lead offered to the partner.

Spam: a filled honeypot is refused before anything is read (`Spam`); a sender (the HMAC of its address) that already
sent APPLICATIONS_PER_HOUR applications, or DIRECTORY_CONTACTS_PER_HOUR messages, within the last hour is refused
(`TooMany`). Counts come from the stored rows, so every server process sees the same limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parceria.accounts.languages import language_parse
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput, ParceriaError
from parceria.common.inputs import clean_text
from parceria.common.taxids import TaxIdError, validate_tax_id
from parceria.deals.services import DealFields
from parceria.leads.services import lead_create, lead_offer
from parceria.partners.invitations import admin_invite
from parceria.partners.lifecycle import checklist_tick, lifecycle_move
from parceria.partners.models import SUBCATEGORIES, Partner, PartnerStatus, Stage, TaxRegime
from parceria.partners.services import (
    PartnerChanges,
    PartnerFields,
    partner_create,
    partner_manager_assign,
    partner_update,
)
from parceria.privacy.consent import consent_set, may_consent_for
from parceria.privacy.models import ConsentPurpose
from parceria.recruiting.data import COUNTRY_CURRENCY, KINDS
from parceria.recruiting.models import (
    OPEN_STATUSES,
    Application,
    ApplicationStatus,
    DirectoryContact,
    DirectoryListing,
)
from parceria.referrals.services import address_hash

TEXT_MAX = 2000
SYSTEM = Actor.system("partner application")


class Spam(ParceriaError):
    """The honeypot field was filled: a robot. Refused without a word of why."""

    status = 400
    code = "refused"


class TooMany(ParceriaError):
    """Too many submissions from one address within the hour."""

    status = 429
    code = "too_many"


def _conf(name: str, default: int) -> int:
    return int(getattr(settings, "PARCERIA", {}).get(name, default))


def _bad(field: str, message: str, code: str = "invalid_field") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})


def _limit(rows: Any, sender: str, limit: int, now: datetime, field: str) -> None:
    if rows.filter(address_hash=sender, **{f"{field}__gte": now - timedelta(hours=1)}).count() >= limit:
        raise TooMany(_("Too many submissions from your connection. Try again in an hour."))


STATUS_SALT = "parceria.recruiting.application-status"


def status_token(application: Application) -> str:
    """The secret part of the applicant's status link: the application's id signed with SECRET_KEY."""
    return signing.dumps(application.pk, salt=STATUS_SALT)


def application_for_token(token: str) -> Application | None:
    """The application a status link names, or None for a link that was not made here."""
    try:
        pk = signing.loads(token, salt=STATUS_SALT)
    except signing.BadSignature:
        return None
    return Application.objects.select_related("partner").filter(pk=pk).first() if isinstance(pk, int) else None


def status_link(application: Application, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("recruiting:status", kwargs={"token": status_token(application)})


@dataclass(frozen=True, kw_only=True)
class ApplicationFields:
    kind: str
    name: str
    legal_name: str
    country: str
    tax_id: str
    subcategory: str = ""
    website: str = ""
    verticals: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    contact_name: str
    contact_email: str
    contact_phone: str = ""
    language: str = ""
    customers_served: str
    kind_answer: str = ""
    motivation: str
    consent: bool = False
    honeypot: str = ""


def _email(value: str, field: str) -> str:
    email = clean_text(value, field=field, max_length=254).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise _bad(field, _("%(value)s is not an e-mail address.") % {"value": email}) from None
    return email


def _website(value: str) -> str:
    url = clean_text(value, field="website", max_length=300, required=False)
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise _bad("website", _("Enter the address of your website, e.g. https://example.com.br.")) from None
    return url


def _partner_fields(data: ApplicationFields) -> PartnerFields:
    kind = KINDS.get(data.kind)
    if kind is None:
        raise _bad("kind", _("Choose the kind of partner you are."), "invalid_choice")
    if data.country not in COUNTRY_CURRENCY:
        raise _bad("country", _("The programme recruits in Brazil, Mexico, Colombia, Argentina and Chile."),
                   "invalid_choice")
    subcategory = kind.subcategory or data.subcategory
    if subcategory not in SUBCATEGORIES[kind.category]:
        raise _bad("subcategory", _("Choose what your company does."), "invalid_choice")
    try:
        tax_id = validate_tax_id(data.country, data.tax_id or "")
    except TaxIdError as exc:
        raise _bad("tax_id", _("This tax id is not valid: %(reason)s") % {"reason": exc.reason},
                   "invalid_tax_id") from None
    regime = (TaxRegime.PF if tax_id.kind == "cpf" else TaxRegime.PJ) if data.country == "BR" else TaxRegime.FOREIGN
    if Partner.objects.filter(country=data.country, tax_id=tax_id.compact).exists():
        raise Conflict(_("This tax id is already registered with the programme. If you are already a partner or "
                         "applied before, write to your partner manager."), code="duplicate_partner",
                       details={"field": "tax_id"})
    return PartnerFields(
        name=clean_text(data.name, field="name", max_length=200),
        legal_name=clean_text(data.legal_name, field="legal_name", max_length=300),
        country=data.country, tax_id=tax_id.compact, currency=COUNTRY_CURRENCY[data.country], tax_regime=regime,
        category=kind.category, subcategory=subcategory, status=PartnerStatus.PROSPECT,
        verticals=[v for v in data.verticals if v.strip()], territories=[t for t in data.territories if t.strip()],
    )


def application_submit(*, fields: ApplicationFields, address: str, base_url: str,
                       now: datetime | None = None) -> Application:
    """Store an application and its prospect partner, and e-mail the applicant its status link. Spam, a flood, bad
    or duplicate data: refused, nothing stored."""
    if fields.honeypot:
        raise Spam(_("The application could not be sent."))
    moment = now or timezone.now()
    sender = address_hash(address or "")
    _limit(Application.objects, sender, _conf("APPLICATIONS_PER_HOUR", 5), moment, "submitted_at")
    partner_fields = _partner_fields(fields)
    if not fields.consent:
        raise _bad("consent", _("We need your consent to contact you about this application."), "consent_required")
    answers = {
        "website": _website(fields.website),
        "contact_name": clean_text(fields.contact_name, field="contact_name", max_length=200),
        "contact_email": _email(fields.contact_email, "contact_email"),
        "contact_phone": clean_text(fields.contact_phone, field="contact_phone", max_length=40, required=False),
        "customers_served": clean_text(fields.customers_served, field="customers_served", max_length=TEXT_MAX),
        "kind_answer": clean_text(fields.kind_answer, field="kind_answer", max_length=TEXT_MAX, required=False),
        "motivation": clean_text(fields.motivation, field="motivation", max_length=TEXT_MAX),
        "language": language_parse(fields.language) or settings.LANGUAGE_CODE,
    }
    with transaction.atomic():
        partner = partner_create(fields=partner_fields, actor=SYSTEM)
        application = Application.objects.create(
            partner=partner, kind=fields.kind, address_hash=sender,
            submitted_at=moment, **answers)
        checklist_tick(partner=partner, stage=Stage.IDENTIFICATION, item="interest_validated", done=True,
                       evidence=_("Applied through the partner application page on %(day)s (application %(id)s).")
                       % {"day": moment.date().isoformat(), "id": application.pk}, actor=SYSTEM, now=moment)
        audit_record_create(actor=SYSTEM, action="application.submitted", obj=application,
                            after={"partner_id": partner.pk, "kind": application.kind})
        link = status_link(application, base_url)
        transaction.on_commit(lambda: _mail_applicant(application, "received", link), robust=True)
    return application


def application_message(application: Application, event: str, link: str) -> tuple[str, str]:
    """The applicant's e-mail for `event` (received, accepted, declined), in the active language."""
    facts = {"name": application.partner.name, "link": link, "reason": application.decision_reason}
    if event == "received":
        subject = _("Parceria: we received the application of %(name)s") % facts
        lines = [_("Thank you for applying to the partner programme with %(name)s.") % facts, "",
                 _("A partner manager reviews every application. You can follow yours here:"), link]
    elif event == "accepted":
        subject = _("Parceria: %(name)s is accepted into the partner programme") % facts
        lines = [_("Welcome! The application of %(name)s is accepted.") % facts, "",
                 _("You will receive a separate e-mail to choose your password for the partner portal."),
                 _("Your application's page: %(link)s") % facts]
    else:
        subject = _("Parceria: about the application of %(name)s") % facts
        lines = [_("Thank you for your interest. We are not able to accept the application of %(name)s now.")
                 % facts]
        if application.decision_reason:
            lines += ["", _("The reason: %(reason)s") % facts]
        lines += ["", _("Your application's page: %(link)s") % facts]
    return subject, "\n".join(lines)


def _mail_applicant(application: Application, event: str, link: str) -> None:
    with translation.override(application.language):
        subject, body = application_message(application, event, link)
    send_mail(subject, body, None, [application.contact_email])


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("partner").get(pk=application.pk)


def _snapshot(application: Application) -> dict[str, Any]:
    return {"status": application.status, "reason": application.decision_reason}


def application_review(*, application: Application, actor: Actor) -> Application:
    """Mark a received application as being reviewed (shown to the applicant). Idempotent."""
    with transaction.atomic():
        locked = _locked(application)
        if locked.status == ApplicationStatus.SUBMITTED:
            before = _snapshot(locked)
            locked.status = ApplicationStatus.IN_REVIEW
            locked.save(update_fields=["status"])
            audit_record_create(actor=actor, action="application.in_review", obj=locked, before=before,
                                after=_snapshot(locked))
    return locked


def _decided(locked: Application, wanted: str) -> Application:
    if locked.status == wanted:
        return locked  # the same decision again (a double click): nothing more happens
    raise Conflict(_("This application was already %(status)s.") % {
        "status": str(locked.get_status_display()).lower()}, code="invalid_transition", details={"field": "status"})


def application_accept(*, application: Application, actor: Actor, base_url: str, admin_email: str = "",
                       now: datetime | None = None) -> Application:
    """Accept: the prospect becomes an active partner and the applicant's contact (or `admin_email`, when staff
    give another address) is invited as its admin (a link to choose a password); the applicant is told in their
    language. Accepting again changes nothing."""
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(application)
        if locked.status not in OPEN_STATUSES:
            return _decided(locked, ApplicationStatus.ACCEPTED)
        before = _snapshot(locked)
        partner_update(partner=locked.partner, changes=PartnerChanges(status=PartnerStatus.ACTIVE), actor=actor)
        if locked.partner.manager_id is None and getattr(actor.user, "is_staff", False):
            # The partner manager who accepts an applicant owns the new partner until staff give it to another.
            partner_manager_assign(partner=locked.partner, manager=actor.user, actor=actor)
        user = admin_invite(partner=locked.partner, email=admin_email or locked.contact_email, name=locked.contact_name,
                            language=locked.language, base_url=base_url, actor=actor)
        locked.status, locked.decided_at, locked.decided_by_label = ApplicationStatus.ACCEPTED, moment, actor.label
        locked.admin_user = user
        locked.save(update_fields=["status", "decided_at", "decided_by_label", "admin_user"])
        audit_record_create(actor=actor, action="application.accepted", obj=locked, before=before,
                            after=_snapshot(locked))
        link = status_link(locked, base_url)
        transaction.on_commit(lambda: _mail_applicant(locked, "accepted", link), robust=True)
    return locked


def application_decline(*, application: Application, reason: str, actor: Actor, base_url: str,
                        now: datetime | None = None) -> Application:
    """Decline with a reason (shown to the applicant): the prospect leaves the pipeline as rejected."""
    text = clean_text(reason, field="reason", max_length=TEXT_MAX)
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(application)
        if locked.status not in OPEN_STATUSES:
            return _decided(locked, ApplicationStatus.DECLINED)
        before = _snapshot(locked)
        lifecycle_move(partner=locked.partner, to=Stage.REJECTED, reason=text, actor=actor, now=moment)
        locked.status, locked.decided_at, locked.decided_by_label = ApplicationStatus.DECLINED, moment, actor.label
        locked.decision_reason = text
        locked.save(update_fields=["status", "decided_at", "decided_by_label", "decision_reason"])
        audit_record_create(actor=actor, action="application.declined", obj=locked, before=before,
                            after=_snapshot(locked), reason=text)
        link = status_link(locked, base_url)
        transaction.on_commit(lambda: _mail_applicant(locked, "declined", link), robust=True)
    return locked


# --- The directory ----------------------------------------------------------------------------------------------

LOGO_TYPES = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp")}


def logo_check(data: bytes) -> tuple[str, str]:
    """The logo's content type and extension, read from its content (PNG, JPEG or WebP that Pillow can decode,
    at most DIRECTORY_LOGO_MAX_BYTES); InvalidInput otherwise."""
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    limit = _conf("DIRECTORY_LOGO_MAX_BYTES", 1024 * 1024)
    if len(data) > limit:
        raise _bad("logo", _("The logo is larger than %(size)s KB.") % {"size": limit // 1024}, "too_large")
    try:
        with Image.open(BytesIO(data)) as image:
            fmt = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _bad("logo", _("The logo must be a PNG, JPEG or WebP image."), "invalid_file") from None
    if fmt not in LOGO_TYPES:
        raise _bad("logo", _("The logo must be a PNG, JPEG or WebP image."), "invalid_file")
    return LOGO_TYPES[fmt]


def _unique_slug(partner: Partner) -> str:
    base = slugify(partner.name)[:60] or "partner"
    slug, n = base, 1
    while DirectoryListing.objects.filter(slug=slug).exclude(partner=partner).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def listing_for(partner: Partner) -> DirectoryListing:
    """The partner's listing (a new, unlisted one if it has none yet; not stored until saved)."""
    found = DirectoryListing.objects.filter(partner=partner).first()
    return found or DirectoryListing(partner=partner, slug=_unique_slug(partner))


@dataclass(frozen=True, kw_only=True)
class ListingFields:
    opted_in: bool
    headline: str = ""
    description: str = ""
    website: str = ""
    regions: tuple[str, ...] = ()
    logo: bytes | None = None
    remove_logo: bool = False


def _listing_snapshot(listing: DirectoryListing) -> dict[str, Any]:
    return {"opted_in": listing.opted_in, "headline": listing.headline, "description": listing.description,
            "website": listing.website, "regions": list(listing.regions), "logo": bool(listing.logo)}


def listing_update(*, partner: Partner, fields: ListingFields, actor: Actor) -> DirectoryListing:
    """Save the partner's directory listing (the partner admin's or staff's edit). Opting in needs a description."""
    headline = clean_text(fields.headline, field="headline", max_length=160, required=False)
    description = clean_text(fields.description, field="description", max_length=3000, required=False)
    if fields.opted_in and not description:
        raise _bad("description", _("Describe your company before listing it in the directory."))
    website = _website(fields.website)
    regions = [clean_text(r, field="regions", max_length=60) for r in fields.regions if r.strip()][:20]
    logo = logo_check(fields.logo) if fields.logo else None
    with transaction.atomic():
        Partner.objects.select_for_update().filter(pk=partner.pk).first()
        listing = listing_for(partner)
        before = _listing_snapshot(listing) if listing.pk else None
        listing.opted_in, listing.headline, listing.description = fields.opted_in, headline, description
        listing.website, listing.regions = website, regions
        if fields.remove_logo and listing.logo:
            listing.logo.delete(save=False)
            listing.logo, listing.logo_type = "", ""
        if logo is not None and fields.logo is not None:
            from django.core.files.base import ContentFile

            if listing.logo:
                listing.logo.delete(save=False)
            listing.logo.save(f"{listing.slug}.{logo[1]}", ContentFile(fields.logo), save=False)
            listing.logo_type = logo[0]
        listing.save()
        audit_record_create(actor=actor, action="directory_listing.updated", obj=listing, before=before,
                            after=_listing_snapshot(listing))
        if may_consent_for(actor.user, partner.pk):
            # A person of the partner opting in consents to the listing (the text shown beside the box); opting out
            # withdraws it. Staff and the system set the flag only: the partner is listed once one of its people
            # consents (privacy.consent).
            consent_set(user=actor.user, purpose=ConsentPurpose.DIRECTORY_LISTING, granted=listing.opted_in,
                        source="directory_profile", partner_id=partner.pk, actor=actor)
    return listing


@dataclass(frozen=True, kw_only=True)
class ContactFields:
    company_name: str
    country: str
    tax_id: str = ""
    website: str = ""
    contact_name: str
    contact_email: str
    contact_phone: str = ""
    message: str
    honeypot: str = ""


def directory_contact(*, partner: Partner, fields: ContactFields, address: str, base_url: str,
                      now: datetime | None = None) -> DirectoryContact:
    """A visitor's message to a listed partner becomes a lead (cleaned as a deal registration), offered to that
    partner at once: the partner's admins are e-mailed, and accepting it registers the deal under every conflict
    rule. When the partner cannot take it (the company is another partner's, an exclusivity), the lead stays with
    staff, who route it; the visitor's answer is the same either way."""
    if fields.honeypot:
        raise Spam(_("The message could not be sent."))
    moment = now or timezone.now()
    sender = address_hash(address or "")
    _limit(DirectoryContact.objects, sender, _conf("DIRECTORY_CONTACTS_PER_HOUR", 5), moment, "sent_at")
    message = clean_text(fields.message, field="message", max_length=TEXT_MAX)
    website = _website(fields.website)
    domain = website.split("://", 1)[-1].split("/", 1)[0].removeprefix("www.") if website else ""
    phone = clean_text(fields.contact_phone, field="contact_phone", max_length=40, required=False)
    notes = "\n".join(x for x in (_("From the partner directory."), phone and _("Phone: %(phone)s") % {"phone": phone},
                                  message) if x)
    deal = DealFields(company_name=fields.company_name, country=fields.country, tax_id=fields.tax_id, domain=domain,
                      contact_name=fields.contact_name, contact_email=fields.contact_email, estimated_value="0",
                      currency=COUNTRY_CURRENCY.get(fields.country, "BRL"), notes=notes[:2000])
    actor = Actor.system("partner directory")
    with transaction.atomic():
        lead, _created = lead_create(fields=deal, actor=actor)
        try:
            with transaction.atomic():
                lead_offer(lead=lead, partner=partner, actor=actor, base_url=base_url, now=moment)
            offered = True
        except (Conflict, InvalidInput):
            offered = False
        contact = DirectoryContact.objects.create(partner=partner, lead=lead, offered=offered, address_hash=sender,
                                                  sent_at=moment)
        audit_record_create(actor=actor, action="directory.contacted", obj=contact,
                            after={"partner_id": partner.pk, "lead_id": lead.pk, "offered": offered})
    return contact
