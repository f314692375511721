# Two commands: `make lab` to learn, `make test` to check everything.
# Each creates .venv on first use and reinstalls only when pyproject.toml changes.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=
# JupyterLab refuses to start as root (as in many containers) unless told it may
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test bench

lab: $(VENV)/.installed-lab
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb $(LAB_ROOT) $(ARGS)

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# The benchmarks (never part of `make test`): each prints a markdown table; see benchmarks/README.md
bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/bench_micrograd.py
	$(BIN)/python benchmarks/bench_digits.py
	$(BIN)/python benchmarks/bench_throughput.py
	$(BIN)/python benchmarks/bench_grading.py

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "Could not create a virtual environment with '$(PYTHON) -m venv'."; \
	  echo "On Debian/Ubuntu: sudo apt install python3-venv, then run make again."; exit 1; }

$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$*]"
	@touch $@
