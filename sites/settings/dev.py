from .base import *  # noqa: F403
from .base import SECRET_KEY as _SECRET_KEY

DEBUG = True
# Development only: a fixed key so a fresh clone runs; production refuses to start without one.
SECRET_KEY = _SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
