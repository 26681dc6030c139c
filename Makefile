# Two commands on a fresh machine with Python 3.11:
#   make report   set up .venv, install cxkit, run the main job on the bundled sample data
#   make test     set up .venv, install cxkit, run the whole test suite
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.cxkit-installed
OUT    ?= build/report

.PHONY: report test bench setup clean help

help:
	@echo "make report  - run the report batch on data/sample (output in $(OUT))"
	@echo "make test    - run the test suite"
	@echo "make bench   - run the performance benchmark (slow; not part of make test)"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "cxkit: no python3 found; install Python 3.11"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cxkit needs Python 3.11 or newer, found " + sys.version.split()[0])'
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "cxkit: Python's venv module is missing; on Debian/Ubuntu: sudo apt install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[notebooks,test,dask]'
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/cxkit report --data data/sample --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf build .pytest_cache
