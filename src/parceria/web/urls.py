from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from parceria.web import auth_views as views
from parceria.web.forms import PasswordResetForm

app_name = "web"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/two-factor/", views.two_factor_view, name="two_factor"),
    path("logout/", views.logout_view, name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetForm,
            template_name="web/auth/password_reset.html",
            email_template_name="web/auth/password_reset_email.txt",
            subject_template_name="web/auth/password_reset_subject.txt",
            success_url=reverse_lazy("web:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="web/auth/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="web/auth/password_reset_confirm.html",
            success_url=reverse_lazy("web:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="web/auth/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
