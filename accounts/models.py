from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import OPS_ROLES, PARTNER_ROLES, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address. What they may do comes from their groups."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False, help_text=_("May open the Django admin."))
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The portal's and the emails' language. Blank: the browser's."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @cached_property
    def roles(self) -> frozenset[str]:
        """Group names, read once per request (request.user is rebuilt for every request)."""
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_ops(self) -> bool:
        return bool(self.roles & OPS_ROLES)

    @property
    def is_partner_member(self) -> bool:
        return bool(self.roles & PARTNER_ROLES)


class OutboundEmail(models.Model):
    """An email the portal decided to send. The row is written in the same transaction as
    the change that caused it; a Celery task sends it once and stamps `sent_at`, and the
    outbox sweeper (accounts.emails.outbox_sweep) re-queues it if that task never ran.

    Pending: sent_at, claimed_at and failed_at empty. Sending: claimed_at set (one worker
    won the claim). Sent: sent_at set. Failed: failed_at set, ops alerted."""

    kind = models.CharField(max_length=80, help_text="The template or event that produced it.")
    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was last handed to the task queue."
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times it was handed to the task queue."
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker claimed it to send it."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True, help_text="When the outbox gave up.")
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["kind", "to"]),
            # The sweeper's scan: only rows still waiting, oldest queue time first.
            models.Index(
                fields=["queued_at"],
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbound_email_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}"
