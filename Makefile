# Two commands do all set-up on a fresh machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: install run test worker beat lint format migrate messages translations

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

# Compile locale/*/LC_MESSAGES/*.po to .mo in pure Python (no gettext needed).
translations: install
	$(PY) manage.py compiletranslations

# Extract the marked strings into locale/es (needs gettext's xgettext), then fill the new
# msgstr entries; CI refuses empty or fuzzy ones (manage.py translations_check, docs/i18n.md).
messages: install
	$(PY) manage.py makemessages -l es --no-location --no-obsolete -i ".venv/*" -i "tests/*" -i "benchmarks/*" -i "scripts/*" -i "deploy/*" -i "docs/*"
	$(PY) manage.py makemessages -d djangojs -l es --no-location --no-obsolete -i "static/vendor/*" -i "static/js/htmx.min.js" -i ".venv/*" -i "staticfiles/*"

# The portal with demo data on http://127.0.0.1:8000 (SQLite + Celery eager unless
# DATABASE_URL / CELERY_BROKER_URL are set).
run: migrate translations
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# The whole suite (PostgreSQL when DATABASE_URL is set, else SQLite): two pytest-xdist
# workers, each with its own test database, then the tests marked `alone` (they load the
# machine and hold it to time limits) by themselves.
TEST_WORKERS ?= 2
test: translations
	$(VENV)/bin/pytest -n $(TEST_WORKERS) -m "not alone"
	$(VENV)/bin/pytest -m alone

worker: install
	$(VENV)/bin/celery -A hubdelivery worker --loglevel=INFO --concurrency=2

beat: install
	$(VENV)/bin/celery -A hubdelivery beat --loglevel=INFO

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
