#!/usr/bin/env bash
# README: the legacy `setup.py install` / `setup.py develop` paths, deprecated by setuptools and
# pip and then removed from pip: the warnings as they appear, and the failures once removed.
#
# Captured with: six 1.16.0 sdist, or a one-module setup.py-only project (`app`, written below);
# Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#   setup-py-install     CPython 3.12.1 (pyenv) venv with the newest setuptools on the capture
#                        date (84.2.1), `python setup.py install` in the unpacked six sdist:
#                        setuptools' SetuptoolsDeprecationWarning, the install succeeds.
#   pip23-legacy         CPython 3.8.18 (pyenv) venv (bundled pip 23.0.1, no wheel package),
#                        `pip install --no-binary six six==1.16.0`: pip's DEPRECATION notice
#                        before it runs `setup.py install`; the install succeeds.
#   pip-install-option   CPython 3.12.1 venv, pip 25.3: `pip install --install-option=...`,
#                        an option pip 23.1 removed: "no such option: --install-option".
#   pip-editable-legacy  CPython 3.11.7 venv, pip 25.3, setuptools 63.4.3 (no PEP 660 hooks),
#                        `pip install --no-build-isolation -e ./app`: pip 25.3 no longer falls
#                        back to `setup.py develop`.
# Shape variants (kb/samples/repro-shapes.sh, from the captures above):
#   buildkit-pip-install-option  pip-install-option as `docker build --progress=plain` shows it.
#   gha-pip-editable-legacy      pip-editable-legacy with GitHub Actions timestamps.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default setup-py-install; prints the output)
# Needs: the pyenv Pythons above.
set -euo pipefail
SAMPLE=setup-py-install-deprecated
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"
NEW_PIP_VERSION="25.3"

_setup_py_install() {
  local venv="$WORK/venv-setup" src="$WORK/src"
  _venv "$(_py 3.12)" "$venv"
  _neutral_env "$venv/bin/pip" install -q -U "setuptools==84.2.1" >&2
  rm -rf "$src"; mkdir -p "$src"
  _neutral_env "$venv/bin/pip" download -q --no-deps --no-binary :all: -d "$src" six==1.16.0 >&2
  tar -xzf "$src/six-1.16.0.tar.gz" -C "$src"
  echo "\$ cd six-1.16.0"
  echo "\$ python setup.py install"
  (cd "$src/six-1.16.0" && _neutral_env PATH="$venv/bin:$SYS_PATH" python setup.py install 2>&1) || true
}

_pip23_legacy() {
  local venv="$WORK/venv-pip23"; _venv "$(_py 3.8)" "$venv"
  if "$venv/bin/python" -c "import wheel" 2>/dev/null; then
    echo "the venv has the wheel package; cannot reproduce" >&2; exit 2
  fi
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install --no-binary six six==1.16.0
}

_pip_install_option() {
  local venv="$WORK/venv-pip-new"; _venv "$(_py 3.12)" "$venv" "$NEW_PIP_VERSION"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install --install-option=--prefix=/opt/app six==1.16.0
}

_pip_editable_legacy() {
  # $1: pip version
  local venv="$WORK/venv-editable-$1" app="/tmp/app"
  _venv "$(_py 3.11)" "$venv" "$1"
  _neutral_env "$venv/bin/pip" install -q "setuptools==63.4.3" >&2
  rm -rf "$app"; mkdir -p "$app"
  printf 'from setuptools import setup\nsetup(name="app", version="0.1", py_modules=["app"])\n' > "$app/setup.py"
  echo "x = 1" > "$app/app.py"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install --no-build-isolation -e ./app
}

CASE="${1:-setup-py-install}"
case "$CASE" in
  setup-py-install) _capture "$CASE" _setup_py_install ;;
  pip23-legacy) _capture "$CASE" _pip23_legacy ;;
  pip-install-option) _capture "$CASE" _pip_install_option ;;
  pip-editable-legacy) _capture "$CASE" _pip_editable_legacy "$NEW_PIP_VERSION" ;;
  buildkit-pip-install-option) _from_capture pip-install-option | _buildkit 6 0.512 ;;
  gha-pip-editable-legacy) _from_capture pip-editable-legacy | _gha_stamps 9 41 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
