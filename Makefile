# Two commands for a newcomer: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench setup system clean

run: setup
	@$(PY) -m assistant model check >/dev/null 2>&1 || $(PY) -m assistant model download || true
	$(PY) -m assistant

test: setup
	$(VENV)/bin/ruff check assistant
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

bench: setup
	$(PY) -m bench

setup: system $(STAMP)

system:
	@bash scripts/setup-system.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV)
