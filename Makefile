# Build and test the toolkit generator. On a fresh Debian 12 machine, `make toolkits` and `make test` install
# what they need: Debian packages (when running as root; otherwise they print the apt-get line) and a .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out
JOBS   ?=
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

# What WeasyPrint needs (Pango; HarfBuzz subsetting for fast, reproducible fonts) and the output checkers.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 qpdf poppler-utils
# LibreOffice is only needed by the tests that open the .docx in a word processor; the Liberation fonts are
# metric-compatible with Arial, the plan's font, so LibreOffice lays the plan out as Word does; pdftk-java is
# an independent PDF form filler for the tests that read filled checklists back.
TEST_SYSTEM_PACKAGES := libreoffice-writer-nogui fonts-liberation pdftk-java

.DEFAULT_GOAL := toolkits
.PHONY: toolkits test test-fast validate clean bench golden setup dist system-deps test-system-deps help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

toolkits: $(STAMP) system-deps  ## Build the toolkits of every profile in profiles/ into out/
	$(BIN)/toolkit build profiles -o $(OUT) $(if $(JOBS),-j $(JOBS))

validate: $(STAMP)  ## Check every profile, provider file and the content library
	$(BIN)/toolkit validate profiles

# The suite runs on every core (pytest-xdist), a test file per worker at a time: a file's module fixtures are
# made once, and the sample builds the files share are made once per run (tests/conftest.py, once_per_run).
PYTEST := $(BIN)/python -m pytest -q -n auto --dist loadfile

test: $(STAMP) system-deps test-system-deps  ## Run the whole test suite (what CI runs)
	$(PYTEST)

test-fast: $(STAMP) system-deps  ## The edit loop: every test but the slow ones and those that start LibreOffice
	$(PYTEST) -m "not slow and not libreoffice"

bench: $(STAMP) system-deps  ## Measure batch build speed and memory (writes docs/performance.md)
	$(BIN)/python tools/bench.py --write docs/performance.md

setup: $(STAMP) system-deps  ## Install the Python environment and the Debian packages, nothing else

golden: $(STAMP) system-deps  ## Rewrite tests/golden/ from the current output (review the diff!)
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q -p no:xdist -k golden

dist: $(STAMP)  ## Build the wheel and sdist into dist/ (pip install dist/*.whl anywhere; see README)
	rm -rf dist
	$(BIN)/python -m hatchling build -d dist
	@ls -l dist

clean:  ## Remove built toolkits and caches (keeps .venv)
	find $(OUT) -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf .pytest_cache build dist *.egg-info
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Cannot create $(VENV). Install venv support: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@

system-deps:
	@$(call ensure_packages,$(SYSTEM_PACKAGES))

test-system-deps:
	@$(call ensure_packages,$(TEST_SYSTEM_PACKAGES))

# Install the missing Debian packages when root; otherwise stop with the exact command to run.
define ensure_packages
missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
    echo "Installing Debian packages:$$missing"; \
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
  else \
    echo "Missing Debian packages. Run:"; echo "  sudo apt-get install -y$$missing"; exit 1; \
  fi; \
fi
endef
