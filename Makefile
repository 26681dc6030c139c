# Two commands on a fresh machine with Python 3.11:
#   make report   set up .venv with what reports need, run the main job on the bundled sample data
#   make test     set up .venv with everything (report, lab, dask and test extras), run the whole test suite
# Versions come from constraints.txt, so a report is made with the same libraries on every machine.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet -c constraints.txt
OUT    ?= build/report

.PHONY: report test bench lock setup clean help

help:
	@echo "make report  - run the report batch on data/sample (output in $(OUT))"
	@echo "make test    - run the test suite"
	@echo "make bench   - run the performance benchmark (slow; not part of make test)"
	@echo "make lock    - pin the versions of every dependency again (constraints.txt)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "cxkit: no python3 found; install Python 3.11"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cxkit needs Python 3.11 or newer, found " + sys.version.split()[0])'
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "cxkit: Python's venv module is missing; on Debian/Ubuntu: sudo apt install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# what reports need: cxkit and its 'report' extra
$(VENV)/.cxkit-report: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e '.[report]'
	@touch $@

# everything: the report, lab, dask and test extras
$(VENV)/.cxkit-test: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e '.[report,lab,dask,test]'
	@touch $@ $(VENV)/.cxkit-report

setup: $(VENV)/.cxkit-test

report: $(VENV)/.cxkit-report
	$(BIN)/cxkit report --data data/sample --out $(OUT)

test: $(VENV)/.cxkit-test
	$(BIN)/python -m pytest

bench: $(VENV)/.cxkit-test
	$(BIN)/python bench/run.py $(if $(BASELINE),--baseline $(BASELINE))

# a fresh environment without constraints, then its versions written down
lock:
	rm -rf build/lock-venv
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --upgrade pip
	build/lock-venv/bin/python -m pip install --quiet '.[report,lab,dask,test]'
	{ sed -n '1,2p' constraints.txt; build/lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^cxkit' | sort -f; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf build/lock-venv

clean:
	rm -rf build .pytest_cache
