"""Settings for benchmarks/load.py: production's, on plain http on the loopback interface.

What differs from hubdelivery.settings.production, and why:
- ROOT_URLCONF adds the floor view (benchmarks/load_urls.py); the product's URLs are unchanged.
- Static files are not collected: the benchmark's users request no static files (a browser
  caches them), and the production storage needs `collectstatic` first, which takes about a
  minute. {% static %} then names the file without its content hash.
- No TLS: there is no proxy in front of gunicorn. The environment turns SECURE_SSL_REDIRECT
  off (load.py sets it), and the session and CSRF cookies are not marked Secure, or a client
  on plain http would not send them back. Neither changes what a request costs the server.
"""

from hubdelivery.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.load_urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
