# The two commands: `make run` and `make test`. Everything else is what they are made of.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-embedded bench setup sysdeps migrate clean

run: setup .env migrate
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	@PYTHON=$(PYTHON) bash scripts/sysdeps.sh --servers
	$(PY) scripts/services.py -- $(PY) -m pytest $(PYTEST_ARGS)

# The same suite on the embedded defaults: SQLite and the in-process cache (S3 tests still use moto).
test-embedded: setup
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	@PYTHON=$(PYTHON) bash scripts/sysdeps.sh --servers
	$(PY) scripts/services.py -- $(PY) -m bench

setup: sysdeps $(STAMP)

sysdeps:
	@PYTHON=$(PYTHON) bash scripts/sysdeps.sh

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# A first local .env: DEBUG on and a fresh random SECRET_KEY (never committed: .gitignore).
.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "created .env (DEBUG=true, random SECRET_KEY)"

migrate:
	$(PY) manage.py migrate --noinput

clean:
	rm -rf $(VENV) var
