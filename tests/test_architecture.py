"""The architecture holds: the import-linter contracts in pyproject.toml ([tool.importlinter]).

Layers follow the data flow (cli | plugin, site | audit, kb | truth, logs | index,
shared leaves), log reading stays off the network and heavy packages, and
sibling modules form no cycles.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

ROOT = Path(__file__).resolve().parent.parent
_LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def _lint(root: Path) -> "subprocess.CompletedProcess[str]":
    env: Dict[str, str] = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-c", _LINT, "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root, capture_output=True, text=True, env=env,
    )


def test_import_contracts_are_kept() -> None:
    proc = _lint(ROOT)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


@pytest.mark.parametrize(
    "module, line, broken",
    [
        # explain must not reach the network
        ("logs/text.py", "import generator.index.client", "Log reading"),
        # a lower layer importing a higher one
        ("truth/support.py", "import generator.site.views", "Layers follow the data flow"),
        # siblings in one layer stay independent
        ("kb/records.py", "import generator.truth.wheels", "Layers follow the data flow"),
        # views, rendering and pages read the facts pass; they never ask the engine or the index
        ("site/render.py", "import generator.index.page", "Site views, rendering and pages only read the facts"),
        ("site/views.py", "import generator.truth.wheels", "Site views, rendering and pages only read the facts"),
        ("site/pages.py", "import generator.truth.claims", "Site views, rendering and pages only read the facts"),
        ("site/pages.py", "import generator.index.client", "Site views, rendering and pages only read the facts"),
        ("kb/yamldoc.py", "import jinja2", "Pure layers render nothing"),
        ("cli/commands/run.py", "import generator.cli.commands.explain", "Commands share code through cli.commands._common"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tmp_path: Path, module: str, line: str, broken: str) -> None:
    shutil.copytree(ROOT / "generator", tmp_path / "generator", ignore=shutil.ignore_patterns("__pycache__", "data", "templates"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "generator" / module
    target.write_text(target.read_text() + f"\n{line}  # added by the test\n")
    proc = _lint(tmp_path)
    assert proc.returncode != 0
    summary = [ln.strip() for ln in proc.stdout.splitlines() if ln.startswith(broken) and ln.strip().endswith(("KEPT", "BROKEN"))]
    assert len(summary) == 1 and summary[0].endswith(" BROKEN"), proc.stdout[-4000:]
