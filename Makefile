# Ballotroom: `make run` serves a demo meeting; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO := var/demo

.PHONY: install install-test run test lint translations bench bench-hall bundle fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@$(BIN)/python -c "import kiosk, tally, admin" && echo "installed into $(VENV)"

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

run: install
	$(BIN)/ballotroom demo --instance $(DEMO)
	$(BIN)/ballotroom serve --no-tls --instance $(DEMO) --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check kiosk tally admin tests bench

# After changing any user-facing text: extract, merge into the zh_CN catalog, translate the
# new entries in kiosk/translations/zh_CN/LC_MESSAGES/messages.po, then run this again to compile.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o kiosk/translations/messages.pot --no-location --omit-header --sort-output . >/dev/null
	$(BIN)/pybabel update -i kiosk/translations/messages.pot -d kiosk/translations --no-fuzzy-matching --omit-header --ignore-obsolete
	$(BIN)/pybabel compile -f -d kiosk/translations --statistics  # -f: the catalog has no header, which Babel reads as fuzzy; tests/test_i18n.py refuses fuzzy entries

test: install-test lint
	$(BIN)/python -m pytest -q -rs  # -rs: say why a test was skipped (browser tests without Chromium)

# The suite fuzzes every API operation briefly; this is the long pass (about 20 minutes).
fuzz: install-test
	BALLOTROOM_FUZZ_EXAMPLES=150 $(BIN)/python -m pytest -q tests/test_api_fuzz.py

bench: install-test
	$(BIN)/python bench/bench_tokens.py
	$(BIN)/python bench/bench_slips.py
	$(BIN)/python bench/bench_intake.py --duration 15 --think-ms 180
	$(BIN)/python bench/bench_intake.py --duration 15
	$(BIN)/python bench/bench_score.py
	$(BIN)/python bench/bench_sockets.py --tokens-per-second 2000

# Several processes behind nginx with Redis against one, in one run (needs redis-server, nginx, wrk).
bench-hall: install-test
	$(BIN)/python bench/bench_hall.py

# The offline installer: dist/ballotroom-bundle.tar.gz, wheels for this Python, the CJK font,
# the deploy files and install.sh (deploy/large-hall.md, "Installing without internet").
bundle: install
	PYTHON=$(BIN)/python sh deploy/bundle.sh dist/ballotroom-bundle

clean:
	rm -rf $(VENV) var dist .pytest_cache .ruff_cache
