# Parceria — developer and CI entry points. `make help` lists the targets.
#
#   make demo    create .venv, install, migrate, load the demo program, serve it on http://127.0.0.1:8000/
#                (DEMO_PORT=8611 and DEMO_HOST=... serve it elsewhere)
#   make test    lint, type-check, import layers, migrations check, then the test suite on SQLite and on PostgreSQL
#   make bench   the benchmarks under bench/ (SQLite and a throwaway PostgreSQL cluster)
#   make soak    a 10-minute mixed load against one server on a throwaway PostgreSQL cluster (bench/_soak.py)
#   make faults  the fault drill: PostgreSQL stopped and restarted under load (scripts/fault_drill.py)
#   make fuzz    the API fuzz test (tests/test_api_fuzz.py) with many more examples per operation

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PARCERIA := $(BIN)/parceria
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# `make demo`: where the demo database and its generated secret key live, and where it serves.
DEMO_VAR_DIR ?= $(if $(PARCERIA_VAR_DIR),$(PARCERIA_VAR_DIR),$(CURDIR)/var)
DEMO_SECRET_FILE := $(DEMO_VAR_DIR)/secret_key
# The demo program's start (PARCERIA_PROGRAM_START): the first month of its invoices, 18 months before the month
# of the first `make demo` (the month the demo data is loaded), kept so that it stays the same on later runs.
DEMO_PROGRAM_START_FILE := $(DEMO_VAR_DIR)/program_start
DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000

# `make test`: a private folder for the SQLite test databases (override to run beside other checkouts),
# and the pytest options. The suite runs on PYTEST_WORKERS pytest-xdist workers, each with its own test
# database and upload folder (PYTEST_WORKERS= runs it in one process).
TEST_VAR_DIR ?= $(CURDIR)/var/test
PYTEST_ARGS ?= -q
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest $(PYTEST_ARGS) $(if $(PYTEST_WORKERS),-n $(PYTEST_WORKERS))
TEST_SETTINGS := parceria.config.settings_test

# System packages `make test` needs, Chromium included for the browser tests (Playwright drives Debian's
# Chromium; Playwright's own browser download is not used).
TEST_SYSTEM_DEPS ?= postgres-server pdf-tools messages chromium
CHROMIUM ?= /usr/bin/chromium

# `make fuzz`: examples per operation and generation mode (the suite's default is 15).
FUZZ_EXAMPLES ?= 500

# Benchmarks: every bench/*.py except helper modules (names starting with `_`), each given BENCH_ARGS.
BENCH_SCRIPTS := $(filter-out bench/_%,$(wildcard bench/*.py))
BENCH_ARGS ?=
# `make soak`: options of bench/_soak.py (SOAK_ARGS=--quick: 1 minute on a small data set; --minutes N).
SOAK_ARGS ?=
# `make faults`: options for scripts/fault_drill.py (e.g. FAULTS_ARGS="--drill intake --events 20000").
FAULTS_ARGS ?=

APP_STAMP := $(VENV)/.parceria-installed
TEST_STAMP := $(VENV)/.parceria-test-installed

.PHONY: help demo test test-sqlite test-postgres lint typecheck lint-imports migrations-check fuzz bench bench-large \
	soak faults clean \
	install install-test postgres-server pdf-tools messages chromium

help:
	@echo "make demo              install, migrate, load demo data and serve on http://$(DEMO_HOST):$(DEMO_PORT)/"
	@echo "make test              lint, mypy, migrations check, tests on SQLite and on PostgreSQL"
	@echo "make test-sqlite       only the test suite on SQLite"
	@echo "make test-postgres     only the test suite on a throwaway PostgreSQL cluster"
	@echo "make lint              ruff check"
	@echo "make typecheck         mypy"
	@echo "make lint-imports      the import layers between apps (docs/architecture.md)"
	@echo "make migrations-check  fail if a model change lacks its migration"
	@echo "make fuzz              the API fuzz test with FUZZ_EXAMPLES (default $(FUZZ_EXAMPLES)) examples per operation"
	@echo "make bench             run the benchmarks in bench/ (prints JSON; BENCH_ARGS=... passes options)"
	@echo "make bench-large       the close and the portal benchmarks at ten times their full size (long)"
	@echo "make soak              10 minutes of mixed load on one server: errors and memory growth (SOAK_ARGS=--quick)"
	@echo "make faults            stop and restart PostgreSQL under load; check nothing is lost or paid twice (JSON)"
	@echo "make clean             remove test databases and caches (keeps .venv and the demo database)"

# --- installation -----------------------------------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(APP_STAMP)

install: $(APP_STAMP)
install-test: $(TEST_STAMP)

# PostgreSQL's server binaries, from Debian, only when none are installed.
postgres-server:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "Installing PostgreSQL from Debian"; \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; \
	fi

# Pango for WeasyPrint (statement PDFs) and pdftotext, with which the tests read the PDFs back.
pdf-tools:
	@if ! command -v pdftotext >/dev/null 2>&1 || ! ldconfig -p | grep -q libpangoft2; then \
		echo "Installing Pango and poppler-utils from Debian"; \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 poppler-utils; \
	fi

# Compile the translation catalogues (pt-BR, es) with gettext's msgfmt, installed from Debian if missing.
messages: $(APP_STAMP)
	@if ! command -v msgfmt >/dev/null 2>&1; then \
		echo "Installing gettext from Debian"; \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y gettext; \
	fi
	cd src/parceria && PARCERIA_DEBUG=1 PARCERIA_VAR_DIR="$(abspath var)" $(abspath $(PARCERIA)) compilemessages -v 0

# Debian's Chromium for the browser tests.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# --- demo -------------------------------------------------------------------------------------------

# PARCERIA_DEBUG stays unset: the demo runs as production does, with a secret key generated on the first
# run and kept in $(DEMO_SECRET_FILE).
# PARCERIA_HOST and PARCERIA_PORT tell `serve` where to listen and `demo` which address to print.
DEMO_ENV = env -u PARCERIA_DEBUG PARCERIA_VAR_DIR="$(DEMO_VAR_DIR)" PARCERIA_SECRET_KEY="$$(cat '$(DEMO_SECRET_FILE)')" \
	PARCERIA_HOST="$(DEMO_HOST)" PARCERIA_PORT="$(DEMO_PORT)" \
	PARCERIA_PROGRAM_START="$$(cat '$(DEMO_PROGRAM_START_FILE)')"

$(DEMO_SECRET_FILE): | $(BIN)/python
	@mkdir -p "$(DEMO_VAR_DIR)"
	@umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > "$@"
	@echo "Generated a secret key in $@"

$(DEMO_PROGRAM_START_FILE): | $(BIN)/python
	@mkdir -p "$(DEMO_VAR_DIR)"
	@$(BIN)/python -c 'import datetime as d; t = d.date.today(); s = t.year * 12 + t.month - 19; print(f"{s // 12}-{s % 12 + 1:02d}")' > "$@"

demo: $(APP_STAMP) $(DEMO_SECRET_FILE) $(DEMO_PROGRAM_START_FILE) pdf-tools messages
	$(DEMO_ENV) $(PARCERIA) migrate
	$(DEMO_ENV) $(PARCERIA) demo
	$(DEMO_ENV) PARCERIA="$(PARCERIA)" scripts/demo-serve.sh

# --- checks and tests -------------------------------------------------------------------------------

# Every check runs with the test settings, without DATABASE_URL (SQLite in a private folder) unless a
# target sets it.
CHECK_ENV = env -u DATABASE_URL DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) PARCERIA_VAR_DIR="$(TEST_VAR_DIR)/sqlite"

test: $(TEST_STAMP) $(TEST_SYSTEM_DEPS)
	$(BIN)/ruff check src tests bench scripts
	$(CHECK_ENV) $(BIN)/mypy
	$(CHECK_ENV) $(BIN)/lint-imports
	$(CHECK_ENV) $(PARCERIA) makemigrations --check --dry-run
	@echo "=== tests on SQLite (the browser journeys run once, on PostgreSQL below) ==="
	$(CHECK_ENV) $(PYTEST) --ignore=tests/browser
	@echo "=== tests on PostgreSQL (those that use the database; the others ran above) ==="
	env DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) PARCERIA_VAR_DIR="$(TEST_VAR_DIR)/postgresql" \
		PARCERIA_TESTS_DATABASE_ONLY=1 scripts/with-postgres.sh $(PYTEST)

test-sqlite: $(TEST_STAMP)
	$(CHECK_ENV) $(PYTEST)

test-postgres: $(TEST_STAMP) postgres-server
	env DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) PARCERIA_VAR_DIR="$(TEST_VAR_DIR)/postgresql" \
		scripts/with-postgres.sh $(PYTEST)

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench scripts

typecheck: $(TEST_STAMP)
	$(CHECK_ENV) $(BIN)/mypy

lint-imports: $(TEST_STAMP)
	$(CHECK_ENV) $(BIN)/lint-imports

migrations-check: $(TEST_STAMP)
	$(CHECK_ENV) $(PARCERIA) makemigrations --check --dry-run

fuzz: $(TEST_STAMP)
	$(CHECK_ENV) FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest $(PYTEST_ARGS) tests/test_api_fuzz.py

# --- benchmarks -------------------------------------------------------------------------------------

bench: $(TEST_STAMP) postgres-server
	@test -n "$(BENCH_SCRIPTS)" || { echo "no benchmarks in bench/"; exit 1; }
	@for script in $(BENCH_SCRIPTS); do \
		echo "=== $$script ===" >&2; \
		scripts/with-postgres.sh $(BIN)/python "$$script" $(BENCH_ARGS); \
	done

# The close and the portal at ten times their full size (100,000 partners, 10,000,000 invoices or ledger lines).
# Not part of `make bench`: the setup alone takes tens of minutes. docs/scaling.md reports how each figure grows.
BENCH_LARGE_CLOSE := --partners 100000 --customers 10000000 --invoices 10000000
BENCH_LARGE_PORTAL := --partners 10000 --lines 10000000 --customers 1000000

bench-large: $(TEST_STAMP) postgres-server
	scripts/with-postgres.sh $(BIN)/python bench/close.py $(BENCH_LARGE_CLOSE)
	scripts/with-postgres.sh $(BIN)/python bench/portal.py $(BENCH_LARGE_PORTAL)

# The soak test (bench/_soak.py; its name keeps it out of `make bench`): portal, intake, API and a monthly close
# at once for 10 minutes; fails on any error or when a server process's memory grows (docs/operations.md).
soak: $(TEST_STAMP) postgres-server
	scripts/with-postgres.sh $(BIN)/python bench/_soak.py $(SOAK_ARGS)

# The fault drill starts (and stops, and restarts) a PostgreSQL cluster of its own, so it runs without
# with-postgres.sh; it is not one of BENCH_SCRIPTS (docs/operations.md, "Fault drills").
faults: $(TEST_STAMP) postgres-server
	$(BIN)/python scripts/fault_drill.py $(FAULTS_ARGS)

# --- housekeeping -----------------------------------------------------------------------------------

clean:
	rm -rf "$(TEST_VAR_DIR)" var/static .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .hypothesis build dist
	rm -rf src/*.egg-info
	find src tests bench -name __pycache__ -type d -prune -exec rm -rf {} +
