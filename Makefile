# Two commands on a fresh machine: `make run` (quickstart) and `make test`.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test lint server chromium clean-runs

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=24"
	$(PY) -m pip install -q -c constraints.txt -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/synthaug run configs/quickstart.yaml

test: $(STAMP)
	$(PY) -m pytest --durations=15 $(PYTEST_ARGS)

# ruff, then the import-linter contracts of pyproject.toml (layers; the library never imports prefect).
lint: $(STAMP)
	$(VENV)/bin/ruff check src pipelines tests benchmarks
	$(VENV)/bin/lint-imports

# Local Prefect server and UI on 127.0.0.1:$(PREFECT_PORT). On a port other than 4200 the UI must be
# told where the API is (PREFECT_UI_API_URL), or it calls port 4200 and shows "Can't connect to Server API".
# Clients (synthaug deploy/trigger, prefect worker) need PREFECT_API_URL=http://127.0.0.1:$(PREFECT_PORT)/api.
PREFECT_PORT ?= 4200
server: $(STAMP)
	PREFECT_SERVER_ANALYTICS_ENABLED=false PREFECT_UI_API_URL=http://127.0.0.1:$(PREFECT_PORT)/api \
	  $(VENV)/bin/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT)

# Headless Chromium for the Prefect UI test (Debian's package; CI runs as root). No-op when present.
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || \
	  echo "warning: chromium could not be installed (needs root and apt); the UI test will be skipped"

clean-runs:
	rm -rf data/runs data/cache
