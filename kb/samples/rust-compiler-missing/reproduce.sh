#!/usr/bin/env bash
# README: a package built with setuptools-rust is installed from its sdist on a machine with
# no Rust toolchain on PATH; setuptools-rust stops with "error: can't find Rust compiler".
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; no rustc or
# cargo on PATH (the machine's ~/.cargo/bin is left out of PATH).
#   pip-safetensors     CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), safetensors 0.3.3: no
#                       cp312 wheel, so pip builds the sdist unasked (setuptools-rust backend).
#   uv-safetensors      the same with uv 0.13.9 (`uv pip install`).
#   poetry-safetensors  the same with poetry 2.5.1 (`poetry install` of a project depending on
#                       safetensors==0.3.3, in-project venv on CPython 3.12.1).
#   pip21-safetensors   CPython 3.9.18 (pyenv), pip 21.2.4 (old "Command errored out" format),
#                       safetensors 0.3.3 with --no-binary safetensors (3.9 has a wheel).
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-safetensors; prints the output)
# Needs: the pyenv Python above (PYENV_ROOT_DIR=/root/.pyenv/versions).
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   gha-uv-safetensors         uv-safetensors with GitHub Actions timestamps
#   midline-pip-safetensors    pip-safetensors from the middle of its "× ... did not run successfully" line to the end
set -euo pipefail
SAMPLE=rust-compiler-missing
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

_pip() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.12)" "$venv"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install safetensors==0.3.3
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$(_no_rust_path "$venv"):$tools" VIRTUAL_ENV="$venv" \
      uv pip install safetensors==0.3.3
}

_poetry() {
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.12,<3.13"
dependencies = ["safetensors==0.3.3"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_py 3.12)" "$proj/.venv"
  _show _neutral_env PATH="$(_no_rust_path "$proj/.venv"):$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

_pip21() {
  # Old pip ("Command errored out" format) on CPython 3.9, where safetensors 0.3.3 has a wheel:
  # --no-binary makes pip build the sdist, as when no wheel fits.
  local venv="$WORK/venv-pip21"; _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install --no-binary safetensors safetensors==0.3.3
}

CASE="${1:-pip-safetensors}"
case "$CASE" in
  pip-safetensors) _capture "$CASE" _pip ;;
  uv-safetensors) _capture "$CASE" _uv ;;
  poetry-safetensors) _capture "$CASE" _poetry ;;
  pip21-safetensors) _capture "$CASE" _pip21 ;;
  gha-uv-safetensors) _from_capture uv-safetensors | _gha_stamps 13 20 ;;
  midline-pip-safetensors) _from_capture pip-safetensors | _excerpt 'did not run successfully' | _midline 14 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
