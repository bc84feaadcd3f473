"""The driver's home: their DSP and station, the partners the station serves, and where the
day's handoffs start."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.decorators import driver_required
from packages import selectors


@driver_required
def driver_home(request: HttpRequest) -> HttpResponse:
    driver = selectors.driver_get_for_user(user=request.user)
    if driver is None and selectors.driver_is_stopped(user=request.user):
        raise PermissionDenied(_("Your DSP has stopped your driver access."))
    if driver is None:
        raise Http404(_("Your log-in is not linked to a DSP yet; ask your DSP's dispatcher."))
    station = driver.home_station
    partners = selectors.station_partners(station=station) if station else None
    return render(request, "packages/driver_home.html", {"driver": driver, "partners": partners})
