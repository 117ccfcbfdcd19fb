#!/usr/bin/env bash
# README (negative sample: belongs to no record): the package index cannot be reached (here a
# closed local port, http://127.0.0.1:9/simple, as with a dead mirror or proxy); pip retries,
# warns about the connection and ends with "No matching distribution found"; uv reports the
# failed request.
#
# Captured with: CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), uv 0.13.9; Debian GNU/Linux 12
# (bookworm), glibc 2.36, x86_64; 2026-12-01. pip's retries are cut to 1 and its timeout to 5 s
# so the capture is short; nothing leaves the machine.
#   pip-six  pip install --index-url http://127.0.0.1:9/simple --retries 1 --timeout 5 six
#   uv-six   uv pip install --index-url http://127.0.0.1:9/simple six (UV_HTTP_RETRIES=1)
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-six; prints the output)
set -euo pipefail
SAMPLE=index-unreachable
# shellcheck source=../../../../../kb/samples/repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../../../../../kb/samples/repro-lib.sh}"

_pip() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.12)" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install --index-url http://127.0.0.1:9/simple \
      --retries 1 --timeout 5 six
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" UV_HTTP_RETRIES=1 \
      uv pip install --index-url http://127.0.0.1:9/simple six
}

CASE="${1:-pip-six}"
case "$CASE" in
  pip-six) _capture "$CASE" _pip ;;
  uv-six) _capture "$CASE" _uv ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
