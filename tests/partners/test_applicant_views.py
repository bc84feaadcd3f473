"""The applicant's pages through HTTP: draft save and resume, validation messages, uploads,
submit, info requested, withdraw, and access (404 for another's, log-in for anonymous)."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.models import ApplicationNote, ApplicationStatus, PartnerApplication
from partners.services import applications as services
from tests.conftest import client_for
from tests.factories import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    ApplicationDocumentFactory,
    PartnerApplicationFactory,
)

S = ApplicationStatus

FULL_FORM = {
    "legal_name": "Petal Shop LLC",
    "trade_name": "Petal Shop",
    "business_type": "florist",
    "business_type_other": "",
    "ein": "042103594",
    "years_in_business": "6",
    "owner_name": "Paula Petal",
    "owner_phone": "(617) 262-0123",
    "address_line": "210 Newbury St",
    "city": "Boston",
    "state": "MA",
    "zip_code": "02116",
    "opening_days": ["mon", "tue", "sat"],
    "opens_at": "08:00",
    "closes_at": "19:00",
    "has_secure_storage": "on",
    "storage_description": "Locked back room",
    "storage_capacity": "60",
    "delivery_modes": ["walk", "bike"],
    "daily_capacity": "30",
    "staff_count": "2",
    "terms_accepted": "on",
}


def uploads() -> dict:
    return {
        "business_licence": SimpleUploadedFile("licence.pdf", PDF_BYTES),
        "storage_photo": SimpleUploadedFile("room.jpg", JPEG_BYTES),
    }


@pytest.fixture
def applicant_client(applicant):
    return client_for(applicant)


@pytest.fixture
def draft(applicant):
    return services.application_start(owner=applicant)


def edit_url(application) -> str:
    return reverse("partners:application-edit", args=[application.pk])


def test_home_without_an_application_offers_to_start(applicant_client):
    response = applicant_client.get(reverse("partners:applicant-home"))
    assert response.status_code == 200
    assert "Start my application" in response.content.decode()


def test_start_creates_one_draft_and_opens_the_form(applicant_client, applicant):
    response = applicant_client.post(reverse("partners:application-start"))
    application = PartnerApplication.objects.get(owner=applicant)
    assert response.url == edit_url(application)
    applicant_client.post(reverse("partners:application-start"))
    assert PartnerApplication.objects.filter(owner=applicant).count() == 1


def test_draft_saves_partial_data_and_resumes(applicant_client, draft):
    # when the applicant saves only a few fields
    response = applicant_client.post(
        edit_url(draft), {"trade_name": "Petal Shop", "zip_code": "02116", "save": "1"}
    )
    # then they are saved and the form shows them again later
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.trade_name, draft.zip_code, draft.status) == ("Petal Shop", "02116", S.DRAFT)
    assert draft.city == "Boston"  # filled from the ZIP
    html = applicant_client.get(edit_url(draft)).content.decode()
    assert 'value="Petal Shop"' in html
    assert 'value="02116"' in html


def test_full_form_submits_and_emails(applicant_client, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(edit_url(draft), {**FULL_FORM, **uploads(), "submit": "1"})
    assert response.status_code == 302
    assert response.url == reverse("partners:applicant-home")
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert draft.ein == "04-2103594"
    assert draft.owner_phone == "+16172620123"
    assert draft.opening_days == ["mon", "tue", "sat"]
    assert draft.documents.count() == 2
    assert len(mail.outbox) == 1


def test_submit_with_missing_items_names_each_next_to_its_field(applicant_client, draft):
    response = applicant_client.post(edit_url(draft), {"trade_name": "Petal Shop", "submit": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Business legal name is required to submit." in html
    assert "Ein is required to submit." in html or "EIN is required to submit." in html
    assert "A secure storage area is required to take part." in html
    assert "Business licence is required to submit." in html
    assert "Accept the program terms to submit." in html
    assert 'value="Petal Shop"' in html  # what was typed is still there
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert draft.trade_name == "Petal Shop"  # and saved


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ein", "12-345", "Enter the 9-digit Employer Identification Number"),
        ("ein", "00-1234567", "Enter the 9-digit Employer Identification Number"),
        ("owner_phone", "555-0000", "not a valid phone number"),
        ("owner_phone", "call me", "Enter a US phone number"),
        ("zip_code", "99999", "Enter a 5-digit US ZIP code"),
        ("zip_code", "abcde", "Enter a 5-digit US ZIP code"),
        ("zip_code", "10001", "ZIP 10001 is in NY, not MA."),
        ("daily_capacity", "19", "greater than or equal to 20"),
        ("daily_capacity", "51", "less than or equal to 50"),
        ("closes_at", "07:00", "Closing time must be after opening time."),
        ("staff_count", "0", "greater than or equal to 1"),
        ("years_in_business", "-1", "greater than or equal to 0"),
        ("storage_capacity", "0", "greater than or equal to 1"),
    ],
)
def test_bad_values_get_a_message_next_to_the_field_and_keep_what_was_typed(
    applicant_client, draft, field, value, message
):
    # when the applicant saves a bad value among good ones
    response = applicant_client.post(edit_url(draft), {**FULL_FORM, field: value, "save": "1"})
    # then the page says what is wrong next to the field, and nothing typed is lost
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html.replace("&#x27;", "'")
    assert 'value="Petal Shop LLC"' in html
    assert f'value="{value}"' in html
    draft.refresh_from_db()
    assert draft.legal_name == ""  # an invalid form saves no fields


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 this is an exe", "licence.pdf", "Upload a PDF, JPEG or PNG file."),
        (b"GIF89a" + b"\x00" * 32, "licence.png", "Upload a PDF, JPEG or PNG file."),
        (b"plain text", "licence.pdf", "Upload a PDF, JPEG or PNG file."),
    ],
)
def test_documents_are_checked_by_content_not_name(applicant_client, draft, content, name, message):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = applicant_client.post(
        edit_url(draft), {**FULL_FORM, "business_licence": upload, "save": "1"}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not draft.documents.exists()


def test_documents_over_10_mb_are_refused(applicant_client, draft):
    big = SimpleUploadedFile("licence.pdf", PDF_BYTES + b"\x00" * (10 * 1024 * 1024))
    response = applicant_client.post(
        edit_url(draft), {**FULL_FORM, "business_licence": big, "save": "1"}
    )
    assert response.status_code == 400
    assert "the limit is 10 MB" in response.content.decode()
    assert not draft.documents.exists()


def test_valid_uploads_are_kept_with_the_draft_when_another_field_has_an_error(
    applicant_client, draft
):
    # when a good file is uploaded alongside a bad EIN
    response = applicant_client.post(
        edit_url(draft),
        {**FULL_FORM, "ein": "bad", "storage_photo": SimpleUploadedFile("r.png", PNG_BYTES)},
    )
    # then the EIN error shows and the file is stored with the draft, under a random name
    assert response.status_code == 400
    document = draft.documents.get()
    assert (document.kind, document.content_type, document.original_name) == (
        "storage_photo",
        "image/png",
        "r.png",
    )
    assert document.file.name.startswith("applications/")
    assert "r.png" not in document.file.name
    assert "Uploaded:" in response.content.decode()


def field_block(html: str, name: str) -> str:
    """The markup of one field's block: from its <div class="field"> to the next one."""
    blocks = html.split('<div class="field')
    return next(block for block in blocks if f'id="id_{name}"' in block)


def test_the_note_about_an_uploaded_file_sits_under_its_own_field(applicant_client, applicant):
    # given an application re-opened with its storage photo on record, no licence yet
    application = PartnerApplicationFactory(owner=applicant, status=S.INFO_REQUESTED)
    ApplicationDocumentFactory(
        application=application, kind="storage_photo", original_name="back-room.jpg"
    )
    # when the applicant opens the form again
    html = applicant_client.get(edit_url(application)).content.decode()
    # then the note is inside the photo's field, after its input, and nowhere else
    photo = field_block(html, "storage_photo")
    assert photo.index('id="id_storage_photo"') < photo.index("back-room.jpg")
    assert "Uploaded:" not in field_block(html, "business_licence")
    assert html.count("Uploaded:") == 1


def test_a_new_upload_replaces_the_old_document(applicant_client, draft):
    for name in ("first.pdf", "second.pdf"):
        applicant_client.post(
            edit_url(draft),
            {"save": "1", "business_licence": SimpleUploadedFile(name, PDF_BYTES)},
        )
    assert list(draft.documents.values_list("original_name", flat=True)) == ["second.pdf"]


def test_info_requested_shows_the_question_and_resubmits(
    applicant_client, applicant, reviewer, django_capture_on_commit_callbacks
):
    # given an application sent back with a question
    application = PartnerApplicationFactory(owner=applicant, status=S.IN_REVIEW, documents=True)
    services.application_request_info(
        application=application, reviewer=reviewer, message="Send a photo of the lock."
    )
    # then the home and the form show the question
    assert (
        "Send a photo of the lock."
        in applicant_client.get(reverse("partners:applicant-home")).content.decode()
    )
    html = applicant_client.get(edit_url(application)).content.decode()
    assert "Send a photo of the lock." in html
    assert "Resubmit" in html
    # when they resubmit
    form = {**FULL_FORM, "storage_photo": SimpleUploadedFile("lock.jpg", JPEG_BYTES)}
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(edit_url(application), {**form, "submit": "1"})
    # then it is submitted again
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_home_shows_status_in_words_and_the_timeline(applicant_client, applicant, reviewer):
    application = PartnerApplicationFactory(owner=applicant, documents=True)
    services.application_submit(application=application, actor=applicant)
    services.application_start_review(application=application, reviewer=reviewer)
    html = applicant_client.get(reverse("partners:applicant-home")).content.decode()
    assert "A reviewer is looking at your application now." in html
    assert html.count("<li>\n        <time") >= 2 or html.count("<time") >= 2


def test_internal_notes_never_appear_on_applicant_pages(applicant_client, applicant, reviewer):
    application = PartnerApplicationFactory(owner=applicant, status=S.IN_REVIEW, documents=True)
    ApplicationNote.objects.create(
        application=application, author=reviewer, body="SECRET-NOTE owner seemed unsure"
    )
    services.application_request_info(application=application, reviewer=reviewer, message="Why?")
    for url in (reverse("partners:applicant-home"), edit_url(application)):
        assert "SECRET-NOTE" not in applicant_client.get(url).content.decode()


def test_withdraw(applicant_client, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(
            reverse("partners:application-withdraw", args=[draft.pk]), {"reason": "Moving"}
        )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.WITHDRAWN
    assert draft.events.last().reason == "Moving"
    assert len(mail.outbox) == 1


def test_withdraw_from_a_final_state_shows_a_message_not_an_error(applicant_client, applicant):
    application = PartnerApplicationFactory(owner=applicant, status=S.APPROVED)
    response = applicant_client.post(
        reverse("partners:application-withdraw", args=[application.pk])
    )
    assert response.status_code == 409
    assert "cannot become withdrawn" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.APPROVED


def test_editing_a_submitted_application_is_refused_with_a_message(applicant_client, applicant):
    application = PartnerApplicationFactory(owner=applicant, status=S.SUBMITTED)
    response = applicant_client.post(edit_url(application), FULL_FORM)
    assert response.status_code == 409
    assert "can no longer be edited" in response.content.decode()


# ------------------------------------------------------------------------------
# Access
# ------------------------------------------------------------------------------
def object_urls(application) -> list[tuple[str, str]]:
    document = application.documents.first()
    return [
        ("get", edit_url(application)),
        ("post", edit_url(application)),
        ("post", reverse("partners:application-withdraw", args=[application.pk])),
        ("get", reverse("partners:document-download", args=[document.pk])),
    ]


def test_another_applicants_application_and_documents_are_404(applicant_client, other_application):
    for method, url in object_urls(other_application):
        response = getattr(applicant_client, method)(url)
        assert response.status_code == 404, url
    other_application.refresh_from_db()
    assert other_application.status == S.SUBMITTED


def test_anonymous_users_are_sent_to_log_in(client, other_application):
    urls = [
        ("get", reverse("partners:applicant-home")),
        ("post", reverse("partners:application-start")),
        *object_urls(other_application),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url


def test_non_applicants_get_403_on_applicant_pages(reviewer, other_application):
    response = client_for(reviewer).get(reverse("partners:applicant-home"))
    assert response.status_code == 403


def test_the_owner_downloads_a_document_as_an_attachment(applicant_client, draft_application):
    document = draft_application.documents.first()
    response = applicant_client.get(reverse("partners:document-download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_ops_download_any_document(reviewer, other_application):
    document = other_application.documents.first()
    response = client_for(reviewer).get(reverse("partners:document-download", args=[document.pk]))
    assert response.status_code == 200


def test_partners_cannot_download_applicants_documents(partner_owner, other_application):
    document = other_application.documents.first()
    response = client_for(partner_owner).get(
        reverse("partners:document-download", args=[document.pk])
    )
    assert response.status_code == 404


def test_a_zip_that_passed_the_eligibility_check_prefills_the_new_draft(
    applicant_client, applicant
):
    applicant_client.get(reverse("partners:eligibility"), {"zip_code": "98103"})
    applicant_client.post(reverse("partners:application-start"))
    application = PartnerApplication.objects.get(owner=applicant)
    assert (application.zip_code, application.state, application.city) == (
        "98103",
        "WA",
        "Seattle",
    )


def test_ops_cannot_open_the_documents_of_an_unsubmitted_draft(reviewer, draft_application):
    document = draft_application.documents.first()
    response = client_for(reviewer).get(reverse("partners:document-download", args=[document.pk]))
    assert response.status_code == 404


def test_a_document_whose_file_is_missing_is_a_404_not_a_500(applicant_client, draft_application):
    document = draft_application.documents.first()
    document.file.delete(save=False)
    response = applicant_client.get(reverse("partners:document-download", args=[document.pk]))
    assert response.status_code == 404


def test_documents_are_stored_under_media_root_never_static(draft_application, settings):
    for document in draft_application.documents.all():
        path = document.file.path
        assert path.startswith(str(settings.MEDIA_ROOT))
        assert not path.startswith(str(settings.STATIC_ROOT))
        assert document.file.name.startswith("applications/")


def test_an_approved_owner_still_reads_their_application(applicant, reviewer):
    application = PartnerApplicationFactory(owner=applicant, status=S.IN_REVIEW, documents=True)
    services.application_approve(application=application, reviewer=reviewer)
    client = client_for(applicant)
    html = client.get(reverse("partners:applicant-home")).content.decode()
    assert "Welcome to the program!" in html
    document = application.documents.first()
    response = client.get(reverse("partners:document-download", args=[document.pk]))
    assert response.status_code == 200
