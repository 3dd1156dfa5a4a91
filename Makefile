# The two commands of the set-up contract: `make run` and `make test`. See README.md.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
PROD_ENV_FILE ?= .env.production.example

.PHONY: run test check install install-dev migrate seed lint typecheck e2e-deps clean bench bench-smoke bench-reminders report-png drills load

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

## make test: the whole suite, with line and branch coverage. Uses DATABASE_URL / REDIS_URL
## when they are set. The floor is 2026-12-01's figure (94% on SQLite without the browser tests)
## less a point of margin; raise it as coverage grows, never lower it.
COVERAGE_FLOOR ?= 93
test: install-dev e2e-deps
	$(PY) -m pytest --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR) $(PYTEST_ARGS)

## make e2e-deps: the browser tests' npm tooling, pinned by tests/e2e/package-lock.json (axe-core,
## injected by tests/e2e/a11y.py). Without npm the e2e tests skip (locally) or fail (CI).
e2e-deps: tests/e2e/node_modules/.installed
tests/e2e/node_modules/.installed: tests/e2e/package.json tests/e2e/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/e2e --ignore-scripts --no-audit --no-fund && touch $@; \
	else echo "npm not found: the browser tests' accessibility check needs it (apt-get install npm)"; fi

## make check: lint, types, migrations in step with models, production settings clean.
check: install-dev
	$(VENV)/bin/ruff check .
	DEBUG=1 $(VENV)/bin/mypy .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	# The example holds no working SECRET_KEY on purpose: pass a generated one for the check.
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	FIELD_ENCRYPTION_KEYS="$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
		ENV_FILE=$(PROD_ENV_FILE) $(PY) manage.py check --deploy --fail-level WARNING

## make bench: gunicorn as in production, each page against a bare view (docs/performance.md).
## Uses PostgreSQL (its own recovery_bench database) when DATABASE_URL is set, wrk when installed.
bench: install
	$(PY) -m bench.run

## make bench-smoke: one short round on tiny data; CI checks that it runs and prints its lines.
bench-smoke: install
	BENCH_SMOKE=1 $(PY) -m bench.run

## make bench-reminders: the reminder dispatcher at 10,000 and 100,000 enrolments (PostgreSQL:
## set DATABASE_URL), against a plain INSERT ... SELECT in the same run.
bench-reminders: install
	DEBUG=1 $(PY) bench/reminders.py $(BENCH_REMINDERS_ARGS)

clean:
	rm -rf $(VENV) var

## make report-png: page 1 of the demo patient's progress report, as var/report-page1.png
## (for a person to look at; needs pdftoppm from poppler-utils).
REPORT_PY = from django.utils import timezone; from clinicians import report; \
from recovery.models import User; \
p = User.objects.get(email="patient@demo.test"); doc = User.objects.get(email="clinician@demo.test"); \
o = report.default_options(p, p.local_today()); \
open("var/report.pdf", "wb").write(report.render_pdf(report.build_report(p, doc, o, timezone.now())))
report-png: seed
	mkdir -p var
	DEBUG=1 $(PY) manage.py shell -c '$(REPORT_PY)'
	pdftoppm -png -r 110 -f 1 -l 1 -singlefile var/report.pdf var/report-page1
	@echo "var/report-page1.png"

## make messages: refresh locale/es/LC_MESSAGES/django.po from the code and templates (needs
## GNU gettext; the options match tests/recovery/test_i18n.py); translate the new msgids, then
## make compilemessages: the .mo is committed, so `make run` needs no gettext tools.
.PHONY: messages compilemessages
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l es --no-location \
	  --ignore='tests/*' --ignore='bench/*' --ignore='var/*' --ignore='node_modules/*' \
	  --ignore='docs/*' --ignore='docker/*'
compilemessages: install
	DEBUG=1 $(PY) manage.py compilemessages -l es --ignore='.venv/*' --ignore='node_modules/*'

## make drills: the fault drills, each on a PostgreSQL and a Redis of its own (never the
## machine's): Redis stopped, PostgreSQL restarted under load, a worker killed mid-send, and
## the backup/restore round trip. Exits non-zero if one fails. See docs/operations.md.
drills: install-dev
	$(PY) -m drills

## make load: 50 simulated patients for LOAD_SECONDS (default 60) against gunicorn on
## PostgreSQL; zero errors and no lost or doubled row, p50/p95 printed (docs/operations.md).
load: install
	$(PY) -m drills.load
