#!/usr/bin/env bash
# README: greenlet releases older than the CPython in use have no wheel for it, so pip builds
# the sdist; greenlet's C++ reads interpreter internals (PyThreadState, _PyCFrame) that
# change with every CPython minor version, so the compile fails.
#   greenlet 2.0.2 on CPython 3.12: 'recursion_limit' / 'use_tracing' / 'trash_delete_nesting'
#   are gone; greenlet 3.0.3 on CPython 3.13: '_PyCFrame' does not name a type, no 'cframe'.
#
# Captured with: CPython 3.12.1 and 3.13.0 (pyenv), their bundled pip (23.2.1, 24.2), uv 0.13.9,
# gcc 12.2 (Debian 12.2.0-14); Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#
# Usage: reproduce.sh [CASE]   (prints the output; CASE defaults to pip-greenlet202-py312)
#   pip-greenlet202-py312     pip install greenlet==2.0.2 on 3.12 (no cp312 wheel)
#   pip-greenlet303-py313     pip install greenlet==3.0.3 on 3.13 (no cp313 wheel)
#   uv-greenlet303-py313      the same with `uv pip install`
#   excerpt-greenlet303-py313 pip-greenlet303-py313 cut at its first compiler error (no line
#                             names the package except the source paths)
#   errors-greenlet202-py312  pip-greenlet202-py312's compiler errors alone (first error to the
#                             failed g++ command), as quoted in issues
#   buildkit-greenlet202-py312  pip-greenlet202-py312 as `docker build --progress=plain` shows it
#   gha-greenlet303-py313     pip-greenlet303-py313 with GitHub Actions timestamps
# Needs: /root/.pyenv/versions/3.12.* and 3.13.*, g++.
set -euo pipefail
SAMPLE=greenlet-no-wheel-new-python
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$HERE/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$HERE/../repro-shapes.sh"

_pip() {
  # $1: python minor, $2: requirement
  local venv="$WORK/venv-pip-$1"; _venv "$(_py "$1")" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install "$2"
}

_uv() {
  local venv="$WORK/venv-uv-$1" tools; _venv "$(_py "$1")" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" uv pip install "$2"
}

CASE="${1:-pip-greenlet202-py312}"
case "$CASE" in
  pip-greenlet202-py312) _capture "$CASE" _pip 3.12 greenlet==2.0.2 ;;
  pip-greenlet303-py313) _capture "$CASE" _pip 3.13 greenlet==3.0.3 ;;
  uv-greenlet303-py313) _capture "$CASE" _uv 3.13 greenlet==3.0.3 ;;
  excerpt-greenlet303-py313) _from_capture pip-greenlet303-py313 | _excerpt ': error: ' ;;
  errors-greenlet202-py312) _from_capture pip-greenlet202-py312 | _cut ': error: ' '^ *error: Command' ;;
  buildkit-greenlet202-py312) _from_capture pip-greenlet202-py312 | _excerpt '^Collecting' | _buildkit 9 2.104 ;;
  gha-greenlet303-py313) _from_capture pip-greenlet303-py313 | _gha_stamps 10 4 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
