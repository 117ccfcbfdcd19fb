#!/usr/bin/env bash
# README: a release that ships no musllinux (Alpine/musl) wheel, asked for on a musl target with
# binaries only: pip finds no file ("Could not find a version that satisfies the requirement",
# listing only releases that do have musllinux wheels) and uv says the release "has no usable
# wheels". This machine is glibc-based, so the target is described to the tools instead of run:
# pip download --platform musllinux_1_1_x86_64 / uv --python-platform x86_64-unknown-linux-musl.
#
# Captured with: pip 23.2.1 (bundled with CPython 3.12.1, pyenv), uv 0.13.9; pandas==1.5.3 for CPython 3.11; Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#   pip-download  `pip download --no-deps --only-binary :all: -d DIR --platform musllinux_1_1_x86_64 --python-version 3.11 pandas==1.5.3`
#   uv-install    `uv pip install --dry-run --target DIR --only-binary :all: --python-platform x86_64-unknown-linux-musl --python-version 3.11 pandas==1.5.3`
#                 (uv runs on the first python on PATH, here Debian's 3.11.2; the target comes from
#                 --python-platform and --python-version)
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-download; prints the output)
# Needs: /root/.pyenv/versions/3.12.*.
set -euo pipefail
SAMPLE=musllinux-no-wheel
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"

_pip() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.12)" "$venv"
  rm -rf "$WORK/download"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip download --no-deps --only-binary :all: \
      -d "$WORK/download" --platform musllinux_1_1_x86_64 --python-version 3.11 pandas==1.5.3
}

_uv() {
  local tools; tools="$(_tool uv)"
  rm -rf "$WORK/target"
  _show _neutral_env PATH="$SYS_PATH:$tools" uv pip install --dry-run --target "$WORK/target" \
      --only-binary :all: --python-platform x86_64-unknown-linux-musl --python-version 3.11 pandas==1.5.3
}

CASE="${1:-pip-download}"
case "$CASE" in
  pip-download) _capture "$CASE" _pip ;;
  uv-install) _capture "$CASE" _uv ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
