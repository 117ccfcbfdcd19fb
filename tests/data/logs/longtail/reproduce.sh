#!/usr/bin/env bash
# README: the "long tail" of build failures no guide covers yet, captured for real so that
# `wheelfix explain` can be tested on what pip, uv and poetry really print when they build a
# package from source and the build fails: which package, on which Python and platform.
#
# Captured with: CPython 3.13.0 (pyenv, pip 24.2 bundled), CPython 3.8.18 / 3.9.18 (pyenv)
# with old pips installed into the venv, uv and poetry from the package index (versions are
# printed into the .how files), gcc 12; Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64.
#
# Usage: reproduce.sh CASE   (prints the install output to stdout; the log files beside this
# script are that output, index host names replaced by <index>)
#   pip313-numpy        pip install numpy==1.24.4 on 3.13: no cp313 wheel, the sdist's
#                       setup.py imports distutils, gone in 3.12
#   pip313-pillow       pip install pillow==9.0.0 on 3.13: KeyError: '__version__'
#   pip313-mysqlclient  pip install mysqlclient on 3.13 with no pkg-config on PATH
#   uv313-numpy         uv pip install numpy==1.24.4 on 3.13
#   uv313-mysqlclient   uv pip install mysqlclient on 3.13, no pkg-config
#   pip20-mysqlclient   pip 20.2.4 on 3.8, mysqlclient==2.0.3, no mysql_config, no `wheel`
#                       in the venv: the legacy "Running setup.py install for X" path
#   pip20w-mysqlclient  the same with `wheel` installed: "Building wheel for X (setup.py)"
#                       fails first, then the setup.py install fallback
#   pip22-mysqlclient   pip 22.3.1 on 3.9, mysqlclient==2.1.1: "metadata-generation-failed"
#   pip20-pyaudio       pip 20.2.4 on 3.8, pyaudio==0.2.11 (no portaudio.h), no `wheel`:
#                       "Running setup.py install for pyaudio" fails in the compiler
#   pip20w-pyaudio      the same with `wheel`: "Failed building wheel for pyaudio" first
#   pip22-pyaudio       pip 22.3.1 on 3.9, no `wheel`: "legacy-install-failure"
#   pip313v-pillow      pip install -v pillow==9.0.0 on 3.13 (verbose: the backend's output inline)
#   poetry313-mysqlclient  poetry add mysqlclient in a fresh project on 3.13, no pkg-config
#   poetry18-mysqlclient   the same with poetry 1.8.3 ("Installing X (v): Failed", ChefBuildError)
#   uv04-pillow         uv 0.4.0 pip install pillow==9.0.0 on 3.13 ("Failed to fetch wheel")
#   pip25-pyaudio       the newest pip on 3.13, pyaudio==0.2.14 (no portaudio.h): the wheel
#                       build fails ("failed-wheel-build-for-install")
#   pip313-reqs         pip install numpy==2.1.3 pillow==9.0.0 on 3.13: a manylinux wheel
#                       first, then the failing sdist (as from a requirements file)
#
# "No pkg-config": PATH holds a directory of links to everything in /usr/bin except
# pkg-config/pkgconf and mysql_config, so nothing is uninstalled from the machine.
set -euo pipefail

CASE="${1:?usage: reproduce.sh CASE}"
PY313="${PY313:-/root/.pyenv/versions/3.13.0/bin/python3.13}"
PY38="${PY38:-/root/.pyenv/versions/3.8.18/bin/python3.8}"
PY39="${PY39:-/root/.pyenv/versions/3.9.18/bin/python3.9}"
WORK="${WHEELFIX_REPRO_DIR:-/tmp/wheelfix-repro}/longtail"

_neutral_env() {
  # A plain user's pip: no site config, no local wheel dirs or constraints, no cache.
  env -u PIP_FIND_LINKS -u PIP_CONSTRAINT -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL \
      -u UV_INDEX_URL -u UV_EXTRA_INDEX_URL -u CFLAGS -u CPPFLAGS -u PKG_CONFIG_PATH \
      PIP_CONFIG_FILE=/dev/null UV_NO_CONFIG=1 "$@"
}

_shim_path() {
  # /usr/bin without pkg-config and MySQL's config scripts.
  local shim="$WORK/bin-without-pkg-config" f
  if [ ! -d "$shim" ]; then
    local tmp; tmp="$(mktemp -d "$WORK/bin.XXXXXX")"
    for f in /usr/bin/*; do
      case "$(basename "$f")" in
        *pkg-config|*pkgconf|mysql_config|mariadb_config) ;;
        *) ln -s "$f" "$tmp/$(basename "$f")" ;;
      esac
    done
    mv -T "$tmp" "$shim" 2>/dev/null || rm -rf "$tmp"  # another run made it first
  fi
  echo "$shim"
}

_venv() {
  # $1 python, $2 dir, $3.. packages to put in the venv first (e.g. an old pip)
  local py="$1" dir="$2"; shift 2
  rm -rf "$dir"
  "$py" -m venv "$dir"
  if [ $# -gt 0 ]; then _neutral_env "$dir/bin/pip" install -q --no-cache-dir "$@" >&2; fi
}

_tool() {
  # $1: uv|poetry, $2: the requirement (default: the newest): installed once into its own 3.13 venv
  local dir="$WORK/$1-tool${2:+-${2//=/}}"  # no "=" in the path: env would take it for a variable
  if [ ! -x "$dir/bin/$1" ]; then _venv "$PY313" "$dir" "${2:-$1}"; fi
  echo "$dir/bin/$1"
}

_run() {
  # $1 venv, rest: the command, run in /tmp with the venv and the shim first on PATH
  local venv="$1"; shift
  (cd /tmp && _neutral_env PATH="$venv/bin:$(_shim_path)" VIRTUAL_ENV="$venv" "$@" 2>&1) || true
}

_main() {
  local v="$WORK/venv-$1"
  case "$1" in
    pip313-numpy) _venv "$PY313" "$v"; _run "$v" pip install --no-cache-dir numpy==1.24.4 ;;
    pip313-pillow) _venv "$PY313" "$v"; _run "$v" pip install --no-cache-dir pillow==9.0.0 ;;
    pip313-mysqlclient) _venv "$PY313" "$v"; _run "$v" pip install --no-cache-dir mysqlclient ;;
    uv313-numpy) _venv "$PY313" "$v"; _run "$v" "$(_tool uv)" pip install --no-cache --python "$v/bin/python" numpy==1.24.4 ;;
    uv313-mysqlclient) _venv "$PY313" "$v"; _run "$v" "$(_tool uv)" pip install --no-cache --python "$v/bin/python" mysqlclient ;;
    pip20-mysqlclient)
      _venv "$PY38" "$v" pip==20.2.4; "$v/bin/pip" uninstall -q -y wheel >/dev/null 2>&1 || true
      _run "$v" pip install --no-cache-dir mysqlclient==2.0.3 ;;
    pip20w-mysqlclient)
      _venv "$PY38" "$v" pip==20.2.4 wheel
      _run "$v" pip install --no-cache-dir mysqlclient==2.0.3 ;;
    pip22-mysqlclient)
      _venv "$PY39" "$v" pip==22.3.1; "$v/bin/pip" uninstall -q -y wheel >/dev/null 2>&1 || true
      _run "$v" pip install --no-cache-dir mysqlclient==2.1.1 ;;
    pip20-pyaudio)
      _venv "$PY38" "$v" pip==20.2.4; "$v/bin/pip" uninstall -q -y wheel >/dev/null 2>&1 || true
      _run "$v" pip install --no-cache-dir pyaudio==0.2.11 ;;
    pip20w-pyaudio)
      _venv "$PY38" "$v" pip==20.2.4 wheel
      _run "$v" pip install --no-cache-dir pyaudio==0.2.11 ;;
    pip22-pyaudio)
      _venv "$PY39" "$v" pip==22.3.1; "$v/bin/pip" uninstall -q -y wheel >/dev/null 2>&1 || true
      _run "$v" pip install --no-cache-dir pyaudio==0.2.11 ;;
    pip313v-pillow) _venv "$PY313" "$v"; _run "$v" pip install -v --no-cache-dir pillow==9.0.0 ;;
    uv04-pillow) _venv "$PY313" "$v"; _run "$v" "$(_tool uv uv==0.4.0)" pip install --no-cache --python "$v/bin/python" pillow==9.0.0 ;;
    pip25-pyaudio)
      _venv "$PY313" "$v"; _neutral_env "$v/bin/pip" install -q --no-cache-dir --upgrade pip >&2
      _run "$v" pip install --no-cache-dir pyaudio==0.2.14 ;;
    pip313-reqs) _venv "$PY313" "$v"; _run "$v" pip install --no-cache-dir numpy==2.1.3 pillow==9.0.0 ;;
    poetry313-mysqlclient|poetry18-mysqlclient)
      local poetry proj="$WORK/$1-project"
      if [ "$1" = poetry18-mysqlclient ]; then poetry="$(_tool poetry poetry==1.8.3)"; else poetry="$(_tool poetry)"; fi
      rm -rf "$proj" "$WORK/$1-cache"; mkdir -p "$proj"
      printf '[tool.poetry]\nname = "demo"\nversion = "0.1.0"\ndescription = ""\nauthors = []\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = "^3.13"\n' > "$proj/pyproject.toml"
      (cd "$proj" && _neutral_env POETRY_CACHE_DIR="$WORK/$1-cache" POETRY_VIRTUALENVS_IN_PROJECT=true \
          PATH="$(dirname "$PY313"):$(_shim_path)" "$poetry" add --no-interaction mysqlclient 2>&1) || true ;;
    *) echo "unknown case: $1" >&2; exit 2 ;;
  esac
}

_redact() {
  # Keep only the path of package-index URLs: logs must not name the index host.
  sed -E -e 's#https?://[^/[:space:]]+/((packages|simple)/)#<index>/\1#g' \
         -e 's#^(Looking in indexes:).*#\1 <index>/simple#'
}

mkdir -p "$WORK"
_main "$CASE" > "$WORK/$CASE.raw"
_redact < "$WORK/$CASE.raw"
