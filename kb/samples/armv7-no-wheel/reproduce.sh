#!/usr/bin/env bash
# README: a 32-bit ARM (armv7l, e.g. Raspberry Pi OS 32-bit) target with binaries only: numpy
# 2.0.2 has no wheel for that target on the index, so pip reports "(from versions: none)" and "No
# matching distribution found" (without --only-binary pip would build the sdist on the device).
# Described to pip with --platform linux_armv7l, since this machine is x86_64.
#
# Captured with: pip 23.2.1 (bundled with CPython 3.12.1, pyenv); numpy==2.0.2 for CPython 3.12; Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#   pip-download  `pip download --no-deps --only-binary :all: -d DIR --platform linux_armv7l --python-version 3.12 numpy==2.0.2`
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-download; prints the output)
# Needs: /root/.pyenv/versions/3.12.*.
set -euo pipefail
SAMPLE=armv7-no-wheel
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"

_pip() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.12)" "$venv"
  rm -rf "$WORK/download"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip download --no-deps --only-binary :all: \
      -d "$WORK/download" --platform linux_armv7l --python-version 3.12 numpy==2.0.2
}

CASE="${1:-pip-download}"
case "$CASE" in
  pip-download) _capture "$CASE" _pip ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
