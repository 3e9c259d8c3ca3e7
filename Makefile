# The two commands the README promises: `make demo` and `make test`.
# Both build .venv on first use (and again when pyproject.toml changes).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint docs schemas bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/python scripts/gen_cli_docs.py

schemas: $(STAMP)
	$(BIN)/python scripts/gen_schemas.py

bench: $(STAMP)
	$(BIN)/python bench/emulator.py
	$(BIN)/python bench/plan_scale.py
	$(BIN)/python bench/eval_concurrency.py

clean:
	rm -rf $(VENV) .agentform dist build .pytest_cache .mypy_cache .ruff_cache
