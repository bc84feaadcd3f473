from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.decorators import ops_required
from dashboard import selectors, services
from dashboard.forms import DashboardFilterForm, StatementWeekForm, default_filters
from dashboard.pay import last_complete_week
from dashboard.tables import Table, csv_response


def requested_filters(
    request: HttpRequest,
) -> tuple[DashboardFilterForm, selectors.DashboardFilters]:
    """The GET form's filters; bad input shows a message and falls back to the last 7 days."""
    form = DashboardFilterForm(request.GET)
    if form.is_valid():
        return form, form.filters()
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return form, default_filters()


def charts(tables: dict[str, Table]) -> dict[str, dict]:
    return {
        "chart_days": selectors.chart_data(
            tables["operations-by-day"],
            label="label",
            series=[
                ("delivered", pgettext("package count", "Delivered")),
                ("attempted", pgettext("package count", "Attempted")),
            ],
        ),
        "chart_markets": selectors.chart_data(
            tables["operations-by-market"],
            label="label",
            series=[
                ("completion_rate", _("Completion %")),
                ("first_attempt_rate", _("First attempt %")),
            ],
        ),
        "chart_funnel": selectors.chart_data(
            tables["recruiting-funnel"],
            label="place",
            series=[("applications", _("Applications")), ("approved", _("Approved"))],
        ),
    }


@ops_required
def ops_dashboard(request: HttpRequest) -> HttpResponse:
    form, filters = requested_filters(request)
    snapshot = services.dashboard_snapshot(filters=filters)
    tables = snapshot.tables
    context = {
        "form": form,
        "filters": filters,
        "built_at": snapshot.built_at,
        "tables": {name.replace("-", "_"): table for name, table in tables.items()},
        "finding_reports": sorted(
            {
                (r["report_id"], r["service_date"], r["time_zone"])
                for r in tables["capacity-findings"].rows
            }
        ),
        "query": request.GET.urlencode(),
        "week_form": StatementWeekForm(
            initial={"week": last_complete_week(tz_name="America/New_York")}
        ),
        **charts(tables),
        "map_data": snapshot.map_points,
        "map_tile_url": getattr(settings, "MAP_TILE_URL", ""),
        "map_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    }
    return render(request, "dashboard/ops_dashboard.html", context)


@ops_required
def ops_dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    """The same rows as the page's table of that name, under the same filters."""
    if table not in selectors.TABLE_BUILDERS:
        raise Http404(_("No such table."))
    filters = requested_filters(request)[1]
    # The page's own snapshot, so the download has exactly the figures the page shows.
    built = services.dashboard_snapshot(filters=filters).tables[table]
    return csv_response(built, f"{table}-{filters.date_from}-{filters.date_to}.csv")


@ops_required
def ops_statements_csv(request: HttpRequest) -> HttpResponse:
    """Every partner's statement of one week (?week=the Monday)."""
    form = StatementWeekForm(request.GET)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("dashboard:ops-dashboard")
    week = form.cleaned_data["week"]
    return csv_response(selectors.statements_of_week(week_start=week), f"statements-{week}.csv")
