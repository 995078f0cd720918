# Rollcall: two commands on a fresh machine.
#   make run   set up, build the demo trust if there is no database, start the app
#   make test  set up (with Debian's chromium for the browser tests), lint, type-check, run the whole suite
#   make screenshots  every page of every role, screen by screen, into screenshots/

SHELL := /bin/bash
.DEFAULT_GOAL := run
DB ?= data/rollcall.duckdb
PORT ?= 8501
# Demo mode serves the database without sign-in only when it is the untouched demo trust.
DEMO ?= 1
# uv, wherever pip put it: on PATH, or run as a module of the Python that installed it.
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)

.PHONY: run test setup uv chromium demo bench load screenshots clean

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

setup: uv
	$(UV) sync --locked

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

$(DB):
	$(UV) run rollcall demo --db $(DB)

demo: setup
	$(UV) run rollcall demo --db $(DB) --force

run: setup $(DB)
	ROLLCALL_DB=$(DB) ROLLCALL_DEMO=$(DEMO) $(UV) run streamlit run app.py --server.port $(PORT) --server.headless true

test: setup chromium
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy analytics
	$(UV) run pytest

bench: setup $(DB)
	$(UV) run python benchmarks/pages.py --db $(DB)

# Eight signed-in browser sessions of mixed roles for five minutes on a demo trust built afresh;
# fails on a stall or a page error (benchmarks/load.py --help for its options).
load: setup chromium
	$(UV) run python benchmarks/load.py --sessions 8 --seconds 300

# Every screen of every page of every role at 1440x900, on a demo trust built afresh (or DB=...
# SCREENSHOTS_DB), into screenshots/ for a person to read one by one.
SCREENSHOTS ?= screenshots
screenshots: setup chromium
	$(UV) run python -m tests.e2e.review --out $(SCREENSHOTS) $(if $(SCREENSHOTS_DB),--db $(SCREENSHOTS_DB),)

clean:
	rm -rf .pytest_cache .hypothesis .mypy_cache
