"""Issue 14, finding 6: an ops account reaches recipients' data through the API only from a
browser session that passed the pages' MFA rule; its user token is refused. DSP system keys
and partners' and drivers' tokens are unaffected (accounts.authentication,
accounts.middleware)."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.authentication import OPS_REFUSAL_DETAIL
from tests.factories import ManifestFactory, PackageFactory

# Both kinds of API view: the packages API's own base (PackagesApi) and the project default.
PACKAGES = "/api/v1/packages"
ME = "/api/v1/me"


@pytest.fixture
def recipient_package(partner):
    return PackageFactory(manifest=ManifestFactory(partner=partner), recipient_name="Ana Diaz")


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def with_totp(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.mark.parametrize("persona", ["reviewer", "ops_admin"])
@pytest.mark.parametrize("url", [PACKAGES, ME])
def test_an_ops_user_token_is_refused_with_an_explanation(persona, url, recipient_package, request):
    # given an ops account with a DRF user token (and MFA set up: a token still proves none)
    user = with_totp(request.getfixturevalue(persona))
    # when the token is used
    response = token_client(user).get(url)
    # then 401 JSON says to use the browser with two-factor authentication; no recipient data
    assert response.status_code == 401
    assert response.json()["detail"] == OPS_REFUSAL_DETAIL
    assert "two-factor" in OPS_REFUSAL_DETAIL
    assert "Ana Diaz" not in response.content.decode()


def test_an_ops_token_is_refused_even_where_mfa_is_switched_off(reviewer, settings):
    # given MFA for ops switched off (the reviewer fixture does so)
    assert settings.OPS_MFA_REQUIRED is False
    # when / then the ops token is still refused
    assert token_client(reviewer).get(PACKAGES).status_code == 401


def test_a_partner_owners_token_still_reads_its_packages(partner_owner, recipient_package):
    # when the partner owner uses a user token
    response = token_client(partner_owner).get(PACKAGES)
    # then their package comes back with its recipient
    assert response.status_code == 200
    assert [p["recipient_name"] for p in response.json()["results"]] == ["Ana Diaz"]


def test_a_drivers_token_still_works(dsp_driver):
    assert token_client(dsp_driver).get(ME).status_code == 200


def test_a_dsp_system_key_is_unaffected(dsp_token_key):
    # when a DSP system uses its Bearer key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {dsp_token_key}")
    # then it reads its packages as before
    assert client.get(PACKAGES).status_code == 200


@pytest.mark.parametrize("url", [PACKAGES, ME])
def test_an_ops_session_without_mfa_gets_403_json_not_a_redirect(url, reviewer, settings):
    # given an ops account without an authenticator, where MFA is required
    settings.OPS_MFA_REQUIRED = True
    # when its browser session calls the API
    response = session_client(reviewer).get(url)
    # then the answer is JSON naming the rule and where to set it up
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "mfa_required"
    assert body["setup_url"] == reverse("mfa_activate_totp")


def test_an_ops_session_with_mfa_reads_recipients(reviewer, settings, recipient_package):
    # given an ops account with TOTP, where MFA is required
    settings.OPS_MFA_REQUIRED = True
    # when its browser session reads the packages
    response = session_client(with_totp(reviewer)).get(PACKAGES)
    # then it sees the recipient, as on the pages
    assert response.status_code == 200
    assert "Ana Diaz" in response.content.decode()
