# Vraagbaak: the verbs. `make run` and `make test` install whatever is missing first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Stamp files: reinstall only when the dependency list changed.
INSTALLED := $(VENV)/.installed

.PHONY: run test install index check status eval bench clean

run: $(INSTALLED)
	$(BIN)/vraagbaak kb build
	$(BIN)/vraagbaak chat

test: $(INSTALLED)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first, pinned, so that sentence-transformers does not pull a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[sentence-transformers,test]'
	touch $@

index: $(INSTALLED)
	$(BIN)/vraagbaak kb build

check: $(INSTALLED)
	$(BIN)/vraagbaak kb check

status: $(INSTALLED)
	$(BIN)/vraagbaak kb status

eval: $(INSTALLED)
	$(BIN)/vraagbaak eval ../shared/eval/dev-questions.yaml

bench: $(INSTALLED)
	$(BIN)/vraagbaak bench

clean:
	rm -rf var .pytest_cache
