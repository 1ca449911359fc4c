# Two commands matter: `make run` (a running portal on SQLite) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv dev-venv demo lint bench worker clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

demo: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_demo

run: demo
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker beside the server"; \
		$(VENV)/bin/celery -A portal worker -B -Q default,validate,merge,exports,mail --loglevel=INFO & \
		trap 'kill %1' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT); \
	else \
		echo "No REDIS_URL: Celery tasks run inline"; \
		$(PY) manage.py runserver $(HOST):$(PORT); \
	fi

test: dev-venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: dev-venv
	$(PY) -m ruff check .

worker: venv
	$(VENV)/bin/celery -A portal worker -B -Q default,validate,merge,exports,mail --loglevel=INFO

bench: dev-venv
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) db.sqlite3* media staticfiles
