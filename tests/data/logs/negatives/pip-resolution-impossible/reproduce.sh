#!/usr/bin/env bash
# README (negative sample: belongs to no record): the user pins two requirements that cannot
# hold together (scikit-learn 1.3.2's wheel metadata caps numpy below 2, and numpy==2.0.2 is
# pinned): pip's resolver stops with "ResolutionImpossible", uv with "No solution found".
#
# Captured with: CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), uv 0.13.9; Debian GNU/Linux 12
# (bookworm), glibc 2.36, x86_64; 2026-12-01.
#   pip-sklearn-numpy  pip install scikit-learn==1.3.2 numpy==2.0.2
#   uv-sklearn-numpy   uv pip install scikit-learn==1.3.2 numpy==2.0.2
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-sklearn-numpy; prints the output)
set -euo pipefail
SAMPLE=pip-resolution-impossible
# shellcheck source=../../../../../kb/samples/repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../../../../../kb/samples/repro-lib.sh}"

_pip() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.12)" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install scikit-learn==1.3.2 numpy==2.0.2
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" \
      uv pip install scikit-learn==1.3.2 numpy==2.0.2
}

CASE="${1:-pip-sklearn-numpy}"
case "$CASE" in
  pip-sklearn-numpy) _capture "$CASE" _pip ;;
  uv-sklearn-numpy) _capture "$CASE" _uv ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
