from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from accounts.models import OutboundEmail


@transaction.atomic
def outbound_email_send(*, email_id: int) -> bool:
    """Send the queued email unless it was already sent.

    The row lock serialises two deliveries of the same task (a retry racing a redelivery):
    the second one waits, then sees `sent_at` and sends nothing.
    """
    email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
    if email is None or email.sent_at is not None:
        return False
    message = EmailMultiAlternatives(
        email.subject, email.body_text, settings.DEFAULT_FROM_EMAIL, [email.to]
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    message.send()
    email.sent_at = timezone.now()
    email.save(update_fields=["sent_at"])
    return True
