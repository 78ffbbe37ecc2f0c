# Two entry points for a fresh machine: `make demo` and `make test`. Each creates .venv if missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo serve test lint bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/anbudsradar demo

serve: $(STAMP)
	$(BIN)/anbudsradar serve --demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/anbudsradar bench parse ../shared/data/real/eforms ../shared/data/real/ted-legacy ../shared/data/real/ocds
	$(BIN)/anbudsradar bench tag
	$(BIN)/anbudsradar bench crawl

clean:
	rm -rf var .pytest_cache .ruff_cache
