from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.roles import Role


@role_required(Role.APPLICANT)
def applicant_home(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/applicant_home.html")
