"""Container health check: GET /healthz as the load balancer does, exit 0 on 200.

    python deploy/healthcheck.py http://127.0.0.1:8000/healthz

Django answers only the host names in ALLOWED_HOSTS, so the request names the first of
them in its Host header (the container's own address is not one). X-Forwarded-Proto says
https, as the TLS-terminating balancer would, so no redirect answers instead of the check.
"""

import os
import sys
import urllib.error
import urllib.request


def health_host(allowed_hosts: str) -> str:
    """The Host header to send: the first ALLOWED_HOSTS name, a leading dot (a subdomain
    pattern) dropped, "localhost" when none is set."""
    names = [name.strip() for name in allowed_hosts.split(",") if name.strip()]
    name = names[0].lstrip(".") if names else "localhost"
    return "localhost" if name == "*" else name


def main(url: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the URL is the command's argument
        url,
        headers={
            "Host": health_host(os.environ.get("ALLOWED_HOSTS", "")),
            "X-Forwarded-Proto": "https",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=3) as answer:  # noqa: S310
            return 0 if answer.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"health check failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
