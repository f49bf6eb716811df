"""The referral pages: `/r/<code>` at the site's root (redirect_patterns, namespace referrals), and the partner's
links in the portal (portal_patterns, namespace referrals_portal, under /portal/referrals/)."""

from django.urls import path

from parceria.referrals.views import portal, redirect

redirect_patterns = [
    path("r/<str:code>", redirect.follow, name="follow"),
]

portal_patterns = [
    path("referrals/", portal.links, name="links"),
]
