#!/usr/bin/env bash
# README: asking for a release whose Requires-Python excludes the running interpreter: pip
# skips those files ("Ignored the following versions that require a different python
# version", "No matching distribution found"), refuses a file named directly ("Package 'X'
# requires a different Python"), and uv/poetry explain it in resolver terms.
#
# Captured with: CPython 3.8.18 (pyenv); Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64;
# 2026-12-01.
#   pip-numpy        pip (bundled with 3.8.18) `pip install numpy==2.0.2` (Requires-Python >=3.9).
#   pip21-numpy      pip 21.2.4 (older pip, no "Ignored" line), the same request.
#   pip-local-wheel  bundled pip, `pip install .../urllib3-2.3.0-py3-none-any.whl` (a wheel fetched
#                    first with `pip download --python-version 3.12 --only-binary :all:`;
#                    urllib3 2.3.0 has Requires-Python >=3.9).
#   uv-numpy         uv 0.13.9, `uv pip install numpy==2.0.2` into a 3.8 venv.
#   uv-project       uv 0.13.9, `uv lock` of a project with requires-python = ">=3.8" that
#                    depends on numpy==2.0.2.
#   poetry-project   poetry 2.5.1, `poetry lock` of the same project.
#   pip-py313-upper  CPython 3.13.0 (pyenv), pip 24.2 (bundled): `pip install numpy==1.26.0`,
#                    whose Requires-Python is <3.13,>=3.9 (an upper bound). Added for the
#                    wheelfix record (captured 2026-12-01).
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-numpy; prints the output)
# Needs: /root/.pyenv/versions/3.8.* and 3.12.* (for the download step), 3.13.* for pip-py313-upper.
set -euo pipefail
SAMPLE=requires-python-mismatch
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"

_pip313() {
  # The bundled pip of CPython 3.13, $1...: install arguments
  local venv="$WORK/venv-pip-3.13"; _venv "$(_py 3.13)" "$venv" ""
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install "$@"
}

_pip() {
  # $1: pip version or "", $2...: install arguments
  local venv="$WORK/venv-pip${1:+-$1}"; _venv "$(_py 3.8)" "$venv" "$1"; shift
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install "$@"
}

_pip_local_wheel() {
  local venv="$WORK/venv-local" dl="$WORK/wheels"
  rm -rf "$dl"; mkdir -p "$dl"
  _neutral_env "$(_py 3.12)" -m pip download -q --no-deps --only-binary :all: \
      --python-version 3.12 -d "$dl" urllib3==2.3.0 >&2
  _venv "$(_py 3.8)" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install "$dl/urllib3-2.3.0-py3-none-any.whl"
}

_uv_numpy() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.8)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" uv pip install numpy==2.0.2
}

_project() {
  # $1: directory
  rm -rf "$1"; mkdir -p "$1"
  cat > "$1/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = ["numpy==2.0.2"]

[tool.poetry]
package-mode = false
TOML
}

_uv_project() {
  local proj="$WORK/uv-project" tools; tools="$(_tool uv)"; _project "$proj"
  _show _neutral_env PATH="$SYS_PATH:$tools" UV_PYTHON="$(_py 3.8)" UV_PYTHON_DOWNLOADS=never \
      uv lock --project "$proj"
}

_poetry_project() {
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"; _project "$proj"
  rm -rf "$WORK/poetry-cache"
  _venv "$(_py 3.8)" "$proj/.venv"
  _show _neutral_env PATH="$proj/.venv/bin:$SYS_PATH:$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" lock
}

CASE="${1:-pip-numpy}"
case "$CASE" in
  pip-numpy) _capture "$CASE" _pip "" numpy==2.0.2 ;;
  pip21-numpy) _capture "$CASE" _pip "$OLD_PIP_VERSION" numpy==2.0.2 ;;
  pip-local-wheel) _capture "$CASE" _pip_local_wheel ;;
  uv-numpy) _capture "$CASE" _uv_numpy ;;
  uv-project) _capture "$CASE" _uv_project ;;
  poetry-project) _capture "$CASE" _poetry_project ;;
  pip-py313-upper) _capture "$CASE" _pip313 numpy==1.26.0 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
