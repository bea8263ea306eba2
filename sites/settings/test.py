import os

# Tests decide which plugins exist (the built-in ones; a test that needs tests/sample_plugin
# installs it for itself): entry points of whatever is installed must not leak in.
os.environ["TRUSTPORTAL_LOAD_ENTRY_POINTS"] = "0"

from cms.caching import DATABASE_CACHE, redis_caches

from .base import *  # noqa: F403
from .base import REDIS_URL, TRUSTPORTAL_REDIS_TIMEOUT_SECONDS, VAR_DIR, env_bool, file_storages

DEBUG = False
SECRET_KEY = "test-only-key-" + "x" * 40
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Rate limits too: each test starts from zero (tests/conftest.py clears every cache); the test
# that two processes share the count points "ratelimit" at the database cache itself.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ratelimit",
    },
    # Not used unless a test points a cache at it: its table is created by migrate, as in
    # production (where it stands in for Redis, cms/caching.py).
    "database": DATABASE_CACHE,
}
# No API throttling unless a test sets a rate: many tests call the API from one address.
TRUSTPORTAL_API_THROTTLE_RATES = {"anonymous": None, "authenticated": None}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TRUSTPORTAL_JOBS_INLINE = True
# One directory per test run (files, and the SQLite database below), so that two runs on one
# checkout never share a database file; processes the run starts inherit the variable and so
# open the same one. Under pytest-xdist each worker is a run of its own: the name the controller
# set before starting its workers (they inherit its environment) is replaced by the worker's.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _xdist_worker and not os.environ.get("TRUSTPORTAL_TEST_RUN", "").startswith(_xdist_worker + "-"):
    os.environ["TRUSTPORTAL_TEST_RUN"] = f"{_xdist_worker}-{os.getpid()}"
TRUSTPORTAL_TEST_RUN = os.environ.setdefault("TRUSTPORTAL_TEST_RUN", f"main-{os.getpid()}")
_test_var = VAR_DIR / "test" / TRUSTPORTAL_TEST_RUN
MEDIA_ROOT = _test_var / "media"
PROTECTED_MEDIA_ROOT = _test_var / "protected"
TRUSTPORTAL_WATERMARK_CACHE_DIR = str(_test_var / "watermark-cache")
# Folders of this run, unless TRUSTPORTAL_S3_* point the run (or a process it starts) at a bucket.
STORAGES = file_storages(OBJECT_STORE, PROTECTED_MEDIA_ROOT)  # noqa: F405
TRUSTPORTAL_BASE_URL = WAGTAILADMIN_BASE_URL = "http://testserver"

# SQLite: a file, not memory, so that the rqworker processes the delivery tests start can open
# the test database (on PostgreSQL they are pointed at the test database by name). Its options
# are the embedded default's (base): WAL, IMMEDIATE transactions, waits instead of errors.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _test_var.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(_test_var / "test.sqlite3")}  # noqa: F405

# An rqworker or gunicorn started by the delivery and fault tests (tests/workers.py): a real
# queue and the tests' SMTP server, plugin settings from the test (short leases and backoffs),
# and the production caches (Redis in front of their stand-ins), which the fault tests stop and
# freeze under a served portal.
if env_bool("TRUSTPORTAL_TEST_WORKER"):
    import json

    if REDIS_URL:
        CACHES = redis_caches(REDIS_URL, TRUSTPORTAL_REDIS_TIMEOUT_SECONDS)

    TRUSTPORTAL_JOBS_INLINE = False
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = "127.0.0.1"
    EMAIL_PORT = int(os.environ["TRUSTPORTAL_TEST_SMTP_PORT"])
    TRUSTPORTAL_PLUGIN_SETTINGS = json.loads(
        os.environ.get("TRUSTPORTAL_TEST_PLUGIN_SETTINGS", "{}")
    )
