"""The error pages (hubdelivery.urls' handler403/404/500): styled pages with the role's
navigation for people, JSON for the API, like its other errors (hubdelivery.api)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        detail = str(exception) or _("You do not have permission to perform this action.")
        return JsonResponse({"detail": detail}, status=403)
    context = {"reason": str(exception)}
    return HttpResponse(loader.render_to_string("403.html", context, request), status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return HttpResponse(loader.render_to_string("404.html", {}, request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: no context processor, no database (the
    database may be what failed)."""
    if _is_api(request):
        return JsonResponse({"detail": _("A server error occurred.")}, status=500)
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
