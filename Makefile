# trailstrength — `make demo` runs the example pipeline, `make test` runs the tests.
# Both create .venv (Python 3.11+) when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(1)

.DEFAULT_GOAL := help
.PHONY: help demo test test-fast lint format docs lab bench bench-long clean clean-data

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

$(call STAMP,dev): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[test,dev,docs]"
	touch $@ $(call STAMP,core)

$(call STAMP,notebooks): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[test,notebooks]"
	touch $@

demo: $(call STAMP,core)  ## simulate the example cohort, ingest, analyze, write figures + report (reports/demo)
	$(BIN)/trailstrength demo

test: $(call STAMP,test)  ## run the whole test suite (unit, end-to-end, notebooks)
	MPLBACKEND=Agg $(BIN)/python -m pytest -q

test-fast: $(call STAMP,test)  ## tests without the slow end-to-end runs and Monte-Carlo checks (about 3 CPU-minutes)
	MPLBACKEND=Agg $(BIN)/python -m pytest -q -m "not slow and not montecarlo"

lint: $(call STAMP,dev)  ## ruff (lint + format check) and mypy against a baseline that only shrinks
	$(BIN)/ruff check src tests benchmarks notebooks tools docs
	$(BIN)/ruff format --check src tests benchmarks notebooks tools docs
	$(BIN)/python tools/mypy_baseline.py

format: $(call STAMP,dev)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix src tests benchmarks notebooks tools docs
	$(BIN)/ruff format src tests benchmarks notebooks tools docs

docs: $(call STAMP,dev)  ## API reference + gallery (Sphinx, warnings are errors) → docs/_build/html
	test -f reports/demo/figures/figures.json || $(BIN)/trailstrength demo
	$(BIN)/python tools/gallery.py reports/demo/figures docs
	rm -rf docs/_autosummary
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

lab: $(call STAMP,notebooks)  ## open JupyterLab on notebooks/ (jupytext pairs the .py files)
	$(BIN)/jupyter lab notebooks

# minutes each: the readers, ingest, terrain and model checks; the cohort-scale ones are in bench-long
BENCH_QUICK = bench_readers bench_ingest bench_terrain bench_panels validate_terrain model_recovery claims_recovery secondary_recovery
BENCH_LONG  = bench_scale pipeline_recovery h2_estimand

bench: $(call STAMP,test)  ## run the quicker benchmarks and validation scripts (prints their tables)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	for f in $(BENCH_QUICK); do echo "== $$f"; $(BIN)/python benchmarks/$$f.py || exit 1; done

bench-long: $(call STAMP,test)  ## cohort-scale benchmarks (100-athlete Dask ingest, end-to-end recovery; an hour or more)
	$(BIN)/python -m pip install --quiet -e ".[test,bench,scale]"
	for f in $(BENCH_LONG); do echo "== $$f"; $(BIN)/python benchmarks/$$f.py || exit 1; done

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info

clean-data:  ## remove the demo output (reports/demo)
	rm -rf reports/demo
