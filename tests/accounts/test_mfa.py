from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.roles import Role
from tests.factories import UserFactory


def test_ops_user_without_authenticator_is_sent_to_totp_setup(client, db, settings):
    # given
    settings.OPS_MFA_REQUIRED = True
    reviewer = UserFactory(roles=[Role.OPS_REVIEWER])
    client.force_login(reviewer)
    # when
    response = client.get(reverse("partners:ops-home"))
    # then
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_ops_user_with_totp_opens_ops_pages(client, db, settings):
    settings.OPS_MFA_REQUIRED = True
    reviewer = UserFactory(roles=[Role.OPS_REVIEWER])
    Authenticator.objects.create(user=reviewer, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(reviewer)
    assert client.get(reverse("partners:ops-home")).status_code == 200


def test_partner_users_are_not_asked_for_mfa(client, partner_owner, settings):
    settings.OPS_MFA_REQUIRED = True
    client.force_login(partner_owner)
    assert client.get(reverse("partners:partner-home")).status_code == 200


def test_demo_ops_accounts_skip_mfa_only_with_debug(client, db, settings):
    settings.OPS_MFA_REQUIRED = True
    demo_reviewer = UserFactory(email="reviewer@demo.hub", roles=[Role.OPS_REVIEWER])
    client.force_login(demo_reviewer)
    settings.DEBUG = True
    assert client.get(reverse("partners:ops-home")).status_code == 200
    settings.DEBUG = False
    assert client.get(reverse("partners:ops-home")).status_code == 302


def test_ops_user_with_totp_is_checked_against_the_database_once_per_session(
    client, db, settings, django_assert_num_queries
):
    # given an ops user with TOTP whose first page saw the authenticator
    settings.OPS_MFA_REQUIRED = True
    reviewer = UserFactory(roles=[Role.OPS_REVIEWER])
    Authenticator.objects.create(user=reviewer, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(reviewer)
    assert client.get(reverse("partners:ops-home")).status_code == 200
    # when the next request comes, then the middleware reads the session, the user and the
    # roles (once), and no authenticator
    with django_assert_num_queries(3) as captured:
        client.get("/no-such-page/")
    assert not any("mfa_authenticator" in query["sql"] for query in captured.captured_queries)


def test_a_removed_authenticator_is_noticed_after_a_visit_to_the_account_pages(
    client, db, settings
):
    # given an ops user whose session has seen their authenticator
    settings.OPS_MFA_REQUIRED = True
    reviewer = UserFactory(roles=[Role.OPS_REVIEWER])
    Authenticator.objects.create(user=reviewer, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(reviewer)
    assert client.get(reverse("partners:ops-home")).status_code == 200
    # when the authenticator is removed (allauth's pages live under /accounts/)
    Authenticator.objects.filter(user=reviewer).delete()
    client.get(reverse("mfa_index"))
    # then the next ops page asks for the set-up again
    response = client.get(reverse("partners:ops-home"))
    assert response.url == reverse("mfa_activate_totp")
