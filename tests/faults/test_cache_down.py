"""Redis (the cache) down: pages and the API keep answering; each rate limit fails open, per
process or closed as hubdelivery.lib.ratelimit.FAULT_POLICIES says, and /healthz says so."""

import logging

import pytest
import redis
from allauth.account import app_settings as allauth_settings
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from rest_framework.throttling import UserRateThrottle

from hubdelivery.lib.ratelimit import FAULT_POLICIES, FaultPolicy
from tests.factories import TEST_PASSWORD
from tests.packages.conftest import api_client_with_token


def log_in(client, user, password=TEST_PASSWORD):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": password}, follow=True
    )


def test_with_redis_stopped_login_today_page_and_api_reads_answer_2xx(
    client, partner_owner, dsp_token_key, cache_on_own_redis
):
    # given the cache on a Redis of the test's own, which answers and stores
    assert client.get("/healthz").json()["checks"]["cache"] == "ok"
    cache.set("fault-test", "stored")
    assert redis.Redis(port=cache_on_own_redis.port).dbsize() == 1
    # when that Redis stops
    cache_on_own_redis.stop()
    # then the partner logs in and sees the today page
    response = log_in(client, partner_owner)
    assert response.status_code == 200
    assert response.wsgi_request.user == partner_owner
    assert client.get(reverse("packages:today")).status_code == 200
    # and a DSP system reads its packages
    assert api_client_with_token(dsp_token_key).get("/api/v1/packages").status_code == 200
    # and /healthz says the cache is down, the node still serving
    health = client.get("/healthz")
    assert (health.status_code, health.json()["status"]) == (200, "degraded")
    assert health.json()["checks"]["cache"] == "unreachable"
    # when Redis is back, then /healthz says so at once
    cache_on_own_redis.start()
    health = client.get("/healthz").json()
    assert (health["status"], health["checks"]["cache"]) == ("ok", "ok")


def test_open_limit_allows_and_warns_once_per_interval(
    client, applicant, cache_unreachable, caplog
):
    # given the cache unreachable
    caplog.set_level(logging.WARNING, logger="hubdelivery.lib.ratelimit")
    # when the applicant logs in twice
    first = log_in(client, applicant)
    client.logout()
    second = log_in(client, applicant)
    # then both log-ins succeed, and the open log-in limit was logged once
    assert first.wsgi_request.user == applicant
    assert second.wsgi_request.user == applicant
    warnings = [r.getMessage() for r in caplog.records if "rate limit login " in r.getMessage()]
    assert warnings == ["Cache unreachable: rate limit login runs with fault policy open"]


def test_closed_limit_refuses_password_reset_while_the_cache_is_down(
    client, applicant, cache_unreachable
):
    # given the cache unreachable (reset_password sends mail to an address the requester names)
    # when someone asks for a password reset
    response = client.post(reverse("account_reset_password"), {"email": applicant.email})
    # then it is refused as over the limit, and no email goes out
    assert response.status_code == 429
    assert mail.outbox == []


def test_local_limit_still_stops_password_guessing_while_the_cache_is_down(
    client, applicant, cache_unreachable
):
    # given the cache unreachable; login_failed allows 5 failures per 5 minutes per account
    for _ in range(5):
        log_in(client, applicant, password="wrong-password")
    # when a sixth guess comes
    response = log_in(client, applicant, password="wrong-password")
    # then this process's own counter refuses it
    assert "Too many failed login attempts" in response.content.decode()


def test_api_throttle_still_counts_per_process_while_the_cache_is_down(
    dsp_token_key, cache_unreachable, monkeypatch
):
    # given the cache unreachable and the per-client API rate at 2 a minute
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "2/minute")
    api = api_client_with_token(dsp_token_key)
    # when a client calls three times
    codes = [api.get("/api/v1/packages").status_code for _ in range(3)]
    # then the first two answer and the third is throttled by this process's counter
    assert codes == [200, 200, 429]


def test_every_configured_rate_limit_has_a_fault_policy():
    # given every limit configured: allauth's, the portal's and the API throttles'
    api_scopes = {f"api:{scope}" for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    configured = set(allauth_settings.RATE_LIMITS) | set(settings.PORTAL_RATE_LIMITS) | api_scopes
    # then each has a decided policy, and no API scope is closed (DRF's throttles take no lock)
    assert configured - set(FAULT_POLICIES) == set()
    assert all(FAULT_POLICIES[scope] != FaultPolicy.CLOSED for scope in api_scopes)


@pytest.mark.parametrize(
    ("key", "limit"),
    [
        ("allauth:rl:allauth.account:login:30/60.0/ip:ip:10.0.0.1", "login"),
        ("allauth:rl:hubdelivery:waitlist_join:10/60.0/ip:ip:::1:lock", "waitlist_join"),
        ("throttle_user_42", "api:user"),
        ("throttle_anon_10.0.0.1", "api:anon"),
        ("dashboard:board:2026-11-29", None),
    ],
)
def test_cache_keys_map_to_their_limit(key, limit):
    from hubdelivery.lib.ratelimit import limit_name_for_cache_key

    assert limit_name_for_cache_key(key) == limit
