# pccperf — the two commands a new user needs are `make demo` and `make test`.
# Each sets itself up: a virtualenv in .venv with the pinned requirements.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt package-lock.json | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint migrate superuser clean bench

install: $(STAMP)

$(STAMP): requirements.txt package-lock.json
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	npm ci --no-audit --no-fund --loglevel=error
	@rm -f $(VENV)/.installed-*
	@touch $@

# Installs, migrates the SQLite database, loads the demo data and serves on :8000.
demo: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	@echo "Serving the demo on http://$(HOST):$(PORT)/ (Ctrl-C to stop); analysts: make superuser, then /admin/"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput

# Creates an administrator for /admin/ (asks for a password).
superuser: install
	DEBUG=1 $(PY) manage.py createsuperuser

# The whole suite. DATABASE_URL selects PostgreSQL; SQLite otherwise.
test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles .pytest_cache tests/artifacts

# Benchmarks: figures are reported as ratios against a baseline measured in the same run.
bench: install
	$(PY) bench/bench_engine.py
	$(PY) bench/bench_pages.py
	$(PY) bench/bench_import.py
