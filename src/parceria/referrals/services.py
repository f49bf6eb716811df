"""Writes of referral links, coupons and clicks. A click is recorded by `click_record`, called by the `/r/<code>`
redirect; the visitor's address is hashed before anything else sees it (`address_hash`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput
from parceria.partners.models import Partner, PartnerStatus
from parceria.referrals.models import CouponCode, ReferralClick, ReferralLink, normalise_coupon

#: Lower-case letters and digits without the look-alikes (0/o, 1/l/i): a code survives being read aloud or typed.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 10
MAX_LANDING = 500
_URL = URLValidator(schemes=["http", "https"])


def _conf(name: str) -> object:
    return settings.PARCERIA[name]


def default_landing() -> str:
    return str(_conf("REFERRAL_DEFAULT_LANDING"))


def clean_landing_url(value: object) -> str:
    """An absolute http(s) URL of at most 500 characters, or InvalidInput."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return default_landing()
    if len(text) > MAX_LANDING:
        raise InvalidInput(f"landing_url may be at most {MAX_LANDING} characters", details={"field": "landing_url"})
    try:
        _URL(text)
    except ValidationError:
        raise InvalidInput("landing_url must be an http or https address", details={"field": "landing_url"}) from None
    return text


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def link_create(*, partner: Partner, landing_url: str = "", actor: Actor) -> ReferralLink:
    """A new link of `partner` to `landing_url` (the default landing when blank), with a fresh code."""
    landing = clean_landing_url(landing_url)
    if partner.status == PartnerStatus.TERMINATED:
        raise Conflict("a terminated partner cannot create referral links", code="partner_terminated")
    for _ in range(5):
        try:
            with transaction.atomic():
                link = ReferralLink.objects.create(partner=partner, code=new_code(), landing_url=landing)
                audit_record_create(actor=actor, action="referral_link.created", obj=link,
                                    after={"partner_id": partner.pk, "code": link.code, "landing_url": landing})
                return link
        except IntegrityError:  # a code already taken: draw again
            continue
    raise Conflict("could not draw a free referral code; try again", code="code_exhausted")


def coupon_create(*, partner: Partner, code: str, actor: Actor) -> CouponCode:
    clean = normalise_coupon(code) if isinstance(code, str) else ""
    if not clean or len(clean) > 40 or not all(c.isalnum() or c in "-_" for c in clean):
        raise InvalidInput("a coupon code is 1 to 40 letters, digits, '-' or '_'", details={"field": "code"})
    try:
        with transaction.atomic():
            coupon = CouponCode.objects.create(partner=partner, code=clean)
            audit_record_create(actor=actor, action="coupon_code.created", obj=coupon,
                                after={"partner_id": partner.pk, "code": clean})
    except IntegrityError:
        raise Conflict(f"coupon code {clean!r} already exists", code="duplicate_coupon") from None
    return coupon


def address_hash(address: str) -> str:
    """HMAC-SHA256 of the address keyed with SECRET_KEY: stable per address, not reversible without the key."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def landing_for(link: ReferralLink | None) -> str:
    """Where a visit lands: the link's landing URL with `ref=<code>` added (its own query kept), or the default
    landing, unchanged, without a link."""
    if link is None:
        return default_landing()
    parts = urlsplit(link.landing_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "ref"]
    query.append(("ref", link.code))
    return urlunsplit(parts._replace(query=urlencode(query)))


#: The click's INSERT, written once as SQL for the same reason as the redirect's lookup
#: (referrals.selectors.link_for_code): the ORM's create() cost more than the statement.
_INSERT_CLICK = (f"INSERT INTO {ReferralClick._meta.db_table} (link_id, at, ip_hash, user_agent, referrer) "
                 "VALUES (%s, %s, %s, %s, %s)")


def click_record(*, link: ReferralLink, address: str, user_agent: str, referrer: str,
                 now: datetime | None = None) -> bool:
    """Record a visit of `link`, unless this address already made REFERRAL_CLICKS_PER_MINUTE counted visits of it
    in the current minute (a flood: the visitor still lands, nothing is recorded). Returns whether it was recorded."""
    now = now or timezone.now()
    hashed = address_hash(address or "")
    key = f"referrals:clicks:{link.pk}:{hashed}:{now:%Y%m%d%H%M}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > int(_conf("REFERRAL_CLICKS_PER_MINUTE")):  # type: ignore[call-overload]
        return False
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_CLICK, [link.pk, connection.ops.adapt_datetimefield_value(now), hashed,
                                       user_agent[:300], referrer[:500]])
    return True
