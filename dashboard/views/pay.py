"""Ops admins' pay pages: market rates, a week's payout, a statement's adjustments and payment."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import ops_admin_required
from dashboard import services
from dashboard.forms import (
    MarketRateForm,
    StatementAdjustmentForm,
    StatementPaidForm,
    StatementWeekForm,
)
from dashboard.pay import last_complete_week
from dashboard.selectors import pay as selectors
from dashboard.tables import csv_response
from hubdelivery.exceptions import InvalidInput, InvalidTransition

OPS_TIME_ZONE = "America/New_York"


def refused(form, error: InvalidInput) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


@ops_admin_required
def market_rates(request: HttpRequest, market_id: int) -> HttpResponse:
    market = selectors.market_get(market_id=market_id)
    form = MarketRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate = services.market_rate_set(actor=request.user, market=market, **form.cleaned_data)
        except InvalidInput as error:
            refused(form, error)
        else:
            messages.success(
                request,
                _("%(name)s pays $%(rate)s per package from %(date)s.")
                % {"name": market.name, "rate": rate.rate_per_package, "date": rate.effective_from},
            )
            return redirect("dashboard:market-rates", market_id=market.pk)
    context = {"market": market, "rates": selectors.market_rates(market=market), "form": form}
    status = 400 if form.errors else 200
    return render(request, "dashboard/market_rates.html", context, status=status)


def requested_week(request: HttpRequest) -> StatementWeekForm:
    default = {"week": last_complete_week(tz_name=OPS_TIME_ZONE)}
    return StatementWeekForm(request.GET if "week" in request.GET else default)


@ops_admin_required
def ops_pay(request: HttpRequest) -> HttpResponse:
    """A week's statements, each partner's total and payment, with the payout file."""
    form = requested_week(request)
    table = None
    if form.is_valid():
        table = selectors.payout_table(week_start=form.cleaned_data["week"])
    status = 200 if form.is_valid() else 400
    return render(request, "dashboard/ops_pay.html", {"form": form, "table": table}, status=status)


@ops_admin_required
def ops_payout_csv(request: HttpRequest) -> HttpResponse:
    form = requested_week(request)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("dashboard:ops-pay")
    week = form.cleaned_data["week"]
    return csv_response(selectors.payout_table(week_start=week), f"payout-{week}.csv")


def statement_page(request, statement, *, adjust_form=None, paid_form=None, status=200):
    context = {
        "statement": statement,
        "detail": selectors.statement_detail_table(statement=statement),
        "adjustments": selectors.statement_adjustments(statement=statement),
        "adjust_form": adjust_form or StatementAdjustmentForm(),
        "paid_form": paid_form or StatementPaidForm(),
    }
    return render(request, "dashboard/ops_statement.html", context, status=status)


@ops_admin_required
def ops_statement(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = selectors.statement_get_for_ops(statement_id=statement_id)
    return statement_page(request, statement)


@require_POST
@ops_admin_required
def ops_statement_adjust(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = selectors.statement_get_for_ops(statement_id=statement_id)
    form = StatementAdjustmentForm(request.POST)
    if form.is_valid():
        try:
            services.statement_adjust(actor=request.user, statement=statement, **form.cleaned_data)
        except InvalidInput as error:
            refused(form, error)
        except InvalidTransition as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The adjustment is on the statement."))
            return redirect("dashboard:ops-statement", statement_id=statement.pk)
    return statement_page(request, statement, adjust_form=form, status=400)


@require_POST
@ops_admin_required
def ops_statement_paid(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = selectors.statement_get_for_ops(statement_id=statement_id)
    form = StatementPaidForm(request.POST)
    if form.is_valid():
        try:
            services.statement_mark_paid(
                actor=request.user, statement=statement, **form.cleaned_data
            )
        except InvalidInput as error:
            refused(form, error)
        except InvalidTransition as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The week is marked paid."))
            return redirect("dashboard:ops-statement", statement_id=statement.pk)
    return statement_page(request, statement, paid_form=form, status=400)
