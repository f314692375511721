# Two commands: `make lab` to learn, `make test` to check everything.
# Each creates .venv on first use and reinstalls only when pyproject.toml changes.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: lab test test-nbgrader test-wheel test-browser bench site instructor slides gradescope-dry-run

# JupyterLab rooted at the clone (lessons and exercises both), open at the start page;
# ARGS go to JupyterLab: make lab ARGS="--no-browser --port 8890"
lab: $(VENV)/.installed-lab
	$(BIN)/bp-lessons lab . $(ARGS)

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto --dist loadfile  # a worker per core and one more (conftest.py); a notebook's cells stay together

# A real nbgrader course built from exercises/source, graded three ways (CI runs it after test)
test-nbgrader: $(VENV)/.installed-test $(VENV)/.installed-nbgrader
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -p no:cacheprovider --nbgrader -m nbgrader tests

# The wheel in a fresh venv: `bp-lessons copy`, then every lesson run from the copy (CI runs it)
test-wheel: $(VENV)/.installed-test
	$(BIN)/pytest -p no:cacheprovider --wheel -m wheel tests/test_wheel.py

# A learner's first hour in Chromium: make lab (and a bp-lessons copy) to a first tick (CI runs
# it; needs Debian's chromium: apt install chromium)
test-browser: $(VENV)/.installed-test $(VENV)/.installed-lab $(VENV)/.installed-browser
	$(BIN)/pytest -p no:cacheprovider --browser -m browser tests/test_browser.py

# The benchmarks (never part of `make test`): each prints a markdown table; see benchmarks/README.md
bench: $(VENV)/.installed-bench $(VENV)/.installed-nbgrader
	$(BIN)/python benchmarks/bench_micrograd.py
	$(BIN)/python benchmarks/bench_digits.py
	$(BIN)/python benchmarks/bench_throughput.py
	$(BIN)/python benchmarks/bench_grading.py
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python benchmarks/bench_nbgrader.py

# The lessons and the exercises as a static website in _build/site, with the outputs they were
# saved with (nothing runs); fails on any Sphinx warning or broken link between its pages, then
# on what tests/test_site.py finds in it (formulas typeset in Chromium with the network off, ...)
site: $(VENV)/.installed-site $(VENV)/.installed-test $(VENV)/.installed-browser
	rm -rf _build/site _build/doctrees
	$(BIN)/sphinx-build -W --keep-going -q -c site -d _build/doctrees . _build/site
	$(BIN)/python tools/check_links.py _build/site
	BP_SITE=_build/site $(BIN)/pytest -p no:cacheprovider tests/test_site.py

# The PRIVATE instructor build in _build/instructor (never publish it): the guide, the executed
# solutions, answer keys, rubrics, the quiz bank (exported to GIFT and QTI), problem sets and
# lab plans; fails on any Sphinx warning or broken link between its pages
instructor: $(VENV)/.installed-instructor
	rm -rf _build/instructor _build/doctrees-instructor
	$(BIN)/sphinx-build -W --keep-going -q -c instructor -d _build/doctrees-instructor . _build/instructor
	$(BIN)/python tools/check_links.py _build/instructor

# A Gradescope dry run here: the autograder zip built, setup.sh's self-test
# and run_autograder run in _build/gradescope-dry-run (laid out as Gradescope's /autograder) on
# an exercise's reference solutions and its student copy, each results.json shown; options:
# make gradescope-dry-run ARGS="--exercise 04_chain_rule --submission my.ipynb"
gradescope-dry-run: $(VENV)/.installed-test
	$(BIN)/python tools/gradescope_dry_run.py $(ARGS)

# A reveal.js deck per lesson in _build/slides, from a copy of each lesson whose cells
# tools/slides.py chooses (the lessons are not edited, nothing runs); reveal.js (npm pack of a
# pinned version, so npm is needed) and MathJax lie beside the decks, which open from disk with
# the network off; then what tests/test_slides.py finds in them (one deck in Chromium, offline)
slides: $(VENV)/.installed-slides $(VENV)/.installed-test $(VENV)/.installed-browser
	rm -rf _build/slides
	$(BIN)/python tools/slides.py _build/slides
	BP_SLIDES=_build/slides $(BIN)/pytest -p no:cacheprovider tests/test_slides.py

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "Could not create a virtual environment with '$(PYTHON) -m venv'."; \
	  echo "On Debian/Ubuntu: sudo apt install python3-venv, then run make again."; exit 1; }

$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$*]"
	@touch $@
