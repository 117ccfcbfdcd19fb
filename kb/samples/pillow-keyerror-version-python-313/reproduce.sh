#!/usr/bin/env bash
# README: `pip install Pillow==10.3.0` on CPython 3.13 (no cp313 wheel, so pip builds the
# sdist) fails before any C code is looked at: Pillow's setup.py reads its version with exec()
# and then looks the name up in locals(), which no longer sees exec()'s assignments on 3.13
# (PEP 667), so the build stops with "KeyError: '__version__'".
#
# Captured with: CPython 3.13.0 (pyenv), pip 24.2 (bundled), uv 0.13.9, Pillow 10.3.0 sdist;
# Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01. Found while capturing
# pillow-headers-not-found (the first capture hid jpeglib.h; this script hides nothing, and
# the failure is the same).
#
# Copied from the corpus helper's staging/samples/pillow-setup-keyerror-version-py313 (the
# folder is renamed after the record; the logs are recaptured under the new name); the
# buildkit case was added here.
#
# Usage: reproduce.sh [CASE]   (prints the install output to stdout)
#   pip (default)  pip install Pillow==10.3.0 on 3.13
#   uv             the same with `uv pip install`
#   buildkit       the pip case as `docker build --progress=plain` shows it
#   poetry         the same with poetry 2.5.1 (`poetry install`, in-project venv on 3.13.0)
# Needs: /root/.pyenv/versions/3.13.*.
set -euo pipefail
SAMPLE=pillow-keyerror-version-python-313
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$HERE/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$HERE/../repro-shapes.sh"

_pip() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.13)" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install Pillow==10.3.0
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.13)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" uv pip install Pillow==10.3.0
}

_poetry() {
  # poetry 2.5.1 (`poetry install`), an in-project venv on CPython 3.13.
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.13,<3.14"
dependencies = ["pillow==10.3.0"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_py 3.13)" "$proj/.venv"
  _show _neutral_env PATH="$proj/.venv/bin:$SYS_PATH:$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

CASE="${1:-pip}"
case "$CASE" in
  pip) _capture pip-pillow _pip ;;
  uv) _capture uv-pillow _uv ;;
  poetry) _capture poetry-pillow _poetry ;;
  buildkit) _from_capture pip-pillow | _excerpt '^Collecting' | _buildkit 10 5.602 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
