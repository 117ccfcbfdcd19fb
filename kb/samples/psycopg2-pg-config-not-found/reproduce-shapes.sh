#!/usr/bin/env bash
# README: more shapes of this record (reproduce.sh beside this file makes the
# pip 23.2.1 log): psycopg2 builds its sdist, and the build stops with "Error: pg_config
# executable not found." when libpq's pg_config is not on PATH.
#
# Captured with: psycopg2 2.9.10 sdist; Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64;
# 2026-12-01.
#   uv-psycopg2      CPython 3.12.1 (pyenv), uv 0.13.9 (`uv pip install`).
#   poetry-psycopg2  CPython 3.12.1, poetry 2.5.1 (`poetry install`, in-project venv).
#   pip21-psycopg2   CPython 3.9.18 (pyenv), pip 21.2.4 (old "Command errored out" format).
#
# libpq-dev is installed on the capture machine, so pg_config is hidden: the tools run with a
# PATH made of symlinks to every system executable except pg_config.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default uv-psycopg2; prints the output)
# Needs: the pyenv Pythons above.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   midline-pip21-psycopg2     pip21-psycopg2 from the middle of its "ERROR: Command errored out" line to the end
set -euo pipefail
SAMPLE=psycopg2-pg-config-not-found
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"

_uv() {
  local venv="$WORK/venv-uv" tools shim; shim="$(_path_without pg_config)"
  _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$shim:$tools" VIRTUAL_ENV="$venv" uv pip install psycopg2==2.9.10
}

_poetry() {
  local proj="$WORK/poetry-project" tools shim; shim="$(_path_without pg_config)"; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.12,<3.13"
dependencies = ["psycopg2==2.9.10"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_py 3.12)" "$proj/.venv"
  _show _neutral_env PATH="$proj/.venv/bin:$shim:$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

_pip21() {
  local venv="$WORK/venv-pip21" shim; shim="$(_path_without pg_config)"
  _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
  _show _neutral_env PATH="$venv/bin:$shim" pip install psycopg2==2.9.10
}

CASE="${1:-uv-psycopg2}"
case "$CASE" in
  uv-psycopg2) _capture "$CASE" _uv ;;
  poetry-psycopg2) _capture "$CASE" _poetry ;;
  pip21-psycopg2) _capture "$CASE" _pip21 ;;
  midline-pip21-psycopg2) _from_capture pip21-psycopg2 | _excerpt 'Command errored out' | _midline 12 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
