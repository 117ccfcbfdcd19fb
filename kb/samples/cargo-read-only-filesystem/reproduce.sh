#!/usr/bin/env bash
# README: a Rust sdist build (maturin / PyO3) with cargo on PATH but CARGO_HOME on a
# read-only file system (the layout of Render's native runtime: the toolchain under
# /usr/local/cargo, read-only during the build): cargo fails to create its registry directory
# before compiling anything.
#
# Captured with: CPython 3.13.0 (pyenv), pip 24.2 (bundled), uv 0.13.9, pendulum 3.0.0 (no
# cp313 wheel, so the sdist is built unasked; build backend maturin 1.16.0), cargo/rustc
# 1.95.0 (rustup, ~/.cargo); Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#
# Usage: reproduce.sh [CASE]   (prints the install output to stdout)
#   pip-pendulum-readonly  (default) pip install pendulum==3.0.0, CARGO_HOME=/usr/local/cargo
#                          bind-mounted read-only in a private mount namespace.
#   uv-pendulum-readonly   the same with `uv pip install`.
#   pip21-pendulum-readonly  the same with pip 21.2.4 (old "Command errored out" format) on
#                          CPython 3.9.18, --no-binary pendulum (3.9 has a wheel).
#   poetry-pendulum-readonly  the same with poetry 2.5.1 (`poetry install` of a project
#                          depending on pendulum==3.0.0, in-project venv on CPython 3.13.0).
#
# The capture machine cannot reach the crates registry. With cargo's default (sparse)
# protocol cargo would stop at a DNS error before touching CARGO_HOME (see the
# cargo-registry-offline samples), so these cases select the git protocol
# (CARGO_REGISTRIES_CRATES_IO_PROTOCOL=git), which creates CARGO_HOME/registry/index first.
# On a host that reaches the registry the default protocol fails one step later, on
# CARGO_HOME/registry/cache. Set CARGO_PROTOCOL=sparse to try the default protocol.
#
# Needs: root, util-linux `unshare`, a Rust toolchain (rustup), /root/.pyenv/versions/3.13.*.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   buildkit-pip-pendulum-readonly pip-pendulum-readonly as `docker build --progress=plain` shows it
#   gha-uv-pendulum-readonly   uv-pendulum-readonly with GitHub Actions timestamps
#   midline-pip-pendulum-readonly pip-pendulum-readonly from the middle of its "× Preparing metadata" line to the end
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
  # $1: pip|uv|pip21|poetry
  local tool="$1" venv="$WORK/venv-$1" sysroot tools cmd
  command -v rustc >/dev/null || PATH="$HOME/.cargo/bin:$PATH"
  command -v rustc >/dev/null || { echo "rustc not found: install Rust" >&2; exit 2; }
  sysroot="$(rustc --print sysroot)"
  rm -rf "$WORK/cargo-home"; mkdir -p "$WORK/cargo-home/bin"
  for b in cargo rustc rustdoc; do ln -s "$sysroot/bin/$b" "$WORK/cargo-home/bin/$b"; done
  tools="$(_tool uv):$(_tool poetry)"
  case "$tool" in
    pip) _venv "$(_py 3.13)" "$venv"; cmd="pip install pendulum==3.0.0" ;;
    uv) _venv "$(_py 3.13)" "$venv"; cmd="uv pip install pendulum==3.0.0" ;;
    pip21) _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
      cmd="pip install --no-binary pendulum pendulum==3.0.0" ;;
    poetry)
      local proj="$WORK/poetry-project"; rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
      venv="$proj/.venv"
      printf '%s\n' '[project]' 'name = "app"' 'version = "0.1.0"' 'requires-python = ">=3.13,<3.14"' \
          'dependencies = ["pendulum==3.0.0"]' '' '[tool.poetry]' 'package-mode = false' > "$proj/pyproject.toml"
      _venv "$(_py 3.13)" "$venv"; cmd="poetry -C $proj install" ;;
  esac
  if [ ! -d /usr/local/cargo ]; then mkdir /usr/local/cargo; MADE_CARGO_DIR=1; fi
  echo "\$ $cmd"
  _neutral_env CARGO_HOME=/usr/local/cargo CARGO_REGISTRIES_CRATES_IO_PROTOCOL="$CARGO_PROTOCOL" \
      PATH="/usr/local/cargo/bin:$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" \
      POETRY_VIRTUALENVS_IN_PROJECT=true unshare -m --propagation private bash -c '
        set -u
        trap "umount /usr/local/cargo 2>/dev/null || true" EXIT
        mount --bind "$1" /usr/local/cargo
        mount -o remount,bind,ro /usr/local/cargo
        cd /tmp && $2 2>&1' _ "$WORK/cargo-home" "$cmd" || true
}

CASE="${1:-pip-pendulum-readonly}"
case "$CASE" in
  pip-pendulum-readonly) _capture "$CASE" _readonly_cargo pip ;;
  uv-pendulum-readonly) _capture "$CASE" _readonly_cargo uv ;;
  pip21-pendulum-readonly) _capture "$CASE" _readonly_cargo pip21 ;;
  poetry-pendulum-readonly) _capture "$CASE" _readonly_cargo poetry ;;
  buildkit-pip-pendulum-readonly) _from_capture pip-pendulum-readonly | _excerpt '^Collecting' | _buildkit 8 3.417 ;;
  gha-uv-pendulum-readonly) _from_capture uv-pendulum-readonly | _gha_stamps 10 2 ;;
  midline-pip-pendulum-readonly) _from_capture pip-pendulum-readonly | _excerpt 'did not run successfully' | _midline 14 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
