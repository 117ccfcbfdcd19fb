#!/usr/bin/env bash
# README: scipy releases have wheels only for the CPython versions that existed when they were
# released; on a newer CPython pip builds the sdist, which needs a Fortran compiler and BLAS
# and LAPACK, and the build stops at Meson's configure step:
#   scipy 1.14.0 on CPython 3.13 (no cp313 wheel): no Fortran compiler installed, Meson stops
#     with "Unknown compiler(s): [['gfortran'], ['flang-new'], ...]".
#   scipy 1.11.1 on CPython 3.12 (no cp312 wheel): its build requirements leave numpy
#     unpinned on 3.12, so the build gets NumPy 2; the Pythran release it pins then fails to
#     import (KeyError: 'sep' in pythran/tables.py), Cython 0.29 imports Pythran and crashes,
#     and Meson reports "Compiler cython cannot transpile programs" (the KeyError is only in
#     Meson's own log file, not in pip's output).
#
# Captured with: CPython 3.12.1 and 3.13.0 (pyenv), pip 23.2.1 / 24.2 (bundled), uv 0.13.9,
# gcc 12.2 and no gfortran; Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01;
# build requirements resolved on that date.
#
# Usage: reproduce.sh [CASE]   (prints the output; CASE defaults to pip-scipy1140-py313)
#   pip-scipy1140-py313      pip install scipy==1.14.0 on 3.13
#   uv-scipy1140-py313       the same with `uv pip install`
#   pip-scipy1111-py312      pip install scipy==1.11.1 on 3.12
#   excerpt-scipy1140-py313  pip-scipy1140-py313 from Meson's first line on
#   gha-scipy1111-py312      pip-scipy1111-py312 with GitHub Actions timestamps
# Needs: /root/.pyenv/versions/3.12.* and 3.13.*, gcc, and no Fortran compiler on PATH.
set -euo pipefail
SAMPLE=scipy-no-wheel-new-python
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$HERE/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$HERE/../repro-shapes.sh"

if command -v gfortran >/dev/null 2>&1; then
  echo "gfortran is on PATH; the Fortran case would get further than captured" >&2
fi

_pip() {
  local venv="$WORK/venv-pip-$1"; _venv "$(_py "$1")" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install "$2"
}

_uv() {
  local venv="$WORK/venv-uv-$1" tools; _venv "$(_py "$1")" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" uv pip install "$2"
}

CASE="${1:-pip-scipy1140-py313}"
case "$CASE" in
  pip-scipy1140-py313) _capture "$CASE" _pip 3.13 scipy==1.14.0 ;;
  uv-scipy1140-py313) _capture "$CASE" _uv 3.13 scipy==1.14.0 ;;
  pip-scipy1111-py312) _capture "$CASE" _pip 3.12 scipy==1.11.1 ;;
  excerpt-scipy1140-py313) _from_capture pip-scipy1140-py313 | _excerpt 'The Meson build system' ;;
  gha-scipy1111-py312) _from_capture pip-scipy1111-py312 | _gha_stamps 13 20 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
