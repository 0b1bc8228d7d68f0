# make help: the targets. Only Python 3.11+ is needed; everything else installs into .venv.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SURVEY_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export SURVEY_TEST_POSTGRES_URL

.PHONY: help install run wheel test test-sm test-sqlite test-postgres lint fmt migrate messages bench bench-province clean

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[postgres,test,dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its test tools

run: install ## upgrade the schema, load the demo once, serve on http://127.0.0.1:8000
	$(VENV)/bin/flask --app survey init-db
	SURVEY_BASE_URL=$${SURVEY_BASE_URL:-http://$(HOST):$(PORT)} $(VENV)/bin/flask --app survey demo
	@echo "Serving on http://$(HOST):$(PORT)/ -- staff sign in at http://$(HOST):$(PORT)/login"
	$(VENV)/bin/gunicorn --workers 2 --bind $(HOST):$(PORT) wsgi:app

wheel: install ## dist/survey-*.whl: templates, static, migrations and compiled catalogues inside
	$(PY) -m pip wheel -q --no-deps -w dist .

test: install ## the whole suite on SQLite, then on PostgreSQL (required under CI=true)
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sm: install ## the whole suite again with SURVEY_CRYPTO=sm (SM2/SM3/SM4): SQLite, then PostgreSQL
	@echo "== tests in the sm crypto mode (SURVEY_CRYPTO=sm) =="
	SURVEY_CRYPTO=sm $(MAKE) --no-print-directory test-sqlite
	SURVEY_CRYPTO=sm $(MAKE) --no-print-directory test-postgres

test-sqlite: install
	@echo "== tests on SQLite =="
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/zbarimg ]; then echo "Browser tests: running with /usr/bin/chromium."; \
	else echo "Browser tests: SKIPPED (no /usr/bin/chromium or /usr/bin/zbarimg; apt-get install chromium zbar-tools)."; fi
	SURVEY_TEST_DATABASE=sqlite $(PY) -m pytest

test-postgres: install
	@if $(PY) -c "import sys, sqlalchemy as sa; e = sa.create_engine(sys.argv[1]); e.connect().close()" "$(SURVEY_TEST_POSTGRES_URL)" 2>/dev/null; then \
		echo "== tests on PostgreSQL ($(SURVEY_TEST_POSTGRES_URL)) =="; \
		SURVEY_TEST_DATABASE=postgres $(PY) -m pytest; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(SURVEY_TEST_POSTGRES_URL): under CI that is a failure."; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL is not reachable at $(SURVEY_TEST_POSTGRES_URL); only SQLite was tested."; \
	fi

lint: install ## ruff check and format check, and the layout's import rules (import-linter)
	$(VENV)/bin/ruff check survey forms tests wsgi.py
	$(VENV)/bin/ruff format --check survey forms tests wsgi.py
	$(VENV)/bin/lint-imports --no-cache

fmt: install ## ruff format and fix
	$(VENV)/bin/ruff check --fix survey forms tests wsgi.py
	$(VENV)/bin/ruff format survey forms tests wsgi.py

migrate: install ## autogenerate a migration: make migrate m="what changed"
	$(VENV)/bin/flask --app survey db migrate -m "$(m)"

messages: install ## extract new strings into survey/translations/*/messages.po
	$(VENV)/bin/pybabel extract --no-location -F survey/translations/babel.cfg -k _l -k lazy_gettext -o survey/translations/messages.pot . >/dev/null
	$(VENV)/bin/pybabel update -N -i survey/translations/messages.pot -d survey/translations >/dev/null

bench: install ## the product beside bare-Flask ceilings on both databases (needs wrk, Redis; < 10 min)
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk (the bench installs nothing itself)"; exit 1; }
	$(PY) bench/run.py $(BENCH_ARGS)

bench-province: install ## a province's season on PostgreSQL: 50,000 branches, 1.5 M members (~4 min; BENCH_ARGS="--branches 2000" for a small one)
	nice -n 10 $(PY) bench/province.py --json bench/results/province.json $(BENCH_ARGS)

clean: ## remove .venv and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
