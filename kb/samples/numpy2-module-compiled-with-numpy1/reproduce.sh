#!/usr/bin/env bash
# README: a binary wheel built against NumPy 1.x is imported under NumPy 2.x and fails:
# either NumPy's own "A module that was compiled using NumPy 1.x cannot be run in NumPy 2.x"
# message followed by "_ARRAY_API not found" (C extensions using NumPy's C API), or
# Cython's "numpy.dtype size changed, may indicate binary incompatibility" (pandas 2.1.x).
#
# Captured with: CPython 3.12.1 (pyenv, /root/.pyenv/versions/3.12.1), pip 23.2.1 (bundled
# with 3.12.1), numpy 2.0.2, numexpr 2.8.7, pandas 2.1.4 (their cp312 manylinux wheels);
# Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-11-28.
#
# Usage: reproduce.sh [CASE]   (prints the install and import output to stdout)
#   numexpr  (default) `pip install numexpr==2.8.7 numpy==2.0.2` together (numexpr 2.8.7
#            declares no upper bound on numpy, so pip accepts the pair), then `import numexpr`.
#   pandas   `pip install pandas==2.1.4` (pulls numpy 1.26), then `pip install numpy==2.0.2`
#            (pip warns about the conflict but installs it), then `import pandas`.
#
# Needs: /root/.pyenv/versions/3.12.1 (or PY312=/path/to/python3.12); only wheels are used.
set -euo pipefail

CASE="${1:-numexpr}"
PY312="${PY312:-/root/.pyenv/versions/3.12.1/bin/python}"
WORK="${WHEELFIX_REPRO_DIR:-/tmp/wheelfix-repro}/numpy2-module-compiled-with-numpy1"
SYS_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

_redact() {
  # Keep only the path of package-index URLs: logs must not name the index host.
  sed -E -e 's#https?://[^/[:space:]]+/((packages|simple)/)#<index>/\1#g' \
         -e 's#^(Looking in indexes:).*#\1 <index>/simple#'
}

_in_venv() {
  # A plain user's pip (no site config, local wheel dirs or constraints), echoing each
  # command the way a terminal session would show it.
  local a line='$'
  for a in "$@"; do
    case "$a" in *" "*) line="$line \"$a\"" ;; *) line="$line $a" ;; esac
  done
  echo "$line"
  (cd /tmp && env -u PIP_FIND_LINKS -u PIP_CONSTRAINT -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL \
      -u PYTHONPATH PIP_CONFIG_FILE=/dev/null PATH="$VENV/bin:$SYS_PATH" VIRTUAL_ENV="$VENV" \
      "$@" 2>&1) || true
}

_main() {
  VENV="$WORK/venv-$1"
  rm -rf "$VENV"
  "$PY312" -m venv "$VENV"
  case "$1" in
    numexpr)
      _in_venv pip install --no-cache-dir numexpr==2.8.7 numpy==2.0.2
      _in_venv python -c "import numexpr" ;;
    pandas)
      _in_venv pip install --no-cache-dir pandas==2.1.4
      _in_venv pip install --no-cache-dir numpy==2.0.2
      _in_venv python -c "import pandas" ;;
    *) echo "unknown case: $1 (numexpr, pandas)" >&2; exit 2 ;;
  esac
}

mkdir -p "$WORK"
_main "$CASE" > "$WORK/$CASE.raw"
_redact < "$WORK/$CASE.raw"
