# The two commands a fresh machine needs: `make chat` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: chat test install install-test browser lint typecheck knowledge-check bench clean

# The console's browser tests drive Debian's chromium (Playwright's own download is not needed).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BIN)/kisanbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/kisanbot
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/kisanbot

install-test: $(VENV)/.test-extras browser

browser:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

chat: install
	$(BIN)/kisanbot db upgrade
	$(BIN)/kisanbot chat

lint: install-test
	$(BIN)/ruff check bot tests benchmarks migrations
	$(BIN)/ruff format --check bot tests benchmarks

typecheck: install-test
	$(BIN)/mypy --strict bot

knowledge-check: install
	$(BIN)/kisanbot knowledge check

test: install-test lint typecheck knowledge-check
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/telegram_throughput.py
	$(BIN)/python benchmarks/tips.py
	$(BIN)/python benchmarks/console_pages.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
