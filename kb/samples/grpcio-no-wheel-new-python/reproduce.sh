#!/usr/bin/env bash
# README: grpcio 1.58.0 has no CPython 3.12 wheel, so pip builds the sdist. The sdist has no
# pyproject.toml, so pip builds it with the newest setuptools, and grpcio 1.58.0's setup.py
# imports pkg_resources, which setuptools removed in 82.0.0 (checked here: 81.0.0 still has
# it, 82.0.0 does not). The build stops with "ModuleNotFoundError: No module named
# 'pkg_resources'" before compiling anything. (grpcio 1.66.1, which has no cp313 wheel, no
# longer imports pkg_resources; on CPython 3.13 its C++ build ran here for 30 minutes without
# failing and was then stopped, so no 3.13 shape is captured.)
#
# Captured with: CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), uv 0.13.9; Debian GNU/Linux 12
# (bookworm), glibc 2.36, x86_64; 2026-12-01; setuptools 84.2.1 resolved for the build.
#
# Usage: reproduce.sh [CASE]   (prints the output; CASE defaults to pip-grpcio1580-py312)
#   pip-grpcio1580-py312       pip install grpcio==1.58.0 on 3.12
#   uv-grpcio1580-py312        the same with `uv pip install`
#   buildkit-grpcio1580-py312  pip-grpcio1580-py312 as `docker build --progress=plain` shows it
# Needs: /root/.pyenv/versions/3.12.*.
set -euo pipefail
SAMPLE=grpcio-no-wheel-new-python
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

CASE="${1:-pip-grpcio1580-py312}"
case "$CASE" in
  pip-grpcio1580-py312) _capture "$CASE" _pip 3.12 grpcio==1.58.0 ;;
  uv-grpcio1580-py312) _capture "$CASE" _uv 3.12 grpcio==1.58.0 ;;
  buildkit-grpcio1580-py312) _from_capture pip-grpcio1580-py312 | _excerpt '^Collecting' | _buildkit 14 9.118 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
