# The two commands a newcomer needs: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
VAR := $(CURDIR)/var
RUN_PG := $(VAR)/pg
TEST_PG := $(VAR)/test-pg
RUN_PORT ?= 54320
TEST_PORT ?= 54329
CONFIG ?= $(CURDIR)/config.toml
DEBIAN_PACKAGES := libpq-dev libcurl4-openssl-dev postgresql pkg-config python3-aiosmtpd
SWIFT_BUILD_FLAGS ?=
BIN := .build/debug/clauses

.PHONY: deps build run test bench clean stop

## deps: install the Debian packages the build, the tests and `make run` need (only those missing).
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

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

## test: a throw-away PostgreSQL cluster, then the whole suite.
test: deps
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
	test $${PIPESTATUS[0]} -eq 0

clean:
	rm -rf .build $(VAR)
