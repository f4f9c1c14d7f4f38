#!/usr/bin/env bash
# Installs Rasa Open Source 3.6.21 and rasa-sdk 3.6.2 into .venv-rasa/ at the repository root.
#
# Rasa 3.6.21's metadata says Python <3.11, and this project runs on CPython 3.11. Rasa itself
# works there, but pip cannot resolve its dependencies on 3.11 (its numpy/scipy/tensorflow pins
# only apply below 3.11). So: first install the pinned dependency set from
# bot/requirements-rasa.txt (Rasa's own list evaluated as on Python 3.10, with matplotlib 3.6,
# numpy 1.23.5 and jax 0.4.13), then rasa and rasa-sdk themselves with
# --no-deps --ignore-requires-python.
#
# Idempotent: the stamp .venv-rasa/.installed holds the sha256 of bot/requirements-rasa.txt;
# when it matches, nothing is done. Takes a few minutes the first time (multidict 5.2.0 builds
# from source; tensorflow is the bulk of the ~2.5 GB).
#
# Usage: scripts/install-rasa.sh        (PYTHON=/path/to/python3.11 to choose the interpreter)
set -euo pipefail

readonly RASA_VERSION="3.6.21"
readonly RASA_SDK_VERSION="3.6.2"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly VENV="$ROOT/.venv-rasa"
readonly REQUIREMENTS="$ROOT/bot/requirements-rasa.txt"
readonly STAMP="$VENV/.installed"
PYTHON="${PYTHON:-python3}"

log() { printf 'install-rasa: %s\n' "$*" >&2; }

if [[ ! -f "$REQUIREMENTS" ]]; then
    log "missing $REQUIREMENTS"
    exit 1
fi

wanted="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"

if [[ -f "$STAMP" && -x "$VENV/bin/rasa" && "$(cat "$STAMP")" == "$wanted" ]]; then
    log "up to date ($VENV)"
    exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    version="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    if [[ "$version" != "3.11" ]]; then
        log "$PYTHON is Python $version; the pins in bot/requirements-rasa.txt are for 3.11"
        exit 1
    fi
    log "creating $VENV with $PYTHON ($version)"
    "$PYTHON" -m venv "$VENV"
fi

# A stale stamp must not survive a half-finished reinstall.
rm -f "$STAMP"

log "installing the pinned dependency set"
"$VENV/bin/python" -m pip install --quiet -r "$REQUIREMENTS"

log "installing rasa==$RASA_VERSION and rasa-sdk==$RASA_SDK_VERSION (--no-deps --ignore-requires-python)"
"$VENV/bin/python" -m pip install --quiet --no-deps --ignore-requires-python \
    "rasa==$RASA_VERSION" "rasa-sdk==$RASA_SDK_VERSION"

log "checking: rasa --version"
"$VENV/bin/rasa" --version

printf '%s\n' "$wanted" > "$STAMP"
log "done ($VENV)"
