# gongqiang: `make demo` serves the demo on http://127.0.0.1:8000; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
GQ     := $(BIN)/gongqiang
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

export GONGQIANG_HOME := $(CURDIR)

.PHONY: install demo serve test test-fast test-browser lint migrations-check clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11))" || { echo "需要 Python ≥ 3.11（$(PYTHON)）"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	@chmod 600 var/secret_key

# The demo runs with DEBUG on (local only) and the embedded SQLite database under var/.
demo: install var/secret_key
	GONGQIANG_DEBUG=1 $(GQ) migrate --noinput
	GONGQIANG_DEBUG=1 $(GQ) policy load policies/linyi-2022.yaml
	GONGQIANG_DEBUG=1 $(GQ) demo
	GONGQIANG_DEBUG=1 $(GQ) demo_evaluation
	GONGQIANG_DEBUG=1 $(GQ) demo_targets
	GONGQIANG_DEBUG=1 $(GQ) demo_supervision
	GONGQIANG_DEBUG=1 $(GQ) runserver $(HOST):$(PORT)

serve: install var/secret_key
	GONGQIANG_DEBUG=1 $(GQ) runserver $(HOST):$(PORT)

# The whole suite on SQLite (DATABASE_URL, when set, points it at PostgreSQL); browser tests skip
# with a message when Chromium or the CJK fonts are missing.
test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not browser" -x

test-browser: install
	$(BIN)/python -m pytest -m browser

lint: install
	$(BIN)/ruff check src tests benchmarks
	GONGQIANG_EPHEMERAL_KEY=1 $(GQ) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var/test var/screenshots
