"""``wheelfix run`` in GitHub Actions: annotations and a job summary with guide links."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli.commands._common import DEFAULT_SHOWN

ROOT = Path(__file__).resolve().parent.parent


def _run(tmp_path: Path, env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "fail.py"
    script.write_text("import sys\nprint('Collecting tiktoken==0.6.0')\nprint('      error: can\\'t find Rust compiler')\nsys.exit(1)\n")
    env = {"PATH": "/usr/bin:/bin", "WHEELFIX_SITE_URL": "https://example.test/", **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "generator", "run", "--", sys.executable, str(script)],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )


def _explained(log: str) -> list[str]:
    """The guide ids ``wheelfix explain`` shows for ``log``, best first."""
    import json

    proc = subprocess.run([sys.executable, "-m", "generator", "explain", "--json", "-"], input=log, capture_output=True, text=True, cwd=ROOT)
    return [m["id"] for m in json.loads(proc.stdout)["matches"]][:DEFAULT_SHOWN]


def test_in_github_actions_run_writes_annotations_and_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    proc = _run(tmp_path, {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 1
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    # One annotation per guide explain shows for the same output, best first: the tiktoken
    # guide, then the general Rust guide whose message the output also shows.
    shown = _explained("Collecting tiktoken==0.6.0\n      error: can't find Rust compiler\n")
    assert shown[0] == "tiktoken-cargo-read-only-filesystem"
    assert len(annotations) == len(shown)
    for annotation, guide in zip(annotations, shown):
        assert f"https://example.test/guides/{guide}/" in annotation
    text = summary.read_text()
    assert text.startswith("### wheelfix: `")
    assert "| [tiktoken fails to install on Python 3.13" in text
    assert "(https://example.test/guides/tiktoken-cargo-read-only-filesystem/)" in text


@pytest.mark.parametrize("env", [{}, {"GITHUB_ACTIONS": "false"}])  # elsewhere: no workflow commands on stdout
def test_outside_github_actions_stdout_is_untouched(tmp_path: Path, env: dict[str, str]) -> None:
    proc = _run(tmp_path, env)
    assert proc.returncode == 1
    assert proc.stdout == "Collecting tiktoken==0.6.0\n      error: can't find Rust compiler\n"
