#!/usr/bin/env bash
# README: Pillow built from source without the libjpeg / zlib development files stops with
# "RequiredDependencyException: jpeg" (or zlib) and "The headers or library files could not
# be found for jpeg, a required dependency when compiling Pillow from source."
#
# Captured with: CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), uv 0.13.9, Pillow 9.5.0 (no
# cp312 wheel, so the sdist is built unasked), gcc 12; Debian GNU/Linux 12 (bookworm), glibc
# 2.36, x86_64; 2026-12-01.
#   pip-pillow-jpeg  jpeglib.h hidden.
#   uv-pillow-jpeg   the same with `uv pip install`.
#   pip-pillow-zlib  zlib.h hidden (jpeg present).
#   pip21-pillow-zlib  zlib.h hidden; pip 21.2.4 on CPython 3.9.18 (old "Command errored out"
#                    format), --no-binary Pillow (3.9 has a wheel).
#   poetry-pillow-jpeg  jpeglib.h hidden; poetry 2.5.1 (`poetry install` of a project depending
#                    on Pillow==9.5.0, in-project venv on CPython 3.12.1).
#
# libjpeg62-turbo-dev and zlib1g-dev are installed on the capture machine and other work relies
# on them, so instead of removing them the script hides the header inside a private mount
# namespace only: a copy of /usr/include without that header is bind-mounted over /usr/include.
# The mount vanishes with the namespace; the system's files are never changed.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-pillow-jpeg; prints the output)
# Needs: root, util-linux `unshare`, gcc, /root/.pyenv/versions/3.12.*, ~150 MB in /tmp.
# Shape variants (renderings of the captures above by ../repro-shapes.sh):
#   midline-pip-pillow-zlib    pip-pillow-zlib from the middle of its "× ... did not run successfully" line to the end
set -euo pipefail
SAMPLE=pillow-headers-not-found
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$(dirname "$0")/../repro-shapes.sh"

_run() {
  # $1: pip|uv|pip21|poetry, $2: header to hide (relative to /usr/include)
  local venv="$WORK/venv-$1" inc="$WORK/include-without-${2%.h}" tools cmd proj="$WORK/poetry-project"
  rm -rf "$inc"; cp -a /usr/include "$inc"; rm -f "$inc/$2"
  tools="$(_tool uv):$(_tool poetry)"
  case "$1" in
    pip) _venv "$(_py 3.12)" "$venv"; cmd="pip install Pillow==9.5.0" ;;
    uv) _venv "$(_py 3.12)" "$venv"; cmd="uv pip install Pillow==9.5.0" ;;
    pip21) _venv "$(_py 3.9)" "$venv" "$OLD_PIP_VERSION"
      cmd="pip install --no-binary Pillow Pillow==9.5.0" ;;
    poetry)
      rm -rf "$proj" "$WORK/poetry-cache"; mkdir -p "$proj"; venv="$proj/.venv"
      printf '%s\n' '[project]' 'name = "app"' 'version = "0.1.0"' 'requires-python = ">=3.12,<3.13"' \
          'dependencies = ["Pillow==9.5.0"]' '' '[tool.poetry]' 'package-mode = false' > "$proj/pyproject.toml"
      _venv "$(_py 3.12)" "$venv"; cmd="poetry -C $proj install" ;;
  esac
  echo "\$ $cmd"
  _neutral_env PATH="$venv/bin:$SYS_PATH:$tools" VIRTUAL_ENV="$venv" POETRY_VIRTUALENVS_IN_PROJECT=true \
      unshare -m --propagation private bash -c '
        set -u
        trap "umount /usr/include 2>/dev/null || true" EXIT
        mount --bind "$1" /usr/include
        if [ -e "/usr/include/$2" ]; then echo "$2 still visible" >&2; exit 2; fi
        cd /tmp && $3 2>&1' _ "$inc" "$2" "$cmd" || true
}

CASE="${1:-pip-pillow-jpeg}"
case "$CASE" in
  pip-pillow-jpeg) _capture "$CASE" _run pip jpeglib.h ;;
  uv-pillow-jpeg) _capture "$CASE" _run uv jpeglib.h ;;
  pip-pillow-zlib) _capture "$CASE" _run pip zlib.h ;;
  pip21-pillow-zlib) _capture "$CASE" _run pip21 zlib.h ;;
  poetry-pillow-jpeg) _capture "$CASE" _run poetry jpeglib.h ;;
  midline-pip-pillow-zlib) _from_capture pip-pillow-zlib | _excerpt 'did not run successfully' | _midline 14 ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
