# The two commands of the README are `make dev` and `make test`; both set
# themselves up on a fresh machine (virtualenv, pinned packages, Chromium).

# The Lambda functions run on Python 3.13 (`chalice package` names the runtime
# after the Python it runs on), so .venv and every test use 3.13 too: found among
# pyenv's versions, else on PATH; PYTHON=/path/to/python3.13 overrides.
PYTHON_VERSION := 3.13
# pyenv's own versions come first: on PATH, pyenv puts a *shim* named python3.13
# that refuses to run while pyenv's global version is another one.
PYTHON ?= $(or $(lastword $(sort $(wildcard \
	$(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/$(PYTHON_VERSION)*/bin/python$(PYTHON_VERSION)))),$(shell command -v python$(PYTHON_VERSION) 2>/dev/null))
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-py$(PYTHON_VERSION)-$(shell cat requirements-dev.txt backend/requirements.txt | sha1sum | cut -c1-12)

.PHONY: test dev jobs roster bench lint typecheck site chromium clean catalogs

comma := ,

export PYTHONPATH := $(CURDIR)/backend:$(CURDIR)
export NO_MKDOCS_2_WARNING := 1

$(STAMP): requirements-dev.txt backend/requirements.txt
	@if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != ($(subst .,$(comma),$(PYTHON_VERSION))))' 2>/dev/null; then \
		if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != ($(subst .,$(comma),$(PYTHON_VERSION))))' 2>/dev/null; then \
			echo "!! Python $(PYTHON_VERSION) is needed (the Lambda runtime is python$(PYTHON_VERSION)) and was not found"; \
			echo "   on PATH or in pyenv ($(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions). Install it, then run make again:"; \
			echo "     pyenv install $(PYTHON_VERSION)     (https://github.com/pyenv/pyenv; Debian 12 has no python$(PYTHON_VERSION) package)"; \
			echo "   or give its path: make PYTHON=/path/to/python$(PYTHON_VERSION) ..."; \
			exit 1; \
		fi; \
		echo "==> creating $(VENV) with $(PYTHON)"; \
		rm -rf $(VENV) && "$(PYTHON)" -m venv $(VENV); \
	fi
	@echo "==> setting up $(VENV) (Python packages pinned in requirements-dev.txt)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

# Debian's Chromium for the browser tests: installed when missing and we are root.
chromium:
	@if command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "==> installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "!! chromium is missing: install Debian's 'chromium' package (browser tests need it)"; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The site must build with --strict (no broken links, no unknown placeholder).
site: $(STAMP)
	$(BIN)/mkdocs build --strict --quiet --site-dir build/site

# The translations (backend/chalicelib/i18n/locale/<lang>/LC_MESSAGES/messages.po)
# compiled to the .mo files the back end reads (not committed).
catalogs: $(STAMP)
	@$(BIN)/python -m chalicelib.i18n

test: $(STAMP) chromium checkov lint typecheck site catalogs
	$(BIN)/python -m pytest

# The whole system locally: embedded AWS, API :8000, site :8001, mailbox :8025.
dev: $(STAMP) catalogs
	@$(BIN)/python -m infra.local

# Run the scheduled work (voiding, reminders, email retries) of a running `make dev` now.
jobs: $(STAMP)
	@$(BIN)/python -m infra.local.jobs

# Replace the roster of a running `make dev` with the OneRoster 1.1 CSV export in DIR
# (the fictional demo: make roster DIR=infra/roster/demo). AWS stages: python -m infra.roster.
roster: $(STAMP)
	@test -n "$(DIR)" || { echo "!! name the export's folder: make roster DIR=infra/roster/demo"; exit 2; }
	@$(BIN)/python -m infra.roster import "$(DIR)" --stage local

# Performance and reliability figures (they print; nothing here asserts a time).
bench: $(STAMP)
	@$(MAKE) --no-print-directory chromium
	@command -v npm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		echo "==> installing Node.js and npm for Lighthouse" && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; } || \
		{ echo "!! npm is missing: install Node.js 18.16 or later (Lighthouse needs it)"; exit 1; }
	@test bench/lighthouse/node_modules/.package-lock.json -nt bench/lighthouse/package-lock.json || { \
		echo "==> installing Lighthouse (pinned in bench/lighthouse/package-lock.json)"; \
		npm ci --prefix bench/lighthouse --no-audit --no-fund --loglevel=error; }
	$(BIN)/python bench/coldstart.py
	$(BIN)/python bench/handlers.py
	$(BIN)/python bench/aws_calls.py
	$(BIN)/python bench/documents.py
	$(BIN)/python bench/site.py
	$(BIN)/python bench/cost.py
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis

# --- Deploy to AWS (infra/DEPLOY.md) -----------------------------------------------
# `make package STAGE=prod` writes build/package/<stage>/: sam.yaml (the deployable
# template: Chalice's output with infra/stack.yaml merged in) and deployment.zip.
STAGE ?= dev

.PHONY: package cfn-lint checkov

# checkov in a virtualenv of its own (it pins boto3 and others older than .venv's),
# for tests/infra/test_checkov.py; pinned in requirements-checkov.txt.
CHECKOV_STAMP := build/checkov/.installed-$(shell sha1sum requirements-checkov.txt | cut -c1-12)
checkov: $(CHECKOV_STAMP)
$(CHECKOV_STAMP): requirements-checkov.txt $(STAMP)
	@echo "==> setting up build/checkov (checkov, pinned in requirements-checkov.txt)"
	@rm -rf build/checkov
	@"$$($(BIN)/python -c 'import os, sys; print(os.path.join(sys.base_prefix, "bin", "python3"))')" -m venv build/checkov
	@build/checkov/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

package: $(STAMP) catalogs
	$(BIN)/python -m infra.package --stage $(STAGE)

# The packaged template through cfn-lint (`make test` also checks prod's, in tests/infra).
cfn-lint: package
	$(BIN)/cfn-lint build/package/$(STAGE)/sam.yaml
