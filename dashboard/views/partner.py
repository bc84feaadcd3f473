"""The partner owner's earnings: this week so far and the weekly statements (owner only)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.decorators import partner_owner_required
from dashboard import selectors
from dashboard.selectors import pay as pay_selectors
from dashboard.tables import csv_response
from partners.models import Partner
from partners.selectors.holidays import partner_holiday_dates


def owned_partner(request: HttpRequest) -> Partner:
    partner = Partner.objects.select_related("application__market").filter(owner=request.user)
    found = partner.order_by("pk").first()
    if found is None:
        raise Http404(_("You do not own a partner business."))
    return found


@partner_owner_required
def partner_earnings(request: HttpRequest) -> HttpResponse:
    partner = owned_partner(request)
    context = {
        "partner": partner,
        "numbers": selectors.partner_numbers(partner=partner),
        "statements": selectors.statements_for_partner(partner=partner),
    }
    return render(request, "dashboard/partner_earnings.html", context)


@partner_owner_required
def partner_statement(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = selectors.statement_get_for_owner(user=request.user, statement_id=statement_id)
    holidays = partner_holiday_dates(
        partner=statement.partner, start=statement.week_start, end=statement.week_end
    )
    context = {
        "statement": statement,
        "detail": pay_selectors.statement_detail_table(statement=statement),
        "holidays": sorted(holidays.items()),
    }
    return render(request, "dashboard/partner_statement.html", context)


@partner_owner_required
def partner_statement_csv(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = selectors.statement_get_for_owner(user=request.user, statement_id=statement_id)
    table = pay_selectors.statement_detail_table(statement=statement)
    return csv_response(table, f"statement-{statement.week_start}.csv")
