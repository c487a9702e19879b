# pccperf — the two commands a new user needs are `make demo` and `make test`.
# Each sets itself up: a virtualenv in .venv installed from the hashed locks.
#
# Dependencies are split and locked (docs/decisions.md, Dependencies):
#   requirements.in      runtime      -> requirements.txt      (make install, make serve, make demo)
#   requirements-dev.in  tests, tools -> requirements-dev.txt  (make test, make lint, make bench)
# `make lock` recompiles both with uv; pip installs them with --require-hashes.
#   requirements-pip.in  the pip that installs them -> requirements-pip.txt
# A new .venv first gets that pinned, hashed pip (VENV_PIP below), never the
# pip the system Python ships: pip 23.2 (Python 3.11's) refuses a hashed lock
# once upstream releases a newer version of a package that a locked package
# names with an extra (fonttools[woff] for weasyprint). docs/decisions.md,
# Installing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_INSTALL := $(PY) -m pip install --quiet --require-hashes --disable-pip-version-check
VENV_PIP := $(VENV)/.pip-$(shell cat requirements-pip.txt | sha1sum | cut -c1-12)
RUNTIME_STAMP := $(VENV)/.runtime-$(shell cat requirements-pip.txt requirements.txt package-lock.json | sha1sum | cut -c1-12)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements-pip.txt requirements-dev.txt package-lock.json | sha1sum | cut -c1-12)
UV_VERSION := 0.13.8
LOCK_TOOLS := .lock-tools
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: FORCE fuzz install install-dev lock demo serve test lint migrate superuser clean bench load backup restore messages

# Runtime only: the serving path never installs test tools (tests/test_dependencies.py).
install: $(RUNTIME_STAMP)

# The virtualenv and its pip: the pinned, hashed one from requirements-pip.txt,
# installed by whatever pip the venv was born with (any pip since 8 can).
$(VENV_PIP): requirements-pip.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "$(VENV) was born with $$($(PY) -m pip --version | cut -d' ' -f1-2); installing the locked pip"
	$(PIP_INSTALL) -r requirements-pip.txt
	@rm -f $(VENV)/.pip-*
	@touch $@

$(RUNTIME_STAMP): $(VENV_PIP) requirements.txt package-lock.json
	$(PIP_INSTALL) -r requirements.txt
	npm ci --no-audit --no-fund --loglevel=error
	@rm -f $(VENV)/.runtime-*
	@touch $@

# Runtime and development: requirements-dev.txt holds the runtime lock too.
install-dev: $(DEV_STAMP)

$(DEV_STAMP): $(VENV_PIP) requirements-dev.txt package-lock.json
	$(PIP_INSTALL) -r requirements-dev.txt
	npm ci --no-audit --no-fund --loglevel=error
	@rm -f $(VENV)/.dev-* $(VENV)/.runtime-*
	@touch $@ $(RUNTIME_STAMP)

# Recompile the locks after editing requirements*.in (needs PyPI). uv lives in
# its own virtualenv, outside .venv, so it is in neither lock.
UV_COMPILE = $(LOCK_TOOLS)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-strip-extras
lock:
	@test -x $(LOCK_TOOLS)/bin/uv || ($(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/pip install --quiet uv==$(UV_VERSION))
	$(UV_COMPILE) requirements-pip.in -o requirements-pip.txt
	$(UV_COMPILE) requirements.in -o requirements.txt
	$(UV_COMPILE) requirements-dev.in -o requirements-dev.txt

# Installs, migrates the SQLite database, loads the demo data and serves on :8000.
# DEBUG=1 is given to the development server alone: never to collectstatic,
# never through .env (docs/decisions.md, One source of settings).
demo: install .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Serving the demo on http://$(HOST):$(PORT)/ (Ctrl-C to stop); analysts: make superuser, then /admin/"
	@echo "A job worker runs beside it (panel packs, big imports; the database queue: no other service)."
	$(PY) manage.py run_worker -v0 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# This development checkout's settings file, read by every entry point
# (pccperf/settings.py): its own random SECRET_KEY, so `python manage.py …`
# works as the README prints it. Never DEBUG: a .env from before carried
# DEBUG=1, which made collectstatic and gunicorn disagree; it is taken out.
.env: FORCE
	@if [ ! -e $@ ]; then \
	  printf '# Written by make demo for this development checkout. Every entry point reads it\n# (manage.py, gunicorn, tests); the environment wins over it. See .env.example.\nSECRET_KEY=%s\n' \
	    "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@; \
	  echo "Wrote .env (this checkout's SECRET_KEY) so that python manage.py ... works here."; \
	elif grep -q '^# Written by make demo' $@ && grep -q '^DEBUG=' $@; then \
	  sed -i '/^DEBUG=/d' $@; \
	  grep -q '^SECRET_KEY=.' $@ || printf 'SECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" >> $@; \
	  echo "Took DEBUG out of .env (DEBUG=1 now goes to the development server alone) and gave it a SECRET_KEY."; \
	fi

FORCE:

migrate: install .env
	$(PY) manage.py migrate --noinput

# Creates an administrator for /admin/ (asks for a password).
superuser: install .env
	$(PY) manage.py createsuperuser

# Production-style serving on this machine: gunicorn (gunicorn.conf.py) and
# whitenoise against the database in SERVE_DB (default the local cluster's
# pccperf, created if missing), DEBUG off, one worker per core (WORKERS=N to
# change). Plain HTTP on localhost, so the HTTPS redirect is switched off; a
# real deployment keeps it on behind TLS (docs/deploy.md). Settings come
# from the environment and .env, as for every entry point: SECRET_KEY is
# .env's, so a restart keeps everyone signed in.
# JOB_WORKERS job workers run beside gunicorn (manage.py run_worker: packs, big imports); with REDIS_URL
# set they take their jobs from Redis, and workers on other machines share them.
SERVE_DB ?= postgres://postgres@127.0.0.1:5432/pccperf
JOB_WORKERS ?= 1
serve: install .env
	DATABASE_URL=$(SERVE_DB) \
	  SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	  HOST=$(HOST) PORT=$(PORT) \
	  sh -c '$(PY) manage.py create_database && $(PY) manage.py migrate --noinput && \
	  $(PY) manage.py collectstatic --noinput -v0 && $(PY) manage.py load_demo --if-empty && \
	  for i in $$(seq $(JOB_WORKERS)); do $(PY) manage.py run_worker -v0 & done; \
	  exec $(VENV)/bin/gunicorn -c gunicorn.conf.py pccperf.wsgi'

# A full backup of the database in DATABASE_URL (SQLite's db.sqlite3 by default):
# every table, history included, to backups/pccperf-DATE-TIME.dump|.sqlite3
# (or FILE=...). `make restore FILE=...` puts one back into an empty database.
backup: install
	$(PY) manage.py backup $(if $(FILE),--output $(FILE))

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/pccperf-....dump (into an empty database)"; exit 2; }
	$(PY) manage.py restore $(FILE)

# The whole suite. DATABASE_URL selects PostgreSQL; SQLite otherwise. In
# parallel, one worker per core (pytest.ini: -n auto --dist loadfile); each
# worker has its own test database and Redis database (TEST_REDIS_URL, default
# db 15, one lower per worker). PYTEST_ARGS="-n 0" runs one test at a time.
test: install-dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .

# The Welsh catalogue (issue 31; docs/decisions.md, "Cymraeg"): gather the words pccperf writes into
# locale/cy/LC_MESSAGES/django.po (translations kept, new words added untranslated), then compile it with
# its fuzzy entries (they are shown; a translator checks them) into django.mo, which is committed: serving
# and the tests need no gettext. Needs GNU gettext (apt-get install gettext). Commit both files.
# The admin's own pages are marked for translation but English only (the decision): they are kept out of
# the Welsh catalogue (but base_site.html, whose title Django's own catalogues translate).
messages: install
	$(PY) manage.py makemessages -l cy --no-location --no-wrap -i ".venv/*" -i "node_modules/*" -i "bench/*" -i "tests/*" -i "static/*" \
		-i "templates/admin/indicators/*" -i "templates/admin/auth/*" -i "templates/admin/_quarter_home.html"
	$(PY) manage.py compilemessages -l cy --use-fuzzy -i ".venv" -i "node_modules"

clean:
	rm -rf $(VENV) $(LOCK_TOOLS) node_modules db.sqlite3 staticfiles .pytest_cache tests/artifacts

# Benchmarks: figures are reported as ratios against a baseline measured in the same run;
# bench_scale and load --no-cache print issue 17's goals (national scale, PostgreSQL, wrk);
# bench_import_job, bench_scale's report size and bench_cache_share issue 27's (the last needs
# Redis: CACHE_SHARE_REDIS_URL, default db 10, flushed). docs/decisions.md, "Benchmarks of issue 27".
# bench_api: each API endpoint's size and time at national scale (issue 30; API_BENCH_DATABASE_URL).
bench: install-dev
	$(PY) bench/bench_engine.py
	$(PY) bench/bench_pages.py
	$(PY) bench/bench_svg.py
	$(PY) bench/bench_pdf.py
	$(PY) bench/bench_import.py
	$(PY) bench/bench_policeuk.py
	$(PY) bench/bench_policeuk_admin.py
	$(PY) bench/bench_import_job.py
	$(PY) bench/bench_scale.py
	$(PY) bench/load.py --no-cache
	$(PY) bench/bench_cache_share.py
	$(PY) bench/bench_api.py

# Load test against gunicorn on 127.0.0.1 (needs PostgreSQL and wrk).
load: install-dev
	$(PY) bench/load.py

# Fuzz the return-file reader (CSV and XLSX) with atheris for FUZZ_SECONDS
# (default 600); findings go to /tmp/pccperf-fuzz-findings. atheris is pinned
# here rather than in the dev lock: a 35 MB wheel only this target needs.
FUZZ_SECONDS ?= 600
fuzz: install-dev
	$(PY) -m pip install --quiet atheris==3.0.0
	$(PY) bench/fuzz_returnfile.py --seconds $(FUZZ_SECONDS)
