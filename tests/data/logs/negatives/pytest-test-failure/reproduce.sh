#!/usr/bin/env bash
# README (negative sample: belongs to no record): a project's own test fails under pytest
# (an assertion in user code); nothing about installing or building packages.
#
# Captured with: CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), pytest 9.2.0 (newest on the
# capture date); Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64; 2026-12-01.
#
# Usage: reproduce.sh   (prints the install and test output to stdout)
set -euo pipefail
SAMPLE=pytest-test-failure
# shellcheck source=../../../../../kb/samples/repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../../../../../kb/samples/repro-lib.sh}"

_main() {
  local venv="$WORK/venv" proj="$WORK/project"
  _venv "$(_py 3.12)" "$venv"
  rm -rf "$proj"; mkdir -p "$proj"
  cat > "$proj/pricing.py" <<'PY'
def total(prices, discount=0.1):
    """Sum of prices with a discount applied (the discount is wrongly applied twice)."""
    subtotal = sum(prices)
    return round(subtotal * (1 - discount) * (1 - discount), 2)
PY
  cat > "$proj/test_pricing.py" <<'PY'
from pricing import total


def test_total_without_discount():
    assert total([10, 5], discount=0) == 15


def test_total_with_discount():
    assert total([10, 10]) == 18.0
PY
  _show _neutral_env PATH="$venv/bin:$SYS_PATH" pip install -q pytest
  echo "\$ python -m pytest -p no:cacheprovider"
  (cd "$proj" && _neutral_env PATH="$venv/bin:$SYS_PATH" python -m pytest -p no:cacheprovider 2>&1) || true
}

_capture pytest-failure _main
