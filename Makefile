# Two entry points: `make run` starts the app, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_APP := $(VENV)/.installed-app
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test lint bench report browser-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_APP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(STAMP_APP)
	$(BIN)/streamlit run app.py

# Debian's Chromium drives the browser tests; a CJK font lets the point names render.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "Chromium is missing and cannot be installed here: browser tests will be skipped (CI fails instead)."; \
	  fi; \
	fi

lint: $(STAMP_DEV)
	$(BIN)/ruff check .

test: $(STAMP_DEV) browser-deps serving-deps lint
	$(BIN)/python -m pytest

report: $(STAMP_DEV)
	$(BIN)/python -m acupoints.report

bench: $(STAMP_DEV) browser-deps serving-deps
	$(BIN)/python -m bench

# Serving many readers: nginx balances REPLICAS (default 2) app processes that supervisord
# runs and restarts, on PORT (default 8080) of HOST (default 127.0.0.1). Ctrl-C stops it all.
.PHONY: serve serving-deps
serving-deps:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] || ! command -v supervisord >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx supervisor >/dev/null; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx supervisor >/dev/null; \
	  else \
	    echo "nginx or supervisord is missing and cannot be installed here (not root): run 'sudo apt-get install nginx supervisor'. The serving tests will be skipped (CI fails instead)."; \
	  fi; \
	fi

serve: $(STAMP_APP) serving-deps
	$(BIN)/python -m deploy.serve
