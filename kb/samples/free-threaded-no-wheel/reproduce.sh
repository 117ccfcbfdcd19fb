#!/usr/bin/env bash
# README: free-threaded CPython 3.13 (3.13t, ABI tag cp313t) with binaries only, for a release
# that ships cp313 wheels but no cp313t ones: pip reports "(from versions: none)" and "No
# matching distribution found". pyenv here has no free-threaded build, so the target is
# described to pip (--python-version 3.13 --abi cp313t); a real 3.13t would otherwise build the
# sdist.
#
# Captured with: pip 24.2 (bundled with CPython 3.13.0, pyenv); orjson==3.10.7 for CPython 3.13t; Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#   pip-download  `pip download --no-deps --only-binary :all: -d DIR --platform manylinux_2_17_x86_64 --python-version 3.13 --abi cp313t orjson==3.10.7`
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-download; prints the output)
# Needs: /root/.pyenv/versions/3.13.*.
set -euo pipefail
SAMPLE=free-threaded-no-wheel
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"

_pip() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.13)" "$venv"
  rm -rf "$WORK/download"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip download --no-deps --only-binary :all: \
      -d "$WORK/download" --platform manylinux_2_17_x86_64 --python-version 3.13 --abi cp313t orjson==3.10.7
}

CASE="${1:-pip-download}"
case "$CASE" in
  pip-download) _capture "$CASE" _pip ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
