import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import TEST_PASSWORD, DriverFactory, UserFactory

ROLE_HOMES = [
    ("applicant", "partners:applicant-home"),
    ("partner_owner", "partners:partner-home"),
    ("partner_staff", "partners:partner-home"),
    ("reviewer", "partners:ops-home"),
    ("ops_admin", "partners:ops-home"),
    ("dsp_driver", "packages:driver-home"),
]


@pytest.mark.parametrize(("persona", "home_url_name"), ROLE_HOMES)
def test_each_role_lands_on_its_home_after_login(client, request, persona, home_url_name):
    # given
    user = request.getfixturevalue(persona)
    if persona == "partner_staff":
        user = request.getfixturevalue("partner_staff")
    # when
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}, follow=True
    )
    # then
    assert response.redirect_chain[-1][0] == reverse(home_url_name)
    assert response.status_code == 200
    assert response.wsgi_request.user == user


def test_user_with_several_roles_lands_on_the_most_capable_one(client, db, settings):
    # given
    settings.OPS_MFA_REQUIRED = False
    user = UserFactory(roles=[Role.APPLICANT, Role.OPS_REVIEWER])
    client.force_login(user)
    # when
    response = client.get(reverse("accounts:home"))
    # then
    assert response.url == reverse("partners:ops-home")


def test_wrong_password_does_not_log_in(client, applicant):
    response = client.post(
        reverse("account_login"), {"login": applicant.email, "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_anonymous_user_is_sent_to_login_from_a_role_home(client, db):
    response = client.get(reverse("partners:partner-home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("partner_owner", "partners:ops-home"),
        ("applicant", "partners:ops-home"),
        ("dsp_driver", "partners:partner-home"),
        ("applicant", "packages:driver-home"),
        ("partner_owner", "packages:driver-home"),
    ],
)
def test_role_home_refuses_other_roles(client, request, persona, url_name):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(url_name)).status_code == 403


def test_driver_without_dsp_link_gets_404(client, db):
    client.force_login(UserFactory(roles=[Role.DSP_DRIVER]))
    assert client.get(reverse("packages:driver-home")).status_code == 404


def test_driver_home_names_the_drivers_dsp(client, db):
    driver = DriverFactory(dsp__name="Harbor Last Mile")
    client.force_login(driver.user)
    assert "Harbor Last Mile" in client.get(reverse("packages:driver-home")).content.decode()


def test_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_ops_admin_opens_django_admin_and_reviewer_does_not(client, ops_admin, reviewer):
    client.force_login(ops_admin)
    assert client.get("/admin/").status_code == 200
    client.force_login(reviewer)
    assert client.get("/admin/").status_code in (302, 403)


def test_repeated_failed_logins_lock_the_account_for_a_while(client, applicant):
    # given five failed attempts for one email (allauth's login_failed limit: 5 per 5 min)
    for _ in range(5):
        client.post(reverse("account_login"), {"login": applicant.email, "password": "nope"})
    # when the right password comes next
    response = client.post(
        reverse("account_login"), {"login": applicant.email, "password": TEST_PASSWORD}
    )
    # then it is refused until the window passes
    assert "Too many failed login attempts" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
