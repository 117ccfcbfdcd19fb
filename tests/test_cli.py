"""The command line's edge: exit codes, one-line errors, and the commands owned by cli."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
VALID = Path(__file__).parent / "data" / "kb_valid"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(VALID, target)
    return target


def test_check_valid_kb_exits_0(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--kb", str(kb)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "2 record(s) valid" in err


def test_check_reports_every_problem_one_per_line_and_exits_1(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rust = kb / "demo-rust-build.yaml"
    rust.write_text(rust.read_text().replace("summary:", "sumary:"))
    (kb / "demo-c-headers.yaml").write_text("# yaml-language-server: $schema=../schema/incident.json\nid: [\n")
    assert main(["check", "--kb", str(kb)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines == [
        "kb/demo-c-headers.yaml:3:1: YAML syntax error: expected the node content, but found '<stream end>' (while parsing a flow node)",
        "kb/demo-rust-build.yaml:2:1: summary: required field 'summary' is missing",
        "kb/demo-rust-build.yaml:4:1: sumary: unknown field 'sumary'; did you mean 'summary'?",
    ]
    assert "3 problem(s)" in err and "Traceback" not in err


def test_check_unknown_platform_name(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rust = kb / "demo-rust-build.yaml"
    rust.write_text(rust.read_text().replace("platforms: [linux-x86_64, examplehost]", "platforms: [linux-x86_64, exmplehost]"))
    assert main(["check", "--kb", str(kb)]) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines() == [
        "kb/demo-rust-build.yaml:11:29: affects.platforms[1]: unknown platform or environment 'exmplehost'; "
        "did you mean 'examplehost'? (names are defined in kb/environments.yaml)"
    ]


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["check", "--kb", "/nonexistent/kb"], 2, "wheelfix: error: no knowledge base folder at /nonexistent/kb"),  # missing folder
        (["check", "--bogus"], 2, "unrecognized arguments: --bogus"),  # usage error
        ([], 2, "usage: wheelfix"),  # no command
        (["new", "Bad_Id"], 2, "wheelfix: error: 'Bad_Id' is not a valid id"),  # ids are slugs
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(argv: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_new_writes_a_template_that_check_walks_through(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "demo-new-thing", "--package", "demopkg", "--kb", str(kb)]) == 0
    assert (kb / "demo-new-thing.yaml").exists()
    assert main(["new", "demo-new-thing", "--kb", str(kb)]) == 2  # never overwrite, ids are never reused
    capsys.readouterr()
    assert main(["check", "--kb", str(kb)]) == 1
    out = capsys.readouterr().out
    assert "kb/demo-new-thing.yaml" in out and "references[0].url: 'TODO' is not an http(s) URL" in out


def test_export_writes_the_generated_pages(kb: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["export", str(out), "--kb", str(kb), "--no-index"]) == 0
    assert (out / "guides" / "demo-rust-build.md").read_text().startswith("---\ntitle: ")
    assert (out / "e" / "demo-old-id" / "index.html").exists()


def test_bundled_files_are_current() -> None:
    from generator.cli.commands.bundle import bundled_files

    for path, text in bundled_files(ROOT / "kb").items():
        assert path.exists(), f"{path} is missing: run `wheelfix bundle`"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run `wheelfix bundle`"


def test_bundle_check_reports_staleness(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bundle", "--check", "--kb", str(ROOT / "kb")]) == 0
    assert main(["bundle", "--check", "--kb", str(VALID)]) == 1  # another KB: both files differ
    assert "is out of date; run `wheelfix bundle`" in capsys.readouterr().err


def test_python_dash_m_generator_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "generator", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("wheelfix ")


def test_export_without_the_site_extra_says_how_to_get_it(tmp_path: Path) -> None:
    # Markdown and nh3 come with the `site` extra (nh3 has no wheel for free-threaded
    # CPython, so the base install that explain and audit need leaves it out).
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('nh3', 'markdown'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from generator.cli import main\n"
        f"sys.exit(main(['export', {str(tmp_path / 'out')!r}, '--no-index']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr
    assert "needs the site extra" in proc.stderr and "wheelfix[site]" in proc.stderr
    assert "Traceback" not in proc.stderr
