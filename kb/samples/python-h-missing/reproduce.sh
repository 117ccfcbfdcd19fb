#!/usr/bin/env bash
# README: a C extension built from source on a Python whose development headers are not
# installed fails with "fatal error: Python.h: No such file or directory" (what happens on
# Debian/Ubuntu without python3-dev / python3.X-dev).
#
# Captured with: a copy of CPython 3.12.1 (pyenv) with include/python3.12 removed, pip 23.2.1
# (bundled), psutil 5.9.8 sdist (forced with --no-binary psutil), gcc 12; Debian GNU/Linux 12
# (bookworm), glibc 2.36, x86_64; 2026-11-28.
#
# Usage: reproduce.sh   (prints the install output to stdout)
#
# The real pyenv install is never touched: the script copies it to a work directory, removes
# the copy's include/python3.12, and points the copy's build configuration
# (_sysconfigdata_*.py) at the copy, since it otherwise names the original include directory
# and the headers would still be found there.
#
# Needs: /root/.pyenv/versions/3.12.1 (or PYENV_312=/path/to/prefix), gcc, ~310 MB in /tmp.
set -euo pipefail

PYENV_312="${PYENV_312:-/root/.pyenv/versions/3.12.1}"
WORK="${WHEELFIX_REPRO_DIR:-/tmp/wheelfix-repro}/python-h-missing"
SYS_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

_redact() {
  # Keep only the path of package-index URLs: logs must not name the index host.
  sed -E -e 's#https?://[^/[:space:]]+/((packages|simple)/)#<index>/\1#g' \
         -e 's#^(Looking in indexes:).*#\1 <index>/simple#'
}

_python_without_headers() {
  local prefix="$WORK/python3.12-no-headers" cfg
  rm -rf "$prefix"
  cp -a "$PYENV_312" "$prefix"
  rm -rf "$prefix/include/python3.12"
  for cfg in "$prefix"/lib/python3.12/_sysconfigdata_*.py; do
    sed -i "s#${PYENV_312}#${prefix}#g" "$cfg"
  done
  rm -f "$prefix"/lib/python3.12/__pycache__/_sysconfigdata_*
  if [ -e "$prefix/include/python3.12/Python.h" ]; then
    echo "Python.h still present in the copy; cannot reproduce" >&2; exit 2
  fi
  echo "$prefix/bin/python3.12"
}

_main() {
  local python venv="$WORK/venv"
  python="$(_python_without_headers)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  (cd /tmp && env -u PIP_FIND_LINKS -u PIP_CONSTRAINT -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL \
      -u CFLAGS -u CPPFLAGS -u C_INCLUDE_PATH -u CPATH \
      PIP_CONFIG_FILE=/dev/null PATH="$venv/bin:$SYS_PATH" VIRTUAL_ENV="$venv" \
      pip install --no-cache-dir --no-binary psutil psutil==5.9.8 2>&1) || true
}

mkdir -p "$WORK"
_main > "$WORK/install.raw"
_redact < "$WORK/install.raw"
