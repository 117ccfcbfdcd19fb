#!/usr/bin/env bash
# README: transformers 4.44 and older require tokenizers<0.20, and no tokenizers release
# before 0.20.2 has a wheel for CPython 3.13, so installing such a transformers on 3.13 builds
# tokenizers 0.19.1 from Rust source. With no Rust toolchain on PATH, tokenizers' build backend
# (maturin 1.8.4 or later) tries to download Rust, which fails on a machine without access to
# the Rust download site.
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; no rustc or
# cargo on PATH (the machine's ~/.cargo/bin is left out of PATH); the capture machine reaches
# the package registries only. The build backend resolved to maturin 1.16.0 (puccinialin 0.1.14).
#   pip-transformers-py313  CPython 3.13.0 (pyenv), pip 24.2 (bundled), transformers 4.44.2,
#                           which resolves tokenizers to 0.19.1 (sdist only for cp313).
#   (uv 0.13.9 refuses the tokenizers 0.19.1 sdist before building it: its pyproject.toml
#   has no project.version, a different failure.)
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-transformers-py313; prints the output)
# Needs: the pyenv Python above (PYENV_ROOT_DIR=/root/.pyenv/versions).
set -euo pipefail
SAMPLE=tokenizers-rust-build-no-wheel
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"

_no_rust_path() {
  # $1: venv. PATH without ~/.cargo/bin; fail loudly if a system cargo would still be found.
  if PATH="$1/bin:$SYS_PATH" command -v cargo >/dev/null; then
    echo "a cargo is on the system PATH; this case needs a machine without one" >&2; exit 2
  fi
  echo "$1/bin:$SYS_PATH"
}

_pip() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.13)" "$venv"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install transformers==4.44.2
}

CASE="${1:-pip-transformers-py313}"
case "$CASE" in
  pip-transformers-py313) _capture "$CASE" _pip ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
