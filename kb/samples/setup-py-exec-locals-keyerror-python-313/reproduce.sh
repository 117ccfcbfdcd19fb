#!/usr/bin/env bash
# README: setup.py files that read their version with exec() inside a function and then look
# it up in locals() fail on CPython 3.13 (PEP 667: exec() no longer writes into a function's
# locals() snapshot) with "KeyError: '__version__'". pip runs such a setup.py whenever it builds
# the sdist, here because basicsr 1.4.2 publishes no wheel at all (only an sdist).
#
# Captured with: CPython 3.13.0 (pyenv), pip 24.2 (bundled), uv 0.13.9; Debian GNU/Linux 12
# (bookworm), glibc 2.36, x86_64; 2026-12-01.
#
# Usage: reproduce.sh [CASE]   (prints the output; CASE defaults to pip-basicsr142-py313)
#   pip-basicsr142-py313     pip install basicsr==1.4.2 on 3.13
#   uv-basicsr142-py313      the same with `uv pip install`
#   excerpt-basicsr142-py313 pip-basicsr142-py313 from the traceback on
# Needs: /root/.pyenv/versions/3.13.*.
set -euo pipefail
SAMPLE=setup-py-exec-locals-keyerror-python-313
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$HERE/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$HERE/../repro-shapes.sh"

_pip() {
  local venv="$WORK/venv-pip-$1"; _venv "$(_py "$1")" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install "$2"
}

_uv() {
  local venv="$WORK/venv-uv-$1" tools; _venv "$(_py "$1")" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" uv pip install "$2"
}

CASE="${1:-pip-basicsr142-py313}"
case "$CASE" in
  pip-basicsr142-py313) _capture "$CASE" _pip 3.13 basicsr==1.4.2 ;;
  uv-basicsr142-py313) _capture "$CASE" _uv 3.13 basicsr==1.4.2 ;;
  excerpt-basicsr142-py313) _from_capture pip-basicsr142-py313 | _excerpt 'Traceback \(most recent call last\)' ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
