# Set-up commands that work on a fresh machine with only Python 3.11+:
#   make demo   create .venv, install meio, solve the bundled demo instance, print a summary
#   make test   install the test dependencies and run the whole test suite
#   make docs   build the documentation site into site/ (mkdocs-material, strict)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test clean docs

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,ray,docs]"  # ray: --engine ray is tested; docs: the site is built
	touch $@

demo: $(VENV)/.installed
	$(BIN)/meio info demo --no-model
	$(BIN)/meio solve demo --method extensive --backend highs --out results/demo

$(VENV)/.installed-docs: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $@

test: $(VENV)/.installed-test
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)  # headless browser of the report test
	command -v glpsol >/dev/null || (apt-get update && apt-get install -y glpk-utils)  # GLPK for --backend pyomo:glpk
	$(BIN)/ruff check meio tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

docs: $(VENV)/.installed-docs
	$(BIN)/python -m meio.data.format_doc > docs/data-format.md
	$(BIN)/python scripts/cli_reference.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict  # not --quiet: with it a warning does not fail the build

clean:
	rm -rf $(VENV) results site .pytest_cache .hypothesis
