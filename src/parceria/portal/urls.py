from django.urls import path, register_converter

from parceria.portal import views, views_account, views_disputes


class FormatConverter:
    regex = "pdf|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class MonthConverter:
    regex = "[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):02d}"


register_converter(FormatConverter, "fmt")
register_converter(MonthConverter, "mm")

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("customers/", views.customers, name="customers"),
    path("commissions/", views.ledger, name="ledger"),
    path("commissions/<int:line_id>/", views.ledger_line, name="ledger_line"),
    path("payouts/", views.payouts, name="payouts"),
    path("tier/", views.tier, name="tier"),
    path("statements/<int:year>-<mm:month>.<fmt:fmt>", views.statement, name="statement"),
    path("income-statements/<int:year>.<fmt:fmt>", views.income, name="income_statement"),
    path("disputes/", views_disputes.disputes, name="disputes"),
    path("disputes/new/", views_disputes.dispute_new, name="dispute_new"),
    path("disputes/<int:dispute_id>/", views_disputes.dispute, name="dispute"),
    path("disputes/<int:dispute_id>/comment/", views_disputes.dispute_comment, name="dispute_comment"),
    path("disputes/<int:dispute_id>/attach/", views_disputes.dispute_attach, name="dispute_attach"),
    path("disputes/<int:dispute_id>/attachments/<int:attachment_id>/", views_disputes.dispute_attachment,
         name="dispute_attachment"),
    path("disputes/<int:dispute_id>/withdraw/", views_disputes.dispute_withdraw_view, name="dispute_withdraw"),
    path("profile/", views_account.profile, name="profile"),
    path("profile/payout-details/", views_account.payout_details, name="payout_details"),
    path("users/", views_account.users, name="users"),
    path("users/invite/", views_account.user_invite_view, name="user_invite"),
    path("users/<int:user_id>/remove/", views_account.user_remove_view, name="user_remove"),
    path("users/invitations/<int:invitation_id>/withdraw/", views_account.invitation_withdraw_view,
         name="invitation_withdraw"),
]
