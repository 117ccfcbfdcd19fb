#!/usr/bin/env bash
# README: a release whose manylinux wheels are manylinux_2_28 only, asked for on a manylinux2014
# (glibc 2.17) target such as CentOS 7 / Amazon Linux 2 with binaries only: pip lists only older
# releases and stops with "No matching distribution found"; uv says the release "has no usable
# wheels". Described to the tools (pip download --platform manylinux2014_x86_64, uv
# --python-platform x86_64-manylinux_2_17), since this machine's glibc is 2.36.
#
# Captured with: pip 23.2.1 (bundled with CPython 3.12.1, pyenv), uv 0.13.9; numpy==2.3.0 for CPython 3.12; Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#   pip-download  `pip download --no-deps --only-binary :all: -d DIR --platform manylinux2014_x86_64 --python-version 3.12 numpy==2.3.0`
#   uv-install    `uv pip install --dry-run --target DIR --only-binary :all: --python-platform x86_64-manylinux_2_17 --python-version 3.12 numpy==2.3.0`
#                 (uv runs on the first python on PATH, here Debian's 3.11.2; the target comes from
#                 --python-platform and --python-version)
#   pip-lambda-recipe  AWS's documented recipe for Lambda packages (`pip install --platform
#                 manylinux2014_x86_64 --target=DIR --implementation cp --python-version 3.12
#                 --only-binary=:all: --upgrade numpy==2.3.0`). Added for the wheelfix record.
#   pip-2_34-only `pip download ... --platform manylinux_2_34_x86_64 ... numpy==2.2.6`: pip
#                 matches --platform tags exactly, so the manylinux_2_17 wheel of 2.2.6 is not
#                 taken. Added for the wheelfix record.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-download; prints the output)
# Needs: /root/.pyenv/versions/3.12.*.
set -euo pipefail
SAMPLE=glibc-too-old-manylinux-wheel
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"

_pip() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.12)" "$venv"
  rm -rf "$WORK/download"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip download --no-deps --only-binary :all: \
      -d "$WORK/download" --platform manylinux2014_x86_64 --python-version 3.12 numpy==2.3.0
}

_uv() {
  local tools; tools="$(_tool uv)"
  rm -rf "$WORK/target"
  _show _neutral_env PATH="$SYS_PATH:$tools" uv pip install --dry-run --target "$WORK/target" \
      --only-binary :all: --python-platform x86_64-manylinux_2_17 --python-version 3.12 numpy==2.3.0
}

_pip_recipe() {
  # AWS's recipe for Lambda packages, as documented, for a Python 3.12 function.
  local venv="$WORK/venv-pip"; _venv "$(_py 3.12)" "$venv"
  rm -rf "$WORK/package"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install --platform manylinux2014_x86_64 \
      --target="$WORK/package" --implementation cp --python-version 3.12 --only-binary=:all: \
      --upgrade numpy==2.3.0
}

_pip_234_only() {
  # Only the newest tag given: pip matches --platform tags exactly, so the release's
  # manylinux_2_17 wheel is not accepted.
  local venv="$WORK/venv-pip"; _venv "$(_py 3.12)" "$venv"
  rm -rf "$WORK/download"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip download --no-deps --only-binary :all: \
      -d "$WORK/download" --platform manylinux_2_34_x86_64 --python-version 3.12 numpy==2.2.6
}

CASE="${1:-pip-download}"
case "$CASE" in
  pip-download) _capture "$CASE" _pip ;;
  uv-install) _capture "$CASE" _uv ;;
  pip-lambda-recipe) _capture "$CASE" _pip_recipe ;;
  pip-2_34-only) _capture "$CASE" _pip_234_only ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
