"""Runs of wheel support, the lines under the tables, "fixed upstream" and claims: one truth.

The properties run over every recorded project page x every CPython x every platform
the KB knows; the sentences are read back by tests/statements.py, which shares no
code with generator/truth/support.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from conftest import recorded_page
from indexserver import DATA_DIR
from statements import check_counter_fact, check_sentence, named_versions

from generator.truth.claims import check_claim, fixed_upstream
from generator.kb.environments import load_environments
from generator.truth.support import MAX_RUNS, YANKED_NOTE, Run, Support, counter_fact, sentence, support
from generator.site.verify import table
from generator.truth.wheels import Kind, Reason, Target, Verdict, cpython_minors, release_verdicts

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = sorted(p.stem for p in DATA_DIR.glob("*.json") if not p.name.endswith(".headers.json"))
PYTHONS = [f"3.{m}" for m in range(8, 16)] + [f"3.{m}t" for m in range(13, 16)]
#: Every platform the KB and the packaged environments name, and an old glibc where
#: releases with manylinux_2_28-only wheels build from source.
PLATFORMS = sorted(
    {env.platform for path in (ROOT / "kb" / "environments.yaml", ROOT / "generator" / "data" / "environments.yaml") for env in load_environments(path).values()}
    | {"manylinux_2_26_x86_64"}
)
LINUX = "manylinux_2_35_x86_64"


def _column(verdicts: list[Verdict]) -> list[tuple[Version, str]]:
    """What a full table column shows: final releases, each as its cell's state."""
    return [(v.version, "yanked" if v.yanked else v.kind.value) for v in verdicts if not v.version.is_prerelease]


# -- support() and the sentences, on hand-made columns ------------------------------------


def _v(text: str, kind: str = "w", *, yanked: bool = False, reason: Optional[Reason] = None, rp: Optional[str] = None) -> Verdict:
    kinds = {"w": Kind.WHEEL, "s": Kind.SDIST, "n": Kind.NONE}
    return Verdict(Version(text), kinds[kind], None, yanked, None, reason, rp)


@pytest.mark.parametrize(
    "column, runs, since, line",
    [
        # every release has a wheel
        ([_v("1.0"), _v("1.1")], [("1.0", "1.1", 2)], "1.0", "Releases of p with a wheel for CPython 3.13 on T: every release."),
        # support arrived and stayed: "fixed upstream in 1.1"
        ([_v("1.0", "s"), _v("1.1"), _v("1.2")], [("1.1", "1.2", 2)], "1.1", "Releases of p with a wheel for CPython 3.13 on T: every release from 1.1 on."),
        # came, went, came back
        ([_v("1.0"), _v("1.1", "s"), _v("1.2")], [("1.0", "1.0", 1), ("1.2", "1.2", 1)], "1.2",
         "Releases of p with a wheel for CPython 3.13 on T: 1.0 and every release from 1.2 on."),
        # stopped: Requires-Python dropped the target
        ([_v("1.0"), _v("1.1"), _v("2.0", "n", reason=Reason.REQUIRES_PYTHON, rp=">=3.14"), _v("2.1", "n")], [("1.0", "1.1", 2)], None,
         "Releases of p with a wheel for CPython 3.13 on T: 1.0–1.1; none from 2.0, which requires Python >= 3.14."),
        # a yanked release neither breaks nor joins a run; a pre-release is not counted
        ([_v("1.0"), _v("1.1", "s", yanked=True), _v("1.2rc1", "s"), _v("1.2")], [("1.0", "1.2", 2)], "1.0",
         "Releases of p with a wheel for CPython 3.13 on T: every release."),
        # never
        ([_v("1.0", "s"), _v("2.0", "s")], [], None, "No release of p has a wheel for CPython 3.13 on T."),
        # nothing to count
        ([_v("1.0", yanked=True)], [], None, "No release of p has a wheel for CPython 3.13 on T."),
        ([], [], None, "No release of p has a wheel for CPython 3.13 on T."),
    ],
)
def test_support_and_its_sentence(column: list[Verdict], runs: list[tuple[str, str, int]], since: Optional[str], line: str) -> None:
    s = support(column)
    assert s.runs == tuple(Run(Version(a), Version(b), n) for a, b, n in runs)
    assert s.since == (Version(since) if since else None)
    assert sentence(s, "p", "3.13", "T") == line
    assert check_sentence(line, _column(column), package="p", python="3.13", platform="T") == []


def test_many_runs_are_summed_up() -> None:
    # MAX_RUNS + 1 single-release runs, then support to the newest release
    column = [_v(f"1.{i}", k) for i, k in enumerate("ws" * (MAX_RUNS + 1) + "ww")]
    s = support(column)
    assert len(s.runs) == MAX_RUNS + 2
    line = sentence(s, "p", "3.13", "T")
    n = MAX_RUNS + 1
    assert line == f"Releases of p with a wheel for CPython 3.13 on T: {n} of the {2 * n - 1} releases from 1.0 to 1.{2 * n - 2} and every release from 1.{2 * n} on."
    assert check_sentence(line, _column(column), package="p", python="3.13", platform="T") == []


@pytest.mark.parametrize(
    "stop, why",
    [
        (_v("2.0", "s", reason=Reason.NO_WHEEL), "which builds from source"),
        (_v("2.0", "s", reason=Reason.REQUIRES_PYTHON, rp=">=3.14"), "which builds from source: its wheels for this platform require Python >= 3.14"),
        (_v("2.0", "s", reason=Reason.REQUIRES_PYTHON), "which builds from source: its wheels for this platform exclude CPython 3.13 by their Requires-Python"),
        (_v("2.0", "s", reason=Reason.YANKED), "which builds from source: its wheels for this platform are yanked"),
        (_v("2.0", "n", reason=Reason.REQUIRES_PYTHON, rp="<3.13,>=3.9"), "which requires Python < 3.13, >= 3.9"),
        # not fit to quote: said without it
        (_v("2.0", "n", reason=Reason.REQUIRES_PYTHON, rp="!=3.13.*," * 8 + ">=3"), "which excludes CPython 3.13 by its Requires-Python"),
        # index data that could read as an HTML tag gets a space after the operator
        (_v("2.0", "n", reason=Reason.REQUIRES_PYTHON, rp="<v3.13"), "which requires Python < v3.13"),
        (_v("2.0", "n", reason=Reason.YANKED), "whose files for this target are yanked"),
        (_v("2.0", "n", reason=Reason.NO_FILES), "which lists no files"),
        (_v("2.0", "n", reason=Reason.NO_WHEEL), "which has no file for this target"),
        (_v("2.0", "n"), "which installs nothing there"),  # no reason recorded: none given
    ],
)
def test_why_support_stopped(stop: Verdict, why: str) -> None:
    s = support([_v("1.0"), stop])
    line = sentence(s, "p", "3.13", "T")
    assert line == f"Releases of p with a wheel for CPython 3.13 on T: 1.0; none from 2.0, {why}."
    assert check_sentence(line, _column([_v("1.0"), stop]), package="p", python="3.13", platform="T") == []
    assert counter_fact(s, "3.13") == f"releases with a wheel: 1.0; none from 2.0, {why}"


def test_counter_fact_says_when_yanked_releases_are_left_out() -> None:
    assert counter_fact(support([_v("1.0", "s"), _v("1.1", yanked=True)]), "3.13") == "no release has a wheel there (yanked releases left out)"
    assert counter_fact(support([_v("1.0", "s")]), "3.13") == "no release has a wheel there"


# -- the reader can tell a false line from a true one ---------------------------------------

TIKTOKEN_38 = "Releases of tiktoken with a wheel for CPython 3.8 on manylinux_2_35_x86_64: 0.1.2–0.7.0; none from 0.8.0, which requires Python >= 3.9."


@pytest.mark.parametrize(
    "python, platform, line",
    [
        ("3.8", LINUX, "No release of tiktoken has a wheel for CPython 3.8 on manylinux_2_35_x86_64."),  # the bug this module fixes
        ("3.8", LINUX, TIKTOKEN_38.replace("0.1.2–0.7.0", "0.1.2–0.6.0")),  # a run cut short
        ("3.8", LINUX, TIKTOKEN_38.replace("0.1.2–0.7.0", "0.1.1–0.7.0")),  # 0.1.1 has no wheel
        ("3.8", LINUX, TIKTOKEN_38.replace("0.1.2–0.7.0", "0.1.2–0.5.2 and 0.6.0–0.7.0")),  # one run said as two
        ("3.8", LINUX, TIKTOKEN_38.replace(">= 3.9", ">= 3.10")),  # the wrong Requires-Python
        ("3.8", LINUX, TIKTOKEN_38.replace("which requires Python >= 3.9", "which builds from source")),  # it installs nothing
        ("3.8", LINUX, TIKTOKEN_38.replace("which requires Python >= 3.9", "which has no file for this target")),  # the sdist is for any target
        ("3.8", LINUX, TIKTOKEN_38.replace("none from 0.8.0", "none from 0.9.0")),  # not where it stopped
        ("3.8", LINUX, TIKTOKEN_38.split(";")[0] + "."),  # the stop left unsaid
        ("3.8", LINUX, TIKTOKEN_38.replace("0.1.2–0.7.0; none from 0.8.0, which requires Python >= 3.9", "every release from 0.1.2 on")),
        ("3.9", LINUX, "Releases of tiktoken with a wheel for CPython 3.9 on manylinux_2_35_x86_64: every release from 0.1.2 on."),  # 0.1.1 has one too
        ("3.13", LINUX, "Releases of tiktoken with a wheel for CPython 3.13 on manylinux_2_35_x86_64: every release."),
        ("3.13", LINUX, "Releases of tiktoken with a wheel for CPython 3.13 on manylinux_2_35_x86_64: every release from 0.9.0 on."),
        ("3.13", LINUX, "Releases of tiktoken with a wheel for CPython 3.13 on manylinux_2_35_x86_64: 8 of the 9 releases from 0.8.0 to 0.14.0."),
        ("3.13", LINUX, "Releases of tiktoken with a wheel for CPython 3.14 on manylinux_2_35_x86_64: every release from 0.8.0 on."),  # another column
        ("3.12", "musllinux_1_2_x86_64", "Releases of numexpr with a wheel for CPython 3.12 on musllinux_1_2_x86_64: every release from 2.8.7 on."),  # 2.11.0 lacks one
        ("3.12", "musllinux_1_2_x86_64", "Releases of numexpr with a wheel for CPython 3.12 on musllinux_1_2_x86_64: 2.8.7–2.10.2."),  # later wheels unnamed
    ],
)
def test_the_reader_rejects_false_lines(python: str, platform: str, line: str) -> None:
    project = line.split(" ")[3] if line.startswith("No release") else line.split(" ")[2]
    page = recorded_page(project)
    column = _column(release_verdicts(page, Target.parse(python, platform)))
    assert check_sentence(line, column, package=project, python=python, platform=platform, page=page) != []


# -- properties over every recorded page ----------------------------------------------------


@pytest.mark.parametrize("project", PROJECTS)
def test_every_line_is_true_of_its_column(project: str) -> None:
    page = recorded_page(project)
    problems = []
    for python in PYTHONS:
        for platform in PLATFORMS:
            verdicts = release_verdicts(page, Target.parse(python, platform))
            s, column = support(verdicts), _column(verdicts)
            line = sentence(s, page.name, python, platform)
            problems += [f"{line} {p}" for p in check_sentence(line, column, package=page.name, python=python, platform=platform, page=page)]
            fact = counter_fact(s, python)
            problems += [f"{fact} {p}" for p in check_counter_fact(fact, column, python=python, platform=platform, page=page)]
    assert problems == []


def test_the_property_sees_every_shape_of_line() -> None:
    # Guards the property above against passing for want of cases.
    seen = set()
    for project in PROJECTS:
        page = recorded_page(project)
        for python in PYTHONS:
            for platform in PLATFORMS:
                line = sentence(support(release_verdicts(page, Target.parse(python, platform))), page.name, python, platform)
                body = line.partition(": ")[2]
                seen |= {form for form, there in [
                    ("no wheel", line.startswith("No release")),
                    ("every release", body == "every release."),
                    ("every release from", "every release from" in body),
                    ("range", "–" in body),
                    ("several runs", " and " in body.split(";")[0]),
                    ("summed up", " of the " in body),
                    ("stopped: requires-python", "which requires Python" in body),
                    ("stopped: builds from source", body.endswith("which builds from source.")),
                ] if there}
    assert len(seen) == 8, seen


@pytest.mark.parametrize("project", PROJECTS)
def test_table_lines_agree_with_the_table(project: str) -> None:
    page = recorded_page(project)
    for platform in PLATFORMS:
        full = table(page, "Platform", platform, abridge=False)
        short = table(page, "Platform", platform, abridge=True)
        assert short.summaries == full.summaries
        rows = list(reversed(full.rows))
        assert (YANKED_NOTE in full.summaries) == any(cell.state == "yanked" for row in rows for cell in row.cells)
        lines = [line for line in full.summaries if line != YANKED_NOTE]
        assert len(lines) == len(full.columns)
        shown = {Version(row.version) for row in short.rows}
        for i, (python, line) in enumerate(zip(full.columns, lines)):
            column = [(Version(row.version), row.cells[i].state) for row in rows]
            assert check_sentence(line, column, package=page.name, python=python, platform=platform, page=page) == []
            # an abridged table still shows every release its lines name
            assert set(named_versions(line)) <= shown, line


@pytest.mark.parametrize("project", PROJECTS)
def test_fixed_upstream_and_claims_agree_with_the_lines(project: str) -> None:
    page = recorded_page(project)
    pages = {page.name: page}
    minors = cpython_minors(page) or list(range(8, 15))
    for python in [p for p in PYTHONS if not p.endswith("t")]:
        for platform in PLATFORMS:
            verdicts = release_verdicts(page, Target.parse(python, platform))
            s = support(verdicts)
            line = sentence(s, page.name, python, platform)
            if int(python.split(".")[1]) in minors:
                found = fixed_upstream(page.name, SpecifierSet(f"=={python}.*"), [platform], page)
                assert (found[0] if found else None) == s.since, line
            if s.since is not None:
                assert line.endswith((f"every release from {s.since} on.", ": every release.")), line
                assert check_claim(f"{page.name}>={s.since}", [python], [platform], pages).holds, line
            else:
                assert "every release" not in line
            counted = [v for v in verdicts if not v.yanked and not v.version.is_prerelease]
            # the release just before each run, and the newest: where a claim from there must fail
            edges = [counted[i] for i in range(len(counted)) if (i + 1 < len(counted) and counted[i + 1].kind is Kind.WHEEL) or i + 1 == len(counted)]
            for v in [v for v in edges if v.kind is Kind.SDIST]:
                result = check_claim(f"{page.name}>={v.version}", [python], [platform], pages)
                assert not result.holds, line
                assert result.failures[0].split("; ", 1)[1] == counter_fact(s, python)


@pytest.mark.parametrize("project", PROJECTS)
def test_fixed_upstream_over_several_platforms_is_the_latest_since(project: str) -> None:
    page = recorded_page(project)
    minors = cpython_minors(page) or list(range(8, 15))
    for python in [f"3.{m}" for m in minors if 8 <= m <= 15]:
        each = [support(release_verdicts(page, Target.parse(python, platform))) for platform in PLATFORMS]
        # platforms whose newest release installs nothing are left out; any other without a wheel now: not fixed
        served = [s for s in each if s.newest is not Kind.NONE]
        expected = max(s.since for s in served) if served and all(s.since for s in served) else None  # type: ignore[type-var]
        found = fixed_upstream(project, SpecifierSet(f"=={python}.*"), PLATFORMS, page)
        assert (found[0] if found else None) == expected, python


def test_support_is_what_the_old_glibc_lost() -> None:
    page = recorded_page("tiktoken")
    s = support(release_verdicts(page, Target.parse("3.13", "manylinux_2_26_x86_64")))
    assert s.since is None and s.first_wheel == Version("0.8.0")
    assert s.stop is not None and (s.stop.version, s.stop.kind) == (Version("0.12.0"), Kind.SDIST)
    assert isinstance(s, Support)
