"""Developer machine: DEBUG on, console email, a throwaway secret key."""

from .base import *  # noqa: F403
from .base import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "local-development-only-not-a-secret")
# Logs for reading in a terminal rather than for a log shipper.
LOGGING["handlers"]["console"]["formatter"] = env_str("LOG_FORMAT", "plain")  # noqa: F405
