# Two commands: `make run` (serve the web UI on the bundled corpus) and `make test`.
# Both create .venv/ if missing and install pinned dependencies; a second run with
# nothing changed does no installing and starts in seconds.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip --disable-pip-version-check --quiet
RUNTIME_STAMP := $(VENV)/.runtime-installed
TEST_STAMP    := $(VENV)/.test-installed
CHROMIUM      := /usr/bin/chromium
SOFFICE       := /usr/bin/soffice
PDFTOTEXT     := /usr/bin/pdftotext
# Debian's postgresql puts initdb and pg_ctl here (not on PATH); tests start a throwaway cluster.
PG_CTL        := $(firstword $(wildcard /usr/lib/postgresql/*/bin/pg_ctl) /usr/lib/postgresql/15/bin/pg_ctl)

.PHONY: run test install install-test lint typecheck bench screenshots clean-venv

run: $(RUNTIME_STAMP)
	$(BIN)/evidence serve

test: $(TEST_STAMP) $(CHROMIUM) $(SOFFICE) $(PDFTOTEXT) $(PG_CTL)
	$(BIN)/python -m pytest

install: $(RUNTIME_STAMP)
install-test: $(TEST_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch goes first and alone: pip then takes the CPU build that lies on these machines,
# and nothing later asks for a (multi-GB) CUDA build.
$(RUNTIME_STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(PIP) install torch==2.13.0
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -e .
	touch $@

$(TEST_STAMP): $(RUNTIME_STAMP) requirements-test.txt
	$(PIP) install -r requirements-test.txt
	touch $@

# Browser tests drive Debian's chromium (never a Playwright browser download).
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null

# Rendering tests convert DOCX and PPTX with Debian's LibreOffice, then read the PDF with
# poppler's pdftotext (what a reader sees: text inside its boxes, on the page).
$(SOFFICE) $(PDFTOTEXT):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	  --no-install-recommends libreoffice-writer-nogui libreoffice-impress-nogui \
	  fonts-liberation2 poppler-utils >/dev/null

# The shared-library tests start a throwaway PostgreSQL cluster (initdb + pg_ctl in a temporary
# folder, its own port, removed after); the package's own cluster is not used or started.
$(PG_CTL):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	  --no-install-recommends postgresql >/dev/null

lint: $(TEST_STAMP)
	$(BIN)/ruff check evidence webui tests benchmarks
	$(BIN)/ruff format --check evidence webui tests benchmarks

typecheck: $(TEST_STAMP)
	$(BIN)/mypy evidence webui

# The measured numbers of the README (about 45 minutes on 2 cores; needs ../shared/bench).
bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/bench_search.py
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_corpus.py
	$(BIN)/python benchmarks/bench_points.py
	$(BIN)/python benchmarks/bench_http.py
	$(BIN)/python benchmarks/load.py --clients 16 --duration 60
	$(BIN)/python benchmarks/bench_cluster.py --load 60
	$(BIN)/python benchmarks/bench_scale.py --sizes 10000 100000 --add-100k

screenshots: $(TEST_STAMP)
	$(BIN)/python benchmarks/screenshots.py

clean-venv:
	rm -rf $(VENV)
