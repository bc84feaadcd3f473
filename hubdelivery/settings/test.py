"""Test runs: fast hasher, locmem email, Celery eager unless a test starts a real worker."""

from .base import *  # noqa: F403

DEBUG = False
# Test settings only: a fixed key is fine, and production reads SECRET_KEY from the environment.
SECRET_KEY = "test-only-not-a-secret"  # noqa: S105  # nosec B105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Threads the tests start (the live server, the Celery worker) close their connections after
# each request or task, so the test database can be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
