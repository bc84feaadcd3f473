# Two commands do all set-up on a fresh machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: install run test worker beat lint format migrate

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

# The portal with demo data on http://127.0.0.1:8000 (SQLite + Celery eager unless
# DATABASE_URL / CELERY_BROKER_URL are set).
run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# The whole suite (PostgreSQL when DATABASE_URL is set, else SQLite).
test: install
	$(VENV)/bin/pytest

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
