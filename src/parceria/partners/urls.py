"""The partner pages: in the console (mounted under /console/ by console/urls.py, namespace partners_console) the
list and the pipeline; in the portal (under /portal/, namespace partners_portal) the partner's profile and users.
The tier pages are the tiers app's."""

from django.urls import path

from parceria.partners.views.console import directory, payout_key, pipeline
from parceria.partners.views.portal import account

console_patterns = [
    path("partners/", directory.partners, name="list"),
    path("partners/<int:partner_id>/pix-key/", payout_key.pix_key, name="pix_key"),
    path("pipeline/", pipeline.board, name="board"),
    path("pipeline/partners/<int:partner_id>/", pipeline.partner_lifecycle, name="lifecycle"),
    path("pipeline/partners/<int:partner_id>/move/", pipeline.move, name="move"),
    path("pipeline/partners/<int:partner_id>/checklist/", pipeline.tick, name="tick"),
    path("pipeline/partners/<int:partner_id>/evaluations/", pipeline.evaluations, name="evaluations"),
    path("pipeline/ranking/", pipeline.ranking, name="ranking"),
    path("pipeline/compare/", pipeline.compare, name="compare"),
    path("pipeline/weights/", pipeline.weights, name="weights"),
]

portal_patterns = [
    path("profile/", account.profile, name="profile"),
    path("profile/payout-details/", account.payout_details, name="payout_details"),
    path("profile/payout-method/", account.payout_method, name="payout_method"),
    path("users/", account.users, name="users"),
    path("users/invite/", account.user_invite_view, name="user_invite"),
    path("users/<int:user_id>/remove/", account.user_remove_view, name="user_remove"),
    path("users/invitations/<int:invitation_id>/withdraw/", account.invitation_withdraw_view,
         name="invitation_withdraw"),
]
