"""The project's URLs plus the load benchmark's floor: a bare view that reads one row by
primary key, behind the same middleware (sessions, CSRF, auth, CSP...) as every page."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from hubdelivery.urls import handler429  # noqa: F401
from hubdelivery.urls import urlpatterns as project_urlpatterns
from packages.models import Package


def floor(request: HttpRequest, pk: int) -> HttpResponse:
    package = Package.objects.get(pk=pk)
    return HttpResponse(package.tracking_id, content_type="text/plain")


urlpatterns = [path("bench/floor/<int:pk>/", floor), *project_urlpatterns]
