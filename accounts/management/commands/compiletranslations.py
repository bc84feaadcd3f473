from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogs() -> list[Path]:
    """Every locale/<lang>/LC_MESSAGES/<domain>.po under settings.LOCALE_PATHS."""
    return sorted(
        po for path in settings.LOCALE_PATHS for po in Path(path).glob("*/LC_MESSAGES/*.po")
    )


class Command(BaseCommand):
    help = (
        "Compile every .po catalog of LOCALE_PATHS to its .mo, in pure Python (polib), so a "
        "machine without gettext can run the portal. Fuzzy and untranslated entries are left "
        "out, as msgfmt does."
    )

    def handle(self, *args, **options) -> None:
        for po_path in catalogs():
            polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(f"Compiled {po_path}")
