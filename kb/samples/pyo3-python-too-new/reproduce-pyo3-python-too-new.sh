#!/usr/bin/env bash
# Copied from the corpus branch (h-corpus, commit 88bfc00), staging/samples/pyo3-python-too-new/reproduce.sh.
# It still writes under $WHEELFIX_REPRO_DIR/pyo3-python-too-new (SAMPLE=pyo3-python-too-new), so a rerun prints the
# same paths as the logs kept here; SOURCES.md says which of its cases those logs are.
# README: a PyO3 extension is built from source for a Python newer than the PyO3 release it
# pins supports: PyO3's build script (pyo3-build-config / pyo3-ffi) stops with "the
# configured Python interpreter version (3.X) is newer than PyO3's maximum supported version".
#
# Captured with: cargo/rustc 1.95.0 (rustup), build backend maturin 1.16.0 (newest 1.x on the
# capture date); Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#   pip-orjson-py313  CPython 3.13.0 (pyenv), pip 24.2 (bundled), orjson 3.10.3: no cp313
#                     wheel, so the sdist is built unasked; it vendors pyo3-ffi 0.21.2 (max 3.12).
#   (uv 0.13.9 stops earlier on this sdist, at its pyproject.toml check: see the
#   uv-pyproject-version-missing sample.)
#   poetry-orjson-py313  the same with poetry 2.5.1 (`poetry install` of a project depending
#                     on orjson==3.10.3, in-project venv on CPython 3.13.0).
# Older PyO3 releases (before 0.21) have no upper-version check at all: orjson 3.9.10 (pyo3-ffi
# 0.20.0) on 3.13 and orjson 3.8.14 (0.18.3) on 3.12 built without error here.
# orjson's sdists vendor their crates (include/cargo, selected by .cargo/config.toml), so the
# build needs no access to the crates registry, which the capture machine does not have.
# CARGO_HOME is a fresh empty directory with the toolchain linked into its bin/.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-orjson-py313; prints the output)
# Needs: a Rust toolchain (rustup), /root/.pyenv/versions/3.13.* and 3.12.*.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   gha-pip-orjson-py313       pip-orjson-py313 with GitHub Actions timestamps
#   buildkit-errors-pip-orjson-py313  pip-orjson-py313 from cargo's "failed to run custom build
#                              command" to PyO3's last hint, as `docker build --progress=plain` shows it
#   gha-errors-pip-orjson-py313  the same cut with GitHub Actions timestamps
#   midline-errors-pip-orjson-py313  the same cut, starting in the middle of its first line
set -euo pipefail
SAMPLE=pyo3-python-too-new
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"

_cargo_home() {
  local sysroot
  command -v rustc >/dev/null || PATH="$HOME/.cargo/bin:$PATH"
  command -v rustc >/dev/null || { echo "rustc not found: install Rust" >&2; exit 2; }
  sysroot="$(rustc --print sysroot)"
  rm -rf "$WORK/cargo-home"; mkdir -p "$WORK/cargo-home/bin"
  for b in cargo rustc rustdoc; do ln -s "$sysroot/bin/$b" "$WORK/cargo-home/bin/$b"; done
  echo "$WORK/cargo-home"
}

_run() {
  # $1: pip|uv, $2: python minor, $3: requirement
  local tool="$1" venv="$WORK/venv-$1-$2" home tools
  home="$(_cargo_home)"; tools="$(_tool uv)"
  _venv "$(_py "$2")" "$venv"
  if [ "$tool" = pip ]; then
    _show _neutral_env CARGO_HOME="$home" PATH="$home/bin:$venv/bin:$SYS_PATH" pip install "$3"
  else
    _show _neutral_env CARGO_HOME="$home" PATH="$home/bin:$venv/bin:$SYS_PATH:$tools" \
        VIRTUAL_ENV="$venv" uv pip install "$3"
  fi
}

_poetry() {
  local proj="$WORK/poetry-project" home tools
  home="$(_cargo_home)"; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.13"
dependencies = ["orjson==3.10.3"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_py 3.13)" "$proj/.venv"
  _show _neutral_env CARGO_HOME="$home" PATH="$home/bin:$proj/.venv/bin:$SYS_PATH:$tools" \
      POETRY_VIRTUALENVS_IN_PROJECT=true poetry -C "$proj" install
}

CASE="${1:-pip-orjson-py313}"
case "$CASE" in
  pip-orjson-py313) _capture "$CASE" _run pip 3.13 orjson==3.10.3 ;;
  poetry-orjson-py313) _capture "$CASE" _poetry ;;
  gha-pip-orjson-py313) _from_capture pip-orjson-py313 | _gha_stamps 9 3 ;;
  buildkit-errors-pip-orjson-py313) _from_capture pip-orjson-py313 | _cut 'failed to run custom build command' 'PYO3_USE_ABI3_FORWARD_COMPATIBILITY=1 to suppress' | _buildkit 12 48.302 ;;
  gha-errors-pip-orjson-py313) _from_capture pip-orjson-py313 | _cut 'failed to run custom build command' 'PYO3_USE_ABI3_FORWARD_COMPATIBILITY=1 to suppress' | _gha_stamps 8 14 ;;
  midline-errors-pip-orjson-py313) _from_capture pip-orjson-py313 | _cut 'failed to run custom build command' 'PYO3_USE_ABI3_FORWARD_COMPATIBILITY=1 to suppress' | _midline 13 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
