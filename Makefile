# Allmende – the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
REGISTRY ?=
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
NODE_STAMP := tests/oidc_node/node_modules/.installed

.PHONY: run test lint format messages install clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	mkdir -p var
	ALLMENDE_DEV_LOGIN=1 $(BIN)/allmende demo --host $(HOST) --port $(PORT) $(if $(REGISTRY),--registry $(REGISTRY))

$(NODE_STAMP): tests/oidc_node/package.json tests/oidc_node/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/oidc_node --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else echo "npm not found: the oidc-provider security tests will be skipped"; fi

test: $(STAMP) $(wildcard tests/oidc_node/package.json)
	@if [ -f tests/oidc_node/package.json ]; then $(MAKE) --no-print-directory $(NODE_STAMP); fi
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app tests bench migrations
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n auto --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app tests bench migrations
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k N_ -k ngettext:1,2 \
		--no-location --sort-output --omit-header -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations \
		--no-fuzzy-matching --ignore-obsolete --omit-header

clean:
	rm -rf $(VENV) var/*.db var/*.db-wal var/*.db-shm .pytest_cache .mypy_cache .ruff_cache
