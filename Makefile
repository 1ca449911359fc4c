# Two commands matter: `make run` (a running portal on SQLite) and `make test` (the whole suite).
# `make run PORT=8001` serves on another port. `make run` starts Celery workers beside the server (portal/run_local.py).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv dev-venv demo lint bench bench-scale bench-load worker clean

$(VENV)/.installed: requirements.txt requirements.lock
	@echo "==> Installing requirements.txt into $(VENV) (first run only; pip lists each package)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install -r requirements.txt -c requirements.lock
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements-dev.lock $(VENV)/.installed
	@echo "==> Installing requirements-dev.txt into $(VENV)"
	$(PIP) install -r requirements-dev.txt -c requirements-dev.lock
	@touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

# Links printed on the console and in mails point at the port the server really listens on.
demo run: export SITE_URL ?= http://$(HOST):$(PORT)

demo: venv
	@echo "==> Migrating the SQLite database"
	$(PY) manage.py migrate --noinput
	@echo "==> Loading reference data, seed sources, the demo dataset (first run only) and demo accounts"
	$(PY) manage.py setup_demo

run: demo
	@echo "==> Mail (sign-up confirmations, notifications) goes to files in sent-mail/, announced here in one line each"
	@$(PY) -m portal.run_local $(HOST):$(PORT)

test: dev-venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: dev-venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

worker: venv
	$(VENV)/bin/celery -A portal worker -B -Q default,validate,merge,exports,mail --loglevel=INFO

bench: dev-venv
	$(PY) bench/run_all.py

# How costs grow at 1M, 3M and 10M values: SIZES=1M,3M; the engine is DATABASE_URL's (SQLite up to 3M).
SIZES ?= 1M,3M,10M
bench-scale: dev-venv
	$(PY) bench/scale.py --sizes $(SIZES)

# The load test (bench/load.py): gunicorn, Celery workers, PostgreSQL and Redis under locust for DURATION.
# DATABASE is dropped and created again, Redis db REDIS_DB is flushed.
DATABASE ?= portal_load
REDIS_DB ?= 15
USERS ?= 20
DURATION ?= 5m
bench-load: dev-venv
	$(PY) bench/load.py --database $(DATABASE) --redis-db $(REDIS_DB) --users $(USERS) --duration $(DURATION)

clean:
	rm -rf $(VENV) db.sqlite3* media staticfiles sent-mail var
