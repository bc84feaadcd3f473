"""Application documents, served only to their applicant and to ops, always as downloads."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest

from partners.selectors.applications import document_get_for_user


@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = document_get_for_user(user=request.user, pk=pk)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    # The content type was checked on upload; never let a browser guess another one.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
