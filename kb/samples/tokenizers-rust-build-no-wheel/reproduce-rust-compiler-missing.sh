#!/usr/bin/env bash
# Copied from the corpus branch (h-corpus, commit 88bfc00), staging/samples/rust-compiler-missing/reproduce.sh.
# It still writes under $WHEELFIX_REPRO_DIR/rust-compiler-missing (SAMPLE=rust-compiler-missing), so a rerun prints the
# same paths as the logs kept here; SOURCES.md says which of its cases those logs are.
# README: a package built with setuptools-rust is installed from its sdist on a machine with
# no Rust toolchain on PATH; setuptools-rust stops with "error: can't find Rust compiler".
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; no rustc or
# cargo on PATH (the machine's ~/.cargo/bin is left out of PATH).
#   pip-tokenizers    CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), tokenizers 0.12.1: no cp312
#                     wheel exists, so pip builds the sdist without being asked to.
#   uv-tokenizers     the same with uv 0.13.9 (`uv pip install`).
#   pip21-cryptography  CPython 3.9.18 (pyenv), pip 21.2.4 (old "Command errored out" format),
#                     cryptography 3.4.8 sdist forced with --no-binary cryptography.
#   pip21-tokenizers  CPython 3.9.18, pip 21.2.4 (old "Command errored out" format), tokenizers
#                     0.12.1 with --no-binary tokenizers (3.9 has a wheel).
#   poetry-tokenizers  poetry 2.5.1 (`poetry install` of a project depending on tokenizers==0.12.1,
#                     in-project venv on CPython 3.12.1).
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-tokenizers; prints the output)
# Needs: the pyenv Pythons above (PYENV_ROOT_DIR=/root/.pyenv/versions), gcc.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   excerpt-pip-tokenizers     pip-tokenizers from pip's error block to the end
#   buildkit-pip-tokenizers    pip-tokenizers as `docker build --progress=plain` shows it
#   midline-uv-tokenizers      uv-tokenizers from the middle of its "Failed to build" line to the end
#   gha-pip21-cryptography     pip21-cryptography with GitHub Actions timestamps
#   excerpt-pip21-cryptography pip21-cryptography from pip's "ERROR: Command errored out" to the end
#   midline-pip21-cryptography pip21-cryptography from the middle of its "ERROR: Command errored out" line to the end
set -euo pipefail
SAMPLE=rust-compiler-missing
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"

_no_rust_path() {
  # $1: venv. PATH without ~/.cargo/bin; fail loudly if a system rustc would still be found.
  if PATH="$1/bin:$SYS_PATH" command -v rustc >/dev/null; then
    echo "a rustc is on the system PATH; this case needs a machine without one" >&2; exit 2
  fi
  echo "$1/bin:$SYS_PATH"
}

_pip_tokenizers() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.12)" "$venv"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install tokenizers==0.12.1
}

_uv_tokenizers() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.12)" "$venv"; tools="$(_tool uv)"
  _show _neutral_env PATH="$(_no_rust_path "$venv"):$tools" VIRTUAL_ENV="$venv" \
      uv pip install tokenizers==0.12.1
}

_pip21_cryptography() {
  local venv="$WORK/venv-pip21"; _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" \
      pip install --no-binary cryptography cryptography==3.4.8
}

_pip21_tokenizers() {
  # Old pip on CPython 3.9, where tokenizers 0.12.1 has a wheel: --no-binary builds the sdist.
  local venv="$WORK/venv-pip21-tokenizers"; _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
  _show _neutral_env PATH="$(_no_rust_path "$venv")" pip install --no-binary tokenizers tokenizers==0.12.1
}

_poetry_tokenizers() {
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  printf '%s\n' '[project]' 'name = "app"' 'version = "0.1.0"' 'requires-python = ">=3.12,<3.13"' \
      'dependencies = ["tokenizers==0.12.1"]' '' '[tool.poetry]' 'package-mode = false' > "$proj/pyproject.toml"
  _venv "$(_py 3.12)" "$proj/.venv"
  _show _neutral_env PATH="$(_no_rust_path "$proj/.venv"):$tools" POETRY_VIRTUALENVS_IN_PROJECT=true \
      poetry -C "$proj" install
}

CASE="${1:-pip-tokenizers}"
case "$CASE" in
  pip-tokenizers) _capture "$CASE" _pip_tokenizers ;;
  uv-tokenizers) _capture "$CASE" _uv_tokenizers ;;
  pip21-cryptography) _capture "$CASE" _pip21_cryptography ;;
  pip21-tokenizers) _capture "$CASE" _pip21_tokenizers ;;
  poetry-tokenizers) _capture "$CASE" _poetry_tokenizers ;;
  excerpt-pip-tokenizers) _from_capture pip-tokenizers | _excerpt 'error: subprocess-exited-with-error' ;;
  buildkit-pip-tokenizers) _from_capture pip-tokenizers | _excerpt '^Collecting' | _buildkit 11 6.540 ;;
  midline-uv-tokenizers) _from_capture uv-tokenizers | _excerpt 'Failed to build' | _midline 9 ;;
  gha-pip21-cryptography) _from_capture pip21-cryptography | _gha_stamps 7 52 ;;
  excerpt-pip21-cryptography) _from_capture pip21-cryptography | _excerpt 'Command errored out' ;;
  midline-pip21-cryptography) _from_capture pip21-cryptography | _excerpt 'Command errored out' | _midline 12 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
