#!/usr/bin/env bash
# README (negative sample: belongs to no record): the package index accepts the connection but
# never answers (an overloaded mirror, a proxy that swallows requests): pip's read times out,
# it retries and ends with "No matching distribution found"; uv reports the timeout. Here the
# index is a local socket on 127.0.0.1 that listens and never replies; nothing leaves the machine.
#
# Captured with: CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), uv 0.13.9; Debian GNU/Linux 12
# (bookworm), glibc 2.36, x86_64; 2026-12-01. pip's timeout is cut to 2 s and its retries to 1,
# uv's timeout to 2 s (UV_HTTP_TIMEOUT), so the capture is short.
#   pip-requests  pip install --index-url http://127.0.0.1:PORT/simple --retries 1 --timeout 2 requests
#   uv-requests   uv pip install --index-url http://127.0.0.1:PORT/simple requests
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-requests; prints the output)
set -euo pipefail
SAMPLE=index-read-timeout
# shellcheck source=../../../../../kb/samples/repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../../../../../kb/samples/repro-lib.sh}"

PORT=18765

_silent_index() {
  # A listening socket that accepts connections and never reads or writes: every request hangs
  # until the client's read timeout. Killed by the trap when the capture ends.
  "$(_py 3.12)" -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$PORT" &
  SERVER=$!
  trap 'kill "$SERVER" 2>/dev/null || true' EXIT
  sleep 1
}

_pip() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.12)" "$venv"; _silent_index
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install --index-url "http://127.0.0.1:$PORT/simple" \
      --retries 1 --timeout 2 requests
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"; _silent_index
  _show _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" UV_HTTP_TIMEOUT=2 \
      UV_HTTP_RETRIES=1 uv pip install --index-url "http://127.0.0.1:$PORT/simple" requests
}

CASE="${1:-pip-requests}"
case "$CASE" in
  pip-requests) _capture "$CASE" _pip ;;
  uv-requests) _capture "$CASE" _uv ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
