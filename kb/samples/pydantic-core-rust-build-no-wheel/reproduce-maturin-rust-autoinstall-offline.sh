#!/usr/bin/env bash
# Copied from the corpus branch (h-corpus, commit 88bfc00), staging/samples/maturin-rust-autoinstall-offline/reproduce.sh.
# It still writes under $WHEELFIX_REPRO_DIR/maturin-rust-autoinstall-offline (SAMPLE=maturin-rust-autoinstall-offline), so a rerun prints the
# same paths as the logs kept here; SOURCES.md says which of its cases those logs are.
# README: a package built with maturin >= 1.8 is installed from its sdist on a machine with no
# Rust toolchain on PATH and no route to the Rust download site. Since maturin 1.8 the build
# backend does not stop with "Cargo ... is not installed" any more: it prints "Rust not
# found, installing into a temporary directory" and downloads rustup through puccinialin, so
# on an offline or proxied machine the failure is a network error (httpx.ConnectError) from
# inside the build backend. MATURIN_NO_INSTALL_RUST=1 turns the download off.
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; no rustc or
# cargo on PATH (the machine's ~/.cargo/bin is left out of PATH).
#   pip-pydantic     CPython 3.13.0 (pyenv), pip 24.2 (bundled), pydantic 2.5.3, which pins
#                    pydantic-core 2.14.6: no cp313 wheel, so pip builds its sdist unasked.
#   uv-pydantic      the same with uv 0.13.9 (`uv pip install`).
#   poetry-pydantic  the same with poetry 2.5.1 (`poetry install` of a project depending on
#                    pydantic==2.5.3, in-project venv on CPython 3.13.0).
#   pip21-orjson     CPython 3.9.18 (pyenv), pip 21.2.4 (old "Command errored out" format),
#                    orjson 3.9.10 sdist forced with --no-binary orjson; pip then discards the
#                    sdist and ends with "No matching distribution found".
#   pip21-pydantic   CPython 3.9.18 (pyenv), pip 21.2.4 (old "Command errored out" format),
#                    pydantic 2.5.3 with --no-binary pydantic-core (3.9 has a wheel).
# The build backends were the newest maturin 1.x on the capture date (1.16.0) with
# puccinialin 0.1.14; the capture machine reaches only the package registries.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-pydantic; prints the output)
# Needs: the pyenv Pythons above (PYENV_ROOT_DIR=/root/.pyenv/versions).
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   gha-uv-pydantic            uv-pydantic with GitHub Actions timestamps
set -euo pipefail
SAMPLE=maturin-rust-autoinstall-offline
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

_pip_pydantic() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.13)" "$venv"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install pydantic==2.5.3
}

_uv_pydantic() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.13)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$(_no_rust_path "$venv"):$tools" VIRTUAL_ENV="$venv" \
      uv pip install pydantic==2.5.3
}

_poetry_pydantic() {
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.13"
dependencies = ["pydantic==2.5.3"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_py 3.13)" "$proj/.venv"
  cd "$proj"
  _show _neutral_env PATH="$(_no_rust_path "$proj/.venv"):$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
  cd - >/dev/null
}

_pip21_orjson() {
  local venv="$WORK/venv-pip21"; _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install --no-binary orjson orjson==3.9.10
}

_pip21_pydantic() {
  # Old pip on CPython 3.9, where pydantic-core 2.14.6 has a wheel: --no-binary builds the sdist.
  local venv="$WORK/venv-pip21-pydantic"; _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install --no-binary pydantic-core pydantic==2.5.3
}

CASE="${1:-pip-pydantic}"
case "$CASE" in
  pip-pydantic) _capture "$CASE" _pip_pydantic ;;
  uv-pydantic) _capture "$CASE" _uv_pydantic ;;
  poetry-pydantic) _capture "$CASE" _poetry_pydantic ;;
  pip21-orjson) _capture "$CASE" _pip21_orjson ;;
  pip21-pydantic) _capture "$CASE" _pip21_pydantic ;;
  gha-uv-pydantic) _from_capture uv-pydantic | _gha_stamps 15 3 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
