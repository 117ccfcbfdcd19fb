#!/usr/bin/env bash
# README: more shapes of this record (reproduce.sh beside this file makes the pip 24.2 log): cffi built
# from source without libffi's development files fails with "fatal error: ffi.h: No such
# file or directory"; Python.h is found.
#
# Captured with: cffi 1.16.0 sdist, gcc 12; Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64;
# 2026-12-01.
#   uv-cffi      CPython 3.13.0 (pyenv), uv 0.13.9 (`uv pip install cffi==1.16.0`; no cp313
#                wheel for 1.16.0, so the sdist is built unasked).
#   pip21-cffi   CPython 3.9.18 (pyenv), pip 21.2.4 (old "Command errored out" format),
#                `pip install --no-binary cffi cffi==1.16.0`.
#   pip-cffi-clang  CPython 3.13.0, pip 24.2 (bundled), CC=clang (Debian clang 14): clang's
#                wording of the missing header, as on macOS. Added for the wheelfix record.
#   poetry-cffi  poetry 2.5.1 (`poetry install` of a project depending on cffi==1.16.0, no cp313
#                wheel; in-project venv on CPython 3.13.0).
#
# libffi-dev is installed on the capture machine, so the script hides what it ships inside a
# private mount namespace only: copies of /usr/include/<multiarch> and
# /usr/lib/<multiarch>/pkgconfig without ffi.h, ffitarget.h and libffi.pc are bind-mounted over
# the originals. The system's files are never changed.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default uv-cffi; prints the output)
# Needs: root, util-linux `unshare`, gcc, pkg-config, the pyenv Pythons above.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   gha-uv-cffi                uv-cffi with GitHub Actions timestamps
#   midline-pip21-cffi         pip21-cffi from the middle of its "ERROR: Command errored out" line to the end
set -euo pipefail
SAMPLE=cffi-ffi-h-missing
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"
MULTIARCH="$(gcc -print-multiarch)"
INC_DIR="/usr/include/$MULTIARCH"
PC_DIR="/usr/lib/$MULTIARCH/pkgconfig"

_without_libffi_dev() {
  # $1: PATH, $2: command line to run with libffi-dev's files hidden.
  if [ -e /usr/include/ffi.h ]; then
    echo "/usr/include/ffi.h exists (libffi built from source?); cannot hide it this way" >&2; exit 2
  fi
  rm -rf "$WORK/include" "$WORK/pkgconfig"
  cp -a "$INC_DIR" "$WORK/include"; rm -f "$WORK/include/ffi.h" "$WORK/include/ffitarget.h"
  cp -a "$PC_DIR" "$WORK/pkgconfig"; rm -f "$WORK/pkgconfig/libffi.pc"
  echo "\$ $2"
  _neutral_env PATH="$1" unshare -m --propagation private bash -c '
      set -u
      trap "umount \"\$2\" 2>/dev/null; umount \"\$4\" 2>/dev/null; true" EXIT
      mount --bind "$1" "$2"; mount --bind "$3" "$4"
      if [ -e "$2/ffi.h" ]; then echo "ffi.h still visible" >&2; exit 2; fi
      cd /tmp && $5 2>&1' _ "$WORK/include" "$INC_DIR" "$WORK/pkgconfig" "$PC_DIR" "$2" || true
}

_uv() {
  local venv="$WORK/venv-uv" tools; _venv "$(_py 3.13)" "$venv"; tools="$(_tool uv)"
  VIRTUAL_ENV="$venv" _without_libffi_dev "$venv/bin:$SYS_PATH:$tools" "uv pip install cffi==1.16.0"
}

_pip21() {
  local venv="$WORK/venv-pip21"; _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
  _without_libffi_dev "$venv/bin:$SYS_PATH" "pip install --no-binary cffi cffi==1.16.0"
}

_pip_clang() {
  # clang instead of gcc, as on macOS: clang words the missing header differently.
  local venv="$WORK/venv-pip-clang"; _venv "$(_py 3.13)" "$venv"
  _without_libffi_dev "$venv/bin:$SYS_PATH" "env CC=clang pip install cffi==1.16.0"
}

_poetry() {
  local proj="$WORK/poetry-project" tools; tools="$(_tool poetry)"
  rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"
  printf '%s\n' '[project]' 'name = "app"' 'version = "0.1.0"' 'requires-python = ">=3.13,<3.14"' \
      'dependencies = ["cffi==1.16.0"]' '' '[tool.poetry]' 'package-mode = false' > "$proj/pyproject.toml"
  _venv "$(_py 3.13)" "$proj/.venv"
  POETRY_VIRTUALENVS_IN_PROJECT=true _without_libffi_dev "$proj/.venv/bin:$SYS_PATH:$tools" \
      "poetry -C $proj install"
}

CASE="${1:-uv-cffi}"
case "$CASE" in
  uv-cffi) _capture "$CASE" _uv ;;
  pip21-cffi) _capture "$CASE" _pip21 ;;
  pip-cffi-clang) _capture "$CASE" _pip_clang ;;
  poetry-cffi) _capture "$CASE" _poetry ;;
  gha-uv-cffi) _from_capture uv-cffi | _gha_stamps 12 7 ;;
  midline-pip21-cffi) _from_capture pip21-cffi | _excerpt 'Command errored out' | _midline 12 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
