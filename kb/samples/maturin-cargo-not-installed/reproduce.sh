#!/usr/bin/env bash
# README: a package whose build backend is a maturin older than 1.8.4 (PyO3) is installed
# from its sdist on a machine with no Rust toolchain on PATH. maturin's PEP 517 hook for
# metadata stops with "Cargo, the Rust package manager, is not installed or is not on PATH.";
# tools that go straight to build_wheel (uv, poetry) get maturin's own "Cargo metadata
# failed. Do you have cargo in your PATH?".
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; no rustc or
# cargo on PATH (the machine's ~/.cargo/bin is left out of PATH).
#   pip-jellyfish     CPython 3.13.0 (pyenv), pip 24.2 (bundled), jellyfish 0.11.2: no cp313
#                     wheel, so pip builds the sdist unasked; its build-system pins
#                     maturin>=0.14,<0.15.
#   poetry-jellyfish  the same with poetry 2.5.1 (`poetry install` of a project depending on
#                     jellyfish==0.11.2, in-project venv on CPython 3.13.0).
#   pip-blake3        CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), blake3 0.3.3: no cp312
#                     wheel; build-system maturin>=0.14,<0.15.
#   uv-blake3         the same with uv 0.13.9 (`uv pip install`). (uv refuses jellyfish
#                     0.11.2's pyproject.toml before building: no project.version.)
#   pip21-blake3      CPython 3.9.18 (pyenv), pip 21.2.4 (old "Command errored out" format),
#                     blake3 0.3.3 with --no-binary blake3 (3.9 has a wheel).
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-jellyfish; prints the output)
# Needs: the pyenv Pythons above (PYENV_ROOT_DIR=/root/.pyenv/versions).
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   buildkit-pip-jellyfish     pip-jellyfish as `docker build --progress=plain` shows it
#   gha-uv-blake3              uv-blake3 with GitHub Actions timestamps
#   midline-pip-blake3         pip-blake3 from the middle of its "× Preparing metadata" line to the end
set -euo pipefail
SAMPLE=maturin-cargo-not-installed
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
  # $1: python minor, $2: requirement
  local venv="$WORK/venv-pip-$1"; _venv "$(_py "$1")" "$venv"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install "$2"
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$(_no_rust_path "$venv"):$tools" VIRTUAL_ENV="$venv" \
      uv pip install blake3==0.3.3
}

_poetry() {
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.13,<3.14"
dependencies = ["jellyfish==0.11.2"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_py 3.13)" "$proj/.venv"
  _show _neutral_env PATH="$(_no_rust_path "$proj/.venv"):$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

_pip21() {
  # Old pip ("Command errored out" format) on CPython 3.9, where blake3 0.3.3 has a wheel:
  # --no-binary makes pip build the sdist, as when no wheel fits.
  local venv="$WORK/venv-pip21"; _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install --no-binary blake3 blake3==0.3.3
}

CASE="${1:-pip-jellyfish}"
case "$CASE" in
  pip-jellyfish) _capture "$CASE" _pip 3.13 jellyfish==0.11.2 ;;
  uv-blake3) _capture "$CASE" _uv ;;
  poetry-jellyfish) _capture "$CASE" _poetry ;;
  pip-blake3) _capture "$CASE" _pip 3.12 blake3==0.3.3 ;;
  pip21-blake3) _capture "$CASE" _pip21 ;;
  buildkit-pip-jellyfish) _from_capture pip-jellyfish | _excerpt '^Collecting' | _buildkit 7 2.884 ;;
  gha-uv-blake3) _from_capture uv-blake3 | _gha_stamps 9 41 ;;
  midline-pip-blake3) _from_capture pip-blake3 | _excerpt 'did not run successfully' | _midline 14 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
