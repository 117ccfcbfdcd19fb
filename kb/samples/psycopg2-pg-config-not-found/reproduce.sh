#!/usr/bin/env bash
# README: `pip install psycopg2` builds the sdist, and the build stops at once with
# "Error: pg_config executable not found." when libpq's pg_config is not on PATH (the
# situation on a machine without libpq-dev / postgresql-devel).
#
# Captured with: CPython 3.12.1 (pyenv, /root/.pyenv/versions/3.12.1), pip 23.2.1 (bundled
# with 3.12.1), psycopg2 2.9.10 sdist; Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64;
# 2026-11-28.
#
# Usage: reproduce.sh   (prints the install output to stdout)
#
# libpq-dev was installed on the capture machine and other work relies on it, so instead of
# removing it this script hides pg_config: it runs pip with a PATH made of a directory of
# symlinks to every system executable except pg_config. Nothing on the system is changed.
#
# Needs: /root/.pyenv/versions/3.12.1 (or PY312=/path/to/python3.12); a C toolchain is not
# even reached.
set -euo pipefail

PY312="${PY312:-/root/.pyenv/versions/3.12.1/bin/python}"
WORK="${WHEELFIX_REPRO_DIR:-/tmp/wheelfix-repro}/psycopg2-pg-config-not-found"

_redact() {
  # Keep only the path of package-index URLs: logs must not name the index host.
  sed -E -e 's#https?://[^/[:space:]]+/((packages|simple)/)#<index>/\1#g' \
         -e 's#^(Looking in indexes:).*#\1 <index>/simple#'
}

_path_without_pg_config() {
  # One directory standing in for all of the system's bin directories, minus pg_config.
  local shim="$WORK/bin-without-pg_config" dir f name
  rm -rf "$shim"; mkdir -p "$shim"
  for dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
    [ -d "$dir" ] || continue
    for f in "$dir"/*; do
      name="${f##*/}"
      [ "$name" = pg_config ] && continue
      [ -e "$shim/$name" ] || ln -s "$f" "$shim/$name"
    done
  done
  echo "$shim"
}

_main() {
  local venv="$WORK/venv" shim
  rm -rf "$venv"
  "$PY312" -m venv "$venv"
  shim="$(_path_without_pg_config)"
  if PATH="$venv/bin:$shim" command -v pg_config >/dev/null; then
    echo "pg_config is still reachable on PATH; cannot reproduce" >&2; exit 2
  fi
  (cd /tmp && env -u PIP_FIND_LINKS -u PIP_CONSTRAINT -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL \
      PIP_CONFIG_FILE=/dev/null PATH="$venv/bin:$shim" VIRTUAL_ENV="$venv" \
      pip install --no-cache-dir psycopg2==2.9.10 2>&1) || true
}

mkdir -p "$WORK"
_main > "$WORK/install.raw"
_redact < "$WORK/install.raw"
