"""What follows a closure or a holiday, as a port: partners announces, routing answers.

Declaring a closure or adding a holiday closes partners on some days; the packages already
assigned to them for those days must move to open partners. Moving packages is routing's rule
(the assignment), and routing sits above partners, so partners may not import it. Partners
states here what it announces; routing registers the answer when the app registry is ready
(RoutingConfig.ready). Without a registered answer a closure refuses to be declared: packages
are never left in silence with a closed partner.
"""

import datetime
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from partners.models import Partner


class ClosingCause(models.TextChoices):
    """Why the partners closed: stored on each package's move event, shown translated."""

    CLOSURE = "closure", _("The partner declared a closure")
    HOLIDAY = "holiday", _("A holiday or ad-hoc day of the calendar")  # storm, outage...


@dataclass(frozen=True)
class PartnersClosed:
    """`partners` closed from `start_date` to `end_date` (both included) for `reason` (the
    closure's reason or the holiday's name), declared by `actor`. `partners` is a queryset,
    so the answer reads it as a subquery however many partners a state holds."""

    partners: QuerySet[Partner]
    start_date: datetime.date
    end_date: datetime.date
    cause: ClosingCause
    reason: str
    actor: User | None


class ClosingAnswer(Protocol):
    def __call__(self, *, closed: PartnersClosed) -> object: ...


_registered: list[ClosingAnswer] = []


def closing_answer_register(answer: ClosingAnswer) -> None:
    """Install the answer (one at a time: registering again replaces it)."""
    _registered[:] = [answer]


def partners_closed_announce(*, closed: PartnersClosed) -> None:
    """Run the registered answer inside the caller's transaction, so a failure to move the
    packages undoes the closure too."""
    if not _registered:
        raise ImproperlyConfigured(
            "No answer to closures is registered: routing must be in INSTALLED_APPS."
        )
    _registered[0](closed=closed)
