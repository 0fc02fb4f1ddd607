# Two entry points: `make run` starts the app, `make test` runs every test.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
# A recipe that fails leaves no half-made target for the next run to trust.
.DELETE_ON_ERROR:
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_APP := $(VENV)/.installed-app
STAMP_DEV := $(VENV)/.installed-dev
# Exact versions with their hashes, compiled from the ranges in requirements*.txt (make lock).
APP_LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
UV_VERSION := 0.13.8

.PHONY: run test test-fast lint bench report browser-deps python-check venv-deps lock

# $(call apt_install,PACKAGES): install Debian packages as root, or through sudo where it
# asks no password; otherwise say what to run. It never fails: the caller checks again.
define apt_install
if ! command -v apt-get >/dev/null; then \
  echo "This machine has no apt-get: install $(1) with its own package manager."; \
elif [ "$$(id -u)" = 0 ]; then \
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null || true; \
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null || true; \
else \
  echo "Not root: run 'sudo apt-get install $(1)'."; \
fi
endef

python-check:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  found=$$(command -v $(PYTHON) >/dev/null && $(PYTHON) --version 2>&1 || echo "not installed"); \
	  echo "The atlas needs Python 3.11 or newer; '$(PYTHON)' is $$found."; \
	  echo "Install it (Debian 12: apt-get install python3) or name another: make PYTHON=python3.12 ..."; \
	  exit 1; }

# Debian splits venv and ensurepip out of its python3 into python3-venv.
venv-deps: python-check
	@if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  $(call apt_install,python3-venv); \
	  $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	    echo "'$(PYTHON) -m venv' cannot work here: install python3-venv and run make again."; exit 1; }; \
	fi

# A venv that failed half-way is removed whole, so the next run starts clean instead of
# trusting a .venv without pip.
$(BIN)/python: | venv-deps
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip || { rm -rf $(VENV); exit 1; }

$(STAMP_APP): $(APP_LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(APP_LOCK)
	touch $@

$(STAMP_DEV): $(DEV_LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	touch $@

# After editing requirements*.txt: compile the exact versions and their hashes again.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	  requirements.txt -o $(APP_LOCK)
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	  requirements-dev.txt -c $(APP_LOCK) -o $(DEV_LOCK)

run: $(STAMP_APP)
	$(BIN)/streamlit run app.py

# Debian's Chromium drives the browser tests; a CJK font lets the point names render.
CJK_FONTS := wenquanyi\|noto sans cjk
has_chromium = [ -x /usr/bin/chromium ]
has_cjk_font = fc-list 2>/dev/null | grep -i '$(CJK_FONTS)' >/dev/null
browser-deps:
	@missing=""; \
	$(has_chromium) || missing="chromium"; \
	$(has_cjk_font) || missing="$$missing fonts-wqy-microhei"; \
	if [ -n "$$missing" ]; then $(call apt_install,$$missing); fi; \
	$(has_chromium) || echo "Chromium is missing (/usr/bin/chromium): the browser tests will be skipped (CI fails instead)."; \
	$(has_cjk_font) || echo "No CJK font (fonts-wqy-microhei): the browser tests run, but Chinese point names draw as empty boxes."

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(STAMP_DEV) browser-deps serving-deps lint
	$(BIN)/python -m pytest

# The quick loop while editing: unit and AppTest tests only, no browser and no load test.
test-fast: $(STAMP_DEV)
	$(BIN)/python -m pytest -m "not browser"

report: $(STAMP_DEV)
	$(BIN)/python -m acupoints.report

bench: $(STAMP_DEV) browser-deps serving-deps
	$(BIN)/python -m bench

# Serving many readers: nginx balances REPLICAS (default 2) app processes that supervisord
# runs and restarts, on PORT (default 8080) of HOST (default 127.0.0.1). Ctrl-C stops it all.
.PHONY: serve serving-deps
serving-deps:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] || ! command -v supervisord >/dev/null || ! command -v openssl >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx supervisor openssl >/dev/null; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx supervisor openssl >/dev/null; \
	  else \
	    echo "nginx, supervisord or openssl is missing and cannot be installed here (not root): run 'sudo apt-get install nginx supervisor openssl'. The serving tests will be skipped (CI fails instead)."; \
	  fi; \
	fi

serve: $(STAMP_APP) serving-deps
	$(BIN)/python -m deploy.serve
