from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.roles import HOME_URL_BY_ROLE


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the home page of their most capable role."""
    for role, url_name in HOME_URL_BY_ROLE:
        if role in request.user.roles:
            return redirect(url_name)
    return redirect("partners:applicant-home")
