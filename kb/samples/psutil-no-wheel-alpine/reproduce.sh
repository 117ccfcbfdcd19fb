#!/usr/bin/env bash
# README: psutil publishes musllinux (Alpine) wheels only from 7.2.0 on, so on Alpine every
# older psutil is compiled from source, and python:*-alpine images have no C compiler.
# psutil's setup.py then prints its own hint, chosen by which package manager it finds on
# PATH (`shutil.which("apk")` selects the Alpine line "sudo apk add gcc python3-dev musl-dev
# linux-headers"), and the compile fails on the missing gcc.
#
# This machine is Debian, not Alpine, so two things are arranged and nothing else:
#   - the source build is forced with `--no-binary psutil` (on Alpine no wheel matches, so
#     pip builds the sdist without being asked; here a manylinux wheel would match);
#   - PATH is a directory of links to every system program except gcc/cc and the other
#     package managers psutil checks first (dpkg, rpm, pacman), plus an `apk` stub that only
#     exits 1, so psutil's check finds an Alpine-like system.
# Everything printed is psutil's, setuptools' and pip's own output.
#
# Captured with: CPython 3.12.1 (pyenv, headers present), pip 23.2.1 (bundled); Debian
# GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#
# Usage: reproduce.sh [CASE]   (prints the output; CASE defaults to pip-psutil713)
#   pip-psutil713   pip install --no-binary psutil psutil==7.1.3 (the last release before
#                   the first musllinux wheels)
#   pip-psutil598   the same with psutil 5.9.8 (older hint wording)
#   buildkit-psutil713  pip-psutil713 as `docker build --progress=plain` shows it
# Needs: /root/.pyenv/versions/3.12.*.
set -euo pipefail
SAMPLE=psutil-no-wheel-alpine
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$HERE/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$HERE/../repro-shapes.sh"

_alpine_like_path() {
  local shim stub="$WORK/apk-stub"
  shim="$(_path_without gcc cc 'gcc-*' 'x86_64-linux-gnu-gcc*' dpkg rpm pacman)"
  rm -rf "$stub"; mkdir -p "$stub"
  printf '#!/bin/sh\nexit 1\n' > "$stub/apk"; chmod +x "$stub/apk"
  echo "$shim:$stub"
}

_pip() {
  local venv="$WORK/venv-$1" path; path="$(_alpine_like_path)"
  _venv "$(_py 3.12)" "$venv"
  _show _neutral_env PATH="$venv/bin:$path" pip install --no-binary psutil "psutil==$1"
}

CASE="${1:-pip-psutil713}"
case "$CASE" in
  pip-psutil713) _capture "$CASE" _pip 7.1.3 ;;
  pip-psutil598) _capture "$CASE" _pip 5.9.8 ;;
  buildkit-psutil713) _from_capture pip-psutil713 | _excerpt '^Collecting' | _buildkit 5 2.730 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
