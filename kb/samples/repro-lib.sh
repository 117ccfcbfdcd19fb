# Helpers shared by the staging reproduce.sh scripts (sourced, never run on its own).
#
# Each script sets SAMPLE (its folder name) before sourcing this file and then calls
# _capture NAME CMD... , which runs CMD with a neutral environment, saves the raw output under
# $WORK and prints it redacted.
#
# Tool versions used for the captures (pinned so a rerun uses the same ones):
#   uv 0.13.9, poetry 2.5.1, old pip 21.2.4 ("Command errored out" format).
# shellcheck shell=bash

: "${SAMPLE:?set SAMPLE before sourcing repro-lib.sh}"
REPRO_ROOT="${WHEELFIX_REPRO_DIR:-/tmp/wheelfix-repro}"
WORK="$REPRO_ROOT/$SAMPLE"
TOOLS="$REPRO_ROOT/tools"
PYENV_ROOT_DIR="${PYENV_ROOT_DIR:-/root/.pyenv/versions}"
SYS_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
UV_VERSION="0.13.9"
POETRY_VERSION="2.5.1"
OLD_PIP_VERSION="21.2.4"
mkdir -p "$WORK" "$TOOLS"

_py() {
  # _py 3.12 -> the pyenv interpreter of that minor version (the only one installed here).
  local d
  for d in "$PYENV_ROOT_DIR"/"$1".*; do
    [ -x "$d/bin/python$1" ] && { echo "$d/bin/python$1"; return; }
  done
  echo "no pyenv Python $1 under $PYENV_ROOT_DIR" >&2; exit 2
}

_index_hosts() {
  # The default index's host names as pip itself knows them, so that they are never written
  # out, whatever shape of URL or message a tool prints them in.
  "$(_py 3.12)" -c 'from pip._internal.models.index import PyPI as p; print(p.netloc); print(p.file_storage_domain)'
}

_redact() {
  # Keep only the path of package-index URLs: logs must not name the index host.
  local sed_args=(-E -e 's#https?://[^/[:space:]]+/((packages|simple)/)#<index>/\1#g'
                  -e 's#^(Looking in indexes:).*#\1 <index>/simple#') h
  while read -r h; do
    [ -n "$h" ] && sed_args+=(-e "s#${h//./\\.}#<index-host>#g")
  done < <(_index_hosts)
  sed "${sed_args[@]}"
}

_neutral_env() {
  # A plain user's pip/uv/poetry: no site config, no local wheel dirs or constraints, no cache,
  # no compiler or include overrides.
  env -u PIP_FIND_LINKS -u PIP_CONSTRAINT -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL \
      -u UV_INDEX_URL -u UV_EXTRA_INDEX_URL -u UV_FIND_LINKS -u PYTHONPATH \
      -u CFLAGS -u CPPFLAGS -u LDFLAGS -u C_INCLUDE_PATH -u CPATH -u PKG_CONFIG_PATH \
      -u CARGO_HOME -u RUSTUP_TOOLCHAIN -u VIRTUAL_ENV -u PIP_BREAK_SYSTEM_PACKAGES \
      -u UV_BREAK_SYSTEM_PACKAGES -u PIP_USER -u PIP_REQUIRE_VIRTUALENV \
      PIP_CONFIG_FILE=/dev/null PIP_NO_CACHE_DIR=1 UV_NO_CONFIG=1 UV_NO_CACHE=1 \
      POETRY_CACHE_DIR="$WORK/poetry-cache" "$@"
}

_venv() {
  # _venv PYTHON DIR [PIP_VERSION]: a fresh venv, optionally with another pip.
  rm -rf "$2"
  "$1" -m venv "$2"
  if [ -n "${3:-}" ]; then
    _neutral_env "$2/bin/python" -m pip install -q "pip==$3" >&2
  fi
}

_tool() {
  # _tool uv|poetry: install the pinned tool into its own venv (never the shared one) and
  # link it into $TOOLS/bin, a directory holding nothing else, for use on PATH.
  local name="$1" version
  case "$name" in uv) version="$UV_VERSION" ;; poetry) version="$POETRY_VERSION" ;; esac
  if ! "$TOOLS/$name/bin/$name" --version 2>/dev/null | grep -q "$version"; then
    _venv "$(_py 3.12)" "$TOOLS/$name"
    _neutral_env "$TOOLS/$name/bin/pip" install -q "$name==$version" >&2
  fi
  mkdir -p "$TOOLS/bin"
  ln -sf "$TOOLS/$name/bin/$name" "$TOOLS/bin/$name"
  echo "$TOOLS/bin"
}

_path_without() {
  # _path_without NAME...: a directory of symlinks to every system executable except NAMEs,
  # standing in for all of the system's bin directories. Nothing on the system is changed.
  local shim="$WORK/bin-without-$(IFS=-; echo "$*")" dir f name skip x
  rm -rf "$shim"; mkdir -p "$shim"
  for dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
    [ -d "$dir" ] || continue
    for f in "$dir"/*; do
      name="${f##*/}"; skip=0
      for x in "$@"; do
        case "$name" in $x) skip=1 ;; esac
      done
      [ "$skip" = 1 ] && continue
      [ -e "$shim/$name" ] || ln -s "$f" "$shim/$name"
    done
  done
  for x in "$@"; do
    if PATH="$shim" command -v "$x" >/dev/null 2>&1; then
      echo "$x is still reachable on PATH; cannot reproduce" >&2; exit 2
    fi
  done
  echo "$shim"
}

_show() {
  # Echo a command the way a terminal session shows it, then run it in /tmp, stderr merged.
  # The leading _neutral_env and VAR=value words are not shown: the header says what they are.
  local a line='$' shown=0
  for a in "$@"; do
    if [ "$shown" = 0 ]; then
      case "$a" in _neutral_env|[A-Z_]*=*) continue ;; esac
      shown=1
    fi
    case "$a" in *" "*) line="$line \"$a\"" ;; *) line="$line $a" ;; esac
  done
  echo "$line"
  (cd /tmp && "$@" 2>&1) || true
}

_capture() {
  # _capture NAME FUNCTION: run FUNCTION, keep its raw output as $WORK/NAME.raw, print it
  # redacted. Not a pipeline, so FUNCTION runs in this shell (its traps and mounts stay here).
  local name="$1"; shift
  "$@" > "$WORK/$name.raw"
  _redact < "$WORK/$name.raw"
}
