#!/usr/bin/env bash
# README: a package built with maturin 1.8.4 or later is installed from its sdist on a machine
# with no Rust toolchain on PATH and no route to the Rust download site. maturin's PEP 517
# hooks then try to install Rust by themselves ("Rust not found, installing into a temporary
# directory", through the puccinialin package), and on an offline, firewalled or proxied
# machine the download fails inside the build backend (httpx.ConnectError).
# MATURIN_NO_INSTALL_RUST=1 turns the download off.
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; no rustc or
# cargo on PATH (the machine's ~/.cargo/bin is left out of PATH); the capture machine reaches
# the package registries only.
#   pip-pendulum     CPython 3.13.0 (pyenv), pip 24.2 (bundled), pendulum 3.0.0: no cp313
#                    wheel, so pip builds the sdist unasked; its build-system requires
#                    maturin>=1.0,<2.0, which resolved to maturin 1.16.0 (puccinialin 0.1.14).
#   uv-pendulum      the same with uv 0.13.9 (`uv pip install`).
#   poetry-pendulum  the same with poetry 2.5.1 (`poetry install` of a project depending on
#                    pendulum==3.0.0, in-project venv on CPython 3.13.0).
#   pip21-pendulum  CPython 3.9.18, pip 21.2.4 (old "Command errored out" format), pendulum 3.0.0
#                   with --no-binary pendulum (3.9 has a wheel).
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-pendulum; prints the output)
# Needs: the pyenv Python above (PYENV_ROOT_DIR=/root/.pyenv/versions).
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   buildkit-pip-pendulum      pip-pendulum as `docker build --progress=plain` shows it
#   midline-pip-pendulum       pip-pendulum from the middle of its "× ... did not run successfully" line to the end
set -euo pipefail
SAMPLE=maturin-rust-autoinstall-offline
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"

_no_rust_path() {
  # $1: venv. PATH without ~/.cargo/bin; fail loudly if a system cargo would still be found.
  if PATH="$1/bin:$SYS_PATH" command -v cargo >/dev/null; then
    echo "a cargo is on the system PATH; this case needs a machine without one" >&2; exit 2
  fi
  echo "$1/bin:$SYS_PATH"
}

_pip() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.13)" "$venv"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install pendulum==3.0.0
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.13)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$(_no_rust_path "$venv"):$tools" VIRTUAL_ENV="$venv" \
      uv pip install pendulum==3.0.0
}

_poetry() {
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  cat > "$proj/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.13,<3.14"
dependencies = ["pendulum==3.0.0"]

[tool.poetry]
package-mode = false
TOML
  _venv "$(_py 3.13)" "$proj/.venv"
  _show _neutral_env PATH="$(_no_rust_path "$proj/.venv"):$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

_pip21() {
  # Old pip on CPython 3.9, where pendulum 3.0.0 has a wheel: --no-binary builds the sdist.
  local venv="$WORK/venv-pip21"; _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install --no-binary pendulum pendulum==3.0.0
}

CASE="${1:-pip-pendulum}"
case "$CASE" in
  pip-pendulum) _capture "$CASE" _pip ;;
  uv-pendulum) _capture "$CASE" _uv ;;
  poetry-pendulum) _capture "$CASE" _poetry ;;
  pip21-pendulum) _capture "$CASE" _pip21 ;;
  buildkit-pip-pendulum) _from_capture pip-pendulum | _excerpt '^Collecting' | _buildkit 6 4.019 ;;
  midline-pip-pendulum) _from_capture pip-pendulum | _excerpt 'did not run successfully' | _midline 14 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
