# The two commands the README promises: `make demo` and `make test`.
# Both install exactly the versions in uv.lock into .venv first (`uv sync --locked`, a
# no-op when nothing changed). uv itself is bootstrapped into .tools/ when it is not
# on PATH, so a machine needs only Python >= 3.10 and make.

PYTHON     ?= python3
UV_VERSION := 0.13.9
VENV       := .venv
BIN        := $(VENV)/bin
UV         ?= $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
# Never download a Python: use the one on this machine.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)

.PHONY: demo test test-fast lint docs schemas bench sdk-drift test-sdk-range sync clean

# Bytecode is compiled at install: this machine sets PYTHONDONTWRITEBYTECODE, so without
# it every command would compile the SDK again (+0.7 s per process).
sync: $(UV)
	@$(UV) sync --locked --extra dev --quiet --compile-bytecode
	@$(BIN)/python -m compileall -q cli >/dev/null

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet 'uv==$(UV_VERSION)'

demo: sync
	$(BIN)/python scripts/demo.py

test: sync lint
	$(BIN)/python -m pytest -n auto

# The suite without the subprocess-heavy tests (marked `slow`): for the edit loop.
test-fast: sync
	$(BIN)/python -m pytest -n auto -m 'not slow'

lint: sync
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

docs: sync
	$(BIN)/python scripts/gen_cli_docs.py

schemas: sync
	$(BIN)/python -m schemagen

bench: sync
	$(BIN)/python bench/emulator.py
	$(BIN)/python bench/plan_scale.py
	$(BIN)/python bench/apply_scale.py
	$(BIN)/python bench/eval_concurrency.py
	$(BIN)/python bench/eval_scale.py
	$(BIN)/python bench/command_costs.py

# Report (never fail) when the newest anthropic SDK on the registry would change schemas/.
sdk-drift: $(UV)
	$(BIN)/python scripts/sdk_range.py drift --uv $(UV)

# The declared anthropic range is the tested range: the suite on the oldest and the newest.
test-sdk-range: $(UV)
	$(BIN)/python scripts/sdk_range.py test --uv $(UV)

clean:
	rm -rf $(VENV) .tools .venv-sdk .agentform dist build .pytest_cache .mypy_cache .ruff_cache
