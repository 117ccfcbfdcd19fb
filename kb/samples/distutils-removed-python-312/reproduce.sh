#!/usr/bin/env bash
# README: Python 3.12 removed the distutils module (PEP 632). Code that still imports it fails
# with "ModuleNotFoundError: No module named 'distutils'": at build time, when a package's
# build requirements pin a setuptools older than 60 (which imported the standard library's
# distutils), or at import time (pandas-datareader 0.10.0's
# `from distutils.version import LooseVersion`, in a 3.12 venv, which has no setuptools).
#
# Based on the corpus helper's staging/samples/distutils-removed (pip-pandas-datareader is its
# case, recaptured under this folder's name). Its numpy 1.24.4 cases are in
# kb/samples/numpy-no-wheel-new-python; the scikit-learn cases were added here.
#
# Captured with: CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), uv 0.13.9; Debian GNU/Linux 12
# (bookworm), glibc 2.36, x86_64; 2026-12-01.
#   pip-pandas-datareader  pip install pandas-datareader==0.10.0 (wheels only), then
#                          python -c "import pandas_datareader".
#   pip-scikit-learn113    pip install scikit-learn==1.1.3 (no cp312 wheel; its build
#                          requirements pin setuptools<60.0, whose import needs distutils).
#                          pip 23.2.1 prints it as an internal "ERROR: Exception:" traceback
#                          (BackendUnavailable from get_requires_for_build_wheel).
#   uv-scikit-learn113     the same with `uv pip install` (uv adds its own distutils hint).
#   excerpt-scikit-learn113  pip-scikit-learn113 from "pip._vendor.pyproject_hooks" on: the
#                          backend traceback alone.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-pandas-datareader; prints the output)
# Needs: /root/.pyenv/versions/3.12.*.
set -euo pipefail
SAMPLE=distutils-removed-python-312
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$HERE/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$HERE/../repro-shapes.sh"

_pip_pdr() {
  local venv="$WORK/venv-pdr"; _venv "$(_py 3.12)" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install --only-binary :all: pandas-datareader==0.10.0
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" python -c "import pandas_datareader"
}

_pip_sklearn() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.12)" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install scikit-learn==1.1.3
}

_uv_sklearn() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" uv pip install scikit-learn==1.1.3
}

CASE="${1:-pip-pandas-datareader}"
case "$CASE" in
  pip-pandas-datareader) _capture "$CASE" _pip_pdr ;;
  pip-scikit-learn113) _capture "$CASE" _pip_sklearn ;;
  uv-scikit-learn113) _capture "$CASE" _uv_sklearn ;;
  excerpt-scikit-learn113) _from_capture pip-scikit-learn113 | _excerpt '^pip._vendor.pyproject_hooks' ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
