# SLAOps — the two commands (SPEC S26): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

## Run the whole product on this machine: web, worker and scheduler (Ctrl-C stops all).
run: $(STAMP)
	DEBUG=$${DEBUG:-1} PORT=$(PORT) $(BIN)/python -m slaops.devrun

## Run the whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy --strict --follow-imports=silent --ignore-missing-imports scoring/engine.py sla/clock.py sla/calendar.py

## Benchmark against Postgres and Redis (see bench/README.md).
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .run db.sqlite3 db.sqlite3-wal db.sqlite3-shm
