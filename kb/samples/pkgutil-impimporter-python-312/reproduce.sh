#!/usr/bin/env bash
# README: Python 3.12 removed pkgutil.ImpImporter; old copies of pkg_resources (in old setuptools such
# as 65.5.0, and vendored in old pip such as 21.2.4) still reference it at import and fail with
# "AttributeError: module 'pkgutil' has no attribute 'ImpImporter'. Did you mean:
# 'zipimporter'?".
#
# Captured with: CPython 3.12.1 (pyenv); Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64;
# 2026-12-01.
#   pip-setuptools65  pip 23.2.1 (bundled); the venv gets setuptools 65.5.0 (the version
#                 CPython 3.11's ensurepip bundles), then a source build without build
#                 isolation (six 1.16.0 sdist), then `import pkg_resources` directly.
#                 (numpy 1.25.2 on 3.12, often reported with this error, failed here one step
#                 earlier with "No module named 'distutils'": see distutils-removed-python-312.)
#   pip21-six     pip 21.2.4 installed into a 3.12 venv (`pip install pip==21.2.4` succeeds),
#                 then `pip install six`: pip itself fails on import.
#   pip22-six     the same with pip 22.3.1 (the last pip before 23.0); pip 23.0 and 23.0.1
#                 fail the same way, pip 23.1 is the first that runs on 3.12 (checked here).
#   gha-pip22-six pip22-six with GitHub Actions timestamps.
#   fix-ensurepip pip 21.2.4 in a 3.12 venv, repaired with `python -m ensurepip --upgrade --default-pip`
#                 (pip cannot upgrade itself while it cannot import); then `pip install six`.
#                 Not a sample (it succeeds): it checks the fix the guide gives.
#
# Copied from the corpus helper's staging/samples/pkgutil-impimporter (the folder is renamed
# after the record); pip22-six, gha-pip22-six and fix-ensurepip were added here.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default pip-setuptools65; prints the output)
# Needs: /root/.pyenv/versions/3.12.*.
set -euo pipefail
SAMPLE=pkgutil-impimporter-python-312
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$HERE/../repro-lib.sh}"
# shellcheck source=../repro-shapes.sh
. "$HERE/../repro-shapes.sh"

_pip_setuptools65() {
  local venv="$WORK/venv-pip"; _venv "$(_py 3.12)" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install -q setuptools==65.5.0 wheel
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install --no-build-isolation --no-binary six six==1.16.0
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" python -c "import pkg_resources"
}

_old_pip_six() {
  # $1: pip version
  local venv="$WORK/venv-pip-$1"; _venv "$(_py 3.12)" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" python -m pip install -q "pip==$1"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install six
}

_fix_ensurepip() {
  local venv="$WORK/venv-ensurepip"; _venv "$(_py 3.12)" "$venv"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" python -m pip install -q "pip==$OLD_PIP_VERSION"
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" python -m ensurepip --upgrade --default-pip
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install six
}

CASE="${1:-pip-setuptools65}"
case "$CASE" in
  pip-setuptools65) _capture "$CASE" _pip_setuptools65 ;;
  pip21-six) _capture "$CASE" _old_pip_six "$OLD_PIP_VERSION" ;;
  pip22-six) _capture "$CASE" _old_pip_six 22.3.1 ;;
  gha-pip22-six) _from_capture pip22-six | _gha_stamps 14 2 ;;
  fix-ensurepip) _capture "$CASE" _fix_ensurepip ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
