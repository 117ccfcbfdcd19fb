"""The commands the workflows run: `check --annotate`, `summary` and `refresh`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from conftest import recorded_page
from indexserver import IndexServer
from generator import kb as kb_mod
from generator.cli import main
from generator.cli.commands.check import locate
from generator.cli.commands.summary import inline
from generator.index.page import ProjectPage
from generator.site import refresh, verify
from generator.truth.claims import fixed_upstream

ROOT = Path(__file__).resolve().parent.parent
TIKTOKEN = "tiktoken-cargo-read-only-filesystem"
CLAIM = 'requirement: "tiktoken>=0.8.0"'
ANNOTATION = re.compile(r"::error file=(?P<file>[^,:]+)(?:,line=(?P<line>\d+))?,title=wheelfix check::(?P<message>.*)")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _kb_with(tmp_path: Path, replacements: Dict[str, str]) -> Path:
    """kb/ with the tiktoken record alone, text replaced as given."""
    kb = tmp_path / "kb"
    kb.mkdir(parents=True)
    (kb / "environments.yaml").write_text((ROOT / "kb" / "environments.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    text = (ROOT / "kb" / f"{TIKTOKEN}.yaml").read_text(encoding="utf-8").replace("related: [python-h-missing]", "related: []")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    (kb / f"{TIKTOKEN}.yaml").write_text(text, encoding="utf-8")
    return kb


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in t)


@pytest.mark.parametrize(
    "problem, expected",
    [
        ("kb/x.yaml:12:3: fixes[0].title: too long", ("kb/x.yaml", 12, "fixes[0].title: too long")),
        ("kb/x.yaml:7: affects: bad", ("kb/x.yaml", 7, "affects: bad")),
        ("kb/x.yaml: packages: no project named 'x' on the index", ("kb/x.yaml", None, "packages: no project named 'x' on the index")),
        # no line 0: not a location this parser trusts, so the whole line is the message
        ("kb/x.yaml:0:1: line zero is no line", (None, None, "kb/x.yaml:0:1: line zero is no line")),
        ("no location at all", (None, None, "no location at all")),
    ],
)
def test_locate(problem: str, expected: Tuple[object, object, str]) -> None:
    assert locate(problem) == expected


def test_every_problem_is_annotated_on_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = _kb_with(tmp_path, {'title: "tiktoken fails': 'title: 42\nx_title: "tiktoken fails', "python: \">=3.13\"": "python: \">=3.13,,\""})
    code, out, _err = _run(capsys, "check", "--kb", str(kb), "--annotate")
    assert code == 1
    lines = out.splitlines()
    problems = [line for line in lines if not line.startswith("::")]
    annotations = [ANNOTATION.fullmatch(line) for line in lines if line.startswith("::")]
    assert problems and len(annotations) == len(problems) and all(annotations)
    for problem, match in zip(problems, annotations):
        assert match is not None
        file, line, message = locate(problem)
        assert (match["file"], int(match["line"]) if match["line"] else None) == (file, line)
        assert match["message"] == message.replace("%", "%25")
        assert (kb.parent / match["file"]).is_file()


def test_annotations_follow_github_actions(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    kb = _kb_with(tmp_path, {'title: "tiktoken fails': 'title: 42\nx_title: "tiktoken fails'})
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert "::error" not in _run(capsys, "check", "--kb", str(kb))[1]
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert "::error" in _run(capsys, "check", "--kb", str(kb))[1]
    assert "::error" not in _run(capsys, "check", "--kb", str(kb), "--no-annotate")[1]


def test_a_false_claim_is_annotated_on_its_requirement(tmp_path: Path, capsys: pytest.CaptureFixture[str], index_server: IndexServer) -> None:
    kb = _kb_with(tmp_path, {CLAIM: 'requirement: "tiktoken>=0.7.0"'})
    code, out, _err = _run(capsys, "check", "--kb", str(kb), "--online", "--annotate", "--index-url", index_server.index_url)
    assert code == 1
    (match,) = [m for m in map(ANNOTATION.fullmatch, out.splitlines()) if m]
    assert match["file"] == f"kb/{TIKTOKEN}.yaml"
    assert int(match["line"]) == _line_of(kb / f"{TIKTOKEN}.yaml", 'requirement: "tiktoken>=0.7.0"')
    assert "0.7.0 would build from source" in match["message"]


# --- summary ---------------------------------------------------------------

def test_summary_shows_the_guides_tables(capsys: pytest.CaptureFixture[str], index_server: IndexServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code, out, _err = _run(capsys, "summary", f"kb/{TIKTOKEN}.yaml", "kb/environments.yaml", "cffi-ffi-h-missing",
                           "--kb", str(ROOT / "kb"), "--index-url", index_server.index_url)
    assert code == 0
    knowledge = kb_mod.load(ROOT / "kb")
    pages = {n: recorded_page(n) for n in ("tiktoken", "cffi")}
    report = verify.compute_extras(knowledge, pages)
    # Every row of every table the guides render appears, cell by cell, in the summary.
    for guide in (TIKTOKEN, "cffi-ffi-h-missing"):
        views = report.extras.tables[guide]
        assert views
        for view in views:
            assert "| release | released | " + " | ".join(view.columns) + " |" in out
            for row in view.rows:
                assert f"| {row.version} | {row.released} | " + " | ".join(c.symbol for c in row.cells) + " |" in out
    assert out.index(inline(knowledge.records[[r.incident.id for r in knowledge.records].index(TIKTOKEN)].incident.title)) < out.index("cffi")
    assert "Skipped (not records): kb/environments\\.yaml" in out


def test_summary_goes_to_the_job_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str], index_server: IndexServer,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    code, out, _err = _run(capsys, "summary", "--kb", str(ROOT / "kb"), "--index-url", index_server.index_url)
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8") == "## Version tables of the changed guides\n\nNo record changed.\n"


def test_summary_refuses_an_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(capsys, "summary", "no-such-guide", "--kb", str(ROOT / "kb"), "--offline")
    assert code == 2 and "no record has the id 'no-such-guide'" in err


@given(st.text(max_size=200))
def test_inline_leaves_nothing_for_markdown_to_act_on(text: str) -> None:
    out = inline(text)
    assert "\n" not in out and "\r" not in out
    # Remove escaped pairs: no Markdown or HTML punctuation is left bare.
    bare = re.sub(r"\\.", "", out)
    assert not set(bare) & set("\\`*_{}[]<>()#+-.!|~&")


# --- refresh ---------------------------------------------------------------

def _findings(kb: Path, pages: Dict[str, ProjectPage]) -> List[refresh.Finding]:
    knowledge = kb_mod.load(kb)
    return refresh.findings(knowledge, pages, verify.compute_extras(knowledge, pages))


def test_refresh_reports_a_claim_that_stopped_holding(tmp_path: Path) -> None:
    kb = _kb_with(tmp_path, {CLAIM: 'requirement: "tiktoken>=0.7.0"'})
    pages = {"tiktoken": recorded_page("tiktoken")}
    knowledge = kb_mod.load(kb)
    report = verify.compute_extras(knowledge, pages)
    (finding,) = refresh.findings(knowledge, pages, report)
    assert finding.record == TIKTOKEN and finding.title == f"Refresh: {TIKTOKEN}"
    (fact,) = finding.facts
    assert fact.kind == "claim" and fact.line == _line_of(kb / f"{TIKTOKEN}.yaml", 'requirement: "tiktoken>=0.7.0"')
    # The counter-fact is the one `wheelfix check --online` reports, word for word.
    (problem,) = report.problems
    assert problem.endswith(fact.message)
    assert fact.message in finding.body().replace("`", "")


def test_refresh_reports_a_range_that_upstream_serves(tmp_path: Path) -> None:
    kb = _kb_with(tmp_path, {'tiktoken: "<0.8.0"': 'tiktoken: ">=0.6"'})
    page = recorded_page("tiktoken")
    (finding,) = _findings(kb, {"tiktoken": page})
    (fact,) = finding.facts
    knowledge = kb_mod.load(kb)
    tags = [t for _, t in verify.guide_platforms(knowledge, knowledge.records[0].incident.affects.platforms)]
    found = fixed_upstream("tiktoken", SpecifierSet(">=3.13"), tags, page)
    assert found is not None
    assert fact.kind == "fixed-upstream" and f"tiktoken {found[0]}, released {found[1]:%Y-%m-%d}, and every later release" in fact.message
    assert fact.line == _line_of(kb / f"{TIKTOKEN}.yaml", 'tiktoken: ">=0.6"')
    # Not for a record about another failure: only source builds are judged by wheels.
    other = _kb_with(tmp_path / "other", {'tiktoken: "<0.8.0"': 'tiktoken: ">=0.6"', "tags: [rust, build-from-source, python-3-13]": "tags: [rust]"})
    assert _findings(other, {"tiktoken": page}) == []


def test_refresh_findings_are_true_of_every_record() -> None:
    # Over the real KB and the recorded index: each upstream finding names a release inside the
    # record's range, from which every affected target has wheels; each claim finding is a false claim.
    knowledge = kb_mod.load(ROOT / "kb")
    names = sorted({p for r in knowledge.records for p in r.incident.affects.packages} | {p for r in knowledge.records for p in r.incident.packages})
    pages = {}
    for name in names:
        try:
            pages[name] = recorded_page(name)
        except FileNotFoundError:
            continue
    report = verify.compute_extras(knowledge, pages)
    found = refresh.findings(knowledge, pages, report)
    by_id = {r.incident.id: r for r in knowledge.records}
    assert len({f.title for f in found}) == len(found)
    for finding in found:
        incident = by_id[finding.record].incident
        for fact in finding.facts:
            if fact.kind == "claim":
                index = int(fact.message.split("]", 1)[0].split("[", 1)[1])
                assert report.extras.claims.get((incident.id, index), (False, ""))[0] is False
                continue
            assert refresh.SOURCE_BUILD_TAG in incident.affects.tags
            package, version = fact.message.split(",", 1)[0].split(" ")[:2]
            assert SpecifierSet(incident.affects.packages[package]).contains(version, prereleases=True)
            tags = [t for _, t in verify.guide_platforms(knowledge, incident.affects.platforms)]
            upstream = fixed_upstream(package, SpecifierSet(incident.affects.python), tags, pages[package])
            assert upstream is not None and str(upstream[0]) == version


def test_refresh_json_for_the_workflow(capsys: pytest.CaptureFixture[str], index_server: IndexServer, tmp_path: Path) -> None:
    kb = _kb_with(tmp_path, {CLAIM: 'requirement: "tiktoken>=0.7.0"'})
    code, out, _err = _run(capsys, "refresh", "--kb", str(kb), "--report", "json", "--index-url", index_server.index_url)
    assert code == 1
    doc = json.loads(out)
    assert set(doc) == {"checked", "findings", "problems"} and doc["checked"] == 1 and doc["problems"] == []
    (finding,) = doc["findings"]
    assert set(finding) == {"record", "file", "title", "label", "body", "facts"}
    assert finding["title"] == f"Refresh: {TIKTOKEN}" and finding["label"] == refresh.LABEL
    clean = _kb_with(tmp_path / "clean", {})
    code, out, err = _run(capsys, "refresh", "--kb", str(clean), "--index-url", index_server.index_url)
    assert code == 0 and out == "" and "every claim holds" in err
