#!/usr/bin/env bash
# README: installing into a distribution's Python (PEP 668 "externally managed" marker in its
# stdlib directory) outside a virtual environment is refused: pip's "error:
# externally-managed-environment", uv's "The interpreter at /usr is externally managed".
#
# Captured with: Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01; run as root.
#   pip-debian       Debian's /usr/bin/python3 (3.11.2) with Debian's python3-pip (pip 23.0.1):
#                    `python3 -m pip install six`.
#   uv-debian        uv 0.13.9: `uv pip install --system --python /usr/bin/python3 six`.
#   pip-marked-copy  a copy of CPython 3.13.0 (pyenv) with an EXTERNALLY-MANAGED file (Debian's
#                    text) added to its lib/python3.13, pip 24.2 (bundled): `python3.13 -m pip
#                    install six`, as a distribution-built 3.13 would answer.
#
# The script never installs anything into a system Python: it stops unless the marker is
# present, and pip/uv then refuse before any change.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-debian; prints the output)
# Needs: Debian's python3 and python3-pip, /root/.pyenv/versions/3.13.*, ~300 MB in /tmp.
set -euo pipefail
SAMPLE=pep668-externally-managed
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
DEBIAN_MARKER="$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')/EXTERNALLY-MANAGED"

_need_marker() {
  [ -f "$1" ] || { echo "no $1: this Python is not marked externally managed; refusing to run" >&2; exit 2; }
}

_pip_debian() {
  _need_marker "$DEBIAN_MARKER"
  _show _neutral_env PATH="$SYS_PATH" python3 -m pip install six
}

_uv_debian() {
  local tools; tools="$(_tool uv)"; _need_marker "$DEBIAN_MARKER"
  _show _neutral_env PATH="$SYS_PATH:$tools" uv pip install --system --python /usr/bin/python3 six
}

_pip_marked_copy() {
  local orig prefix="$WORK/python3.13-marked" cfg
  orig="$(dirname "$(dirname "$(_py 3.13)")")"
  rm -rf "$prefix"; cp -a "$orig" "$prefix"
  for cfg in "$prefix"/lib/python3.13/_sysconfigdata_*.py; do sed -i "s#${orig}#${prefix}#g" "$cfg"; done
  rm -f "$prefix"/lib/python3.13/__pycache__/_sysconfigdata_*
  cp "$DEBIAN_MARKER" "$prefix/lib/python3.13/EXTERNALLY-MANAGED"
  _need_marker "$prefix/lib/python3.13/EXTERNALLY-MANAGED"
  _show _neutral_env PATH="$prefix/bin:$SYS_PATH" python3.13 -m pip install six
}

CASE="${1:-pip-debian}"
case "$CASE" in
  pip-debian) _capture "$CASE" _pip_debian ;;
  uv-debian) _capture "$CASE" _uv_debian ;;
  pip-marked-copy) _capture "$CASE" _pip_marked_copy ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
