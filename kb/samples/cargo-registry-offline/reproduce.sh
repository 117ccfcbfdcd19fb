#!/usr/bin/env bash
# README: a Rust sdist build (maturin / PyO3) with a working Rust toolchain on a machine that
# cannot reach the crates registry (offline CI, firewalled build hosts, Docker builds without
# network), or with cargo told to stay offline: cargo cannot fetch the crate dependencies and
# the build fails before compiling anything.
#
# Captured with: CPython 3.13.0 (pyenv), pip 24.2 (bundled), uv 0.13.9, pendulum 3.0.0 (no
# cp313 wheel, so the sdist is built unasked; build backend maturin 1.16.0), cargo/rustc
# 1.95.0 (rustup); Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01. The
# capture machine reaches the package registries only, not the crates registry.
#
# Usage: reproduce.sh [CASE]   (prints the install output to stdout)
#   pip-pendulum-no-network   (default) cargo's default sparse protocol; the registry host
#                             does not resolve.
#   uv-pendulum-no-network    the same with `uv pip install`.
#   pip-pendulum-net-offline  CARGO_NET_OFFLINE=true (what `--offline` sets) and an empty
#                             CARGO_HOME: cargo may not download, and has nothing cached.
#   pip21-pendulum-no-network  as pip-pendulum-no-network with pip 21.2.4 (old "Command errored
#                             out" format) on CPython 3.9.18, --no-binary pendulum.
#   poetry-pendulum-no-network  the same with poetry 2.5.1 (`poetry install` of a project
#                             depending on pendulum==3.0.0, in-project venv on CPython 3.13.0).
#
# CARGO_HOME is a fresh empty directory (toolchain binaries linked into its bin/), so nothing
# cached on the capture machine hides the failure.
# Needs: a Rust toolchain (rustup), /root/.pyenv/versions/3.13.*.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   buildkit-pip-pendulum-no-network pip-pendulum-no-network as `docker build --progress=plain` shows it
#   midline-pip-pendulum-net-offline pip-pendulum-net-offline from the middle of its "× Preparing metadata" line to the end
set -euo pipefail
SAMPLE=cargo-registry-offline
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"

_cargo_home() {
  local sysroot
  command -v rustc >/dev/null || PATH="$HOME/.cargo/bin:$PATH"
  command -v rustc >/dev/null || { echo "rustc not found: install Rust" >&2; exit 2; }
  sysroot="$(rustc --print sysroot)"
  rm -rf "$WORK/cargo-home"; mkdir -p "$WORK/cargo-home/bin"
  for b in cargo rustc rustdoc; do ln -s "$sysroot/bin/$b" "$WORK/cargo-home/bin/$b"; done
  echo "$WORK/cargo-home"
}

_run() {
  # $1: pip|uv|pip21|poetry, $2...: extra env assignments
  local tool="$1" venv="$WORK/venv-$1" home tools proj="$WORK/poetry-project"; shift
  home="$(_cargo_home)"; tools="$(_tool uv):$(_tool poetry)"
  case "$tool" in
    pip) _venv "$(_py 3.13)" "$venv"
      _show _neutral_env CARGO_HOME="$home" PATH="$home/bin:$venv/bin:$SYS_PATH" "$@" \
          pip install pendulum==3.0.0 ;;
    uv) _venv "$(_py 3.13)" "$venv"
      _show _neutral_env CARGO_HOME="$home" PATH="$home/bin:$venv/bin:$SYS_PATH:$tools" \
          VIRTUAL_ENV="$venv" "$@" uv pip install pendulum==3.0.0 ;;
    pip21) _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
      _show _neutral_env CARGO_HOME="$home" PATH="$home/bin:$venv/bin:$SYS_PATH" "$@" \
          pip install --no-binary pendulum pendulum==3.0.0 ;;
    poetry)
      rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
      printf '%s\n' '[project]' 'name = "app"' 'version = "0.1.0"' 'requires-python = ">=3.13,<3.14"' \
          'dependencies = ["pendulum==3.0.0"]' '' '[tool.poetry]' 'package-mode = false' > "$proj/pyproject.toml"
      _venv "$(_py 3.13)" "$proj/.venv"
      _show _neutral_env CARGO_HOME="$home" PATH="$home/bin:$proj/.venv/bin:$SYS_PATH:$tools" \
          POETRY_VIRTUALENVS_IN_PROJECT=true "$@" poetry -C "$proj" install ;;
  esac
}

CASE="${1:-pip-pendulum-no-network}"
case "$CASE" in
  pip-pendulum-no-network) _capture "$CASE" _run pip ;;
  uv-pendulum-no-network) _capture "$CASE" _run uv ;;
  pip-pendulum-net-offline) _capture "$CASE" _run pip CARGO_NET_OFFLINE=true ;;
  pip21-pendulum-no-network) _capture "$CASE" _run pip21 ;;
  poetry-pendulum-no-network) _capture "$CASE" _run poetry ;;
  buildkit-pip-pendulum-no-network) _from_capture pip-pendulum-no-network | _excerpt '^Collecting' | _buildkit 9 5.206 ;;
  midline-pip-pendulum-net-offline) _from_capture pip-pendulum-net-offline | _excerpt 'did not run successfully' | _midline 14 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
