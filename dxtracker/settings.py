"""DX Tracker settings: one file, everything that varies comes from the environment.

Nothing set: a developer machine (SQLite file, Celery tasks run in-process, console
e-mail, in-memory cache, DEBUG on). DATABASE_URL switches to PostgreSQL and REDIS_URL
to a Redis broker and cache: the production shape, where DEBUG defaults to off and a
missing SECRET_KEY or ALLOWED_HOSTS stops start-up.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from dxtracker.env import env_bool, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_str("REDIS_URL")

# A deployment that points at a real database is production unless it says otherwise.
DEBUG = env_bool("DEBUG", default=not DATABASE_URL)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or "dev-only-insecure-key-never-use-in-production"
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = env_required("SECRET_KEY", reason="DEBUG is off, so sessions need a real secret")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set: DEBUG is off, so Django refuses every Host header otherwise"
        )

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "rules",
    "dxtracker",
    "units",
    "targets",
    "reporting",
    "attainment",
    "dashboards",
    "api",
    "leaders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dxtracker.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "dxtracker.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dxtracker.urls"
WSGI_APPLICATION = "dxtracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dxtracker" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "dxtracker.context_processors.site",
                "dashboards.context_processors.nav",
            ],
        },
    },
]

if DATABASE_URL:
    # Celery workers in CI use 0 so a test database can be dropped while they idle.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH") or str(BASE_DIR / "db.sqlite3"),
            "OPTIONS": {
                # Writers queue instead of failing when a page and a task write together.
                "timeout": 20,
                # Write-ahead log: pages keep reading while the in-process recompute writes,
                # instead of waiting for its transaction; NORMAL is WAL's safe sync level.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user or address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Object permissions: the one access rule (units.access) answers user.has_perm(name, obj).
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (django-axes), stored in the database so every gunicorn process and worker
# sees the same count and it survives a Redis outage: after AXES_FAILURE_LIMIT wrong
# passwords for one username from one address, that pair waits AXES_COOLOFF_MINUTES.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind a reverse proxy, its addresses (or networks): the address counted is then the one it
# forwards in X-Forwarded-For, which is believed from those addresses only (dxtracker/clientip.py).
# Empty (the default): REMOTE_ADDR, for a server that clients reach directly.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network (e.g. 10.0.0.5 or "
            "10.0.0.0/24)"
        ) from error
AXES_CLIENT_IP_CALLABLE = "dxtracker.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["dxtracker.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "dxtracker" / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "dashboards.plotlyjs.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names need `collectstatic`; the container image runs it, tests do not.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")

# Evidence files attached to reports and uploaded Excel workbooks.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
EXCEL_UPLOAD_MAX_BYTES = env_int("EXCEL_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# E-mail: console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Links in e-mails are absolute: a mail client has no page to resolve a relative path against.
# Only a development server may guess its own address; in production SITE_URL stays empty
# until it is set, and `check --deploy` says so (dxtracker/checks.py).
SITE_URL = (env_str("SITE_URL") or ("http://127.0.0.1:8000" if DEBUG else "")).rstrip("/")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "DX Tracker <no-reply@dxtracker.local>")

# Reporting calendar.
REMINDER_DAYS_BEFORE_DEADLINE = env_int("REMINDER_DAYS_BEFORE_DEADLINE", 7)
REPORT_DEADLINE_DAYS_AFTER_PERIOD = env_int("REPORT_DEADLINE_DAYS_AFTER_PERIOD", 15)
PROVINCE_COUNT = env_int("PROVINCE_COUNT", 63)

# Celery: eager in-process without Redis, a real broker with it.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery 6's default, chosen now: a task running when the broker connection drops is cancelled
# and, acknowledged late, delivered again; recomputes are idempotent and lock per city, so a
# second copy never runs beside the first.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
CELERY_TASK_DEFAULT_QUEUE = "dxtracker"
# An approval's recompute has a queue of its own: the night's run queues one long task per
# city and dataset (68 with 34 provinces), and an approval behind them in one FIFO queue
# would wait for all of them. A worker started without -Q consumes every queue below (make
# worker, CI, compose's "worker"); compose's "worker-approvals" consumes only approvals, so
# a night run never holds one up. Queue names are Redis keys in the broker's database.
CELERY_TASK_QUEUES = [Queue("dxtracker"), Queue("dxtracker.approvals"),
                      Queue("dxtracker.nightly")]
CELERY_TASK_ROUTES = {
    "attainment.tasks.recompute_targets": {"queue": "dxtracker.approvals"},
    "attainment.tasks.recompute_city": {"queue": "dxtracker.nightly"},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Nothing reads the tasks' results but the ping: a result backend that is down would make
# every .delay() retry it for 20 s and then raise.
CELERY_TASK_IGNORE_RESULT = True
# A web request that queues a task answers within about two seconds when Redis is down:
# the task waits in the outbox (attainment.RecomputeRequest) instead of the request waiting.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                     "interval_max": 0.5},
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
# visibility_timeout is added in dxtracker/celery.py, from the tasks' own time limits.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1}

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an unauthenticated call a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.TokenScope",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.openapi.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonThrottle",
        "api.throttling.TokenThrottle",
        "api.throttling.SessionUserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/min"),
        "token": env_str("API_THROTTLE_TOKEN", "600/min"),
        "user": env_str("API_THROTTLE_USER", "1200/min"),
    },
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "DX Tracker API",
    "DESCRIPTION": "Targets, progress reports and attainment of digital-transformation plans.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DatasetEnum": "attainment.models.Dataset",
        "AttainmentStatusEnum": "attainment.models.Status",
        "ReportStateEnum": "reporting.models.ReportState",
        "MilestoneStateEnum": "reporting.models.MilestoneState",
        "ComparatorEnum": "targets.models.Comparator",
    },
    "TAGS": [
        {"name": "catalogue", "description": "Plans, pillars, indicators, targets, units, periods"},
        {"name": "reports", "description": "Units' progress reports: enter, submit, review"},
        {"name": "attainment", "description": "Attainment, rollups, reporting completeness"},
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Content-Security-Policy and Permissions-Policy, sent on every response by
# dxtracker.middleware.SecurityHeadersMiddleware. Scripts only from our own static files (the
# chart data travel as application/json blocks, never inline code); Plotly and ReDoc set
# inline styles, and ReDoc starts a worker from a blob.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PERMISSIONS_POLICY = {
    feature: [] for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
        "payment", "usb",
    )
}

# A reverse proxy that terminates TLS tells Django so in one header; trusting that header
# without a proxy would let any client claim HTTPS, so it is read only when configured,
# e.g. PROXY_SSL_HEADER=X-Forwarded-Proto.
PROXY_SSL_HEADER = env_str("PROXY_SSL_HEADER")
if PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + PROXY_SSL_HEADER.upper().replace("-", "_"), "https"
    )

if not DEBUG:
    # Production is served over HTTPS unless told otherwise (HTTPS=false, or the older
    # SECURE_COOKIES=false that CI's plain-HTTP smoke test sets).
    HTTPS = env_bool("HTTPS", default=env_bool("SECURE_COOKIES", default=True))
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=HTTPS)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=HTTPS)
    SECURE_SSL_REDIRECT = HTTPS
    # Compose and monitoring probe the container over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # HSTS is only ever sent on HTTPS responses (SecurityMiddleware), so it is safe to set.
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)

# Preloading HSTS is a submission to the browsers' list for the whole domain, which only the
# domain's owner can decide; SECURE_HSTS_PRELOAD=true turns it on.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
