#!/usr/bin/env bash
# Copied from the corpus branch (h-corpus, commit 88bfc00), staging/samples/cargo-read-only-filesystem/reproduce.sh.
# It still writes under $WHEELFIX_REPRO_DIR/cargo-read-only-filesystem (SAMPLE=cargo-read-only-filesystem), so a rerun prints the
# same paths as the logs kept here; SOURCES.md says which of its cases those logs are.
# README: a maturin (PyO3) sdist build with cargo on PATH but CARGO_HOME on a read-only file
# system (the Render native-runtime layout: toolchain under /usr/local/cargo, read-only during
# the build): cargo fails to create its registry directory before compiling anything.
#
# Captured with: CPython 3.13.0 (pyenv), pip 24.2 (bundled), uv 0.13.9, rpds-py 0.10.6 (no
# cp313 wheel, so the sdist is built unasked; build backend maturin 1.16.0), cargo/rustc
# 1.95.0 (rustup, ~/.cargo); Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#
# Usage: reproduce.sh [CASE]   (prints the install output to stdout)
#   pip-rpds-readonly  (default) pip install rpds-py==0.10.6, CARGO_HOME=/usr/local/cargo
#                      bind-mounted read-only in a private mount namespace.
#   uv-rpds-readonly   the same with `uv pip install`.
#
# The capture machine cannot reach the crates registry. With cargo's default (sparse)
# protocol cargo would stop at a DNS error before touching CARGO_HOME (see the
# cargo-registry-offline sample), so these cases select the git protocol
# (CARGO_REGISTRIES_CRATES_IO_PROTOCOL=git), which creates CARGO_HOME/registry/index first.
# Set CARGO_PROTOCOL=sparse to try the default protocol.
#
# Needs: root, util-linux `unshare`, a Rust toolchain (rustup), /root/.pyenv/versions/3.13.*.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   gha-uv-rpds-readonly       uv-rpds-readonly with GitHub Actions timestamps
#   midline-pip-rpds-readonly  pip-rpds-readonly from the middle of its "× Preparing metadata" line to the end
set -euo pipefail
SAMPLE=cargo-read-only-filesystem
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"
CARGO_PROTOCOL="${CARGO_PROTOCOL:-git}"
MADE_CARGO_DIR=0

_cleanup() {
  # The bind mount lives in the private namespace and is gone with it; only the empty mount
  # point we may have created is left to remove.
  if [ "$MADE_CARGO_DIR" = 1 ]; then rmdir /usr/local/cargo 2>/dev/null || true; fi
}
trap _cleanup EXIT

_readonly_cargo() {
  # $1: pip|uv
  local tool="$1" venv="$WORK/venv-$1" sysroot tools cmd
  command -v rustc >/dev/null || PATH="$HOME/.cargo/bin:$PATH"
  command -v rustc >/dev/null || { echo "rustc not found: install Rust" >&2; exit 2; }
  sysroot="$(rustc --print sysroot)"
  rm -rf "$WORK/cargo-home"; mkdir -p "$WORK/cargo-home/bin"
  for b in cargo rustc rustdoc; do ln -s "$sysroot/bin/$b" "$WORK/cargo-home/bin/$b"; done
  _venv "$(_py 3.13)" "$venv"
  tools="$(_tool uv)"
  if [ "$tool" = pip ]; then cmd="pip install rpds-py==0.10.6"; else cmd="uv pip install rpds-py==0.10.6"; fi
  if [ ! -d /usr/local/cargo ]; then mkdir /usr/local/cargo; MADE_CARGO_DIR=1; fi
  echo "\$ $cmd"
  _neutral_env CARGO_HOME=/usr/local/cargo CARGO_REGISTRIES_CRATES_IO_PROTOCOL="$CARGO_PROTOCOL" \
      PATH="/usr/local/cargo/bin:$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" \
      unshare -m --propagation private bash -c '
        set -u
        trap "umount /usr/local/cargo 2>/dev/null || true" EXIT
        mount --bind "$1" /usr/local/cargo
        mount -o remount,bind,ro /usr/local/cargo
        cd /tmp && $2 2>&1' _ "$WORK/cargo-home" "$cmd" || true
}

CASE="${1:-pip-rpds-readonly}"
case "$CASE" in
  pip-rpds-readonly) _capture "$CASE" _readonly_cargo pip ;;
  uv-rpds-readonly) _capture "$CASE" _readonly_cargo uv ;;
  gha-uv-rpds-readonly) _from_capture uv-rpds-readonly | _gha_stamps 11 48 ;;
  midline-pip-rpds-readonly) _from_capture pip-rpds-readonly | _excerpt 'did not run successfully' | _midline 14 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
