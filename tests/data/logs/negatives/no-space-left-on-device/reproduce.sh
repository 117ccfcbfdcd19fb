#!/usr/bin/env bash
# README (negative sample: belongs to no record): the disk pip writes to fills up while it
# downloads and unpacks a wheel: "ERROR: Could not install packages due to an OSError: [Errno
# 28] No space left on device".
#
# Captured with: CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), numpy 2.0.2 cp312 wheel
# (19 MB); Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01. The full disk is an
# 8 MB tmpfs mounted, in a private mount namespace only, on the directory used as TMPDIR; the
# system's disks are untouched.
#
# Usage: reproduce.sh   (prints the install output to stdout)
# Needs: root, util-linux `unshare`.
set -euo pipefail
SAMPLE=no-space-left-on-device
# shellcheck source=../../../../../kb/samples/repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../../../../../kb/samples/repro-lib.sh}"

_main() {
  local venv="$WORK/venv" small="$WORK/small-tmp"
  _venv "$(_py 3.12)" "$venv"
  mkdir -p "$small"
  echo "\$ pip install numpy==2.0.2"
  _neutral_env PATH="$venv/bin:$SYS_PATH" TMPDIR="$small" unshare -m --propagation private bash -c '
      set -u
      trap "umount \"\$1\" 2>/dev/null || true" EXIT
      mount -t tmpfs -o size=8m tmpfs "$1"
      cd /tmp && pip install numpy==2.0.2 2>&1' _ "$small" || true
}

_capture pip-numpy _main
