#!/usr/bin/env bash
# README: pandas releases have wheels only for the CPython versions that existed when they were
# released; on a newer CPython pip builds the sdist, and the build fails:
#   pandas 2.1.0 on CPython 3.12 (no cp312 wheel): its build requirements pin Cython<3 but
#     leave numpy unpinned on 3.12, so the build gets NumPy 2, whose Cython headers stop the
#     build ("Build aborted: the NumPy Cython headers require Cython 3.0.0 or newer.").
#   pandas 2.2.2 on CPython 3.13 (no cp313 wheel): built with the Cython 3.0.5 it pins, the
#     C++ module pandas/_libs/window/aggregations fails to compile ("standard attributes in
#     middle of decl-specifiers"), after most of pandas has compiled.
#
# Captured with: CPython 3.12.1 and 3.13.0 (pyenv), pip 23.2.1 / 24.2 (bundled), uv 0.13.9,
# gcc/g++ 12.2 (Debian 12.2.0-14); Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64;
# 2026-12-01; build requirements resolved on that date.
#
# Usage: reproduce.sh [CASE]   (prints the output; CASE defaults to pip-pandas210-py312)
#   pip-pandas210-py312        pip install pandas==2.1.0 on 3.12
#   uv-pandas210-py312         the same with `uv pip install`
#   pip-pandas222-py313        pip install pandas==2.2.2 on 3.13 (slow)
#   excerpt-pandas222-py313    pip-pandas222-py313 from the failed ninja step on
#   gha-pandas210-py312        pip-pandas210-py312 with GitHub Actions timestamps
# Needs: /root/.pyenv/versions/3.12.* and 3.13.*, gcc, g++, ninja is fetched by the build.
set -euo pipefail
SAMPLE=pandas-no-wheel-new-python
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

CASE="${1:-pip-pandas210-py312}"
case "$CASE" in
  pip-pandas210-py312) _capture "$CASE" _pip 3.12 pandas==2.1.0 ;;
  uv-pandas210-py312) _capture "$CASE" _uv 3.12 pandas==2.1.0 ;;
  pip-pandas222-py313) _capture "$CASE" _pip 3.13 pandas==2.2.2 ;;
  excerpt-pandas222-py313) _from_capture pip-pandas222-py313 | _excerpt '^ *FAILED: ' ;;
  gha-pandas210-py312) _from_capture pip-pandas210-py312 | _gha_stamps 11 5 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
