# Two commands set up a fresh machine that has Python 3.11:
#   make run   – install, migrate, load the seed data and demo accounts, serve on :8000
#   make test  – install and run the whole suite
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install lock prod-smoke backup restore run test lint typecheck check-deploy migrate seed clean bench

$(BIN)/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Cần Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Two exports of uv.lock, both with hashes, installed with plain pip: requirements.lock holds
# the runtime dependencies only (the Docker image), requirements-dev.lock adds the test and
# quality tools (tests, `make run`). `make lock` rewrites both after a change to pyproject.toml.
$(VENV)/.installed: $(BIN)/activate requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@touch $@

install: $(VENV)/.installed

lock: $(BIN)/activate
	$(BIN)/pip install --quiet --disable-pip-version-check uv
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv lock
	$(BIN)/uv export --frozen --format requirements-txt --no-emit-project --no-dev -o requirements.lock
	$(BIN)/uv export --frozen --format requirements-txt --no-emit-project -o requirements-dev.lock

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	$(PY) manage.py compilemessages --ignore=.venv >/dev/null 2>&1 || true
	@echo "Cổng chạy tại http://$(HOST):$(PORT)/  (tài khoản demo: xem README.md)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Tests run on this machine's PostgreSQL and Redis when they answer (CI sets both);
# otherwise on SQLite, with the tests that need the real services skipped and saying so.
PG_URL := $(shell pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && echo postgres://postgres@127.0.0.1:5432/portal)
test: export DATABASE_URL ?= $(PG_URL)
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# The compose file's processes without Docker (Caddy with its local CA, gunicorn DEBUG=False,
# a Celery worker and beat) on a fresh SMOKE_DATABASE_URL (default portal_smoke) and
# SMOKE_REDIS_URL, driven over HTTPS by Chromium; see deploy/smoke/test_prod_smoke.py.
prod-smoke: install
	$(BIN)/pytest deploy/smoke -p no:cacheprovider $(PYTEST_ARGS)

# PostgreSQL dump and media tar in backups/<UTC stamp>/ (BACKUP_DIR); restore one into the
# database DATABASE_URL names: make restore BACKUP=backups/20261202T100000Z
BACKUP_DIR ?= backups
backup: install
	$(PY) deploy/backup.py create --dir $(BACKUP_DIR)

restore: install
	@test -n "$(BACKUP)" || { echo "make restore BACKUP=backups/<stamp>"; exit 2; }
	$(PY) deploy/backup.py restore $(BACKUP)

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

check-deploy: install
	DEBUG=False SECRET_KEY=$${SECRET_KEY:-check-only-$$(date +%s)-not-a-real-secret-key-000000} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-localhost} $(PY) manage.py check --deploy --fail-level WARNING

# Synthetic data set on PostgreSQL, gunicorn on loopback; results in bench/results/<date>.json.
# SIZE=tiny|small|medium|national (default national). Timings are reported, never asserted.
bench: install
	$(PY) -m bench.run $(if $(SIZE),--size $(SIZE),)

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles .pytest_cache .mypy_cache .ruff_cache
