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
