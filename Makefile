# Liner: `make run` starts the app with demo data; `make test` runs the checks and tests.
# `make dev` is `make run` with Django's autoreloading development server, for working on Liner.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup run dev screenshots test lint format bench worker web migrate clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Liner needs Python 3.11 or newer (found " + sys.version.split()[0] + ").")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)

migrate: setup
	$(BIN)/python manage.py migrate --noinput

# gunicorn (config/gunicorn.conf.py), one Celery worker and beat; Ctrl-C stops them all.
run: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py run_liner

dev: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py run_liner --dev

# Refreshes docs/screenshots/*.png in Chromium from freshly seeded demo data (its own data folder).
screenshots: setup
	LINER_DATA_DIR=$${LINER_DATA_DIR:-$(CURDIR)/var/screenshots} \
	LINER_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots \
	$(BIN)/python -m pytest tests/browser/test_screenshots.py -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	LINER_DATA_DIR=$${LINER_DATA_DIR:-$(CURDIR)/var/test} $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/audio.py
	$(BIN)/python bench/releases.py
	$(BIN)/python bench/payouts.py
	$(BIN)/python bench/statements.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
