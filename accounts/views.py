from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.forms import LanguageForm
from accounts.roles import HOME_URL_BY_ROLE
from accounts.services import user_language_set


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the home page of their most capable role."""
    for role, url_name in HOME_URL_BY_ROLE:
        if role in request.user.roles:
            return redirect(url_name)
    return redirect("partners:applicant-home")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The language switcher, for everyone: sets the `django_language` cookie like Django's
    set_language, and saves a signed-in user's choice (it then follows them to other devices
    and into their emails). Back to `next`, a path of this site; an unknown language changes
    nothing."""
    form = LanguageForm(request.POST)
    response = redirect(safe_next_url(request, form.data.get("next", "")))
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    language_cookie_set(response, language)
    return response


def safe_next_url(request: HttpRequest, next_url: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return next_url if next_url and allowed else "/"


def language_cookie_set(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
