# The two commands: `make run` (embedded demo) and `make test` (whole suite on real services).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | sha1sum | cut -c1-12)
TEST_STAMP := $(VENV)/.installed-test-$(shell cat requirements.txt requirements-test.txt | sha1sum | cut -c1-12)
PYTEST_WORKERS ?= 2
# axe-core, the accessibility checker the browser tests inject into each page
# (tests/e2e/axe.py); from npm, into the venv (git-ignored, wiped by `make clean`).
AXE_VERSION := 4.14.1
AXE_JS := $(VENV)/axe-core-$(AXE_VERSION)/node_modules/axe-core/axe.min.js

.PHONY: run test lint typecheck services venv clean

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements.txt
	@rm -f $(VENV)/.installed-[0-9a-f]* && touch $(STAMP)

# The quality gates and test tools come on top of the runtime, for `make test` only.
$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements-test.txt
	@rm -f $(VENV)/.installed-test-* && touch $(TEST_STAMP)

# Only when missing: a second `make test` does not touch the network for it.
$(AXE_JS):
	npm install --prefix $(VENV)/axe-core-$(AXE_VERSION) --no-save --no-audit --no-fund --no-package-lock \
		--loglevel=error axe-core@$(AXE_VERSION)

venv: $(STAMP)

run: $(STAMP)
	$(PY) app.py run

services:
	bash deploy/dev/ensure-services.sh

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

typecheck: $(TEST_STAMP)
	$(VENV)/bin/mypy app.py backend portal ledger reports notifications sql tests bench deploy/grafana/generate.py deploy/grafana/generator

test: $(TEST_STAMP) services $(AXE_JS) lint typecheck
	AXE_CORE_JS=$(AXE_JS) $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=15

clean:
	rm -rf $(VENV) var tests/artifacts .mypy_cache .ruff_cache
