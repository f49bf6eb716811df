from django.contrib.auth import views as django_auth
from django.urls import path, reverse_lazy

from parceria.site import auth_views, views
from parceria.web.forms import PasswordResetForm

app_name = "site"

urlpatterns = [
    path("", views.start, name="start"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.login_view, name="login"),
    path("login/two-factor/", auth_views.two_factor_view, name="two_factor"),
    path("logout/", auth_views.logout_view, name="logout"),
    path(
        "password-reset/",
        django_auth.PasswordResetView.as_view(
            form_class=PasswordResetForm,
            template_name="site/auth/password_reset.html",
            email_template_name="site/auth/password_reset_email.txt",
            subject_template_name="site/auth/password_reset_subject.txt",
            success_url=reverse_lazy("site:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        django_auth.PasswordResetDoneView.as_view(template_name="site/auth/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        django_auth.PasswordResetConfirmView.as_view(
            template_name="site/auth/password_reset_confirm.html",
            success_url=reverse_lazy("site:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        django_auth.PasswordResetCompleteView.as_view(template_name="site/auth/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
