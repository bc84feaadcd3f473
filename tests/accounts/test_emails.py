"""The email outbox (accounts/emails.py): queued with the change that caused it, sent after
commit, once."""

from django.core import mail
from django.db import transaction

from accounts.emails import email_queue, email_send_task, outbound_email_send
from accounts.models import OutboundEmail


def queue_one() -> OutboundEmail:
    email_queue(to="owner@mail.test", subject="Hello", text="Body", html="<p>Body</p>", kind="t")
    return OutboundEmail.objects.get(to="owner@mail.test")


def test_queued_email_is_sent_after_commit_with_text_and_html(
    db, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_one()
        # then nothing leaves before the transaction commits
        assert mail.outbox == []
    # then
    assert [m.to for m in mail.outbox] == [["owner@mail.test"]]
    assert mail.outbox[0].alternatives[0][0] == "<p>Body</p>"
    email.refresh_from_db()
    assert email.sent_at is not None


def test_rolled_back_change_sends_no_email(db, django_capture_on_commit_callbacks):
    # when the transaction that queued it rolls back
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                queue_one()
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    # then
    assert callbacks == []
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


def test_redelivered_send_task_sends_nothing_more(db, django_capture_on_commit_callbacks):
    # given a sent email
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_one()
    # when the task is delivered again
    again = email_send_task(email_id=email.pk)
    # then
    assert again is False
    assert len(mail.outbox) == 1


def test_sending_a_missing_email_is_a_noop(db):
    assert outbound_email_send(email_id=999_999) is False
    assert mail.outbox == []
