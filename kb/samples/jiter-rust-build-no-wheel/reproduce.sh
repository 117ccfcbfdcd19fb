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
#   pip21-jiter  CPython 3.9.18, pip 21.2.4 (old "Command errored out" format), jiter 0.5.0 with
#                --no-binary jiter (3.9 has a wheel).
#   poetry-jiter  poetry 2.5.1 (`poetry install` of a project depending on jiter==0.5.0,
#                in-project venv on CPython 3.13.0).
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

_pip21() {
  # Old pip on CPython 3.9, where jiter 0.5.0 has a wheel: --no-binary builds the sdist.
  local venv="$WORK/venv-pip21"; _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install --no-binary jiter jiter==0.5.0
}

_poetry() {
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  printf '%s\n' '[project]' 'name = "app"' 'version = "0.1.0"' 'requires-python = ">=3.13,<3.14"' \
      'dependencies = ["jiter==0.5.0"]' '' '[tool.poetry]' 'package-mode = false' > "$proj/pyproject.toml"
  _venv "$(_py 3.13)" "$proj/.venv"
  _show _neutral_env PATH="$(_no_rust_path "$proj/.venv"):$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

CASE="${1:-pip-jiter}"
case "$CASE" in
  pip-jiter) _capture "$CASE" _pip ;;
  uv-jiter) _capture "$CASE" _uv ;;
  pip-requirements-openai) _capture "$CASE" _pip_requirements ;;
  pip21-jiter) _capture "$CASE" _pip21 ;;
  poetry-jiter) _capture "$CASE" _poetry ;;
  gha-uv-jiter) _from_capture uv-jiter | _gha_stamps 14 9 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
