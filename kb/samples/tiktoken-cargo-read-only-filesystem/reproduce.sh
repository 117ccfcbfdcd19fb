#!/usr/bin/env bash
# README: pip/uv install tiktoken==0.6.0 on CPython 3.13 finds no cp313 wheel and builds
# from Rust source; the build fails either because CARGO_HOME (/usr/local/cargo, as on
# Render) is read-only, or because no Rust toolchain is on PATH.
#
# Captured with: CPython 3.13.0 (pyenv, /root/.pyenv/versions/3.13.0), pip 24.2 (bundled
# with 3.13.0), uv 0.13.9, cargo/rustc 1.95.0; Debian GNU/Linux 12 (bookworm), glibc 2.36,
# x86_64; 2026-11-28.
#
# Usage: reproduce.sh [CASE]   (prints the install output to stdout)
#   pip-cargo-readonly  (default) rustc/cargo on PATH, CARGO_HOME=/usr/local/cargo mounted
#                       read-only in a private mount namespace (needs root and unshare).
#   pip-no-rust         no rustc/cargo on PATH: setuptools-rust's "can't find Rust compiler".
#   uv-no-rust          the same as pip-no-rust, with `uv pip install`.
#   uv-cargo-readonly   the same as pip-cargo-readonly, with `uv pip install`.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   buildkit-pip-cargo-readonly  pip-cargo-readonly as `docker build --progress=plain` shows it
#   gha-uv-cargo-readonly        uv-cargo-readonly with GitHub Actions timestamps
#   midline-pip-no-rust          pip-no-rust from the middle of its "× Building wheel" line on
#
# The machine this was captured on cannot reach the crates registry. With cargo's default
# (sparse) registry protocol cargo would therefore stop at a DNS error before touching
# CARGO_HOME, so the read-only cases select the git protocol
# (CARGO_REGISTRIES_CRATES_IO_PROTOCOL=git), which creates its directory under
# CARGO_HOME/registry/index first. On a host that reaches the registry (Render), the default
# protocol fails one step later, on CARGO_HOME/registry/cache. Set CARGO_PROTOCOL=sparse to
# try the default protocol.
#
# Needs: /root/.pyenv/versions/3.13.0 (or PY313=/path/to/python3.13), a Rust toolchain for
# the read-only cases (rustup, or `apt-get install cargo rustc`), util-linux `unshare`, root.
set -euo pipefail

CASE="${1:-pip-cargo-readonly}"
PY313="${PY313:-/root/.pyenv/versions/3.13.0/bin/python}"
WORK="${WHEELFIX_REPRO_DIR:-/tmp/wheelfix-repro}/tiktoken-cargo-read-only-filesystem"
CARGO_PROTOCOL="${CARGO_PROTOCOL:-git}"
SYS_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MADE_CARGO_DIR=0

_cleanup() {
  # The bind mount lives in the private namespace and is gone with it; only the empty
  # mount point we may have created is left to remove.
  if [ "$MADE_CARGO_DIR" = 1 ]; then rmdir /usr/local/cargo 2>/dev/null || true; fi
}
trap _cleanup EXIT

_redact() {
  # Keep only the path of package-index URLs: logs must not name the index host.
  sed -E -e 's#https?://[^/[:space:]]+/((packages|simple)/)#<index>/\1#g' \
         -e 's#^(Looking in indexes:).*#\1 <index>/simple#'
}

_neutral_env() {
  # A plain user's pip: no site config, no local wheel dirs or constraints, no cache.
  env -u PIP_FIND_LINKS -u PIP_CONSTRAINT -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL \
      -u CARGO_HOME -u RUSTUP_TOOLCHAIN -u UV_INDEX_URL -u UV_EXTRA_INDEX_URL \
      PIP_CONFIG_FILE=/dev/null UV_NO_CONFIG=1 "$@"
}

_fresh_venv() {
  rm -rf "$1"
  "$PY313" -m venv "$1"
}

_uv() {
  if [ ! -x "$WORK/uv-tool/bin/uv" ]; then
    _fresh_venv "$WORK/uv-tool"
    _neutral_env "$WORK/uv-tool/bin/pip" install -q --no-cache-dir uv >&2
  fi
  echo "$WORK/uv-tool/bin/uv"
}

_install_cmd() {
  # $1: pip|uv, $2: venv dir
  if [ "$1" = pip ]; then
    echo "$2/bin/pip install --no-cache-dir tiktoken==0.6.0"
  else
    echo "$(_uv) pip install --no-cache --python $2/bin/python tiktoken==0.6.0"
  fi
}

_run_readonly_cargo() {
  local tool="$1" venv="$WORK/venv-$1-ro"
  command -v rustc >/dev/null || { echo "rustc not found: install Rust (rustup, or apt-get install cargo rustc)" >&2; exit 2; }
  local sysroot; sysroot="$(rustc --print sysroot)"
  # What Render has: the toolchain under $CARGO_HOME/bin, the whole tree read-only.
  rm -rf "$WORK/cargo-home"; mkdir -p "$WORK/cargo-home/bin"
  for b in cargo rustc rustdoc; do ln -s "$sysroot/bin/$b" "$WORK/cargo-home/bin/$b"; done
  _fresh_venv "$venv"
  local cmd; cmd="$(_install_cmd "$tool" "$venv")"
  if [ ! -d /usr/local/cargo ]; then mkdir /usr/local/cargo; MADE_CARGO_DIR=1; fi
  _neutral_env CARGO_HOME=/usr/local/cargo CARGO_REGISTRIES_CRATES_IO_PROTOCOL="$CARGO_PROTOCOL" \
      PATH="/usr/local/cargo/bin:$venv/bin:$SYS_PATH" VIRTUAL_ENV="$venv" \
      unshare -m --propagation private bash -c '
        set -u
        trap "umount /usr/local/cargo 2>/dev/null || true" EXIT
        mount --bind "$1" /usr/local/cargo
        mount -o remount,bind,ro /usr/local/cargo
        cd /tmp && $2 2>&1' _ "$WORK/cargo-home" "$cmd" || true
}

_run_no_rust() {
  local tool="$1" venv="$WORK/venv-$1-norust"
  _fresh_venv "$venv"
  local cmd; cmd="$(_install_cmd "$tool" "$venv")"
  # PATH without ~/.cargo/bin; fail loudly if a system rustc would still be found.
  if PATH="$venv/bin:$SYS_PATH" command -v rustc >/dev/null; then
    echo "a rustc is on the system PATH; this case needs a machine without one" >&2; exit 2
  fi
  (cd /tmp && _neutral_env PATH="$venv/bin:$SYS_PATH" VIRTUAL_ENV="$venv" $cmd 2>&1) || true
}

_main() {
  case "$1" in
    pip-cargo-readonly) _run_readonly_cargo pip ;;
    uv-cargo-readonly)  _run_readonly_cargo uv ;;
    pip-no-rust)        _run_no_rust pip ;;
    uv-no-rust)         _run_no_rust uv ;;
    *) echo "unknown case: $1 (pip-cargo-readonly, pip-no-rust, uv-no-rust, uv-cargo-readonly)" >&2; exit 2 ;;
  esac
}

mkdir -p "$WORK"

_shape() {
  # $1: source case. Its redacted log (captured first if need be), rendered by the caller's
  # ../repro-shapes.sh pipeline.
  [ -s "$WORK/$1.raw" ] || "$0" "$1" > /dev/null
  _redact < "$WORK/$1.raw"
}

case "$CASE" in
  buildkit-pip-cargo-readonly|gha-uv-cargo-readonly|midline-pip-no-rust)
    # shellcheck source=../repro-shapes.sh
    . "$(dirname "$0")/../repro-shapes.sh"
    case "$CASE" in
      buildkit-pip-cargo-readonly) _shape pip-cargo-readonly | _buildkit 9 21.406 ;;
      gha-uv-cargo-readonly) _shape uv-cargo-readonly | _gha_stamps 6 31 ;;
      midline-pip-no-rust) _shape pip-no-rust | _excerpt 'did not run successfully' | _midline 14 ;;
    esac
    exit 0 ;;
esac

# Not piped straight into _redact: a pipeline would run _main in a subshell and the
# EXIT trap would not see the mount point it created.
_main "$CASE" > "$WORK/$CASE.raw"
_redact < "$WORK/$CASE.raw"
