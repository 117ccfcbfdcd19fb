#!/usr/bin/env bash
# README: an sdist whose setup.py names neither packages nor py_modules, built with setuptools
# >= 61 (automatic discovery): several top-level directories look like packages, and setuptools
# refuses with "error: Multiple top-level packages discovered in a flat-layout: [...]".
#
# Captured with: git-nautilus-icons 2.0.2 sdist (top-level icons/, distro_icons/,
# icon_testing_dir/), the newest setuptools on the capture date in the build environment;
# Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#   pip-git-nautilus-icons    CPython 3.12.1 (pyenv), pip 23.2.1 (bundled).
#   uv-git-nautilus-icons     the same with uv 0.13.9 (`uv pip install`).
#   pip21-git-nautilus-icons  CPython 3.9.18 (pyenv), pip 21.2.4 (old "Command errored out").
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-git-nautilus-icons; prints output)
# Needs: the pyenv Pythons above.
set -euo pipefail
SAMPLE=setuptools-flat-layout-multiple-packages
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"

_pip() {
  # $1: python minor, $2: pip version or ""
  local venv="$WORK/venv-pip-$1"; _venv "$(_py "$1")" "$venv" "$2"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install git-nautilus-icons==2.0.2
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" \
      uv pip install git-nautilus-icons==2.0.2
}

CASE="${1:-pip-git-nautilus-icons}"
case "$CASE" in
  pip-git-nautilus-icons) _capture "$CASE" _pip 3.12 "" ;;
  uv-git-nautilus-icons) _capture "$CASE" _uv ;;
  pip21-git-nautilus-icons) _capture "$CASE" _pip 3.9 "$OLD_PIP_VERSION" ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
