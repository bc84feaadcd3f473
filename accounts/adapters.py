from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.sites.models import Site
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from accounts.emails import email_queue, recipient_language
from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant
from hubdelivery.lib.urls import rebased_on_site, site_host, site_url


def email_context(context: dict[str, Any]) -> dict[str, Any]:
    """allauth's email context with every link on SITE_URL.

    allauth builds its links (`activate_url`, `password_reset_url`, `signup_url`) from the
    request's host and names the site from the Sites table; ours come from SITE_URL, like
    every other email's (hubdelivery.lib.urls)."""
    links = {
        key: rebased_on_site(value)
        for key, value in context.items()
        if key.endswith("_url") and isinstance(value, str) and value
    }
    host = site_host()
    return {
        **context,
        **links,
        "current_site": Site(id=settings.SITE_ID, domain=host, name=host),
        "site_url": site_url(),
    }


def active_language() -> str:
    """The request's language as a code of settings.LANGUAGES ("" if somehow none)."""
    language = translation.get_language() or ""
    return language if language in dict(settings.LANGUAGES) else ""


class AccountAdapter(DefaultAccountAdapter):
    """Sign-ups become applicants; allauth's emails go through the outbox and Celery, with
    their links on SITE_URL."""

    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        # The language the visitor signed up in becomes their saved preference.
        user.language = active_language()
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            role_grant(user=user, role=Role.APPLICANT)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """In the recipient's saved language, else the one of the request that sent it (a
        visitor asking for a password reset in Spanish gets it in Spanish)."""
        context = email_context({"email": email, "request": self.request, **context})
        language = recipient_language(to=email) or translation.get_language()
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                body
                for body, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        email_queue(
            to=email,
            subject=message.subject,
            text=message.body,
            html=html,
            kind=template_prefix.rsplit("/", 1)[-1],
        )

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("accounts:home")
