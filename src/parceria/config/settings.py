"""Parceria settings, read from environment variables.

DATABASE_URL           database (default: an SQLite file under var/)
PARCERIA_SECRET_KEY    secret key (required when PARCERIA_DEBUG is off)
PARCERIA_DEBUG         "1"/"true" to enable debug mode (default off)
PARCERIA_ALLOWED_HOSTS comma-separated host names (default: localhost,127.0.0.1)
PARCERIA_VAR_DIR       folder for the SQLite file and other runtime data (default: ./var)
PARCERIA_DB_CONN_MAX_AGE  seconds a database connection is kept (default 60)
PARCERIA_HEALTHZ_MIN_FREE_MB  /healthz answers 503 below this much free disk for PARCERIA_VAR_DIR (default 100)
PARCERIA_HOST, PARCERIA_PORT  where `parceria serve` listens (default 127.0.0.1:8000)
The payout settings (PARCERIA_BATCH_SECOND_APPROVAL_ABOVE, PARCERIA_ADJUSTMENT_SECOND_APPROVAL_ABOVE,
PARCERIA_COMPANY_*) are listed in docs/configuration.md and in PARCERIA below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PARCERIA_VAR_DIR", Path.cwd() / "var")).resolve()

DEBUG = _env_bool("PARCERIA_DEBUG", False)
SECRET_KEY = os.environ.get("PARCERIA_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or os.environ.get("PARCERIA_ALLOW_INSECURE_KEY") == "1":
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("Set PARCERIA_SECRET_KEY (or PARCERIA_DEBUG=1 for development).")

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("PARCERIA_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",  # the Django Tasks API's database backend: the queue is a table (docs/decisions/0007)
    "parceria.common",
    "parceria.accounts",
    "parceria.partners",
    "parceria.customers",
    "parceria.commissions",
    "parceria.web",
    "parceria.api",  # the API toolkit; its table keeps the Idempotency-Keys of POST requests
    "parceria.portal",
    "parceria.console",
    "parceria.site",
    "parceria.payouts",
    "parceria.disputes",
    "parceria.community",
    "parceria.mdf",
    "parceria.enablement",
    "parceria.agreements",
    "parceria.tiers",
    "parceria.deals",
    "parceria.referrals",
    "parceria.safeguards",
    "parceria.leads",
    "parceria.recruiting",
    "parceria.mapping",
    "parceria.integrations",
    "parceria.analytics",
    "parceria.marketing",
    "parceria.demo",
    "parceria.privacy",  # consents, data-subject requests, sharing log, holds, retention, backups
    "parceria.jobs",  # the worker, retries, the schedule of periodic commands, the Jobs page
    "parceria.webhooks",
    "parceria.notifications",  # e-mail and chat-webhook notifications of outbox events (docs/notifications.md)
    "django_countries",  # translated country names only (common/formatting.py), last so it overrides no catalogue
]

# The Stripe-compatible intake (docs/integrations.md): the signing secret of the webhook endpoint registered in
# Stripe's dashboard (whsec_…; without it the endpoint answers 503), how far a signature's timestamp may be from
# now, and the country of a Stripe customer whose addresses name none.
PARCERIA_STRIPE_WEBHOOK_SECRET = os.environ.get("PARCERIA_STRIPE_WEBHOOK_SECRET", "")
PARCERIA_STRIPE_TOLERANCE_SECONDS = int(os.environ.get("PARCERIA_STRIPE_TOLERANCE_SECONDS", "300"))
PARCERIA_STRIPE_DEFAULT_COUNTRY = os.environ.get("PARCERIA_STRIPE_DEFAULT_COUNTRY", "BR")

# Notifications (docs/notifications.md): the site's address that e-mails and chat messages link to; attempts of a
# notification before it is failed, the back-off before each retry (base × 2^(attempt − 1), capped); seconds a
# claimed notification stays leased to its worker. Chat webhook URLs follow the webhooks' URL rules (and their
# WEBHOOKS_ALLOW_LOOPBACK setting).
PARCERIA_NOTIFICATIONS = {
    "SITE_URL": os.environ.get("PARCERIA_SITE_URL", "http://localhost:8000"),
    "MAX_ATTEMPTS": int(os.environ.get("PARCERIA_NOTIFICATIONS_MAX_ATTEMPTS", "6")),
    "BACKOFF_SECONDS": float(os.environ.get("PARCERIA_NOTIFICATIONS_BACKOFF_SECONDS", "30")),
    "BACKOFF_CAP_SECONDS": float(os.environ.get("PARCERIA_NOTIFICATIONS_BACKOFF_CAP_SECONDS", "3600")),
    "LEASE_SECONDS": float(os.environ.get("PARCERIA_NOTIFICATIONS_LEASE_SECONDS", "60")),
}

# Background work through the Django Tasks API, queued in the database (`parceria worker` runs it).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# `parceria worker` and `parceria schedule` (parceria/jobs, docs/operations.md#background-work). A task that raises
# runs again after BACKOFF_SECONDS × 2^(attempt − 1), at most BACKOFF_CAP_SECONDS, until it has had MAX_ATTEMPTS
# attempts; then it stays failed on the console's Jobs page (a task may set its own: jobs.retry.retrying_task).
# A worker refreshes its heartbeat every HEARTBEAT_SECONDS; a task whose worker was not seen for LEASE_SECONDS is
# run again (or failed when out of attempts). Finished tasks are pruned after KEEP_FINISHED_DAYS (the failed
# ones after KEEP_FAILED_DAYS) and the schedule's log after KEEP_RUNS_DAYS.
PARCERIA_JOBS = {
    "MAX_ATTEMPTS": int(os.environ.get("PARCERIA_JOBS_MAX_ATTEMPTS", "5")),
    "BACKOFF_SECONDS": float(os.environ.get("PARCERIA_JOBS_BACKOFF_SECONDS", "10")),
    "BACKOFF_CAP_SECONDS": float(os.environ.get("PARCERIA_JOBS_BACKOFF_CAP_SECONDS", "3600")),
    "HEARTBEAT_SECONDS": float(os.environ.get("PARCERIA_JOBS_HEARTBEAT_SECONDS", "10")),
    "LEASE_SECONDS": float(os.environ.get("PARCERIA_JOBS_LEASE_SECONDS", "60")),
    "KEEP_FINISHED_DAYS": 7,
    "KEEP_FAILED_DAYS": 30,
    "KEEP_RUNS_DAYS": 30,
}

# Django's model backend, loading a partner user's partner in the same query (accounts/backends.py).
AUTHENTICATION_BACKENDS = ["parceria.accounts.backends.AccountBackend"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "parceria.web.language.UserLanguageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "parceria.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database fault raised by a view (server down, connection lost, disk full, read-only) answers 503 with
    # Retry-After, never a 500 (common/dbfaults.py); handler500 does the same for one raised by a middleware.
    "parceria.site.middleware.DatabaseFaultMiddleware",
]

ROOT_URLCONF = "parceria.config.urls"
WSGI_APPLICATION = "parceria.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "parceria.web.context.navigation",
            ],
        },
    },
]


def _database_config() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'parceria.sqlite3'}"
    max_age = int(os.environ.get("PARCERIA_DB_CONN_MAX_AGE", "60"))
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=max_age))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, so two
        # writers queue on busy_timeout instead of failing half-way through a transaction.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        # Tests use a file (not memory) so that concurrent threads share one database.
        config["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})
        # A kept connection is checked at the first query of each request: after a restart of the server the
        # request reconnects instead of failing on the dead connection (tests/test_faults.py).
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The ledger's covering index carries INCLUDE columns for PostgreSQL; SQLite builds it without them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "accounts.User"

# How long the API keeps an Idempotency-Key and its answer (docs/api.md); `parceria idempotency-prune` deletes older.
IDEMPOTENCY_KEY_DAYS = int(os.environ.get("PARCERIA_IDEMPOTENCY_KEY_DAYS", "30"))

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("pt-br", "Português (Brasil)"), ("es", "Español")]
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # `parceria serve` collects the static files here
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# `parceria serve` collects the static files into STATIC_ROOT when they changed (site/staticfiles.py), and
# WhiteNoise serves them from there with their compressed variants; only the development server (DEBUG) serves
# them from the apps' folders, as they are edited.
WHITENOISE_USE_FINDERS = DEBUG
# Uploaded files (dispute attachments, agreement documents), one folder per kind (common/storage.py). There is
# no MEDIA_URL: the files are served only through authenticated views and API routes.
MEDIA_ROOT = VAR_DIR / "media"

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("PARCERIA_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
# Database sessions, read by fixed SQL (accounts/sessions.py): sign-out and a password change end them on the server.
SESSION_ENGINE = "parceria.accounts.sessions"
SESSION_COOKIE_SECURE = _env_bool("PARCERIA_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
OTP_TOTP_ISSUER = "Parceria"

# E-mail: printed to the console unless an SMTP host is configured.
if os.environ.get("PARCERIA_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["PARCERIA_SMTP_HOST"]
    EMAIL_PORT = int(os.environ.get("PARCERIA_SMTP_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("PARCERIA_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("PARCERIA_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("PARCERIA_SMTP_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("PARCERIA_FROM_EMAIL", "Parceria <no-reply@localhost>")


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARCERIA_LOG_LEVEL", "WARNING")},
}

# Product settings ---------------------------------------------------------------------------------
PARCERIA = {
    # Where `parceria serve` listens unless --host and --port say otherwise, and the address commands print.
    "SERVE_HOST": os.environ.get("PARCERIA_HOST", "127.0.0.1"),
    "SERVE_PORT": int(os.environ.get("PARCERIA_PORT", "8000")),
    # /healthz answers 503 when the disk of PARCERIA_VAR_DIR (and of an SQLite database) has less free space than
    # this, in MB (0: no check).
    "HEALTHZ_MIN_FREE_MB": int(os.environ.get("PARCERIA_HEALTHZ_MIN_FREE_MB", "100")),
    # Maximum number of events accepted by one POST /api/v1/events call.
    "EVENT_BATCH_LIMIT": 1000,
    # A payout batch whose total (in any one currency) is above this needs a second finance approver.
    "BATCH_SECOND_APPROVAL_ABOVE": os.environ.get("PARCERIA_BATCH_SECOND_APPROVAL_ABOVE", "50000.00"),
    # A manual adjustment above this amount (absolute, partner currency) needs a second approver.
    "ADJUSTMENT_SECOND_APPROVAL_ABOVE": os.environ.get("PARCERIA_ADJUSTMENT_SECOND_APPROVAL_ABOVE", "1000.00"),
    # Payouts are due this many days after the end of their period.
    "PAYOUT_DUE_DAYS": 30,
    # A deal registration protects its partner for this many days unless converted first.
    "DEAL_REGISTRATION_DAYS": 90,
    # The partner's admins are warned by e-mail (and the portal shows it) this many days before a registration
    # expires; an extension staff approve moves the expiry this many days later.
    "DEAL_EXPIRY_WARNING_DAYS": 14,
    "DEAL_EXTENSION_DAYS": 30,
    # Lead routing (leads/routing.py): the weight of each reason a partner is ranked by (points = weight × how well
    # the partner meets it, 0 to 1), the open deals at which a partner counts as full, and the hours a partner has to
    # answer an offered lead before it goes back to staff.
    "LEAD_ROUTING_WEIGHTS": {"exclusivity": "50", "vertical": "30", "region": "25", "tier": "15", "capacity": "15",
                             "conversion": "15"},
    "LEAD_ROUTING_FULL_CAPACITY": 10,
    "LEAD_OFFER_HOURS": 72,
    # Recruiting (docs/recruiting.md): applications and directory messages one address may send in an hour, and
    # the largest directory logo.
    "APPLICATIONS_PER_HOUR": 5,
    "DIRECTORY_CONTACTS_PER_HOUR": 5,
    "DIRECTORY_LOGO_MAX_BYTES": 1024 * 1024,
    # Analytics (docs/analytics.md): the first month of the partner program (YYYY-MM); its phases (seed §8.1) run
    # months 1–3, 4–9 and 10–12 from it. None: the month of the first agreement signed.
    "PROGRAM_START": os.environ.get("PARCERIA_PROGRAM_START") or None,
    # The risk list (analytics/risks.py, docs/analytics.md): the points each reason adds to a partner's risk score
    # (the score is their sum, at most 100). Its windows and thresholds may be set in "ANALYTICS_RISK" (keys in
    # analytics.risks.RiskRules.from_settings); the defaults are documented there.
    "ANALYTICS_RISK_WEIGHTS": {"falling_referrals": 25, "csat_drop": 15, "no_new_customer": 15,
                               "agreement_ending": 20, "dispute_spike": 10, "refund_rate": 15},
    # Outbound webhooks (docs/webhooks.md): seconds a receiver has to connect and to answer; seconds a claimed
    # delivery stays leased to its worker (a worker killed mid-delivery: it is sent again after this); plain http to
    # loopback addresses allowed (tests, a demo on one machine; never in production).
    "WEBHOOKS_TIMEOUT": float(os.environ.get("PARCERIA_WEBHOOKS_TIMEOUT", "10")),
    "WEBHOOKS_LEASE_SECONDS": float(os.environ.get("PARCERIA_WEBHOOKS_LEASE_SECONDS", "60")),
    "WEBHOOKS_ALLOW_LOOPBACK": _env_bool("PARCERIA_WEBHOOKS_ALLOW_LOOPBACK", DEBUG),
    # The partner community (docs/community.md): days the partner's manager has to follow up a detractor's survey
    # answer (0–6).
    "COMMUNITY": {"NPS_FOLLOW_UP_DAYS": 7},
    # Sign-in throttling: failures allowed per user name, and per address, within the window.
    "LOGIN_FAILURES_PER_USER": 5,
    "LOGIN_FAILURES_PER_ADDRESS": 20,
    "LOGIN_WINDOW_MINUTES": 15,
    # Behind a reverse proxy, throttle by the client address the proxy puts in X-Forwarded-For.
    "BEHIND_PROXY": _env_bool("PARCERIA_BEHIND_PROXY", False),
    # A change of payout details holds payouts to the new account for this many hours.
    "PAYOUT_DETAILS_HOLD_HOURS": 48,
    # The currency the company pays from: a payout in another currency shows its net converted at the close's rate.
    "PAYING_CURRENCY": os.environ.get("PARCERIA_PAYING_CURRENCY", "BRL"),
    # The paying company: in bank remittance files (CNAB 240) and as the fonte pagadora of income statements.
    "COMPANY": {
        "name": os.environ.get("PARCERIA_COMPANY_NAME", "Parceria Demo Ltda"),
        "tax_id": os.environ.get("PARCERIA_COMPANY_CNPJ", "11222333000181"),
        "bank_code": os.environ.get("PARCERIA_COMPANY_BANK", "341"),
        "agency": os.environ.get("PARCERIA_COMPANY_AGENCY", "0001"),
        "account": os.environ.get("PARCERIA_COMPANY_ACCOUNT", "12345"),
        "account_digit": os.environ.get("PARCERIA_COMPANY_ACCOUNT_DIGIT", "6"),
    },
    # Referral links: where `/r/<code>` lands without a known code (and a link's landing by default), how many
    # clicks of one link one address may make per minute before further clicks are not counted, and how long
    # after a customer's sign-up a referral code may still claim it (customers/attribution.py).
    "REFERRAL_DEFAULT_LANDING": os.environ.get("PARCERIA_REFERRAL_LANDING", "https://example.com/"),
    "REFERRAL_CLICKS_PER_MINUTE": 10,
    "REFERRAL_WINDOW_DAYS": 90,
    # Attribution safeguards (docs/safeguards.md): a partner's refund rate is flagged when, over the trailing
    # window, it is above max(FACTOR × the peers' median, median + K × the peers' MAD, MIN_RATE); only partners with
    # at least MIN_INVOICES paid invoices in the window are judged or count as peers, and at least MIN_PEERS peers
    # are needed; the refunds must also be unlikely by chance at the peers' median rate (binomial tail < MAX_P).
    # A click burst is more than BURST_CLICKS clicks from one hashed address on one partner's links
    # within BURST_MINUTES minutes.
    "SAFEGUARDS": {
        "REFUND_WINDOW_DAYS": 90,
        "REFUND_MIN_INVOICES": 20,
        "REFUND_MIN_PEERS": 3,
        "REFUND_MEDIAN_FACTOR": "3",
        "REFUND_MAD_K": "3",
        "REFUND_MIN_RATE": "0.05",
        "REFUND_MAX_P": "0.01",
        "BURST_CLICKS": 20,
        "BURST_MINUTES": 10,
    },
    # Quadro "Responsável pelas informações" of the income statements (informe de rendimentos).
    "COMPANY_RESPONSIBLE": os.environ.get("PARCERIA_COMPANY_RESPONSIBLE", "Responsável Demo da Silva"),
}

# --- co-marketing (parceria.marketing) ---
#: The largest asset file staff may upload (bytes; refused with 422 above it).
MARKETING_ASSET_MAX_BYTES = int(os.environ.get("PARCERIA_MARKETING_ASSET_MAX_BYTES", str(25 * 1024 * 1024)))
#: Joint marketing activities done per partner per quarter (the seed's target: at least two).
MARKETING_ACTIVITIES_PER_QUARTER = 2
# Marketing development funds (docs/mdf.md): days after a quarter's end its budget may still be requested, and an
# approved request claimed; the largest proof file accepted and how many files one claim may attach.
PARCERIA_MDF = {
    "BUDGET_GRACE_DAYS": int(os.environ.get("PARCERIA_MDF_BUDGET_GRACE_DAYS", "0")),
    "CLAIM_GRACE_DAYS": int(os.environ.get("PARCERIA_MDF_CLAIM_GRACE_DAYS", "30")),
    "MAX_PROOF_BYTES": int(os.environ.get("PARCERIA_MDF_MAX_PROOF_BYTES", str(10 * 1024 * 1024))),
    "MAX_PROOF_FILES": 10,
}
