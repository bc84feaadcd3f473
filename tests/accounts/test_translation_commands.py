"""compiletranslations (pure Python, no gettext) and translations_check (CI's gate)."""

from pathlib import Path
from unittest import mock

import polib
import pytest
from django.core.management import CommandError, call_command

from accounts.management.commands import translations_check


def write_catalog(locale_dir: Path, entries: list[polib.POEntry], domain: str = "django") -> Path:
    messages = locale_dir / "es" / "LC_MESSAGES"
    messages.mkdir(parents=True, exist_ok=True)
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "es"}
    for entry in entries:
        catalog.append(entry)
    path = messages / f"{domain}.po"
    catalog.save(str(path))
    return path


@pytest.fixture
def locale_dir(settings, tmp_path: Path) -> Path:
    settings.LOCALE_PATHS = [tmp_path]
    return tmp_path


COMPLETE = [
    polib.POEntry(msgid="Save", msgstr="Guardar"),
    polib.POEntry(
        msgid="%(n)s package",
        msgid_plural="%(n)s packages",
        msgstr_plural={0: "%(n)s paquete", 1: "%(n)s paquetes"},
    ),
]


def test_compiletranslations_writes_every_mo(locale_dir):
    django_po = write_catalog(locale_dir, COMPLETE)
    js_po = write_catalog(locale_dir, [polib.POEntry(msgid="Undo", msgstr="Deshacer")], "djangojs")
    call_command("compiletranslations")
    compiled = polib.mofile(str(django_po.with_suffix(".mo")))
    assert compiled.find("Save").msgstr == "Guardar"
    assert polib.mofile(str(js_po.with_suffix(".mo"))).find("Undo").msgstr == "Deshacer"


def test_compiletranslations_leaves_fuzzy_entries_out(locale_dir):
    fuzzy = polib.POEntry(msgid="Cancel", msgstr="Cancelado", flags=["fuzzy"])
    po = write_catalog(locale_dir, [*COMPLETE, fuzzy])
    call_command("compiletranslations")
    assert polib.mofile(str(po.with_suffix(".mo"))).find("Cancel") is None


def test_check_passes_on_a_complete_catalog(locale_dir, capsys):
    write_catalog(locale_dir, COMPLETE)
    call_command("translations_check", "--no-extract")
    assert "Every marked string is translated." in capsys.readouterr().out


def test_check_fails_on_an_untranslated_entry(locale_dir):
    write_catalog(locale_dir, [*COMPLETE, polib.POEntry(msgid="Log out", msgstr="")])
    with pytest.raises(CommandError, match="untranslated: 'Log out'"):
        call_command("translations_check", "--no-extract")


def test_check_fails_on_a_half_translated_plural(locale_dir):
    plural = polib.POEntry(
        msgid="%(n)s stop", msgid_plural="%(n)s stops", msgstr_plural={0: "%(n)s parada", 1: ""}
    )
    write_catalog(locale_dir, [*COMPLETE, plural])
    with pytest.raises(CommandError, match="untranslated: '%\\(n\\)s stop'"):
        call_command("translations_check", "--no-extract")


def test_check_fails_on_a_fuzzy_entry_and_lists_every_problem(locale_dir):
    write_catalog(
        locale_dir,
        [
            *COMPLETE,
            polib.POEntry(msgid="Cancel", msgstr="Cancelado", flags=["fuzzy"]),
            polib.POEntry(msgid="Undo", msgstr=""),
        ],
    )
    with pytest.raises(CommandError) as refused:
        call_command("translations_check", "--no-extract")
    message = str(refused.value)
    assert "2 catalog entries" in message
    assert "fuzzy: 'Cancel'" in message
    assert "untranslated: 'Undo'" in message


def test_check_fails_on_a_fuzzy_header(locale_dir):
    path = write_catalog(locale_dir, COMPLETE)
    catalog = polib.pofile(str(path))
    catalog.metadata_is_fuzzy = True
    catalog.save()
    with pytest.raises(CommandError, match="header is marked fuzzy"):
        call_command("translations_check", "--no-extract")


def test_check_extracts_both_domains_with_the_documented_flags(locale_dir, settings):
    write_catalog(locale_dir, COMPLETE)
    with mock.patch.object(translations_check, "call_command") as makemessages:
        call_command("translations_check")
    calls = [(args, kwargs) for args, kwargs in (c[1:] for c in makemessages.mock_calls)]
    assert [args for args, _ in calls] == [("makemessages",), ("makemessages",)]
    django_kwargs, js_kwargs = (kwargs for _, kwargs in calls)
    for kwargs in (django_kwargs, js_kwargs):
        assert kwargs["locale"] == ["es"]
        assert kwargs["no_location"] is True
        assert kwargs["no_obsolete"] is True
    assert django_kwargs["ignore_patterns"] == [
        ".venv/*",
        "tests/*",
        "benchmarks/*",
        "scripts/*",
        "deploy/*",
        "docs/*",
    ]
    assert js_kwargs["domain"] == "djangojs"
    assert js_kwargs["ignore_patterns"] == [
        "static/vendor/*",
        "static/js/htmx.min.js",
        ".venv/*",
        "staticfiles/*",
    ]


ROOT = Path(__file__).resolve().parents[2]


def test_compiletranslations_needs_no_gettext():
    """A fresh machine without gettext still runs `make run` and `make test`."""
    import os
    import subprocess  # nosec B404
    import sys

    environment = {**os.environ, "PATH": ""}  # no msgfmt, no xgettext
    done = subprocess.run(  # nosec B603
        [sys.executable, "manage.py", "compiletranslations"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (ROOT / "locale/es/LC_MESSAGES/django.mo").exists()


def test_make_run_and_test_compile_the_catalogs_first():
    targets = {
        line.split(":")[0]: line.split(":", 1)[1].split()
        for line in (ROOT / "Makefile").read_text().splitlines()
        if line and not line.startswith(("\t", "#", " ", ".")) and ":" in line and "=" not in line
    }
    assert "translations" in targets["run"]
    assert "translations" in targets["test"]


def test_ci_checks_the_catalogs_and_the_image_compiles_them():
    assert "manage.py translations_check" in (ROOT / ".ci/run").read_text()
    assert "gettext" in (ROOT / ".ci/run").read_text()
    assert "manage.py compiletranslations" in (ROOT / "Dockerfile").read_text()
