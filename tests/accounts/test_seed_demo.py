import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import User

PROJECT_APPS = ["accounts", "partners", "packages", "routing", "dashboard"]


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
    }


def test_seed_demo_twice_leaves_the_same_counts(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    first = row_counts()
    call_command("seed_demo", verbosity=0)
    assert row_counts() == first
    assert first["accounts.User"] >= len(DEMO_USERS)


def test_seed_demo_logins_work_with_the_demo_password(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    for email, _, role in DEMO_USERS:
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.has_role(role)


def test_seed_demo_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.exists()


def test_the_demo_staff_member_reads_the_portal_in_spanish(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    client.force_login(User.objects.get(email="staff@demo.hub"))
    page = client.get("/today/").content.decode()
    assert '<html lang="es">' in page
    assert "Buscar paquete" in page and "Find package" not in page
