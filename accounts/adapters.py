from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from accounts.emails import email_queue
from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant


class AccountAdapter(DefaultAccountAdapter):
    """Sign-ups become applicants; allauth's emails go through the outbox and Celery."""

    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            role_grant(user=user, role=Role.APPLICANT)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {"email": email, "request": self.request, **context}
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
