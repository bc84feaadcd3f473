"""The application flow's emails go out in the language the applicant chose, whatever the
language of the request that caused them (a reviewer's English page, a Celery worker)."""

import pytest
from django.utils import translation

from accounts.models import OutboundEmail
from accounts.services import user_language_set
from partners.services.applications import application_submit


@pytest.mark.parametrize(
    ("language", "subject"),
    [("es", "Recibimos su solicitud"), ("", "We received your application")],
    ids=["chose Spanish", "follows the browser"],
)
def test_the_submitted_email_is_in_the_applicants_language(
    draft_application, spanish, language, subject
):
    user_language_set(user=draft_application.owner, language=language)
    with translation.override("en"):  # the request's language does not decide it
        application_submit(application=draft_application, actor=draft_application.owner)
    email = OutboundEmail.objects.get(to=draft_application.owner.email)
    assert email.subject == subject
