# The two commands a newcomer needs: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
VAR := $(CURDIR)/var
RUN_PG := $(VAR)/pg
TEST_PG := $(VAR)/test-pg
RUN_PORT ?= 54320
TEST_PORT ?= 54329
CONFIG ?= $(CURDIR)/config.toml
DEBIAN_PACKAGES := libpq-dev libcurl4-openssl-dev postgresql pkg-config python3-aiosmtpd python3-croniter python3-venv curl openssl tzdata
SWIFT_BUILD_FLAGS ?=
BIN := .build/debug/clauses
# `make bench`: release binary, private cluster and database (see docs/benchmarks.md). Parameters such as
# BENCH_SCALE=0.1, BENCH_REUSE=1, BENCH_LOT_SAMPLES=… pass through the environment to bench/*.py.
CLAUSES_BIN ?= .build/release/clauses
BENCH_PG := $(VAR)/bench-pg
BENCH_PORT ?= 54330
BENCH_DB ?= clauses_bench
BENCH_BUILD ?= 1

# The OpenAPI fuzzer and Selenium, from PyPI, in a virtual environment of their own under var/.
VENV := $(VAR)/venv
SCHEMATHESIS_VERSION := 4.32.5
SCHEMATHESIS := $(VENV)/bin/schemathesis
SELENIUM_VERSION := 4.51.0
SELENIUM := $(VENV)/lib/.selenium-$(SELENIUM_VERSION)
# The browser walk's headless Chromium and its driver, from Debian: installed together so their versions match;
# poppler-utils reads back the printed bilan's PDF, and the bilan's font (DejaVu) is installed so that its page
# breaks do not depend on the machine's fonts.
BROWSER_PACKAGES := chromium chromium-driver poppler-utils fonts-dejavu-core
FUZZ_SECONDS ?= 15
FUZZ_LONG_SECONDS ?= 300

.PHONY: deps browser-deps build run lint test browser fuzz bench clean stop

## deps: install the Debian packages the build, the tests and `make run` need (only those missing).
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## browser-deps: Debian's chromium and chromium-driver, in one apt-get call (same version), when either is missing.
browser-deps:
	@if ! dpkg -s $(BROWSER_PACKAGES) >/dev/null 2>&1; then \
	  echo "Installing: $(BROWSER_PACKAGES)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	fi

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

$(SCHEMATHESIS): | deps
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q schemathesis==$(SCHEMATHESIS_VERSION)

$(SELENIUM): | $(SCHEMATHESIS)
	$(VENV)/bin/pip install -q selenium==$(SELENIUM_VERSION)
	touch $@

## run: the service with demo data on http://127.0.0.1:8080 (private PostgreSQL under ./var unless a URL is configured).
run: build
	@set -e; \
	if [ -z "$$CLAUSES_DATABASE_URL" ] && ! grep -Eq '^url = "[^"]+"' $(CONFIG); then \
	  scripts/pg.sh start $(RUN_PG) $(RUN_PORT); \
	  export CLAUSES_DATABASE_URL=$$(scripts/pg.sh url $(RUN_PG) $(RUN_PORT) postgres); \
	  psql "$$CLAUSES_DATABASE_URL" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'clauses'" | grep -q 1 \
	    || psql "$$CLAUSES_DATABASE_URL" -qc "CREATE DATABASE clauses"; \
	  export CLAUSES_DATABASE_URL=$$(scripts/pg.sh url $(RUN_PG) $(RUN_PORT) clauses); \
	fi; \
	$(BIN) migrate --config $(CONFIG); \
	$(BIN) demo load --config $(CONFIG) --if-empty; \
	echo; echo "  clauses : http://127.0.0.1:8080   (connexion de démonstration : facilitatrice@demo.clauses.fr / demo-clauses)"; echo; \
	exec $(BIN) serve --config $(CONFIG)

stop:
	scripts/pg.sh stop $(RUN_PG)

## lint: the committed .swift-format style (the toolchain's `swift format`); `swift format --in-place -r Sources Tests` fixes it.
lint:
	swift format lint --strict --recursive --parallel Sources Tests Package.swift

## test: the style check, a throw-away PostgreSQL cluster, then the whole suite, then the OpenAPI fuzzer (one role at a time,
## FUZZ_SECONDS each, fixed seed), then the browser walk (headless Chromium; screenshots in var/screenshots/).
test: lint deps browser-deps $(SCHEMATHESIS) $(SELENIUM)
	@set -e; \
	scripts/pg.sh stop $(TEST_PG); rm -rf $(TEST_PG); \
	scripts/pg.sh start $(TEST_PG) $(TEST_PORT); \
	trap 'scripts/pg.sh stop $(TEST_PG)' EXIT; \
	export CLAUSES_TEST_DATABASE_URL=$$(scripts/pg.sh url $(TEST_PG) $(TEST_PORT) postgres); \
	export CLAUSES_TEST_PG_DIR=$(TEST_PG); \
	swift build --build-tests $(SWIFT_BUILD_FLAGS); \
	swift test --skip-build $(SWIFT_BUILD_FLAGS) --skip PostgresRestartTests 2>&1 | tee $(VAR)/test.log; \
	test $${PIPESTATUS[0]} -eq 0; \
	echo "Restarting PostgreSQL under a live pool (run alone: it disturbs every connection)"; \
	swift test --skip-build $(SWIFT_BUILD_FLAGS) --filter PostgresRestartTests 2>&1 | tee -a $(VAR)/test.log; \
	test $${PIPESTATUS[0]} -eq 0; \
	echo "Fuzzing the served OpenAPI with schemathesis ($(FUZZ_SECONDS) s per role)"; \
	SCHEMATHESIS=$(SCHEMATHESIS) scripts/fuzz.sh $(FUZZ_SECONDS) 20261130; \
	echo "Walking the daily loop in headless Chromium (laptop and phone widths)"; \
	scripts/browser.sh "$$CLAUSES_TEST_DATABASE_URL" $(VENV)/bin/python

## browser: the browser walk alone, on its own throw-away cluster (after `swift build`).
browser: deps browser-deps $(SELENIUM)
	@set -e; \
	scripts/pg.sh stop $(TEST_PG); rm -rf $(TEST_PG); \
	scripts/pg.sh start $(TEST_PG) $(TEST_PORT); \
	trap 'scripts/pg.sh stop $(TEST_PG)' EXIT; \
	swift build $(SWIFT_BUILD_FLAGS); \
	scripts/browser.sh "$$(scripts/pg.sh url $(TEST_PG) $(TEST_PORT) postgres)" $(VENV)/bin/python

## fuzz: the same fuzzer, longer (FUZZ_LONG_SECONDS per role) and with a random seed.
fuzz: deps $(SCHEMATHESIS)
	@set -e; \
	scripts/pg.sh stop $(TEST_PG); rm -rf $(TEST_PG); \
	scripts/pg.sh start $(TEST_PG) $(TEST_PORT); \
	trap 'scripts/pg.sh stop $(TEST_PG)' EXIT; \
	export CLAUSES_TEST_DATABASE_URL=$$(scripts/pg.sh url $(TEST_PG) $(TEST_PORT) postgres); \
	swift build $(SWIFT_BUILD_FLAGS); \
	SCHEMATHESIS=$(SCHEMATHESIS) scripts/fuzz.sh $(FUZZ_LONG_SECONDS)

## bench: the benchmark (not a test): release build, a private cluster on port 54330, the synthetic territory
## loaded with COPY into a fresh `clauses_bench` (kept when BENCH_REUSE=1 and it holds the same load), then the
## measures; figures in var/bench/results.json. `make bench BENCH_SCALE=0.01` for a quick run. A reused database
## gets the migrations added since its load (bench/run.py prepares the data they need, e.g. the matching's).
bench: deps
	@set -e; \
	if [ "$(BENCH_BUILD)" != 0 ]; then swift build -c release $(SWIFT_BUILD_FLAGS); fi; \
	scripts/pg.sh start $(BENCH_PG) $(BENCH_PORT); \
	trap 'scripts/pg.sh stop $(BENCH_PG)' EXIT; \
	export BENCH_DATABASE_URL=$$(scripts/pg.sh url $(BENCH_PG) $(BENCH_PORT) $(BENCH_DB)); \
	export CLAUSES_DATABASE_URL=$$BENCH_DATABASE_URL CLAUSES_BIN=$(CLAUSES_BIN) CONFIG=$(CONFIG); \
	if [ "$(BENCH_REUSE)" = 1 ] && python3 bench/generate.py --check; then \
	  echo "Reusing the loaded database $(BENCH_DB)"; \
	  $(CLAUSES_BIN) migrate --config $(CONFIG); \
	else \
	  admin=$$(scripts/pg.sh url $(BENCH_PG) $(BENCH_PORT) postgres); \
	  psql "$$admin" -Xq -c "DROP DATABASE IF EXISTS $(BENCH_DB)" -c "CREATE DATABASE $(BENCH_DB)"; \
	  $(CLAUSES_BIN) migrate --config $(CONFIG); \
	  python3 bench/generate.py; \
	fi; \
	python3 bench/run.py

clean:
	rm -rf .build $(VAR)
