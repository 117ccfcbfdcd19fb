#!/usr/bin/env bash
# README: `python setup.py bdist_wheel` run directly with a setuptools older than 70.1 (which
# has no bdist_wheel command of its own) and without the `wheel` package installed fails with
# "error: invalid command 'bdist_wheel'".
#
# Captured with: a CPython 3.11.7 (pyenv) venv as created by `python -m venv` (pip 23.2.1 and
# setuptools 65.5.0 bundled, no wheel package), six 1.16.0 sdist unpacked; Debian GNU/Linux 12
# (bookworm), glibc 2.36, x86_64; 2026-12-01.
#
# Usage: reproduce.sh   (prints the output of the download and of setup.py)
# Needs: /root/.pyenv/versions/3.11.*.
set -euo pipefail
SAMPLE=setup-py-bdist-wheel-invalid-command
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"

_main() {
  local venv="$WORK/venv" src="$WORK/src"
  _venv "$(_py 3.11)" "$venv"
  if "$venv/bin/python" -c "import wheel" 2>/dev/null; then
    echo "the venv has the wheel package; cannot reproduce" >&2; exit 2
  fi
  rm -rf "$src"; mkdir -p "$src"
  _neutral_env "$venv/bin/pip" download -q --no-deps --no-binary :all: -d "$src" six==1.16.0 >&2
  tar -xzf "$src/six-1.16.0.tar.gz" -C "$src"
  echo "\$ cd six-1.16.0"
  echo "\$ python setup.py bdist_wheel"
  (cd "$src/six-1.16.0" && _neutral_env PATH="$venv/bin:$SYS_PATH" python setup.py bdist_wheel 2>&1) || true
}

_capture setup-py-bdist-wheel _main
