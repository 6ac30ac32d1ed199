# DX Tracker. `make run` and `make test` are the two commands a newcomer needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: run test install lock setup lint migrations-check worker beat messages benchmark clean-demo ci

LOCK_FLAGS := --quiet --generate-hashes --no-emit-index-url --no-emit-find-links --strip-extras --allow-unsafe

# The pinned, hash-checked set first (requirements-dev.lock, written by `make lock`); then the
# project itself, which also brings in a dependency added to pyproject.toml but not yet locked
# (tests/foundation/test_lock.py fails until it is).
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Pin every dependency with hashes after editing pyproject.toml; commit both lock files.
## Existing pins are kept where they still fit (add --upgrade to LOCK_FLAGS to refresh all).
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "pip-tools>=7.4,<8"
	$(BIN)/pip-compile $(LOCK_FLAGS) -o requirements.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra dev -o requirements-dev.lock pyproject.toml

## Set up the database with the seed plans, demo data and demo accounts (idempotent).
setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_seed
	$(BIN)/python manage.py open_periods
	$(BIN)/python manage.py create_demo_accounts
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py recompute_attainment

## 1. Set up and serve the app on http://127.0.0.1:8000 (SQLite, Celery in-process).
run: setup
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## 2. Run the whole test suite on the embedded default, on every core (pytest-xdist). Tests of
## one file stay on one worker, so a module's seed or demo world is built once.
test: install
	$(BIN)/python -m pytest -n auto --dist loadfile

lint: install
	$(BIN)/ruff check .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

## Compile translations after editing a .po file (needs GNU gettext's msgfmt).
messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv

## Production shape on one machine: run these beside `run` with DATABASE_URL and REDIS_URL set.
worker: install
	$(BIN)/celery -A dxtracker worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A dxtracker beat --loglevel=INFO --schedule=/tmp/dxtracker-celerybeat-schedule

## Speed of a full and an incremental attainment recompute over synthetic figures.
benchmark: install
	$(BIN)/python manage.py benchmark_attainment --figures 1000000

clean-demo: install
	$(BIN)/python manage.py remove_demo

ci:
	bash .ci/run
