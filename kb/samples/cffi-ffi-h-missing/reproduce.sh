#!/usr/bin/env bash
# README: `pip install cffi==1.16.0` on CPython 3.13 (no cp313 wheel for 1.16.0, so pip
# builds the sdist) on a machine without libffi's development files fails with
# "fatal error: ffi.h: No such file or directory"; Python.h is found, so this is not the
# python-h-missing failure.
#
# Captured with: CPython 3.13.0 (pyenv, /root/.pyenv/versions/3.13.0), pip 24.2 (bundled with
# 3.13.0), cffi 1.16.0 sdist, gcc 12; Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64;
# 2026-11-28.
#
# Usage: reproduce.sh   (prints the install output to stdout)
#
# libffi-dev is installed on the capture machine and other work relies on it, so instead of
# removing it the script hides what libffi-dev ships, inside a private mount namespace only:
# copies of /usr/include/<multiarch> and /usr/lib/<multiarch>/pkgconfig without ffi.h,
# ffitarget.h and libffi.pc are bind-mounted over the originals. The mounts vanish with the
# namespace; the system's files are never changed.
#
# Needs: root, util-linux `unshare`, gcc, pkg-config, /root/.pyenv/versions/3.13.0 (or
# PY313=/path/to/python3.13).
set -euo pipefail

PY313="${PY313:-/root/.pyenv/versions/3.13.0/bin/python}"
WORK="${WHEELFIX_REPRO_DIR:-/tmp/wheelfix-repro}/cffi-ffi-h-missing"
SYS_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MULTIARCH="$(gcc -print-multiarch)"
INC_DIR="/usr/include/$MULTIARCH"
PC_DIR="/usr/lib/$MULTIARCH/pkgconfig"

_redact() {
  # Keep only the path of package-index URLs: logs must not name the index host.
  sed -E -e 's#https?://[^/[:space:]]+/((packages|simple)/)#<index>/\1#g' \
         -e 's#^(Looking in indexes:).*#\1 <index>/simple#'
}

_main() {
  local venv="$WORK/venv"
  if [ -e /usr/include/ffi.h ]; then
    echo "/usr/include/ffi.h exists (libffi built from source?); cannot hide it this way" >&2; exit 2
  fi
  rm -rf "$WORK/include" "$WORK/pkgconfig" "$venv"
  cp -a "$INC_DIR" "$WORK/include"
  rm -f "$WORK/include/ffi.h" "$WORK/include/ffitarget.h"
  local pc_src="" pc_dst=""
  if [ -d "$PC_DIR" ]; then
    cp -a "$PC_DIR" "$WORK/pkgconfig"
    rm -f "$WORK/pkgconfig/libffi.pc"
    pc_src="$WORK/pkgconfig"; pc_dst="$PC_DIR"
  fi
  "$PY313" -m venv "$venv"
  env -u PIP_FIND_LINKS -u PIP_CONSTRAINT -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL \
      -u CFLAGS -u CPPFLAGS -u C_INCLUDE_PATH -u CPATH -u PKG_CONFIG_PATH \
      PIP_CONFIG_FILE=/dev/null PATH="$venv/bin:$SYS_PATH" VIRTUAL_ENV="$venv" \
      unshare -m --propagation private bash -c '
        set -u
        trap "umount \"\$2\" 2>/dev/null; [ -z \"\$4\" ] || umount \"\$4\" 2>/dev/null; true" EXIT
        mount --bind "$1" "$2"
        if [ -n "$4" ]; then mount --bind "$3" "$4"; fi
        if [ -e "$2/ffi.h" ]; then echo "ffi.h still visible" >&2; exit 2; fi
        cd /tmp && pip install --no-cache-dir cffi==1.16.0 2>&1' \
      _ "$WORK/include" "$INC_DIR" "$pc_src" "$pc_dst" || true
}

mkdir -p "$WORK"
_main > "$WORK/install.raw"
_redact < "$WORK/install.raw"
