"""The ops manifest upload: a CSV staged, previewed, then ingested as one manifest."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import ops_required
from hubdelivery.exceptions import DomainError
from packages import selectors, services
from packages.forms import ManifestUploadForm

PREVIEW_ROWS = 20


@ops_required
def ops_manifest_upload(request: HttpRequest) -> HttpResponse:
    """Upload a CSV manifest. Nothing is saved but the staged file; the preview comes next."""
    form = ManifestUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            upload = services.manifest_upload_stage(
                actor=request.user,
                dsp=data["dsp"],
                partner=data["partner"],
                service_date=data["service_date"],
                external_id=data["external_id"],
                file_name=data["file"].name,
                content=data["file"].read(),
            )
        except DomainError as error:
            form.add_error("file", str(error))
        else:
            return redirect("packages:ops-manifest-upload-preview", upload_id=upload.pk)
    return render(request, "packages/ops_manifest_upload.html", {"form": form})


@ops_required
def ops_manifest_upload_preview(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = selectors.manifest_upload_get_for_ops(upload_id=upload_id)
    context = {
        "upload": upload,
        "sample": upload.rows[:PREVIEW_ROWS],
        "row_count": len(upload.rows),
    }
    return render(request, "packages/ops_manifest_upload_preview.html", context)


@ops_required
@require_POST
def ops_manifest_upload_confirm(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = selectors.manifest_upload_get_for_ops(upload_id=upload_id)
    try:
        manifest = services.manifest_upload_confirm(actor=request.user, upload=upload)
    except services.ManifestRejected as rejected:
        messages.error(
            request,
            _("Not saved: %(problem)s Upload the file again to see why.") % {"problem": rejected},
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        saved = ngettext(
            "Saved manifest %(external_id)s: %(count)d package.",
            "Saved manifest %(external_id)s: %(count)d packages.",
            manifest.package_count,
        )
        messages.success(
            request, saved % {"external_id": manifest.external_id, "count": manifest.package_count}
        )
    return redirect("packages:ops-manifest-upload-preview", upload_id=upload.pk)
