#!/usr/bin/env bash
# README: jiter (a dependency of openai and anthropic) before 0.6.0 has no wheel for CPython
# 3.13, so a requirements file that pins an older jiter builds it from Rust source. With no
# Rust toolchain on PATH, jiter's build backend (maturin 1.8.4 or later) tries to download
# Rust, which fails on a machine without access to the Rust download site.
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; no rustc or
# cargo on PATH (the machine's ~/.cargo/bin is left out of PATH); the capture machine reaches
# the package registries only. The build backend resolved to maturin 1.16.0 (puccinialin 0.1.14).
#   pip-jiter               CPython 3.13.0 (pyenv), pip 24.2 (bundled), jiter 0.5.0.
#   uv-jiter                the same with uv 0.13.9 (`uv pip install`).
#   pip-requirements-openai pip 24.2, `pip install -r requirements.txt` of a file frozen on an
#                           older Python: openai 1.40.0, jiter 0.5.0, pydantic 2.8.2 and
#                           pydantic-core 2.20.1 (which does have a cp313 wheel).
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-jiter; prints the output)
# Needs: the pyenv Python above (PYENV_ROOT_DIR=/root/.pyenv/versions).
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   gha-uv-jiter               uv-jiter with GitHub Actions timestamps
set -euo pipefail
SAMPLE=jiter-rust-build-no-wheel
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"

_no_rust_path() {
  # $1: venv. PATH without ~/.cargo/bin; fail loudly if a system cargo would still be found.
  if PATH="$1/bin:$SYS_PATH" command -v cargo >/dev/null; then
    echo "a cargo is on the system PATH; this case needs a machine without one" >&2; exit 2
  fi
  echo "$1/bin:$SYS_PATH"
}

_pip() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.13)" "$venv"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install jiter==0.5.0
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.13)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$(_no_rust_path "$venv"):$tools" VIRTUAL_ENV="$venv" \
      uv pip install jiter==0.5.0
}

_pip_requirements() {
  local venv="$WORK/venv-pip-req"; _venv "$(_py 3.13)" "$venv"
  printf '%s\n' openai==1.40.0 jiter==0.5.0 pydantic==2.8.2 pydantic-core==2.20.1 > "$WORK/requirements.txt"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install -r "$WORK/requirements.txt"
}

CASE="${1:-pip-jiter}"
case "$CASE" in
  pip-jiter) _capture "$CASE" _pip ;;
  uv-jiter) _capture "$CASE" _uv ;;
  pip-requirements-openai) _capture "$CASE" _pip_requirements ;;
  gha-uv-jiter) _from_capture uv-jiter | _gha_stamps 14 9 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
