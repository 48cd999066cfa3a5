# Two commands matter: `make run` and `make test`. Everything else is for developers.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/lib/chromium/chromium
PGBOUNCER := /usr/sbin/pgbouncer
# The tests that run a second time with the app reaching PostgreSQL through PgBouncer.
PGBOUNCER_TESTS := tests/test_mutations.py tests/test_graphql_queries.py tests/test_rest.py \
	tests/test_rest_params.py tests/test_rest_routes.py

.PHONY: install run test pytest pytest-pgbouncer lint fmt browser pgbouncer debian-packages wrk schema schema-check \
	clean bench bench-topology bench-feed

$(STAMP): pyproject.toml client/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pip install -q -e ./client
	touch $(STAMP)

# The MLflow importer's tests run MLflow in a venv of its own: its graphene needs
# graphql-core < 3.3, Strawberry >= 3.3.
MLFLOW_VENV := .venv-mlflow
MLFLOW_STAMP := $(MLFLOW_VENV)/.installed

$(MLFLOW_STAMP): client/pyproject.toml
	test -x $(MLFLOW_VENV)/bin/python || $(PYTHON) -m venv $(MLFLOW_VENV)
	$(MLFLOW_VENV)/bin/python -m pip install -q -e './client[mlflow]'
	touch $(MLFLOW_STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m app serve

# Once the project's venv is there, lint, the MLflow venv and Debian's packages go side by
# side (the MLflow venv waits for it: both install ./client, which writes into client/).
test: $(STAMP)
	$(MAKE) -j3 lint $(MLFLOW_STAMP) debian-packages
	$(MAKE) pytest pytest-pgbouncer

# Test files are spread over PYTEST_WORKERS processes (pytest-xdist), each file whole on one,
# so a module's server or fixtures start once; each process has its own PostgreSQL.
PYTEST_WORKERS ?= 2
XDIST := -n $(PYTEST_WORKERS) --dist loadfile

pytest: $(STAMP) $(MLFLOW_STAMP)
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# PgBouncer in transaction mode between the app and PostgreSQL (tests/conftest.py: app_db).
pytest-pgbouncer: $(STAMP)
	TEST_PGBOUNCER=1 $(BIN)/python -m pytest $(XDIST) $(PGBOUNCER_TESTS)

lint: $(STAMP)
	$(BIN)/ruff check app tests client examples
	$(BIN)/ruff format --check app tests client examples
	$(BIN)/mypy
	cd client && ../$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff format app tests client examples
	$(BIN)/ruff check --fix app tests client examples

schema: $(STAMP)
	$(BIN)/python -m app schema > schema.graphql

schema-check: $(STAMP)
	$(BIN)/python -m app schema | diff -u schema.graphql - \
		|| { echo "schema.graphql is stale: run make schema"; exit 1; }

# Debian packages the tests need, installed when missing and the machine allows it: one
# apt-get for all of them (two at once would fight over dpkg's lock).
apt_install = missing="$(strip $(1))"; [ -z "$$missing" ] || { command -v apt-get >/dev/null \
	&& [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -qq $$missing >/dev/null) \
	|| echo "note: $$missing is not installed and cannot be installed here"; }
CHROMIUM_PACKAGE = $(if $(wildcard $(CHROMIUM)),,chromium)
PGBOUNCER_PACKAGE = $(if $(wildcard $(PGBOUNCER)),,pgbouncer)

# Browser tests drive Debian's Chromium; the replica and PgBouncer tests run its pgbouncer.
browser:
	@$(call apt_install,$(CHROMIUM_PACKAGE))

pgbouncer:
	@$(call apt_install,$(PGBOUNCER_PACKAGE))

debian-packages:
	@$(call apt_install,$(CHROMIUM_PACKAGE) $(PGBOUNCER_PACKAGE))

clean:
	rm -rf $(VENV) $(MLFLOW_VENV) data .pytest_cache .mypy_cache .ruff_cache

# Side-by-side benchmark: the registry, PostGraphile v4 and a hand-written floor on one
# generated catalog (bench/results/LATEST.md), then the same reads direct, through PgBouncer and
# through a replica (bench/results/TOPOLOGY.md; BENCH_TOPOLOGY=0 skips it). Needs Node (for
# PostGraphile) and wrk, which is installed from Debian when missing. Settings: see
# bench/README.md; `make bench BENCH_BASELINE=main` also runs main's registry beside ours.
bench: $(STAMP) pgbouncer wrk
	$(BIN)/python -m bench.run
	@[ "$(BENCH_TOPOLOGY)" = 0 ] || $(BIN)/python -m bench.topology

wrk:
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "bench: wrk is not installed and cannot be installed here"; exit 1; }

# The same reads direct, through PgBouncer and through a streaming replica (bench/topology.py);
# writes bench/results/TOPOLOGY.md.
bench-topology: $(STAMP) pgbouncer wrk
	$(BIN)/python -m bench.topology

# The change feed under load: 200 WebSocket subscribers on one server while registrations
# arrive at a fixed rate; prints latency, RSS and CPU per registration (bench/README.md).
bench-feed: $(STAMP)
	$(BIN)/python -m bench.feed
