"""Index facts on the site: tables, claim checks and upstream notes, from recorded data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from conftest import recorded_page
from htmlsafety import render_page, visible_text
from indexserver import IndexServer
from generator import kb as kb_mod
from generator.site import pages as site
from generator.site import views
from generator.site.build import BuildOptions, build_files
from generator.index.client import IndexClient
from generator.truth.support import YANKED_NOTE
from generator.site.verify import VerificationFailed, compute_extras, python_columns, table

ROOT = Path(__file__).resolve().parent.parent
TIKTOKEN = "tiktoken-cargo-read-only-filesystem"


def _kb_with(tmp_path: Path, old: str, new: str) -> Path:
    kb = tmp_path / "kb"
    kb.mkdir()
    for p in [ROOT / "kb" / "environments.yaml", ROOT / "kb" / f"{TIKTOKEN}.yaml"]:
        text = p.read_text(encoding="utf-8")
        if p.stem == TIKTOKEN:
            assert old in text
            text = text.replace(old, new, 1)
        (kb / p.name).write_text(text.replace("related: [python-h-missing]", "related: []"), encoding="utf-8")
    return kb


@pytest.mark.parametrize(
    "requirement, python, platform, expected",
    [
        # the seed guide's claim: 0.7.0 still has no cp313 wheel
        ("tiktoken>=0.7.0", "3.13", "manylinux_2_35_x86_64",
         "tiktoken>=0.7.0 on CPython 3.13, manylinux_2_35_x86_64: 0.7.0 would build from source; releases with a wheel: every release from 0.8.0 on"),
        # an old glibc: releases shipping only manylinux_2_28 wheels build from source there, after a run that had wheels
        ("tiktoken>=0.12.0", "3.13", "manylinux_2_26_x86_64",
         "tiktoken>=0.12.0 on CPython 3.13, manylinux_2_26_x86_64: 0.12.0 would build from source; "
         "releases with a wheel: 0.8.0–0.11.0; none from 0.12.0, which builds from source"),
    ],
)
def test_a_false_claim_fails_with_the_counter_fact(tmp_path: Path, requirement: str, python: str, platform: str, expected: str) -> None:
    kb = _kb_with(
        tmp_path,
        'requirement: "tiktoken>=0.8.0"\n      python: ["3.13"]\n      platforms: [manylinux_2_35_x86_64]',
        f'requirement: "{requirement}"\n      python: ["{python}"]\n      platforms: [{platform}]',
    )
    knowledge = kb_mod.load(kb)
    report = compute_extras(knowledge, {"tiktoken": recorded_page("tiktoken")})
    line = next(n for n, t in enumerate((kb / f"{TIKTOKEN}.yaml").read_text().splitlines(), 1) if f'requirement: "{requirement}"' in t)
    assert report.problems == [f"kb/{TIKTOKEN}.yaml:{line}:20: fixes[0].claim: {expected}"]
    page = site.generate(knowledge, report.extras)[f"guides/{TIKTOKEN}.md"]
    assert isinstance(page, str)
    # The counter-fact is escaped as text in the page's Markdown; the reader sees it as is.
    assert '!!! failure "Claim does not hold"' in page and expected in visible_text(render_page(page)[1])


def test_a_false_claim_fails_the_strict_build(tmp_path: Path, index_server: object) -> None:
    kb = _kb_with(tmp_path, 'requirement: "tiktoken>=0.8.0"', 'requirement: "tiktoken>=0.7.0"')
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIP_INDEX_URL", index_server.index_url)  # type: ignore[attr-defined]
        with pytest.raises(VerificationFailed) as info:
            build_files(BuildOptions(kb_dir=kb))
        assert "0.7.0 would build from source; releases with a wheel: every release from 0.8.0 on" in str(info.value)
        files = build_files(BuildOptions(kb_dir=kb, strict=False))  # non-strict: published, with the counter-fact
        assert "Claim does not hold" in str(files[f"guides/{TIKTOKEN}.md"])


def test_true_claims_say_when_they_were_verified() -> None:
    knowledge = kb_mod.load(ROOT / "kb")
    pages = {name: recorded_page(name) for name in ["tiktoken"]}
    report = compute_extras(knowledge, pages)
    ok, note = report.extras.claims[(TIKTOKEN, 0)]
    assert ok and note == "verified against index data as of 2026-11-28 00:00 UTC"


def test_data_notes_name_the_index_the_data_came_from(index_server: IndexServer, tmp_path: Path) -> None:
    client = IndexClient(index_server.index_url, cache_dir=tmp_path, progress=False)
    pages = {name: client.fetch(name) for name in ["tiktoken"]}
    source = index_server.index_url.split("://")[1].rstrip("/")  # host:port/simple, as configured
    report = compute_extras(kb_mod.load(ROOT / "kb"), pages)
    notes = [*report.extras.data_notes.values(), *(note for ok, note in report.extras.claims.values() if ok)]
    notes += [view.data_note for views in report.extras.tables.values() for view in views]
    assert notes
    for note in notes:
        assert f"index data from {source} as of " in note and "PyPI" not in note


def test_tiktoken_table_shows_the_seed_facts() -> None:
    view = table(recorded_page("tiktoken"), "Linux", "manylinux_2_35_x86_64", abridge=True, mentioned=["0.6.0"])
    col = view.columns.index("3.13")
    rows = {row.version: row.cells[col] for row in view.rows}
    assert rows["0.7.0"].state == "sdist" and rows["0.7.0"].symbol == "⚙"  # builds from source on 3.13
    assert rows["0.8.0"].state == "wheel" and "cp313" in rows["0.8.0"].title
    assert rows["0.6.0"].state == "sdist"  # named by the record, so kept although its row repeats 0.7.0's
    assert "Releases of tiktoken with a wheel for CPython 3.13 on manylinux_2_35_x86_64: every release from 0.8.0 on." in view.summaries
    # support that stopped: the 3.8 wheels end where Requires-Python drops 3.8
    assert (
        "Releases of tiktoken with a wheel for CPython 3.8 on manylinux_2_35_x86_64: 0.1.2–0.7.0; none from 0.8.0, which requires Python >= 3.9."
        in view.summaries
    )
    assert view.data_note.startswith("index data as of 2026-11-28 00:00 UTC")


def test_abridged_rows_keep_every_change_and_the_newest() -> None:
    full = table(recorded_page("tiktoken"), "Linux", "manylinux_2_35_x86_64", abridge=False)
    short = table(recorded_page("tiktoken"), "Linux", "manylinux_2_35_x86_64", abridge=True)
    assert len(short.rows) < len(full.rows)
    assert short.rows[0].version == full.rows[0].version  # newest first
    states = [tuple(c.state for c in r.cells) for r in reversed(full.rows)]
    versions = [r.version for r in reversed(full.rows)]
    changes = {versions[i] for i in range(len(states)) if i == 0 or states[i] != states[i - 1]}
    assert changes <= {r.version for r in short.rows}


@pytest.mark.parametrize(
    "package, expected",
    [
        ("six", ["3.8", "3.9", "3.10", "3.11", "3.12"]),  # pure Python: up to a current CPython, no free-threaded column
        ("tiktoken", ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15", "3.13t", "3.14t", "3.15t"]),  # free-threaded wheels get their own columns
    ],
)
def test_python_columns(package: str, expected: list[str]) -> None:
    assert python_columns(recorded_page(package)) == expected


def test_fixed_upstream_is_said_per_python() -> None:
    report = compute_extras(kb_mod.load(ROOT / "kb"), {"tiktoken": recorded_page("tiktoken")})
    note = report.extras.upstream[TIKTOKEN]
    assert note.startswith("Fixed upstream in tiktoken 0.8.0, released 2024-10-03, for CPython 3.13; ")


def test_missing_index_data_fails_the_strict_build_naming_the_package(tmp_path: Path, index_server: object) -> None:
    kb = _kb_with(tmp_path, "packages: [tiktoken]", "packages: [tiktokn]")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIP_INDEX_URL", index_server.index_url)  # type: ignore[attr-defined]
        with pytest.raises(VerificationFailed) as info:
            build_files(BuildOptions(kb_dir=kb))
    assert "no project named 'tiktokn' on the index" in str(info.value)



def _since(view: views.TableView, python: str) -> Optional[Version]:
    """What a table's line for ``python`` says support has been since: "every release [from X on]"."""
    line = [line for line in view.summaries if line != YANKED_NOTE][view.columns.index(python)]
    if line.endswith(": every release."):
        return Version(view.rows[-1].version)  # rows are newest first
    m = re.search(r"every release from (\S+) on\.$", line)
    return Version(m.group(1)) if m else None


def test_fixed_upstream_notes_agree_with_the_guides_tables() -> None:
    """Each "fixed upstream in X for CPython Y" is the latest "every release from X on" of Y's columns."""
    knowledge = kb_mod.load(ROOT / "kb")
    names = sorted({p for r in knowledge.records for p in r.incident.packages})
    extras = compute_extras(knowledge, {n: recorded_page(n) for n in names}).extras
    checked = 0
    for rec in knowledge.records:
        incident = rec.incident
        note = extras.upstream.get(incident.id, "")
        for package in incident.affects.packages:
            tables = [t for t in extras.tables[incident.id] if t.package == package]
            affected = SpecifierSet(incident.affects.python)
            pythons = [c for c in tables[0].columns if not c.endswith("t") and affected.contains(c, prereleases=True)]
            if not note:
                # no note: some affected column's newest release has no wheel
                assert any(_since(t, py) is None for t in tables for py in pythons), incident.id
                continue
            said = {
                py: (Version(version), day)
                for version, day, pys in re.findall(rf"in {package} (\S+), released (\S+), for CPython (.+?)(?=; in |\.$)", note)
                for py in re.split(r", | and ", pys)
            }
            assert sorted(said) == sorted(pythons), (incident.id, note)
            for python, (version, day) in said.items():
                each = [_since(t, python) for t in tables]
                assert all(each) and version == max(v for v in each if v is not None), (incident.id, python, each)
                assert {r.released for t in tables for r in t.rows if r.version == str(version)} == {day}
                checked += 1
    assert checked >= 4  # the KB's notes are exercised, not skipped
