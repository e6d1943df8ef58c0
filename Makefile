# trailstrength — `make demo` runs the example pipeline, `make test` runs the tests.
# Both create .venv (Python 3.11+) when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(1)

.DEFAULT_GOAL := help
.PHONY: help demo test test-fast lab notebooks bench clean clean-data

help:  ## list every target
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(call STAMP,core): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(call STAMP,test): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(call STAMP,core)

$(call STAMP,notebooks): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[test,notebooks]"
	touch $@

demo: $(call STAMP,core)  ## simulate the example cohort, ingest, analyze, write figures + report (reports/demo)
	$(BIN)/trailstrength demo

test: $(call STAMP,test)  ## run the whole test suite (unit, end-to-end, notebooks)
	MPLBACKEND=Agg $(BIN)/python -m pytest -q

test-fast: $(call STAMP,test)  ## tests without the slow end-to-end runs
	MPLBACKEND=Agg $(BIN)/python -m pytest -q -m "not slow"

lab: $(call STAMP,notebooks)  ## open JupyterLab on notebooks/ (jupytext pairs the .py files)
	$(BIN)/jupyter lab notebooks

bench: $(call STAMP,test)  ## run the benchmarks and validation scripts (prints their tables)
	for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info

clean-data:  ## remove the demo output (reports/demo)
	rm -rf reports/demo
