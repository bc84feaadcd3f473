"""Named personas, like healthchecks' alice/bob: each test says who acts."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db.models.signals import post_save
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from partners.models import MemberRole, Partner
from tests.celery_worker import celery_worker_running
from tests.factories import DriverFactory, PartnerFactory, PartnerMemberFactory, UserFactory
from tests.i18n_support import catalogs_compile, spanish  # noqa: F401 (a fixture)


def pytest_sessionstart(session) -> None:
    # before any test loads a catalog; under pytest-xdist only the controller writes them
    if not hasattr(session.config, "workerinput"):
        catalogs_compile()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()


def example_com_mentions(text: str) -> list[str]:
    """Each place `text` names example.com (Django's default site): a link, a bare domain in
    a footer, a subject prefix, an address. The tests' own people have @mail.test addresses,
    so any example.com in an email came from the Sites table or a hand-built link."""
    return [
        text[max(0, m.start() - 60) : m.end() + 20]
        for m in re.finditer(r"example\.com", text, re.IGNORECASE)
    ]


def email_texts(message) -> list[str]:
    alternatives = [body for body, _ in getattr(message, "alternatives", [])]
    return [message.subject, message.body, *alternatives]


@pytest.fixture(autouse=True)
def _no_email_links_to_example_com():
    """Suite-wide (issue 14, finding 4): no email sent or queued in any test may contain
    example.com. Every link comes from settings.SITE_URL.

    Checks Django's outbox (sent) and every OutboundEmail row saved (queued: many tests never
    run the on-commit send), through a post_save receiver, so no test needs the database."""
    from accounts.models import OutboundEmail

    queued: list[OutboundEmail] = []

    def collect(sender, instance, **kwargs) -> None:
        queued.append(instance)

    post_save.connect(collect, sender=OutboundEmail, dispatch_uid="tests.no_example_com")
    try:
        yield
    finally:
        post_save.disconnect(sender=OutboundEmail, dispatch_uid="tests.no_example_com")
    texts = [text for message in getattr(mail, "outbox", []) for text in email_texts(message)]
    texts += [text for row in queued for text in (row.subject, row.body_text, row.body_html)]
    found = [mention for text in texts for mention in example_com_mentions(text)]
    assert not found, f"An email names example.com (links come from SITE_URL): {found}"


@pytest.fixture
def applicant(db) -> User:
    return UserFactory(email="applicant@mail.test", roles=[Role.APPLICANT])


@pytest.fixture
def other_applicant(db) -> User:
    return UserFactory(email="other-applicant@mail.test", roles=[Role.APPLICANT])


@pytest.fixture
def partner(db) -> Partner:
    owner = UserFactory(email="owner@mail.test", roles=[Role.PARTNER_OWNER])
    partner = PartnerFactory(owner=owner, trade_name="Back Bay Blooms")
    PartnerMemberFactory(partner=partner, user=owner, role=MemberRole.OWNER)
    return partner


@pytest.fixture
def partner_owner(partner) -> User:
    return partner.owner


@pytest.fixture
def partner_staff(partner) -> User:
    staff = UserFactory(email="staff@mail.test", roles=[Role.PARTNER_STAFF])
    PartnerMemberFactory(partner=partner, user=staff, role=MemberRole.STAFF)
    return staff


@pytest.fixture
def other_partner(db) -> Partner:
    owner = UserFactory(email="other-owner@mail.test", roles=[Role.PARTNER_OWNER])
    other = PartnerFactory(owner=owner, trade_name="Hoboken Coffee", zip_code="07030")
    PartnerMemberFactory(partner=other, user=owner, role=MemberRole.OWNER)
    return other


@pytest.fixture
def reviewer(db, settings) -> User:
    settings.OPS_MFA_REQUIRED = False
    return UserFactory(email="reviewer@mail.test", roles=[Role.OPS_REVIEWER])


@pytest.fixture
def ops_admin(db, settings) -> User:
    settings.OPS_MFA_REQUIRED = False
    return UserFactory(email="opsadmin@mail.test", roles=[Role.OPS_ADMIN])


@pytest.fixture
def dsp_driver(db) -> User:
    return DriverFactory(user__email="driver@mail.test").user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def celery_worker_on_redis(transactional_db):
    yield from celery_worker_running()


# ------------------------------------------------------------------------------
# Recruiting
# ------------------------------------------------------------------------------
@pytest.fixture
def draft_application(applicant):
    """The applicant's complete draft with both documents, ready to submit."""
    from tests.factories import PartnerApplicationFactory

    return PartnerApplicationFactory(owner=applicant, documents=True)


@pytest.fixture
def other_application(other_applicant):
    """Another applicant's submitted application: the outsider for access tests."""
    from partners.models import ApplicationStatus
    from tests.factories import PartnerApplicationFactory

    return PartnerApplicationFactory(
        owner=other_applicant, status=ApplicationStatus.SUBMITTED, documents=True
    )


# Packages (issue 5): a second DSP's driver, and DSP system tokens
# ------------------------------------------------------------------------------
@pytest.fixture
def other_dsp_driver(db) -> User:
    return DriverFactory(user__email="other-driver@mail.test").user


@pytest.fixture
def dsp_token_key(dsp_driver) -> str:
    """The API key of a system of `dsp_driver`'s DSP."""
    from packages.services import dsp_token_create

    _, key = dsp_token_create(actor=None, dsp=dsp_driver.driver.dsp, label="dispatch")
    return key


@pytest.fixture
def other_dsp_token_key(other_dsp_driver) -> str:
    from packages.services import dsp_token_create

    _, key = dsp_token_create(actor=None, dsp=other_dsp_driver.driver.dsp, label="dispatch")
    return key


# DSP managers (issue 18): one for `dsp_driver`'s DSP, one for `other_dsp_driver`'s
# ------------------------------------------------------------------------------
@pytest.fixture
def dsp_manager(dsp_driver) -> User:
    from tests.factories import DspManagerFactory

    return DspManagerFactory(user__email="dsp-manager@mail.test", dsp=dsp_driver.driver.dsp).user


@pytest.fixture
def other_dsp_manager(other_dsp_driver) -> User:
    from tests.factories import DspManagerFactory

    dsp = other_dsp_driver.driver.dsp
    return DspManagerFactory(user__email="other-dsp-manager@mail.test", dsp=dsp).user


@pytest.fixture(scope="session", autouse=True)
def _end_stray_test_database_sessions(django_db_setup, django_db_blocker):
    """Threads that tests start (live server, Celery worker, lock races) keep their own
    database connections; one still open at the end would stop the test database from being
    dropped. Torn down just before it, this ends such sessions on PostgreSQL."""
    yield
    from django.db import OperationalError, connection

    if connection.vendor != "postgresql":
        return
    try:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    except OperationalError:  # a run of tests that never touched the database has none
        return
