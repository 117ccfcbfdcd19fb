#!/usr/bin/env bash
# README (negative sample: belongs to no record): an ImportError raised by the user's own code
# (two modules of an application importing each other), with every package installed fine.
#
# Captured with: CPython 3.12.1 (pyenv); Debian GNU/Linux 12 (bookworm), glibc 2.36, x86_64;
# 2026-12-01.
#
# Usage: reproduce.sh   (prints the output to stdout)
set -euo pipefail
SAMPLE=user-code-circular-import
# shellcheck source=../../../../../kb/samples/repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../../../../../kb/samples/repro-lib.sh}"

_main() {
  local venv="$WORK/venv" proj="$WORK/project"
  _venv "$(_py 3.12)" "$venv"
  rm -rf "$proj"; mkdir -p "$proj/shop"
  : > "$proj/shop/__init__.py"
  cat > "$proj/shop/models.py" <<'PY'
from shop.services import price_of


class Item:
    def __init__(self, name):
        self.name = name
        self.price = price_of(name)
PY
  cat > "$proj/shop/services.py" <<'PY'
from shop.models import Item


def price_of(name):
    return {"apple": 1.0}.get(name, 0.0)


def make(name):
    return Item(name)
PY
  echo "\$ python -c \"import shop.models\""
  (cd "$proj" && _neutral_env PATH="$venv/bin:$SYS_PATH" python -c "import shop.models" 2>&1) || true
}

_capture python-import _main
