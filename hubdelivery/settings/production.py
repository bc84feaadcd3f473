"""Production: DEBUG off, secrets from the environment, HTTPS only."""

from .base import *  # noqa: F403
from .base import env_bool, env_int, env_origin, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
# No default: emails must link to the real portal, never to a guessed host.
SITE_URL = env_origin("SITE_URL")

# ------------------------------------------------------------------------------
# HTTPS and cookies
# ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
