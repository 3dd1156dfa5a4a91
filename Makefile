# The two commands of the set-up contract: `make run` and `make test`. See README.md.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
PROD_ENV_FILE ?= .env.production.example

.PHONY: run test check install install-dev migrate seed lint typecheck e2e-deps clean

$(VENV)/.base: requirements/base.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -r requirements/base.txt
	touch $@

$(VENV)/.dev: $(VENV)/.base requirements/dev.txt
	$(PY) -m pip install -q --disable-pip-version-check -r requirements/dev.txt
	touch $@

install: $(VENV)/.base
install-dev: $(VENV)/.dev

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(PY) manage.py load_curricula
	DEBUG=1 $(PY) manage.py load_instruments
	DEBUG=1 $(PY) manage.py seed_demo

## make run: install, migrate, load the programmes and demo accounts, serve with worker and beat.
run: seed
	DEBUG=1 $(PY) manage.py serve_all 127.0.0.1:8000

## make test: the whole suite. Uses DATABASE_URL / REDIS_URL when they are set.
test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

## make check: lint, types, migrations in step with models, production settings clean.
check: install-dev
	$(VENV)/bin/ruff check .
	DEBUG=1 $(VENV)/bin/mypy .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	ENV_FILE=$(PROD_ENV_FILE) $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var
