"""Where the referrals app keeps personal data, for data-subject requests (privacy/registry.py, docs/privacy.md)."""

from __future__ import annotations

from parceria.privacy.registry import PersonalData, declare, not_personal


def register() -> None:
    # A click is kept with a keyed hash of the network address and the browser's user agent: it cannot be tied to
    # a person by what a request names, so no request finds it; retention removes it (docs/privacy.md).
    declare(PersonalData(model="referrals.ReferralClick", category="click_data"))
    not_personal("referrals.ReferralLink", "a partner's code and landing page")
    not_personal("referrals.CouponCode", "a partner's coupon code")
