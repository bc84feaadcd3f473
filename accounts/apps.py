from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.conf import settings
from django.db.models.signals import post_migrate


def site_sync(*, apps: Apps = global_apps, using: str = "default", **kwargs: Any) -> None:
    """Make the Sites row SITE_ID name SITE_URL's host, so nothing that reads the Sites table
    (allauth's templates, the admin's "view on site") shows Django's `example.com`.

    Runs after every `migrate` (and `flush`, which passes no `apps`), so a deployment that
    changes SITE_URL follows at its next migrate; emails build their links from SITE_URL
    itself (hubdelivery.lib.urls).
    """
    from django.contrib.sites.models import Site

    from hubdelivery.lib.urls import site_host

    try:
        site_model = apps.get_model("sites", "Site")
    except LookupError:  # migrated back past the sites app
        return
    host = site_host()
    site_model.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": host, "name": host}
    )
    # The historical model sends no signal to the real one's cache of the current site.
    Site.objects.clear_cache()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # After django.contrib.sites' own hook (earlier in INSTALLED_APPS) made `example.com`.
        post_migrate.connect(site_sync, sender=self, dispatch_uid="accounts.site_sync")
