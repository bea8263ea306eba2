import os

# Tests decide which plugins exist; entry points of whatever is installed must not leak in.
os.environ["TRUSTPORTAL_LOAD_ENTRY_POINTS"] = "0"

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = False
SECRET_KEY = "test-only-key-" + "x" * 40
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TRUSTPORTAL_JOBS_INLINE = True
_test_var = VAR_DIR / "test" / os.environ.get("PYTEST_XDIST_WORKER", "main")
MEDIA_ROOT = _test_var / "media"
PROTECTED_MEDIA_ROOT = _test_var / "protected"
STORAGES["protected"]["OPTIONS"]["location"] = str(PROTECTED_MEDIA_ROOT)  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"
