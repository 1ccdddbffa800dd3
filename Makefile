# gridcore: build the book and run every check.
#
#   make book   execute all notebooks (profile "full") and build the HTML book
#   make test   lint, unit tests, notebooks (profile "ci"), book build, browser check
#
# Both create the virtual environment .venv on first use and reinstall it only
# when pyproject.toml changes. Outputs land in _build/ (see book/README.md).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BUILD := _build
STAGE := $(BUILD)/src
HTML := $(BUILD)/html

# Run the notebooks under a profile, then render the staged copies. The build
# executes nothing (execute_notebooks: off) and turns warnings into errors.
RUN_NOTEBOOKS = $(BIN)/python book/run_notebooks.py --out $(STAGE)
BUILD_BOOK = $(BIN)/jupyter-book build $(STAGE) --path-output . --all -W -n --keep-going

.PHONY: help venv book book-html notebooks lint pytest browser-check test clean experiments

help:
	@echo "make book   - execute the notebooks (profile full) and build $(HTML)/index.html"
	@echo "make test   - ruff, pytest, notebooks (profile ci), book build -W, browser check"
	@echo "make clean  - remove $(BUILD)/ (keeps $(VENV))"
	@echo "make experiments - run (or resume) every sweep in experiments/ (hours; WORKERS=2)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[book,dev,sweeps,rats,rl]'
	@touch $@

venv: $(STAMP)

# PROFILE=ci make notebooks, or make notebooks PROFILE=ci
PROFILE ?= full
notebooks: venv
	$(RUN_NOTEBOOKS) --profile $(PROFILE)

# Every sweep in experiments/*.yaml into experiments/<name>/, headline-quick first (other specs
# reuse its trials). Finished trials are skipped, so this also resumes. WORKERS=16 for a bigger
# machine, ADDRESS=host:port for a Ray cluster.
WORKERS ?= 2
ADDRESS ?=
experiments: venv
	@status=0; \
	for name in headline-quick $$(ls experiments/*.yaml | xargs -n1 basename | sed 's/\.yaml$$//' | grep -vx headline-quick); do \
	  echo "== experiments/$$name"; \
	  $(BIN)/python -m gridcore sweep experiments/$$name.yaml --out experiments/$$name \
	    --workers $(WORKERS) $(if $(ADDRESS),--address $(ADDRESS)) --quiet || status=1; \
	done; exit $$status

book-html: venv
	$(BUILD_BOOK)
	@echo "Book built: $(HTML)/index.html"

book: venv
	$(RUN_NOTEBOOKS) --profile full
	$(BUILD_BOOK)
	@echo "Book built: $(HTML)/index.html  (open it in a browser, or: $(BIN)/python -m http.server -d $(HTML))"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pytest exits 5 when it collects no test; that is a failure here.
pytest: venv
	$(BIN)/python -m pytest

# The browser check drives headless Chromium: Debian's (installed with apt-get when missing and
# we are root), or else Playwright's; .ci/find_browser.sh says what to install when neither works.
browser-check: venv
	@chromium=$$(.ci/find_browser.sh $(BIN)/python); \
	$(BIN)/python .ci/browser_check.py $(HTML) --screenshots $(BUILD)/screenshots --chromium "$$chromium"

test: venv
	@.ci/find_browser.sh $(BIN)/python >/dev/null
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory pytest
	$(RUN_NOTEBOOKS) --profile ci
	$(BUILD_BOOK)
	$(MAKE) --no-print-directory browser-check

clean:
	rm -rf $(BUILD)
