#!/usr/bin/env bash
# README: more shapes of this record (reproduce.sh beside this file makes the psutil log; psutil prints its own
# python3-dev hint): a C extension built on a Python whose development headers are missing
# fails with "fatal error: Python.h: No such file or directory"; here from packages that add
# no hint of their own.
#
# Captured with: a copy of CPython 3.12.1 (pyenv) with include/python3.12 removed, gcc 12;
# Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#   pip-netifaces  pip 23.2.1 (bundled), netifaces 0.11.0 (no cp312 wheel).
#   uv-netifaces   the same with uv 0.13.9 (`uv pip install`).
#   pip-multidict  pip 23.2.1, multidict 6.0.5 forced from source with --no-binary multidict
#                  and MULTIDICT_NO_EXTENSIONS unset (multidict has a pure-Python fallback only
#                  when asked for it).
#   pip-netifaces-clang  pip 23.2.1, netifaces 0.11.0, CC=clang (Debian clang 14): clang's
#                  wording of the missing header, as on macOS. Added for the wheelfix record.
#   pip21-netifaces  netifaces 0.11.0 with --no-binary netifaces (3.9 has a wheel), pip 21.2.4 on
#                       CPython 3.9.18 without headers (old "Command errored out" format).
#   poetry-netifaces  `poetry install` (poetry 2.5.1) of a project depending on
#                       netifaces==0.11.0, in-project venv made by the Python without headers.
#
# The real pyenv install is never touched: the script copies it, removes the copy's
# include/python3.12, and points the copy's _sysconfigdata_*.py at the copy (it otherwise names
# the original include directory, where the headers would still be found).
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-netifaces; prints the output)
# Needs: /root/.pyenv/versions/3.12.*, gcc, ~310 MB in /tmp.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   buildkit-pip-netifaces     pip-netifaces as `docker build --progress=plain` shows it
#   midline-pip-multidict      pip-multidict from the middle of its "× Building wheel" line to the end
set -euo pipefail
SAMPLE=python-h-missing
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"

_python_without_headers() {
  # $1: minor version (default 3.12). A copy of that pyenv Python without its include/ dir.
  local v="${1:-3.12}" orig prefix cfg
  prefix="$WORK/python$v-no-headers"
  orig="$(dirname "$(dirname "$(_py "$v")")")"
  rm -rf "$prefix"; cp -a "$orig" "$prefix"
  rm -rf "$prefix/include/python$v"
  for cfg in "$prefix"/lib/python"$v"/_sysconfigdata_*.py; do sed -i "s#${orig}#${prefix}#g" "$cfg"; done
  rm -f "$prefix"/lib/python"$v"/__pycache__/_sysconfigdata_*
  if [ -e "$prefix/include/python$v/Python.h" ]; then
    echo "Python.h still present in the copy; cannot reproduce" >&2; exit 2
  fi
  echo "$prefix/bin/python$v"
}

_run() {
  # $1: pip|uv, $2...: install arguments
  local tool="$1" venv="$WORK/venv-$1" tools; shift
  _venv "$(_python_without_headers)" "$venv"; tools="$(_tool uv)"
  if [ "$tool" = pip ]; then
    _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install "$@"
  else
    _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" uv pip install "$@"
  fi
}

_run_clang() {
  # clang instead of gcc, as on macOS: clang words the missing header differently.
  local venv="$WORK/venv-clang"
  _venv "$(_python_without_headers)" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" CC=clang pip install "$@"
}

_pip21() {
  # Old pip ("Command errored out" format) needs CPython 3.11 or older: 3.9 here.
  local venv="$WORK/venv-pip21"
  _venv "$(_python_without_headers 3.9)" "$venv" "$OLD_PIP_VERSION"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install "$@"
}

_poetry() {
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.12,<3.13"
dependencies = ["netifaces==0.11.0"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_python_without_headers)" "$proj/.venv"
  _show _neutral_env PATH="$proj/.venv/bin:$SYS_PATH:$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

CASE="${1:-pip-netifaces}"
case "$CASE" in
  pip-netifaces) _capture "$CASE" _run pip netifaces==0.11.0 ;;
  uv-netifaces) _capture "$CASE" _run uv netifaces==0.11.0 ;;
  pip-multidict) _capture "$CASE" _run pip --no-binary multidict multidict==6.0.5 ;;
  pip-netifaces-clang) _capture "$CASE" _run_clang netifaces==0.11.0 ;;
  pip21-netifaces) _capture "$CASE" _pip21 --no-binary netifaces netifaces==0.11.0 ;;
  poetry-netifaces) _capture "$CASE" _poetry ;;
  buildkit-pip-netifaces) _from_capture pip-netifaces | _excerpt '^Collecting' | _buildkit 10 1.733 ;;
  midline-pip-multidict) _from_capture pip-multidict | _excerpt 'did not run successfully' | _midline 14 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
