"""Application documents, served only to their applicant and to ops, always as downloads."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from partners.selectors.applications import document_get_for_user


@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = document_get_for_user(user=request.user, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file of this document is missing.") from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    # The content type was checked on upload; never let a browser guess another one.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
