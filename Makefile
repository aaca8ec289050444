# The README's commands. `make demo` installs and serves the example; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint gate bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: install
	$(BIN)/sentinel demo

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check sentinel scanner sentinel_bandit tests examples bench
	$(BIN)/ruff format --check sentinel scanner sentinel_bandit tests examples bench
	$(BIN)/mypy --strict sentinel scanner sentinel_bandit
	$(BIN)/bandit --quiet --recursive sentinel scanner sentinel_bandit --severity-level medium

# The CI security gate on our own code and the hardened example app (docs/ci.md). The password is
# examples/app.py's documented demo credential, not a secret.
gate: install
	SENTINEL_GATE_PASSWORD='correct horse battery staple' $(BIN)/sentinel gate

bench: install
	$(BIN)/python -m bench
