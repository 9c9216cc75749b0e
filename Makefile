# Every target creates its own virtual environment on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# The browser the privacy centre's end-to-end tests drive (Debian's package; Playwright never
# downloads one). Installed when missing: as root (CI), or through sudo.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install demo test lint typecheck contracts pytest bench clean chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench,notify]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/lawful demo --port $(PORT)

test: lint typecheck contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }
	@command -v pdftotext >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y poppler-utils; }

pytest: $(STAMP) chromium
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) out .lawful lawful.db lawful.db-wal lawful.db-shm
