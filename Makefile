# Vraagbaak: the verbs. `make run` and `make test` install whatever is missing first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Stamp file: reinstall only when the dependency list changed.
INSTALLED := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Stamp file: `npm ci` reruns only when package-lock.json changed (the widget's font, axe-core).
NODE_INSTALLED := node_modules/.installed
# Debian packages the tests need: docker-compose validates docker-compose.yml; the widget's
# browser tests drive Debian's chromium (Playwright never downloads a browser here); postgresql
# is the server that /vergeet's deletion and the backup round trip are tested against
# (tests/test_tracker_postgres.py, tests/test_backup_restore.py); redis-server (Rasa's lock store)
# and haproxy (the round robin) run the scale-out cluster test (tests/cluster/).
SYSTEM_PACKAGES := docker-compose chromium postgresql redis-server haproxy

.PHONY: run test test-e2e test-cluster install rasa-install system-deps index check status eval eval-safety compare bench translations clean

run: install
	$(BIN)/vraagbaak kb build
	$(BIN)/vraagbaak run

test: install system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Only the end-to-end suite (real Rasa server and action server; trains when bot/ changed).
test-e2e: install system-deps
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

# Only the scale-out test: PostgreSQL, Redis, haproxy, two of each server, faults (tests/cluster/).
test-cluster: install system-deps
	$(BIN)/python -m pytest -m cluster tests/cluster $(PYTEST_ARGS)

install: $(INSTALLED) rasa-install $(NODE_INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first, pinned, so that sentence-transformers does not pull a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[sentence-transformers,test]'
	touch $@

# The web widget's npm packages (package.json): the Ge'ez font it serves, axe-core for its tests.
$(NODE_INSTALLED): package-lock.json
	command -v npm >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Rasa 3.6.21 in its own environment (see scripts/install-rasa.sh); a no-op when up to date.
rasa-install:
	bash scripts/install-rasa.sh

system-deps:
	@for p in $(SYSTEM_PACKAGES); do command -v $$p >/dev/null || dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; fi

index: $(INSTALLED)
	$(BIN)/vraagbaak kb build

check: $(INSTALLED)
	$(BIN)/vraagbaak kb check

status: $(INSTALLED)
	$(BIN)/vraagbaak kb status

eval: $(INSTALLED)
	$(BIN)/vraagbaak eval ../shared/eval/dev-questions.yaml

# Emergencies recognised, and alarming ordinary questions left alone, per language and need.
eval-safety: $(INSTALLED)
	$(BIN)/vraagbaak eval-safety ../shared/eval/safety-dev.yaml

# Our engine next to Rasa's own FAQ mechanism (ResponseSelector), trained on the current knowledge/ (~30 min).
compare: $(INSTALLED) rasa-install
	$(BIN)/vraagbaak compare ../shared/eval/dev-questions.yaml

bench: $(INSTALLED)
	$(BIN)/vraagbaak bench

# After changing vraagbaak/assistant/texts.py: refresh the template and the catalogs to translate.
translations: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-default-keywords --project=vraagbaak -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations

clean:
	rm -rf var .pytest_cache
