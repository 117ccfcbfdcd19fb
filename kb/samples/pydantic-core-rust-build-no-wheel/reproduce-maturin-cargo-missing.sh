#!/usr/bin/env bash
# Copied from the corpus branch (h-corpus, commit 88bfc00), staging/samples/maturin-cargo-missing/reproduce.sh.
# It still writes under $WHEELFIX_REPRO_DIR/maturin-cargo-missing (SAMPLE=maturin-cargo-missing), so a rerun prints the
# same paths as the logs kept here; SOURCES.md says which of its cases those logs are.
# README: a package built with maturin (PyO3) is installed from its sdist on a machine with no
# Rust toolchain on PATH; maturin stops with "Cargo, the Rust package manager, is not
# installed or is not on PATH." (maturin before 1.8; newer maturin downloads Rust instead,
# see the maturin-rust-autoinstall-offline sample).
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; no rustc or
# cargo on PATH (the machine's ~/.cargo/bin is left out of PATH).
#   pip-orjson     CPython 3.11.7 (pyenv), pip 23.2.1 (bundled), orjson 3.6.9: no cp311 wheel,
#                  so pip builds the sdist unasked; its build-system pins maturin>=0.12.18,<0.13.
#   uv-pydantic-core  CPython 3.12.1 (pyenv), uv 0.13.9 (`uv pip install`), pydantic-core 0.25.0:
#                  no cp312 wheel; its build-system pins maturin>=0.14.16,<0.15. (uv refuses orjson 3.6.9's
#                  pyproject.toml before building: see uv-pyproject-version-missing.)
#   poetry-orjson  the same with poetry 2.5.1 (`poetry install` of a project depending on
#                  orjson==3.6.9, in-project venv on CPython 3.11.7).
#   pip21-orjson   CPython 3.9.18 (pyenv), pip 21.2.4 (old "Command errored out" format),
#                  orjson 3.6.9 sdist forced with --no-binary orjson.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-orjson; prints the output)
# Needs: the pyenv Pythons above (PYENV_ROOT_DIR=/root/.pyenv/versions).
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
set -euo pipefail
SAMPLE=maturin-cargo-missing
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

_pip_orjson() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.11)" "$venv"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install orjson==3.6.9
}

_uv_pydantic_core() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$(_no_rust_path "$venv"):$tools" VIRTUAL_ENV="$venv" \
      uv pip install pydantic-core==0.25.0
}

_poetry_orjson() {
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.11,<3.12"
dependencies = ["orjson==3.6.9"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_py 3.11)" "$proj/.venv"
  _show _neutral_env PATH="$(_no_rust_path "$proj/.venv"):$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

_pip21_orjson() {
  local venv="$WORK/venv-pip21"; _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install --no-binary orjson orjson==3.6.9
}

CASE="${1:-pip-orjson}"
case "$CASE" in
  pip-orjson) _capture "$CASE" _pip_orjson ;;
  uv-pydantic-core) _capture "$CASE" _uv_pydantic_core ;;
  poetry-orjson) _capture "$CASE" _poetry_orjson ;;
  pip21-orjson) _capture "$CASE" _pip21_orjson ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
