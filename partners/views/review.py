"""Ops review: the queue, one application's page, decisions, assignment, notes, waitlist."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import ops_required
from hubdelivery.exceptions import DomainError
from hubdelivery.lib.csvutil import csv_streaming_response
from partners.forms.recruiting import (
    DecisionForm,
    NoteForm,
    ReviewFilterForm,
    WaitlistFilterForm,
)
from partners.models import ApplicationStatus, PartnerApplication
from partners.selectors import applications as selectors
from partners.selectors import recruiting as recruiting_selectors
from partners.services import applications as services

QUEUE_PAGE_SIZE = 25
DECISIONS = {
    "approve": services.application_approve,
    "reject": services.application_reject,
    "waitlist": services.application_waitlist,
}


def requested_review_filters(
    request: HttpRequest,
) -> tuple[ReviewFilterForm, selectors.ReviewFilters]:
    markets = [(m.pk, m.name) for m in recruiting_selectors.market_list()]
    form = ReviewFilterForm(request.GET or None, markets=markets)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ReviewFilters(
        state=data.get("state") or "",
        market_id=data.get("market"),
        business_type=data.get("business_type") or "",
        status=data.get("status") or "",
        age=data.get("age") or "",
        assigned_to_me=bool(data.get("mine")),
        sort=data.get("sort") or "oldest",
    )
    return form, filters


@ops_required
def review_queue(request: HttpRequest) -> HttpResponse:
    form, filters = requested_review_filters(request)
    applications = selectors.application_list_for_review(filters=filters, reviewer=request.user)
    page = Paginator(applications, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.application_aging(applications=list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "partners/review_queue.html", context)


def review_csv_row(application: PartnerApplication) -> list:
    selectors.application_aging(applications=[application])
    reviewer = application.assigned_reviewer
    return [
        application.display_name,
        application.owner.email,
        application.get_business_type_display(),
        application.city,
        application.state,
        application.zip_code,
        application.market.name if application.market else _("Outside markets"),
        application.get_status_display(),
        timezone.localtime(application.submitted_at).date().isoformat(),
        application.waiting_business_days,
        str(reviewer) if reviewer else "",
        application.document_count,
    ]


@ops_required
def review_queue_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The queue as the page filters it, every page of it, streamed."""
    _form, filters = requested_review_filters(request)
    applications = selectors.application_list_for_review(filters=filters, reviewer=request.user)
    header = [
        _("Business"),
        _("Email"),
        _("Type"),
        _("City"),
        _("State"),
        _("ZIP code"),
        _("Market"),
        _("Status"),
        _("Submitted"),
        _("Business days waiting"),
        _("Reviewer"),
        _("Documents"),
    ]
    rows = (review_csv_row(application) for application in applications.iterator(chunk_size=500))
    return csv_streaming_response(filename="review-queue.csv", header=header, rows=rows)


@ops_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_reviewer(pk=pk)
    return _detail_page(request, application)


def _detail_page(request, application, decision_form=None, note_form=None, status=200):
    selectors.application_aging(applications=[application])
    context = {
        "application": application,
        "documents": selectors.application_documents(application=application),
        "events": selectors.application_timeline(application=application),
        "notes": selectors.application_notes(application=application),
        "decision_form": decision_form
        or DecisionForm(initial={"expected_status": application.status}),
        "note_form": note_form or NoteForm(),
        "may_decide": application.status == ApplicationStatus.IN_REVIEW,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "partners/review_detail.html", context, status=status)


def _refused(request: HttpRequest, pk: int, error: DomainError) -> HttpResponse:
    """The state did not allow it (often: another reviewer acted first). The page is shown
    again, as it is now, with the reason, as 409 Conflict."""
    messages.error(request, str(error))
    application = selectors.application_get_for_reviewer(pk=pk)
    return _detail_page(request, application, status=409)


@require_POST
@ops_required
def review_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Assign to me"; the service decides between starting the review and taking over."""
    application = selectors.application_get_for_reviewer(pk=pk)
    try:
        services.application_take(application=application, reviewer=request.user)
    except DomainError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Assigned to you."))
    return redirect("partners:review-detail", pk=pk)


@require_POST
@ops_required
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_reviewer(pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, application, decision_form=form, status=400)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    expected = form.cleaned_data["expected_status"]
    try:
        if decision == "request_info":
            services.application_request_info(
                application=application,
                reviewer=request.user,
                message=reason,
                expected_status=expected,
            )
        else:
            DECISIONS[decision](
                application=application,
                reviewer=request.user,
                reason=reason,
                expected_status=expected,
            )
    except DomainError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Decision recorded; the applicant has been emailed."))
    return redirect("partners:review-detail", pk=pk)


@require_POST
@ops_required
def review_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_reviewer(pk=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, application, note_form=form, status=400)
    services.application_note_add(
        application=application, author=request.user, body=form.cleaned_data["body"]
    )
    messages.success(request, _("Note added."))
    return redirect("partners:review-detail", pk=pk)


@ops_required
def waitlist_demand(request: HttpRequest) -> HttpResponse:
    form = WaitlistFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    context = {
        "form": form,
        "by_state": recruiting_selectors.waitlist_demand_by_state(),
        "by_zip": recruiting_selectors.waitlist_demand_by_zip(state=state),
        "recent": recruiting_selectors.leads_recent(),
    }
    return render(request, "partners/waitlist_demand.html", context)


@ops_required
def waitlist_demand_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Leads per ZIP code, every ZIP (the page shows the first 50), of the page's state."""
    form = WaitlistFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    header = [_("ZIP code"), _("State"), _("Leads"), _("Of which applications"), _("Invited")]
    rows = (
        [row.zip_code, row.state, row.leads, row.from_applications, row.invited]
        for row in recruiting_selectors.waitlist_demand_by_zip(limit=None, state=state)
    )
    return csv_streaming_response(filename="waitlist-demand.csv", header=header, rows=rows)
