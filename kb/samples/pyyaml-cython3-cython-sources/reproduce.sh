#!/usr/bin/env bash
# README: PyYAML 5.4.1 / 6.0 built from source with Cython 3 (their build requirements do not
# cap Cython) fail while getting the build requirements with "AttributeError: cython_sources".
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; build
# requirements resolved to the newest setuptools, wheel and Cython 3.x on that date.
#   pip-pyyaml541   CPython 3.11.7 (pyenv), pip 23.2.1 (bundled), pyyaml==5.4.1 (no cp311 wheel,
#                   so pip builds the sdist unasked).
#   uv-pyyaml541    the same with uv 0.13.9 (`uv pip install`).
#   poetry-pyyaml541  the same with poetry 2.5.1 (`poetry install`, in-project venv on 3.11.7).
#   pip-pyyaml60-py312  CPython 3.12.1, pip 23.2.1 (bundled), pyyaml==6.0 (no cp312 wheel).
#   pip21-pyyaml541 CPython 3.10.13 (pyenv), pip 21.2.4 (old "Command errored out" format),
#                   pyyaml==5.4.1 (no cp310 wheel).
#
#   gha-pyyaml60-py312  pip-pyyaml60-py312 with GitHub Actions timestamps (added here).
#   buildkit-pyyaml541  pip-pyyaml541 as `docker build --progress=plain` shows it (added here).
#
# Copied from the corpus helper's staging/samples/pyyaml-cython3-cython-sources (the logs are
# recaptured in this folder); the two shape variants were added here.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-pyyaml541; prints the output)
# Needs: the pyenv Pythons above, gcc (not reached).
set -euo pipefail
SAMPLE=pyyaml-cython3-cython-sources
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$HERE/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$HERE/../repro-shapes.sh"

_pip() {
  # $1: python minor, $2: requirement, $3: pip version or ""
  local venv="$WORK/venv-pip-$1"; _venv "$(_py "$1")" "$venv" "${3:-}"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install "$2"
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.11)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" uv pip install pyyaml==5.4.1
}

_poetry() {
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.11,<3.12"
dependencies = ["pyyaml==5.4.1"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_py 3.11)" "$proj/.venv"
  _show _neutral_env PATH="$proj/.venv/bin:$SYS_PATH:$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

CASE="${1:-pip-pyyaml541}"
case "$CASE" in
  pip-pyyaml541) _capture "$CASE" _pip 3.11 pyyaml==5.4.1 ;;
  uv-pyyaml541) _capture "$CASE" _uv ;;
  poetry-pyyaml541) _capture "$CASE" _poetry ;;
  pip-pyyaml60-py312) _capture "$CASE" _pip 3.12 pyyaml==6.0 ;;
  pip21-pyyaml541) _capture "$CASE" _pip 3.10 pyyaml==5.4.1 "$OLD_PIP_VERSION" ;;
  gha-pyyaml60-py312) _from_capture pip-pyyaml60-py312 | _gha_stamps 7 15 ;;
  buildkit-pyyaml541) _from_capture pip-pyyaml541 | _excerpt '^Collecting' | _buildkit 8 1.940 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
