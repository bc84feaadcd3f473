"""The language of a request: the saved preference, then the cookie or Accept-Language, then
English; the switcher that sets it; the language saved at sign-up."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_language_set
from hubdelivery.exceptions import InvalidInput
from tests.conftest import client_for
from tests.factories import UserFactory

LANDING = "/"


def page_language(response) -> str:
    return response["Content-Language"]


@pytest.mark.django_db
def test_anonymous_visitor_gets_english_by_default(client):
    assert page_language(client.get(LANDING)) == "en"


@pytest.mark.django_db
def test_anonymous_visitor_gets_the_browser_language(client):
    response = client.get(LANDING, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert page_language(response) == "es"


@pytest.mark.django_db
def test_an_unsupported_browser_language_falls_back_to_english(client):
    assert page_language(client.get(LANDING, HTTP_ACCEPT_LANGUAGE="fr")) == "en"


@pytest.mark.django_db
def test_the_cookie_wins_over_the_browser(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert page_language(client.get(LANDING, HTTP_ACCEPT_LANGUAGE="en")) == "es"


def test_the_saved_preference_wins_over_cookie_and_browser(applicant):
    applicant.language = "es"
    applicant.save()
    client = client_for(applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("partners:applicant-home"), HTTP_ACCEPT_LANGUAGE="en")
    assert page_language(response) == "es"


def test_no_saved_preference_follows_the_browser(applicant):
    client = client_for(applicant)
    response = client.get(reverse("partners:applicant-home"), HTTP_ACCEPT_LANGUAGE="es")
    assert page_language(response) == "es"


def test_reading_the_preference_costs_no_query(applicant, django_assert_num_queries):
    """The user row is loaded for every request anyway: a saved language adds nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(applicant)
    url = reverse("partners:applicant-home")
    client.get(url)  # warm-up: session and one-time lookups
    with CaptureQueriesContext(connection) as following_browser:
        client.get(url)
    # read now: every request clears the connection's query log
    queries_following_browser = len(following_browser)
    user_language_set(user=applicant, language="es")
    client.get(url)
    with django_assert_num_queries(queries_following_browser):
        response = client.get(url)
    assert page_language(response) == "es"


# ------------------------------------------------------------------------------
# The switcher
# ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_switcher_sets_the_cookie_for_an_anonymous_visitor_and_goes_back(client):
    response = client.post(
        reverse("accounts:language-set"), {"language": "es", "next": "/eligibility/?zip=10001"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/eligibility/?zip=10001"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert page_language(client.get(LANDING)) == "es"


def test_switcher_saves_a_signed_in_users_choice(applicant):
    client = client_for(applicant)
    client.post(reverse("accounts:language-set"), {"language": "es", "next": "/"})
    applicant.refresh_from_db()
    assert applicant.language == "es"


@pytest.mark.django_db
def test_switcher_never_redirects_off_site(client):
    response = client.post(
        reverse("accounts:language-set"), {"language": "es", "next": "https://evil.test/"}
    )
    assert response["Location"] == "/"


def test_switcher_ignores_an_unknown_language(applicant):
    client = client_for(applicant)
    response = client.post(reverse("accounts:language-set"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    applicant.refresh_from_db()
    assert applicant.language == ""


@pytest.mark.django_db
def test_switcher_answers_only_post(client):
    assert client.get(reverse("accounts:language-set")).status_code == 405


def test_user_language_set_refuses_an_unknown_language(applicant):
    with pytest.raises(InvalidInput):
        user_language_set(user=applicant, language="fr")


def test_user_language_set_blank_follows_the_browser_again(applicant):
    user_language_set(user=applicant, language="es")
    user_language_set(user=applicant, language="")
    applicant.refresh_from_db()
    assert applicant.language == ""


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
def test_every_page_has_the_switcher_with_the_current_language_selected(client, language):
    response = client.get(LANDING, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert f'action="{reverse("accounts:language-set")}"' in html
    assert '<label for="language-select"' in html
    assert f'<option value="{language}" lang="{language}" selected>' in html
    assert '<input type="hidden" name="next" value="/">' in html


def test_signed_in_pages_have_the_switcher_too(partner_owner):
    response = client_for(partner_owner).get(reverse("partners:partner-home"))
    assert 'id="language-select"' in response.content.decode()


# ------------------------------------------------------------------------------
# Sign-up saves the language in use
# ------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(("accept_language", "saved"), [("es-US,es;q=0.9", "es"), ("en", "en")])
def test_signup_saves_the_language_in_use(client, accept_language, saved):
    client.post(
        reverse("account_signup"),
        {"email": "new@mail.test", "password1": "a-Long-pass-42", "password2": "a-Long-pass-42"},
        HTTP_ACCEPT_LANGUAGE=accept_language,
    )
    user = User.objects.get(email="new@mail.test")
    assert user.language == saved
    assert user.has_role(Role.APPLICANT)


def test_user_factory_follows_the_browser_by_default(db):
    assert UserFactory().language == ""


def test_api_answers_a_token_user_in_their_saved_language(partner_owner):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    partner_owner.language = "es"
    partner_owner.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=partner_owner).key}")
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert page_language(response) == "es"
