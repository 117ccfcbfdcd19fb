#!/usr/bin/env bash
# README: a C extension built from source on a machine with no C compiler (slim Docker images,
# fresh servers). Current setuptools says "error: [Errno 2] No such file or directory: 'gcc'";
# the stdlib distutils of CPython 3.9 says "error: command 'gcc' failed: No such file or
# directory", and that of 3.8 "unable to execute 'gcc': No such file or directory".
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#   pip-psutil     CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), psutil 5.9.8 sdist forced with
#                  --no-binary psutil (psutil adds its own "gcc is not installed" hint).
#   uv-psutil      the same with uv 0.13.9 (`uv pip install --no-binary psutil`).
#   pip-netifaces  CPython 3.12.1, pip 23.2.1, netifaces 0.11.0 (no cp312 wheel; no hint of
#                  its own).
#   pip21-netifaces-distutils  CPython 3.9.18 (pyenv) venv with its bundled setuptools 58.1.0,
#                  pip 21.2.4, `--no-build-isolation --no-binary netifaces netifaces==0.11.0`,
#                  so setuptools 58 runs the compiler through the stdlib distutils (pip 21
#                  then takes the legacy "Running setup.py install" path).
#   pip21-netifaces-distutils-py38  the same on CPython 3.8.18 (pyenv; bundled setuptools).
#   pip-numpy-meson  CPython 3.13.0 (pyenv), pip 24.2 (bundled), numpy 1.26.4 (no cp313 wheel,
#                  so pip builds it with meson-python, whose compiler probe fails first).
#                  Added for the wheelfix record (captured 2026-12-01).
#   poetry-netifaces  poetry 2.5.1 (`poetry install` of a project depending on netifaces==0.11.0,
#                  no cp312 wheel; in-project venv on CPython 3.12.1).
#
# gcc is installed on the capture machine, so the tools run with a PATH made of symlinks to
# every system executable except the C/C++ compiler drivers (cc, gcc*, c++, g++*, clang*,
# x86_64-linux-gnu-gcc*/g++*). Nothing on the system is changed.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-psutil; prints the output)
# Needs: the pyenv Pythons above.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   midline-pip-psutil         pip-psutil from the middle of its "× Building wheel" line to the end
set -euo pipefail
SAMPLE=gcc-not-found
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"
COMPILERS=(cc 'gcc*' 'c++' 'g++*' 'clang*' 'x86_64-linux-gnu-gcc*' 'x86_64-linux-gnu-g++*')

_pip() {
  # $1: python minor, $2: pip version or "", $3...: pip install arguments
  local venv="$WORK/venv-pip-$1" shim; shim="$(_path_without "${COMPILERS[@]}")"
  _venv "$(_py "$1")" "$venv" "$2"; shift 2
  _show _neutral_env PATH="$venv/bin:$shim" pip install "$@"
}

_uv() {
  local venv="$WORK/venv-uv" tools shim; shim="$(_path_without "${COMPILERS[@]}")"
  _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$shim:$tools" VIRTUAL_ENV="$venv" \
      uv pip install --no-binary psutil psutil==5.9.8
}

_poetry() {
  # poetry 2.5.1, `poetry install` of a project depending on netifaces==0.11.0 (in-project venv, CPython 3.12).
  local proj="$WORK/poetry-project" tools shim; shim="$(_path_without "${COMPILERS[@]}")"; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.12,<3.13"
dependencies = ["netifaces==0.11.0"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_py 3.12)" "$proj/.venv"
  _show _neutral_env PATH="$proj/.venv/bin:$shim:$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

CASE="${1:-pip-psutil}"
case "$CASE" in
  pip-psutil) _capture "$CASE" _pip 3.12 "" --no-binary psutil psutil==5.9.8 ;;
  uv-psutil) _capture "$CASE" _uv ;;
  pip-netifaces) _capture "$CASE" _pip 3.12 "" netifaces==0.11.0 ;;
  pip21-netifaces-distutils) _capture "$CASE" _pip 3.9 "$OLD_PIP_VERSION" \
      --no-build-isolation --no-binary netifaces netifaces==0.11.0 ;;
  pip21-netifaces-distutils-py38) _capture "$CASE" _pip 3.8 "$OLD_PIP_VERSION" \
      --no-build-isolation --no-binary netifaces netifaces==0.11.0 ;;
  pip-numpy-meson) _capture "$CASE" _pip 3.13 "" numpy==1.26.4 ;;
  poetry-netifaces) _capture "$CASE" _poetry ;;
  midline-pip-psutil) _from_capture pip-psutil | _excerpt 'did not run successfully' | _midline 14 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
