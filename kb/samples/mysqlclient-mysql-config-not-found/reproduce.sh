#!/usr/bin/env bash
# README: mysqlclient builds from source on Linux (it publishes Windows wheels only) and needs
# the MySQL/MariaDB client development files. Without them, 2.2.x stops at pkg-config ("Can not
# find valid pkg-config name. Specify MYSQLCLIENT_CFLAGS and MYSQLCLIENT_LDFLAGS env vars
# manually") and 2.1.x at mysql_config ("OSError: mysql_config not found").
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; no
# libmariadb-dev / libmysqlclient-dev installed (no mysql_config, mariadb_config or .pc file);
# pkg-config 1.8.1 present.
#   pip-mysqlclient22     CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), mysqlclient==2.2.4.
#   uv-mysqlclient22      the same with uv 0.13.9 (`uv pip install`).
#   poetry-mysqlclient22  the same with poetry 2.5.1 (`poetry install`, in-project venv).
#   pip-mysqlclient21     CPython 3.12.1, pip 23.2.1, mysqlclient==2.1.1.
#   pip21-mysqlclient21   CPython 3.9.18 (pyenv), pip 21.2.4 (old "Command errored out"
#                         format), mysqlclient==2.1.1.
#   pip-mysqlclient22-no-pkg-config  as pip-mysqlclient22, with pkg-config hidden from PATH
#                         as well. Added for the wheelfix record.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-mysqlclient22; prints the output)
# Needs: the pyenv Pythons above; a machine without MySQL/MariaDB client dev files.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   midline-pip-mysqlclient22  pip-mysqlclient22 from the middle of its "× ... did not run successfully" line to the end
set -euo pipefail
SAMPLE=mysqlclient-mysql-config-not-found
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"

_check() {
  if command -v mysql_config >/dev/null || command -v mariadb_config >/dev/null \
      || pkg-config --exists mysqlclient mariadb 2>/dev/null; then
    echo "MySQL/MariaDB client dev files are installed; this needs a machine without them" >&2; exit 2
  fi
}

_pip() {
  # $1: python minor, $2: requirement, $3: pip version or ""
  local venv="$WORK/venv-pip-$1"; _check; _venv "$(_py "$1")" "$venv" "${3:-}"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install "$2"
}

_uv() {
  local venv="$WORK/venv-uv" tools; _check; _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" uv pip install mysqlclient==2.2.4
}

_poetry() {
  local proj="$WORK/poetry-project" tools; _check; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.12,<3.13"
dependencies = ["mysqlclient==2.2.4"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_py 3.12)" "$proj/.venv"
  _show _neutral_env PATH="$proj/.venv/bin:$SYS_PATH:$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

_pip_no_pkg_config() {
  # pkg-config itself missing too (a bare slim image): the shell reports it for each name tried.
  local venv="$WORK/venv-pip-3.12" shim; _check; shim="$(_path_without pkg-config pkgconf)"
  _venv "$(_py 3.12)" "$venv"
  _show _neutral_env PATH="$venv/bin:$shim" pip install mysqlclient==2.2.4
}

CASE="${1:-pip-mysqlclient22}"
case "$CASE" in
  pip-mysqlclient22) _capture "$CASE" _pip 3.12 mysqlclient==2.2.4 ;;
  uv-mysqlclient22) _capture "$CASE" _uv ;;
  poetry-mysqlclient22) _capture "$CASE" _poetry ;;
  pip-mysqlclient21) _capture "$CASE" _pip 3.12 mysqlclient==2.1.1 ;;
  pip21-mysqlclient21) _capture "$CASE" _pip 3.9 mysqlclient==2.1.1 "$OLD_PIP_VERSION" ;;
  pip-mysqlclient22-no-pkg-config) _capture "$CASE" _pip_no_pkg_config ;;
  midline-pip-mysqlclient22) _from_capture pip-mysqlclient22 | _excerpt 'did not run successfully' | _midline 14 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
