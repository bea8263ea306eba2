"""Settings shared by every environment; what is deployment-specific comes from the environment."""

import os
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cms.caching import embedded_caches, redis_caches, with_timeouts
from cms.files.locations import ObjectStore, file_storages
from cms.plugins.discovery import discover_plugin_apps

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("TRUSTPORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_addresses(name: str) -> list[tuple[str, str]]:
    """E-mail addresses as Django's ``ADMINS`` wants them, from ``Name <a@b.example>, c@d.example``:
    ``[("Name", "a@b.example"), ("", "c@d.example")]``. A malformed entry stops the start,
    named: staff alerts silently going nowhere is what this setting exists to end."""
    addresses = []
    for entry in _address_entries(os.environ.get(name, "")):
        address = _one_address(entry)
        if address is None:
            raise ImproperlyConfigured(
                f'{name}: {entry!r} is not an e-mail address (expected "Name <address>, address").'
            )
        addresses.append(address)
    return addresses


def _one_address(entry: str) -> tuple[str, str] | None:
    # Python's parser answers ("", "") for what it cannot read (how strictly depends on the
    # patch release), so each entry is parsed alone and must give one whole address.
    parsed = [pair for pair in getaddresses([entry]) if any(pair)]
    if len(parsed) != 1:
        return None
    local_part, _at, domain = parsed[0][1].rpartition("@")
    return parsed[0] if local_part and domain and " " not in parsed[0][1] else None


def _address_entries(value: str) -> list[str]:
    """``value`` split at the commas between addresses (not those in a quoted name)."""
    entries, current, quoted = [], "", False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            entries.append(current)
            current = ""
        else:
            current += char
    entries.append(current)
    return [entry.strip() for entry in entries if entry.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Built-in plugins; remove one here and its models' UI, routes, menu entries and API go with it.
TRUSTPORTAL_PLUGINS = env_list(
    "TRUSTPORTAL_PLUGINS",
    "plugins.nda,plugins.feedback,plugins.library,plugins.notifications,plugins.compliance_manager,"
    "plugins.trust_center",
)
# Third-party plugins announce themselves through the ``trustportal.plugins`` entry-point group.
TRUSTPORTAL_LOAD_ENTRY_POINTS = env_bool("TRUSTPORTAL_LOAD_ENTRY_POINTS", True)

INSTALLED_APPS = [
    # The reader site: template tags, static files and the demo; its templates come first.
    "sites",
    "cms",
    "cms.audit",
    "cms.accounts",
    "search",
    "workflows",
    *discover_plugin_apps(TRUSTPORTAL_PLUGINS, load_entry_points=TRUSTPORTAL_LOAD_ENTRY_POINTS),
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v3",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_rq",
    "corsheaders",
    # django-csp: its system checks and the {% csp_nonce %} tag (the policy: sites.csp).
    "csp",
    # Installed so that the API docs page is served from its static files, not a CDN.
    "ninja",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: every later log line of the request carries its id.
    "sites.logs.RequestIdMiddleware",
    # Logs the end of a database outage (the 503s themselves come from handler500).
    "sites.database_outage.DatabaseOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, the reader's, the admin's or the API's.
    "sites.csp.PortalCSPMiddleware",
    # Before CommonMiddleware, so preflight requests are answered.
    "corsheaders.middleware.CorsMiddleware",
    # Above sessions, locale and common middleware, so the ETag covers the final body.
    "cms.api.http.ApiConditionalGetMiddleware",
    # Every error under /api/ as problem+json, those of the middleware below included.
    "cms.api.problems.ApiProblemMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sites.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # 401 for an API request whose bearer token is unknown, revoked or its user inactive.
    "cms.api.problems.ApiBearerTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: answers to anonymous visitors, kept until the content changes (sites/visitor_cache.py).
    "sites.visitor_cache.VisitorCacheMiddleware",
]

ROOT_URLCONF = "sites.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sites" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "sites.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "sites.wsgi.application"

if "DATABASE_URL" not in os.environ:
    # The embedded default keeps its SQLite file here; make sure the folder exists.
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'trustportal.sqlite3'}"),
        # Persistent connections: a new PostgreSQL connection per request halves the throughput
        # of a simple page. One the server dropped meanwhile (a restart, a failover) is found
        # by the health check before a request reuses it, and replaced.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves many threads and processes at once. WAL: readers never wait
    # for the writer. IMMEDIATE: a transaction takes the write lock when it begins, so a second
    # writer waits its turn (up to the timeout, in seconds) instead of failing at once with
    # "database is locked" when its transaction, having read, starts to write. NORMAL: no disk
    # sync per commit; a power cut may lose the last commits, never corrupt the file. Options
    # given in DATABASE_URL (?timeout=60) win.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_DISABLE_JIT", True
):
    # The portal's statements are short and run thousands of times: PostgreSQL's JIT compiles
    # any whose estimated cost passes jit_above_cost (a facet count over 100,000 documents
    # does), spending ~80 ms to save a few. Off for this application's connections only.
    # Behind a connection pooler that refuses startup options (PgBouncer does, unless told to
    # pass them), set DATABASE_DISABLE_JIT=false and `ALTER ROLE <user> SET jit = off` instead.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _given = _options.get("options", "")
    _given = " ".join(_given) if isinstance(_given, list | tuple) else _given
    _options["options"] = f"{_given} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "/"
# Without it Django's LogoutView renders the Django admin's "logged out" page, which the portal
# does not route (a 500 on the reader site's "Sign out").
LOGOUT_REDIRECT_URL = "/"

# Internationalisation: every reader page exists in these languages.
LANGUAGE_CODE = "en"
LANGUAGES = WAGTAIL_CONTENT_LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ja", _("Japanese")),
]
WAGTAIL_I18N_ENABLED = True
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "sites" / "locale"]
# How dates read, per language (one unambiguous format: "3 Nov 2026"): sites/formats/.
FORMAT_MODULE_PATH = ["sites.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))

# Public media (editorial images) may be served by a web server; trust documents never are:
# their files live in a separate storage with no URL and go out only through the download view.
# Folders on this machine by default; an S3-compatible object store that every instance shares
# when TRUSTPORTAL_S3_BUCKET names a bucket (cms/files/locations.py).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
PROTECTED_MEDIA_ROOT = Path(os.environ.get("PROTECTED_MEDIA_ROOT", VAR_DIR / "protected"))
OBJECT_STORE = ObjectStore.from_environment(os.environ)
STORAGES = file_storages(OBJECT_STORE, PROTECTED_MEDIA_ROOT)

# Prepared copies of gated PDFs, from which each reader's watermarked copy is read
# (cms/delivery/prepared_copies.py): a cache on this machine's disk, as confidential as the
# protected files; empty to prepare every download from the stored file.
TRUSTPORTAL_WATERMARK_CACHE_DIR = os.environ.get(
    "TRUSTPORTAL_WATERMARK_CACHE_DIR", str(VAR_DIR / "watermark-cache")
)
TRUSTPORTAL_WATERMARK_CACHE_MAX_BYTES = int(
    os.environ.get("TRUSTPORTAL_WATERMARK_CACHE_MAX_BYTES", 2 * 1024**3)
)

# Uploads of trust documents: checked by content, capped in size.
TRUSTPORTAL_UPLOAD_MAX_BYTES = int(
    os.environ.get("TRUSTPORTAL_UPLOAD_MAX_BYTES", 100 * 1024 * 1024)
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# How many reverse proxies in front of the portal append to X-Forwarded-For (0: trust none).
TRUSTPORTAL_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTPORTAL_TRUSTED_PROXY_COUNT", "0"))
# Download links handed out by the site and the API expire after this many minutes.
TRUSTPORTAL_DOWNLOAD_LINK_MINUTES = int(os.environ.get("TRUSTPORTAL_DOWNLOAD_LINK_MINUTES", "15"))
# (attempts, seconds) over a sliding window, answered with 429 beyond: downloads per user or
# client address; *failed* sign-ins per account name and per client address (successes cost
# nothing); sign-up forms per client address; password-reset requests per client address and
# per e-mail address asked for. See cms/access/ratelimit.py.
TRUSTPORTAL_RATE_LIMITS = {
    "download": (int(os.environ.get("TRUSTPORTAL_DOWNLOADS_PER_HOUR", "120")), 3600),
    "sign_in": (int(os.environ.get("TRUSTPORTAL_FAILED_SIGN_INS_PER_ACCOUNT", "10")), 900),
    "sign_in_address": (
        int(os.environ.get("TRUSTPORTAL_FAILED_SIGN_INS_PER_ADDRESS", "50")),
        900,
    ),
    "sign_up": (int(os.environ.get("TRUSTPORTAL_SIGN_UPS_PER_HOUR", "20")), 3600),
    "password_reset": (int(os.environ.get("TRUSTPORTAL_PASSWORD_RESETS_PER_HOUR", "20")), 3600),
    "password_reset_email": (
        int(os.environ.get("TRUSTPORTAL_PASSWORD_RESET_MAILS_PER_HOUR", "5")),
        3600,
    ),
    "feedback": (int(os.environ.get("TRUSTPORTAL_FEEDBACK_PER_HOUR", "10")), 3600),
    "api_bad_token": (int(os.environ.get("TRUSTPORTAL_API_BAD_TOKENS_PER_HOUR", "60")), 3600),
}
# Headless API requests per client address (anonymous) and per API token (a signed-in browser
# session: per user), as Django Ninja rates ("120/min", "5000/hour"; empty: no limit).
TRUSTPORTAL_API_THROTTLE_RATES = {
    "anonymous": os.environ.get("TRUSTPORTAL_API_RATE_ANONYMOUS", "120/min") or None,
    "authenticated": os.environ.get("TRUSTPORTAL_API_RATE_AUTHENTICATED", "600/min") or None,
}
# Personal API tokens (the reader site's account page): how many may work at once per user, and
# the longest a new one may last.
TRUSTPORTAL_API_TOKENS_PER_USER = int(os.environ.get("TRUSTPORTAL_API_TOKENS_PER_USER", "10"))
TRUSTPORTAL_API_TOKEN_MAX_DAYS = int(os.environ.get("TRUSTPORTAL_API_TOKEN_MAX_DAYS", "365"))
# Document page views go into the audit log, for the staff's viewer analytics.
TRUSTPORTAL_AUDIT_DOCUMENT_VIEWS = env_bool("TRUSTPORTAL_AUDIT_DOCUMENT_VIEWS", True)
# The audit chain's signing keys, "id=secret,..." (the first signs; see cms/audit/keys.py), and
# the window over which repeated refusals are aggregated (see cms/audit/refusals.py).
TRUSTPORTAL_AUDIT_KEYS = os.environ.get("TRUSTPORTAL_AUDIT_KEYS", "")
TRUSTPORTAL_AUDIT_REFUSAL_WINDOW_SECONDS = int(
    os.environ.get("TRUSTPORTAL_AUDIT_REFUSAL_WINDOW_SECONDS", "3600")
)
# What personal accounts (users without an organization) may download.
TRUSTPORTAL_PERSONAL_ACCOUNT_LEVELS = env_list(
    "TRUSTPORTAL_PERSONAL_ACCOUNT_LEVELS", "public,signed_in"
)
# A superseded version stays downloadable for this many days after it was published.
TRUSTPORTAL_VERSION_RETENTION_DAYS = int(os.environ.get("TRUSTPORTAL_VERSION_RETENTION_DAYS", 365))

WAGTAIL_SITE_NAME = os.environ.get("TRUSTPORTAL_SITE_NAME", "Trust Portal")
# Where readers reach the portal. Password-reset, notification and admin e-mails build their
# links from it, not from the request's Host header, which the client chooses (a forged one
# would mail a reset link that leads to the forger's host).
TRUSTPORTAL_BASE_URL = os.environ.get("TRUSTPORTAL_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = TRUSTPORTAL_BASE_URL
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILAPI_DOCS_ENABLED = env_bool("TRUSTPORTAL_API_DOCS", True)
WAGTAILLOCALIZE_ENABLE_MACHINE_TRANSLATION = False
# The admin calls no third party (its Content-Security-Policy allows none): no Gravatar, which
# would also tell Gravatar who the staff are, and no check for new Wagtail releases, which the
# portal's own releases pin anyway.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Caches (cms/caching.py): "default" holds what a process may keep for itself (facet counts);
# "ratelimit" what every process must share (rate limits; each gunicorn worker would otherwise
# have a budget of its own). Without Redis: the process's memory, and Django's database cache,
# whose table `migrate` creates. With Redis: Redis, each falling back to the same stand-ins
# while Redis is down or does not answer within TRUSTPORTAL_REDIS_TIMEOUT_SECONDS, so that a
# Redis outage never becomes an error page.
REDIS_URL = os.environ.get("REDIS_URL", "")
TRUSTPORTAL_REDIS_TIMEOUT_SECONDS = float(
    os.environ.get("TRUSTPORTAL_REDIS_TIMEOUT_SECONDS", "0.5")
)
CACHES = (
    redis_caches(REDIS_URL, TRUSTPORTAL_REDIS_TIMEOUT_SECONDS) if REDIS_URL else embedded_caches()
)

# CORS for the headless API only: exact origins (scheme, host, port); none by default. Bearer
# tokens need no credentials, so cookies are not shared unless a deployment asks for it.
TRUSTPORTAL_API_CORS_ORIGINS = env_list("TRUSTPORTAL_API_CORS_ORIGINS")
CORS_ALLOWED_ORIGINS = TRUSTPORTAL_API_CORS_ORIGINS
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = ["authorization", "content-type"]
CORS_ALLOW_METHODS = ["GET", "POST", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag"]
CORS_ALLOW_CREDENTIALS = env_bool("TRUSTPORTAL_API_CORS_CREDENTIALS", False)

# Content-Security-Policy (django-csp; sites.csp picks the policy of each surface). The reader
# site: only our own files, no inline script without the request's nonce, no plugins, never
# framed (like X-Frame-Options: DENY), forms and <base> to our own origin only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# The API answers JSON, never a document: nothing in it may load or run.
TRUSTPORTAL_CSP_API = {
    "default-src": [NONE],
    "base-uri": [NONE],
    "form-action": [NONE],
    "frame-ancestors": [NONE],
}
# The API's interactive docs: Swagger UI from our static files, reading the OpenAPI schema.
TRUSTPORTAL_CSP_API_DOCS = {
    "default-src": [NONE],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "connect-src": [SELF],
    "base-uri": [NONE],
    "form-action": [NONE],
    "frame-ancestors": [NONE],
}
# Wagtail's admin, as little looser than the reader's as it needs to work: its widgets write
# inline scripts (choosers, date pickers, inline panels; no nonce can reach a widget's template),
# its editor's libraries inline styles, its image uploader previews files as blob: URLs, and its
# preview panel frames the admin. Its pages are for staff only; the rest is the reader's policy.
TRUSTPORTAL_CSP_ADMIN = {
    "default-src": [SELF],
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "blob:"],
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [SELF],
    "form-action": [SELF],
}
# Public media in an object store are linked at its origin (pre-signed, or a CDN's): the admin's
# image library and rich text load them from there.
if OBJECT_STORE:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = [SELF, *OBJECT_STORE.media_origins()]
    TRUSTPORTAL_CSP_ADMIN["img-src"] += OBJECT_STORE.media_origins()

# Background jobs: inline unless REDIS_URL names a Redis server for django-rq workers. The web
# processes give up on a Redis that does not answer (the job waits in the outbox for the
# sweep); workers raise the socket timeout above their own polling interval (RQ does).
TRUSTPORTAL_JOBS_INLINE = not REDIS_URL
RQ_QUEUES = {
    "default": {
        "URL": with_timeouts(REDIS_URL or "redis://127.0.0.1:6379/0", seconds=2),
        "DEFAULT_TIMEOUT": 600,
    },
}
# Every worker sweeps as it starts: outbox events that waited for Redis, deliveries a killed
# worker left. Run workers with ``--with-scheduler`` for the periodic sweep and the digests.
# Enqueue at once ("auto"): the outbox already waits for the commit, and must see Redis errors.
RQ = {"WORKER_CLASS": "workflows.sweep.SweepingWorker", "COMMIT_MODE": "auto"}
TRUSTPORTAL_SWEEP_SECONDS = int(os.environ.get("TRUSTPORTAL_SWEEP_SECONDS", "60"))

# Search: the database backend, or Elasticsearch (elasticsearch-dsl) when ELASTICSEARCH_URL
# names a cluster; one index per locale, named from the prefix.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
TRUSTPORTAL_SEARCH_BACKEND = os.environ.get(
    "TRUSTPORTAL_SEARCH_BACKEND",
    "search.backends.elasticsearch.ElasticsearchBackend"
    if ELASTICSEARCH_URL
    else "search.backends.database.DatabaseBackend",
)
TRUSTPORTAL_SEARCH_INDEX_PREFIX = os.environ.get("TRUSTPORTAL_SEARCH_INDEX_PREFIX", "trustportal")
# Facet counts of what everyone may see are kept in the cache under the listing generation,
# which every content change bumps: the lifetime only bounds memory, never staleness.
TRUSTPORTAL_FACET_CACHE_SECONDS = int(os.environ.get("TRUSTPORTAL_FACET_CACHE_SECONDS", "3600"))
# What anonymous visitors are served is kept the same way (sites/visitor_cache.py); 0 turns
# that cache off.
TRUSTPORTAL_VISITOR_CACHE_SECONDS = int(os.environ.get("TRUSTPORTAL_VISITOR_CACHE_SECONDS", "600"))

# E-mail: console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "trust-portal@localhost")
# Staff alerts (a gated file that cannot be served): mailed to ADMINS from SERVER_EMAIL, and
# listed on the admin's dashboard whether or not mail gets through (cms.delivery.failures).
ADMINS = env_addresses("TRUSTPORTAL_ADMINS")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[Trust Portal] "
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

# OpenID Connect sign-in (mozilla-django-oidc, through cms.accounts) when a provider is
# configured. The values come from the provider's /.well-known/openid-configuration; the issuer
# is checked in every ID token and, with "sub", identifies the user.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
# end_session_endpoint: signing out here also ends the provider's session (empty: ours only).
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_OP_LOGOUT_URL_METHOD = "cms.accounts.views.provider_logout_url"
OIDC_STORE_ID_TOKEN = True  # the id_token_hint the end_session_endpoint asks for
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
# The claim that names the user's organization (matched to Organization.oidc_claim_value).
TRUSTPORTAL_OIDC_ORGANIZATION_CLAIM = os.environ.get("OIDC_ORGANIZATION_CLAIM", "org")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = 10  # seconds; the library's default is to wait for ever on a stuck provider
TRUSTPORTAL_OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and OIDC_OP_AUTHORIZATION_ENDPOINT)
# Django's database sessions, read with what a member's request asks next in one query.
SESSION_ENGINE = "cms.accounts.sessions"

# Django's password backend, reading a signed-in user by hand (sessions signed in under
# "django.contrib.auth.backends.ModelBackend" before it sign in again once).
AUTHENTICATION_BACKENDS = ["cms.accounts.backends.PasswordBackend"]
if TRUSTPORTAL_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.insert(0, "cms.accounts.backends.OIDCBackend")

# Logs go to stderr, one line per record, each with its request id; LOG_FORMAT=json for log
# collectors (the production default), "plain" to read them in a terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "sites.logs.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "not_service_unavailable": {"()": "sites.logs.NotServiceUnavailable"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "sites.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        },
        # Django's error mail to ADMINS (a 500 and its traceback), as Django sets it up, but
        # without the 503s the portal answers on purpose (see NotServiceUnavailable).
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "not_service_unavailable"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # Wagtail's own background tasks log every run; keep their warnings only.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # pikepdf (watermarks) says at import that its logger bridge is up: noise on the stderr
        # of every command that loads it, before a command's one-line refusal.
        "pikepdf": {"level": "WARNING"},
        # One line per request (method, path, status, duration); gunicorn's access log is the
        # alternative, so a deployment may quieten this one with TRUSTPORTAL_REQUEST_LOG_LEVEL.
        "trustportal.request": {"level": os.environ.get("TRUSTPORTAL_REQUEST_LOG_LEVEL", "INFO")},
    },
}
