"""The applicant's pages: home (status, timeline, what is asked), the form, withdraw."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.decorators import applicant_required
from hubdelivery.exceptions import DomainError
from hubdelivery.lib.ratelimit import rate_limited
from partners.forms.recruiting import ApplicationForm, WithdrawForm
from partners.models import DocumentKind, PartnerApplication
from partners.selectors import applications as selectors
from partners.services import applications as services
from partners.views.public import ELIGIBLE_ZIP_SESSION_KEY


@applicant_required
def applicant_home(request: HttpRequest, status: int = 200) -> HttpResponse:
    application = selectors.application_current_for_owner(owner=request.user)
    context = {
        "application": application,
        "withdraw_form": WithdrawForm(),
        "resubmitted_reason": services.RESUBMITTED_REASON,
    }
    if application is not None:
        context["events"] = selectors.application_timeline(application=application)
        context["documents"] = selectors.application_documents(application=application)
    return render(request, "partners/applicant_home.html", context, status=status)


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A transition the application's state does not allow: the home page with the reason,
    as 409 Conflict."""
    messages.error(request, str(error))
    return applicant_home(request, status=409)


@require_POST
@applicant_required
def application_start(request: HttpRequest) -> HttpResponse:
    # A ZIP that just passed the eligibility check pre-fills the new draft.
    zip_code = request.session.pop(ELIGIBLE_ZIP_SESSION_KEY, "")
    application = services.application_start(owner=request.user, zip_code=zip_code)
    return redirect("partners:application-edit", pk=application.pk)


@applicant_required
@rate_limited(action="application_save", limit_get=False)
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_owner(owner=request.user, pk=pk)
    if not application.is_editable:
        return _refused(request, DomainError(gettext("This application can no longer be edited.")))
    if request.method != "POST":
        return _edit_page(request, application, ApplicationForm(instance=application))
    form = ApplicationForm(request.POST, request.FILES, instance=application)
    # Uploads that pass their own checks are kept with the draft even when another field
    # has an error: files cannot be re-filled into the re-rendered form.
    valid = form.is_valid()
    for kind, upload, content_type in form.valid_documents():
        services.application_document_attach(
            application=application,
            actor=request.user,
            kind=kind,
            upload=upload,
            content_type=content_type,
        )
    if not valid:
        messages.error(request, gettext("Not saved yet: please correct the fields marked below."))
        return _edit_page(request, application, form, status=400)
    services.application_draft_save(
        application=application, actor=request.user, data=form.draft_data()
    )
    if "submit" not in request.POST:
        messages.success(request, gettext("Saved. You can finish it later."))
        return redirect("partners:application-edit", pk=application.pk)
    return _submit(request, application, form)


def _submit(request: HttpRequest, application: PartnerApplication, form) -> HttpResponse:
    try:
        services.application_submit(application=application, actor=request.user)
    except services.ApplicationIncomplete as error:
        for field, message in error.missing.items():
            form.add_error(field if field in form.fields else None, message)
        messages.error(
            request, gettext("Saved, but not submitted: some required items are missing.")
        )
        return _edit_page(request, application, form, status=400)
    except DomainError as error:
        return _refused(request, error)
    messages.success(request, gettext("Submitted. We will review it and email you."))
    return redirect("partners:applicant-home")


def _edit_page(
    request: HttpRequest, application: PartnerApplication, form: ApplicationForm, status: int = 200
) -> HttpResponse:
    documents = {d.kind: d for d in selectors.application_documents(application=application)}
    context = {
        "application": application,
        "form": form,
        # each upload field with the file already on record for it, shown under that field
        "document_fields": [(form[kind], documents.get(kind)) for kind in DocumentKind.values],
    }
    return render(request, "partners/application_form.html", context, status=status)


@require_POST
@applicant_required
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_owner(owner=request.user, pk=pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.application_withdraw(
            application=application,
            actor=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
    except DomainError as error:
        return _refused(request, error)
    messages.success(request, gettext("Your application was withdrawn."))
    return redirect("partners:applicant-home")
