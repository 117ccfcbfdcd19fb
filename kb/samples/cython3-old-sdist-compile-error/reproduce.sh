#!/usr/bin/env bash
# README: an old sdist whose build requirements ask for Cython without an upper bound, built
# from source after Cython 3.0: its .pyx files no longer compile ("Error compiling Cython
# file", here "Cannot assign type '... noexcept' to '... except *'", Cython 3's new default
# exception handling for cdef functions). pyroaring 0.4.2's setup.py asks for Cython with
# `setup_requires=['cython']` (no pyproject.toml, no upper bound) and it has no CPython 3.12
# wheel, so pip builds it unasked on 3.12.
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; build
# requirements resolved to the newest setuptools and Cython 3.x on that date.
#   pip-pyroaring042-py312   CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), pyroaring==0.4.2.
#   uv-pyroaring042-py312    the same with uv 0.13.9 (`uv pip install`).
#   pip21-pyroaring042-py311 CPython 3.11.7 (pyenv), pip 21.2.4 (old "Command errored out"
#                            format), `--no-binary pyroaring` (0.4.2 has a cp311 wheel: this
#                            forces the source build a platform without wheels would get).
# Shape variants (../repro-shapes.sh, from the captures above):
#   excerpt-pyroaring042-py312   pip-pyroaring042-py312 from the first Cython error on.
#   buildkit-pyroaring042-py312  pip-pyroaring042-py312 as `docker build --progress=plain` shows it.
#   gha-uv-pyroaring042-py312    uv-pyroaring042-py312 with GitHub Actions timestamps.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-pyroaring042-py312; prints the output)
# Needs: the pyenv Pythons above, gcc (not reached).
set -euo pipefail
SAMPLE=cython3-old-sdist-compile-error
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$HERE/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$HERE/../repro-shapes.sh"

_pip() {
  # $1: python minor, $2: pip version or "", then pip install arguments
  local minor="$1" pipv="$2"; shift 2
  local venv="$WORK/venv-pip-$minor"; _venv "$(_py "$minor")" "$venv" "$pipv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install "$@"
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" uv pip install pyroaring==0.4.2
}

CASE="${1:-pip-pyroaring042-py312}"
case "$CASE" in
  pip-pyroaring042-py312) _capture "$CASE" _pip 3.12 "" pyroaring==0.4.2 ;;
  uv-pyroaring042-py312) _capture "$CASE" _uv ;;
  pip21-pyroaring042-py311) _capture "$CASE" _pip 3.11 "$OLD_PIP_VERSION" --no-binary pyroaring pyroaring==0.4.2 ;;
  excerpt-pyroaring042-py312) _from_capture pip-pyroaring042-py312 | _excerpt '^ *Error compiling Cython file' ;;
  buildkit-pyroaring042-py312) _from_capture pip-pyroaring042-py312 | _buildkit 11 14.207 ;;
  gha-uv-pyroaring042-py312) _from_capture uv-pyroaring042-py312 | _gha_stamps 8 3 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
