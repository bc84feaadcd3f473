import os

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands.compiletranslations import catalogs

# Exactly `make messages` (docs/i18n.md): no line numbers, so branches merge.
DJANGO_IGNORES = [".venv/*", "tests/*", "benchmarks/*", "scripts/*", "deploy/*", "docs/*"]
DJANGOJS_IGNORES = ["static/vendor/*", "static/js/htmx.min.js", ".venv/*", "staticfiles/*"]
LANGUAGES_TRANSLATED = ["es"]


def messages_extract() -> None:
    """makemessages for both domains, from the project root (it walks the working directory);
    needs gettext's xgettext."""
    common = {"locale": LANGUAGES_TRANSLATED, "no_location": True, "no_obsolete": True}
    os.chdir(settings.BASE_DIR)
    call_command("makemessages", ignore_patterns=DJANGO_IGNORES, verbosity=0, **common)
    call_command(
        "makemessages", domain="djangojs", ignore_patterns=DJANGOJS_IGNORES, verbosity=0, **common
    )


def catalog_problems(po_path) -> list[str]:
    """Each entry of the catalog without a Spanish text, or marked fuzzy, one line each."""
    catalog = polib.pofile(str(po_path))
    problems = [f"{po_path}: the header is marked fuzzy"] if catalog.metadata_is_fuzzy else []
    problems += [f"{po_path}: untranslated: {e.msgid!r}" for e in catalog.untranslated_entries()]
    problems += [f"{po_path}: fuzzy: {e.msgid!r}" for e in catalog.fuzzy_entries()]
    return problems


class Command(BaseCommand):
    help = (
        "Extract the marked strings (makemessages, both domains) and fail if any catalog has "
        "an untranslated or fuzzy entry. CI runs it (.ci/run)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-extract",
            action="store_true",
            help="Check the catalogs as they are, without running makemessages first.",
        )

    def handle(self, *args, **options) -> None:
        if not options["no_extract"]:
            messages_extract()
        problems = [problem for po_path in catalogs() for problem in catalog_problems(po_path)]
        if problems:
            raise CommandError(
                f"{len(problems)} catalog entries need a translation (docs/i18n.md):\n"
                + "\n".join(problems)
            )
        self.stdout.write(self.style.SUCCESS("Every marked string is translated."))
