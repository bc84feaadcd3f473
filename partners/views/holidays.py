"""The ops holiday calendar: everyone in ops reads it, ops admins change it."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import ops_admin_required, ops_required
from accounts.roles import Role
from hubdelivery.exceptions import DomainError, InvalidInput
from partners.forms.holidays import CalendarFilterForm, HolidayAddForm, SwitchOffForm
from partners.models import HolidayDay
from partners.selectors.holidays import CalendarFilters, calendar_days
from partners.services import holidays as services
from partners.views.actions import run_action

ADD_PREFIX = "add"  # the filter form above it has state, market and kind fields too


def calendar_page(request: HttpRequest, add_form: HolidayAddForm, status: int = 200):
    filter_form = CalendarFilterForm(request.GET or None)
    filters = CalendarFilters(**filter_form.filters())
    context = {
        "filter_form": filter_form,
        "year": filters.year,
        "days": calendar_days(filters),
        "add_form": add_form,
        "switch_off_form": SwitchOffForm(),
        "may_change": request.user.has_role(Role.OPS_ADMIN),
    }
    return render(request, "partners/ops_holidays.html", context, status=status)


@ops_required
def ops_holidays(request: HttpRequest) -> HttpResponse:
    return calendar_page(request, HolidayAddForm(prefix=ADD_PREFIX))


@require_POST
@ops_admin_required
def ops_holiday_add(request: HttpRequest) -> HttpResponse:
    form = HolidayAddForm(request.POST, prefix=ADD_PREFIX)
    if form.is_valid():
        try:
            holiday = services.holiday_add(actor=request.user, **form.cleaned_data)
        except InvalidInput as error:
            form.add_error(error.field, str(error))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s added to the calendar.") % {"name": holiday.name})
            return redirect("partners:ops-holidays")
    return calendar_page(request, form, status=400)


@require_POST
@ops_admin_required
def ops_holiday_remove(request: HttpRequest, pk: int) -> HttpResponse:
    holiday = get_object_or_404(HolidayDay, pk=pk)
    run_action(
        request,
        lambda: services.holiday_remove(actor=request.user, holiday=holiday),
        _("The day is removed from the calendar."),
    )
    return redirect("partners:ops-holidays")


@require_POST
@ops_admin_required
def ops_holiday_switch_off(request: HttpRequest, pk: int) -> HttpResponse:
    holiday = get_object_or_404(HolidayDay, pk=pk)
    form = SwitchOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for switching it off."))
        return redirect("partners:ops-holidays")
    run_action(
        request,
        lambda: services.federal_holiday_switch_off(
            actor=request.user, holiday=holiday, reason=form.cleaned_data["reason"]
        ),
        _("Deliveries run on that day this year."),
    )
    return redirect("partners:ops-holidays")
