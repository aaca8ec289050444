# The README's commands. `make demo` installs and serves the example; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench

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
	$(BIN)/ruff check sentinel scanner tests examples bench
	$(BIN)/ruff format --check sentinel scanner tests examples bench
	$(BIN)/mypy --strict sentinel scanner
	$(BIN)/bandit --quiet --recursive sentinel scanner --severity-level medium

bench: install
	$(BIN)/python -m bench
