#!/usr/bin/env bash
# README: lxml built from source on a machine without the libxml2/libxslt development files:
# lxml's setup cannot run xslt-config / xml2-config / pkg-config, prints "Error: Please make
# sure the libxml2 and libxslt development packages are installed." and exits before compiling.
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, gcc 12, x86_64; 2026-12-01.
#   pip-lxml492    CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), lxml==4.9.2 (no cp312 wheel,
#                  so pip builds the sdist unasked).
#   uv-lxml492     the same with uv 0.13.9 (`uv pip install`).
#   pip21-lxml492  CPython 3.9.18 (pyenv), pip 21.2.4 (old "Command errored out" format),
#                  lxml==4.9.2 forced from source with --no-binary lxml.
#   pip-lxml522-py313  CPython 3.13.0 (pyenv), pip 24.2 (bundled), lxml==5.2.2 (no cp313
#                  wheel, so pip builds the sdist unasked). Added for the wheelfix record
#                  (captured 2026-12-01).
#   poetry-lxml492  poetry 2.5.1 (`poetry install` of a project depending on lxml==4.9.2, no
#                  cp312 wheel; in-project venv on CPython 3.12.1).
#
# libxml2-dev and libxslt1-dev are installed on the capture machine and other work relies on
# them, so instead of removing them the script runs the install with a PATH made of symlinks
# to every system executable except xml2-config, xslt-config and pkg-config (the three ways
# lxml's setup asks where libxml2 is). The headers stay in /usr/include/libxml2, which the
# compiler does not search by itself, as on a machine without the -dev packages.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-lxml492; prints the output)
# Needs: the pyenv Pythons above, gcc.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   midline-pip-lxml492        pip-lxml492 from the middle of its "× ... did not run successfully" line to the end
set -euo pipefail
SAMPLE=lxml-libxml2-libxslt-missing
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"

_pip() {
  # $1: python minor, $2: pip version or "", $3...: pip install arguments
  local venv="$WORK/venv-pip-$1" shim; shim="$(_path_without xml2-config xslt-config pkg-config)"
  _venv "$(_py "$1")" "$venv" "$2"; shift 2
  _show _neutral_env PATH="$venv/bin:$shim" pip install "$@"
}

_uv() {
  local venv="$WORK/venv-uv" tools shim; shim="$(_path_without xml2-config xslt-config pkg-config)"
  _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$shim:$tools" VIRTUAL_ENV="$venv" uv pip install lxml==4.9.2
}

_poetry() {
  # poetry 2.5.1, `poetry install` of a project depending on lxml==4.9.2 (in-project venv, CPython 3.12).
  local proj="$WORK/poetry-project" tools shim; shim="$(_path_without xml2-config xslt-config pkg-config)"; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.12,<3.13"
dependencies = ["lxml==4.9.2"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_py 3.12)" "$proj/.venv"
  _show _neutral_env PATH="$proj/.venv/bin:$shim:$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

CASE="${1:-pip-lxml492}"
case "$CASE" in
  pip-lxml492) _capture "$CASE" _pip 3.12 "" lxml==4.9.2 ;;
  uv-lxml492) _capture "$CASE" _uv ;;
  pip21-lxml492) _capture "$CASE" _pip 3.9 "$OLD_PIP_VERSION" --no-binary lxml lxml==4.9.2 ;;
  pip-lxml522-py313) _capture "$CASE" _pip 3.13 "" lxml==5.2.2 ;;
  poetry-lxml492) _capture "$CASE" _poetry ;;
  midline-pip-lxml492) _from_capture pip-lxml492 | _excerpt 'did not run successfully' | _midline 14 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
