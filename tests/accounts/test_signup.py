import re

from django.core import mail
from django.urls import reverse

from accounts.models import OutboundEmail, User
from accounts.roles import Role

SIGNUP = {
    "email": "new.florist@mail.test",
    "password1": "tulips-in-may-42",
    "password2": "tulips-in-may-42",
}


def test_signup_sends_verification_email_and_blocks_login_until_verified(
    client, db, django_capture_on_commit_callbacks
):
    # when the owner signs up
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), SIGNUP)
    # then a verification email is sent and nobody is logged in
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.florist@mail.test"]
    confirm_path = re.search(r"https?://[^/]+(/accounts/confirm-email/[^/\s]+/)", message.body)
    assert confirm_path, message.body
    assert OutboundEmail.objects.get(to="new.florist@mail.test").sent_at is not None

    # when they try to log in before verifying
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    # then they are not logged in and are told to verify
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not client.get(reverse("accounts:home")).wsgi_request.user.is_authenticated

    # when they follow the link and confirm
    response = client.post(confirm_path.group(1))
    # then they are logged in as an applicant and land on the applicant home
    user = User.objects.get(email=SIGNUP["email"])
    assert user.has_role(Role.APPLICANT)
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": SIGNUP["email"], "password": SIGNUP["password1"]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("partners:applicant-home")


def test_signup_with_mismatched_passwords_keeps_the_email(client, db):
    response = client.post(reverse("account_signup"), {**SIGNUP, "password2": "something-else-1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "You must type the same password each time" in html
    assert 'value="new.florist@mail.test"' in html
    assert not User.objects.filter(email=SIGNUP["email"]).exists()
