#!/usr/bin/env bash
# README: numpy releases have wheels only for the CPython versions that existed when they were
# released; on a newer CPython pip builds the sdist. numpy 1.24.4 (no cp312 or cp313 wheel)
# pins setuptools==59.2.0 in its build requirements, and that setuptools imports the
# standard library's distutils, which CPython 3.12 removed (PEP 632): the build stops with
# "ModuleNotFoundError: No module named 'distutils'" before compiling anything.
#
# Based on the corpus helper's staging/samples/distutils-removed (its numpy cases, recaptured
# under this folder's name); the shape variants were added here.
#
# Captured with: CPython 3.12.1 and 3.13.0 (pyenv), pip 23.2.1 / 24.2 (bundled), uv 0.13.9;
# Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#   pip-numpy1244-py312   pip install numpy==1.24.4 on 3.12 (pip 23.2.1 prints it as an
#                         internal "ERROR: Exception:" traceback, BackendUnavailable from
#                         get_requires_for_build_wheel)
#   pip-numpy1244-py313   the same on CPython 3.13.0 with pip 24.2
#   uv-numpy1244-py312    the same as pip-numpy1244-py312 with `uv pip install`
#   buildkit-numpy1244-py312  pip-numpy1244-py312 as `docker build --progress=plain` shows it
#   gha-numpy1244-py313   pip-numpy1244-py313 with GitHub Actions timestamps
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-numpy1244-py312; prints the output)
# Needs: /root/.pyenv/versions/3.12.* and 3.13.*.
set -euo pipefail
SAMPLE=numpy-no-wheel-new-python
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

CASE="${1:-pip-numpy1244-py312}"
case "$CASE" in
  pip-numpy1244-py312) _capture "$CASE" _pip 3.12 numpy==1.24.4 ;;
  pip-numpy1244-py313) _capture "$CASE" _pip 3.13 numpy==1.24.4 ;;
  uv-numpy1244-py312) _capture "$CASE" _uv 3.12 numpy==1.24.4 ;;
  buildkit-numpy1244-py312) _from_capture pip-numpy1244-py312 | _excerpt '^Collecting' | _buildkit 6 3.871 ;;
  gha-numpy1244-py313) _from_capture pip-numpy1244-py313 | _gha_stamps 16 30 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
