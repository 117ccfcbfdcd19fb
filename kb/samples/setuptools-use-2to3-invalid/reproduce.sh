#!/usr/bin/env bash
# README: setuptools 58 removed 2to3 support; an sdist whose setup.py still passes use_2to3=True
# fails with "error in <name> setup command: use_2to3 is invalid." as soon as pip asks it for
# its build requirements (pip's isolated build always gets a current setuptools).
#
# Captured with: anyjson 0.3.3 sdist (setup.py with use_2to3), the newest setuptools on the
# capture date in the build environment; Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64;
# 2026-12-01.
#   pip-anyjson    CPython 3.11.7 (pyenv), pip 23.2.1 (bundled).
#   uv-anyjson     CPython 3.11.7, uv 0.13.9 (`uv pip install`).
#   pip21-anyjson  CPython 3.9.18 (pyenv), pip 21.2.4 (old "Command errored out" format).
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-anyjson; prints the output)
# Needs: the pyenv Pythons above.
set -euo pipefail
SAMPLE=setuptools-use-2to3-invalid
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"

_pip() {
  # $1: python minor, $2: pip version or ""
  local venv="$WORK/venv-pip-$1"; _venv "$(_py "$1")" "$venv" "$2"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install anyjson==0.3.3
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.11)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" uv pip install anyjson==0.3.3
}

CASE="${1:-pip-anyjson}"
case "$CASE" in
  pip-anyjson) _capture "$CASE" _pip 3.11 "" ;;
  uv-anyjson) _capture "$CASE" _uv ;;
  pip21-anyjson) _capture "$CASE" _pip 3.9 "$OLD_PIP_VERSION" ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
