# The two commands: `make run` and `make test`. Everything else is what they are made of.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# One stamp per requirements file: `make run` installs only requirements.txt, the test targets
# requirements-test.txt too; each re-installs when its files change.
RUN_STAMP := $(VENV)/.installed-requirements
TEST_STAMP := $(VENV)/.installed-requirements-test
# --no-compile: Python writes the bytecode of what it imports on first use, instead of pip
# compiling every installed module up front (about 40 MB and several seconds, mostly unused).
PIP_INSTALL := $(PY) -m pip install --quiet --no-compile
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint test-embedded bench setup setup-test venv sysdeps migrate clean

# One background worker beside the dev server (same SQLite file): video conversions run with no other
# service; it stops with the server.
run: setup .env migrate
	@$(PY) manage.py worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Two worker processes, one per core of the machines this runs on (PYTEST_WORKERS=0: one process); each
# test module stays on one worker (its module fixtures are built once), each worker has its own test
# database and Redis database (conftest.py).
PYTEST_WORKERS ?= 2
test: setup-test lint
	@PYTHON=$(PYTHON) bash scripts/sysdeps.sh --servers
	$(PY) scripts/services.py -- $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The habits of a maintained package (pyproject.toml configures them): a finding fails `make test`.
lint: setup-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# The same suite on the embedded defaults: SQLite and the in-process cache (S3 tests still use moto).
test-embedded: setup-test
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest $(PYTEST_ARGS)

bench: setup-test
	@PYTHON=$(PYTHON) bash scripts/sysdeps.sh --servers --bench
	$(PY) scripts/services.py -- $(PY) -m bench

setup: sysdeps $(RUN_STAMP)
setup-test: sysdeps $(TEST_STAMP)

sysdeps:
	@PYTHON=$(PYTHON) bash scripts/sysdeps.sh

venv:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements.txt | venv
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(TEST_STAMP): requirements.txt requirements-test.txt | venv
	$(PIP_INSTALL) -r requirements-test.txt
	touch $@

# A first local .env: DEBUG on and a fresh random SECRET_KEY (never committed: .gitignore).
.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "created .env (DEBUG=true, random SECRET_KEY)"

migrate:
	$(PY) manage.py migrate --noinput

clean:
	rm -rf $(VENV) var
