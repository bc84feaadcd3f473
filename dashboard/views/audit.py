"""The ops audit log: every family's events in one list, its filters, and their CSV."""

from collections.abc import Iterator

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import ops_required
from dashboard.forms import AuditFilterForm
from dashboard.selectors.audit import AuditFilters, audit_log, audit_row, audit_rows
from hubdelivery.lib.csvutil import csv_streaming_response

AUDIT_ROWS_PER_PAGE = 50
CSV_BATCH = 2000


def requested_audit_filters(request: HttpRequest) -> tuple[AuditFilterForm, AuditFilters]:
    """The GET form's filters; bad input shows a message naming the field and filters nothing."""
    form = AuditFilterForm(request.GET or None)
    if not request.GET or not form.is_valid():
        for field, errors in form.errors.items() if request.GET else []:
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return form, AuditFilters()
    return form, form.filters()


@ops_required
def ops_audit(request: HttpRequest) -> HttpResponse:
    form, filters = requested_audit_filters(request)
    page = Paginator(audit_log(filters), AUDIT_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [audit_row(values) for values in page],
    }
    return render(request, "dashboard/ops_audit.html", context)


def audit_csv_rows(filters: AuditFilters) -> Iterator[list]:
    """The rows, read in batches as the response streams."""
    for row in audit_rows(audit_log(filters).iterator(chunk_size=CSV_BATCH)):
        yield [
            timezone.localtime(row.at).isoformat(timespec="seconds"),
            row.actor,
            row.family,
            row.kind,
            row.subject,
            row.before,
            row.after,
            row.detail,
        ]


def refused_filters(form: AuditFilterForm) -> HttpResponse:
    """400 naming each bad field: a download must not quietly widen to the whole log."""
    lines = [
        f"{form.fields[field].label if field in form.fields else ''}: {error}"
        for field, errors in form.errors.items()
        for error in errors
    ]
    return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")


@ops_required
def ops_audit_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form, filters = requested_audit_filters(request)
    if request.GET and not form.is_valid():
        return refused_filters(form)
    header = [
        _("When"),
        _("Who"),
        _("Family"),
        _("What"),
        _("Object"),
        _("Before"),
        _("After"),
        _("Detail"),
    ]
    rows = audit_csv_rows(filters)
    filename = f"audit-{timezone.localdate().isoformat()}.csv"
    return csv_streaming_response(filename=filename, header=header, rows=rows)
