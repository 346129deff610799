"""Settings of the Daphne server that the browser tests drive: the project's settings on the
test database of the pytest process, static files served straight from the apps."""

import os

from incubator.settings import *  # noqa: F403
from incubator.settings import DATABASES, STORAGES

DATABASES["default"]["NAME"] = os.environ["BROWSER_TEST_DATABASE"]
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_AUTOREFRESH = True
# The test process hashes passwords with the fast hasher (tests/conftest.py).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The production profile (the PostgreSQL + Redis pass) over plain http on 127.0.0.1.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
