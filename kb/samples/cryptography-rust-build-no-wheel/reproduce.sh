#!/usr/bin/env bash
# README: cryptography 3.4 and later need Rust to build from source. A pip too old to know
# the manylinux2010/manylinux2014 tags of cryptography's wheels (pip before 19.0 knows only
# manylinux1) downloads the sdist instead, and on a machine without Rust setuptools-rust stops
# with "error: can't find Rust compiler", after cryptography's own "DEBUG ASSISTANCE" block.
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; no rustc or
# cargo on PATH (the machine's ~/.cargo/bin is left out of PATH).
#   pip18-cryptography  CPython 3.6.15 (pyenv) with the pip it bundles (18.1), cryptography
#                       3.4.8: its Linux wheels are tagged manylinux2010 and manylinux2014,
#                       which pip 18.1 does not accept, so it builds the sdist unasked.
#   pip-cryptography41  CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), cryptography 41.0.7
#                       with --no-binary cryptography.
#   uv-cryptography41   the same with uv 0.13.9 (`uv pip install --no-binary cryptography`).
#   poetry-cryptography41  poetry 2.5.1 (`poetry install` of a project depending on
#                       cryptography==41.0.7, in-project venv on CPython 3.12.1), with
#                       POETRY_INSTALLER_NO_BINARY=cryptography.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip18-cryptography; prints the output)
# Needs: the pyenv Python above (PYENV_ROOT_DIR=/root/.pyenv/versions), gcc and the OpenSSL
# headers are not reached.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   buildkit-pip-cryptography41 pip-cryptography41 as `docker build --progress=plain` shows it
set -euo pipefail
SAMPLE=cryptography-rust-build-no-wheel
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"

_no_rust_path() {
  # $1: venv. PATH without ~/.cargo/bin; fail loudly if a system rustc would still be found.
  if PATH="$1/bin:$SYS_PATH" command -v rustc >/dev/null; then
    echo "a rustc is on the system PATH; this case needs a machine without one" >&2; exit 2
  fi
  echo "$1/bin:$SYS_PATH"
}

_pip18() {
  # pip 18.1 cannot read repro-lib's PIP_NO_CACHE_DIR=1 (it crashes on it), so this case
  # gives pip a fresh, empty cache directory instead.
  local venv="$WORK/venv-pip18"; _venv "$(_py 3.6)" "$venv"
  rm -rf "$WORK/pip18-cache"
  _show _neutral_env PIP_NO_CACHE_DIR= PIP_CACHE_DIR="$WORK/pip18-cache" \
      PATH="$(_no_rust_path "$venv")" pip install cryptography==3.4.8
}

_pip() {
  # $1: pip|uv. cryptography 41.0.7 (built with setuptools-rust) has abi3 wheels for 3.12:
  # --no-binary builds the sdist, as where no wheel fits.
  local venv="$WORK/venv-$1" tools; _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  if [ "$1" = pip ]; then
    _show _neutral_env PATH="$(_no_rust_path "$venv")" \
        pip install --no-binary cryptography cryptography==41.0.7
  else
    _show _neutral_env PATH="$(_no_rust_path "$venv"):$tools" VIRTUAL_ENV="$venv" \
        uv pip install --no-binary cryptography cryptography==41.0.7
  fi
}

_poetry() {
  # poetry's installer.no-binary setting (POETRY_INSTALLER_NO_BINARY) plays --no-binary's part.
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  printf '%s\n' '[project]' 'name = "app"' 'version = "0.1.0"' 'requires-python = ">=3.12,<3.13"' \
      'dependencies = ["cryptography==41.0.7"]' '' '[tool.poetry]' 'package-mode = false' > "$proj/pyproject.toml"
  _venv "$(_py 3.12)" "$proj/.venv"
  _show _neutral_env PATH="$(_no_rust_path "$proj/.venv"):$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      POETRY_INSTALLER_NO_BINARY=cryptography poetry -C "$proj" install
}

CASE="${1:-pip18-cryptography}"
case "$CASE" in
  pip18-cryptography) _capture "$CASE" _pip18 ;;
  pip-cryptography41) _capture "$CASE" _pip pip ;;
  uv-cryptography41) _capture "$CASE" _pip uv ;;
  poetry-cryptography41) _capture "$CASE" _poetry ;;
  buildkit-pip-cryptography41) _from_capture pip-cryptography41 | _excerpt '^Collecting' | _buildkit 10 7.118 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
