"""Readiness pages and package page summaries: every derived word true of the index data.

The cells are checked over every recorded project page x CPython x platform the KB
knows, against the verdict columns read here (not through generator/truth/support.py),
and their tooltips are read back by tests/statements.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from packaging.version import Version

from conftest import recorded_page
from indexserver import DATA_DIR
from statements import check_sentence, named_versions
from test_support import PLATFORMS, PYTHONS, PROJECTS, _column

from generator import kb as kb_mod
from generator.index.page import ProjectPage
from generator.site import pages as site
from generator.site import readiness, readiness_facts, views
from generator.site.packagepage import RECENT, abridge
from generator.site.verify import table
from generator.truth.support import support
from generator.truth.wheels import Kind, Target, release_verdicts

ROOT = Path(__file__).resolve().parent.parent


def _cell_problems(cell: readiness.Cell, column: List[Tuple[Version, str]]) -> List[str]:
    """What is false in a cell's state and text, read against (version, state) rows, oldest first."""
    counted = [(v, s) for v, s in column if s != "yanked"]
    if not counted:
        return [] if (cell.state, cell.text) == ("none", "no release") else [f"{cell.text!r}: there is no release to count"]
    newest_version, newest_state = counted[-1]
    if cell.state != newest_state:
        return [f"state {cell.state}, but the newest release {newest_version} is {newest_state}"]
    if cell.state == "wheel":
        m = re.fullmatch(r"since (\S+)", cell.text)
        since = counted[0][0] if cell.text == "every release" else (Version(m.group(1)) if m else None)
        if since is None:
            return [f"{cell.text!r} is not a wheel cell's text"]
        i = next((k for k, (v, _) in enumerate(counted) if v == since), None)
        if i is None:
            return [f"{cell.text!r}: {since} is not a counted release"]
        problems = [f"{cell.text!r}, but {v} is {s}" for v, s in counted[i:] if s != "wheel"]
        if i > 0 and counted[i - 1][1] == "wheel":
            problems.append(f"{cell.text!r}, but {counted[i - 1][0]} before it has a wheel too")
        if cell.since != str(since):
            problems.append(f"since field {cell.since!r} != {since}")
        return problems
    word = {"sdist": "builds from source", "none": "does not install"}[cell.state]
    if cell.text != f"{newest_version} {word}" or cell.since is not None:
        return [f"{cell.text!r} (since {cell.since!r}) is not what the newest release {newest_version} does"]
    return []


@pytest.mark.parametrize("project", PROJECTS)
def test_every_readiness_cell_is_true_of_its_column(project: str) -> None:
    page = recorded_page(project)
    problems = []
    for python in PYTHONS:
        for platform in PLATFORMS:
            verdicts = release_verdicts(page, Target.parse(python, platform))
            column = _column(verdicts)
            cell = readiness_facts.cell(support(verdicts), page.name, python, platform)
            where = f"{project} {python} {platform}"
            problems += [f"{where}: {p}" for p in _cell_problems(cell, column)]
            problems += [f"{where}: {p}" for p in check_sentence(cell.sentence, column, package=page.name, python=python, platform=platform, page=page)]
    assert problems == []


def test_the_cell_property_sees_every_kind_of_cell() -> None:
    seen = set()
    for project in PROJECTS:
        page = recorded_page(project)
        for python in PYTHONS:
            for platform in PLATFORMS:
                cell = readiness_facts.cell(support(release_verdicts(page, Target.parse(python, platform))), page.name, python, platform)
                seen.add("every release" if cell.text == "every release" else cell.text.split(" ")[0] if cell.state == "wheel" else cell.state)
    assert seen == {"every release", "since", "sdist", "none"}, seen


# -- the pages, from the real KB over the recorded index ---------------------------------------


@pytest.fixture(scope="module")
def real() -> Tuple[kb_mod.KnowledgeBase, Dict[str, ProjectPage], readiness.ReadinessData]:
    knowledge = kb_mod.load(ROOT / "kb")
    available = {p.stem for p in DATA_DIR.glob("*.json")}
    pages = {n: recorded_page(n) for n in views.all_packages(knowledge) if n in available}
    return knowledge, pages, readiness_facts.compute(knowledge, pages)


def test_a_page_for_every_python_and_environment(real: Tuple[kb_mod.KnowledgeBase, Dict[str, ProjectPage], readiness.ReadinessData]) -> None:
    knowledge, _, data = real
    files = site.readiness_pages(knowledge, data)
    assert data.pythons[0] == "3.9" and any(p.endswith("t") for p in data.pythons), data.pythons
    expected = {readiness.INDEX} | {readiness.python_page(p) for p in data.pythons} | {readiness.environment_page(n) for n in knowledge.environments}
    assert set(files) == expected
    index = files[readiness.INDEX]
    for path in sorted(expected - {readiness.INDEX}):
        assert f"](../{path})" in index, f"the readiness index does not link {path}"


def _newest_has_wheel(page: ProjectPage, python: str, tag: str) -> bool:
    counted = [v for v in release_verdicts(page, Target.parse(python, tag)) if not v.yanked and not v.version.is_prerelease]
    return bool(counted) and counted[-1].kind is Kind.WHEEL


def test_every_count_line_is_true(real: Tuple[kb_mod.KnowledgeBase, Dict[str, ProjectPage], readiness.ReadinessData]) -> None:
    knowledge, pages, data = real
    tags = [tag for _, _, tag in data.platforms]
    assert tags and len(tags) == len(set(tags))
    for python in data.pythons:
        view = readiness.python_view(python, knowledge, data)
        ready = sum(1 for name in data.packages if all(_newest_has_wheel(pages[name], python, t) for t in tags))
        assert view.count_line == readiness.count_line(ready, len(data.packages), python, "on every platform below")
        assert [r.package.title for r in view.rows] == list(data.packages)
    for name, env in knowledge.environments.items():
        view = readiness.environment_view(name, env, knowledge, data)
        assert view.platform == env.platform
        assert {g.url for g in view.guides} == {views.guide_page(r.incident.id) for r in knowledge.records if name in r.incident.affects.platforms}
        if env.python_minor in data.pythons:
            ready = sum(1 for p in data.packages if _newest_has_wheel(pages[p], env.python_minor, env.platform))
            assert view.count_line == readiness.count_line(ready, len(data.packages), env.python_minor, f"on {env.platform}")


def test_count_line_reads_back() -> None:
    assert readiness.count_line(3, 20, "3.14", "on win_amd64") == "3 of 20 packages install from wheels for CPython 3.14 on win_amd64, in their newest release."
    assert readiness.count_line(1, 1, "3.9", "x").startswith("1 of 1 package install")


# -- package pages: the abridged section tables ---------------------------------------------


@pytest.mark.parametrize("project", PROJECTS)
def test_an_abridged_table_keeps_the_newest_releases_and_every_change(project: str) -> None:
    page = recorded_page(project)
    for platform in PLATFORMS[:4]:
        full = table(page, "Platform", platform, abridge=False)
        short = abridge(full)
        kept = [r.version for r in short.rows]
        every = [r.version for r in full.rows]
        assert kept == [v for v in every if v in set(kept)], "abridging reorders or invents rows"
        assert every[:RECENT] == kept[: min(RECENT, len(every))]
        states = [tuple(c.state for c in r.cells) for r in full.rows]
        for i in range(len(states) - 1):
            if states[i] != states[i + 1]:
                assert every[i] in kept and every[i + 1] in kept, f"{platform}: the change between {every[i + 1]} and {every[i]} is hidden"
        for line in full.summaries:
            assert {str(v) for v in named_versions(line)} <= {str(Version(v)) for v in kept}, line
        assert bool(short.abridged_note) == (len(kept) < len(every))


def test_a_package_page_has_a_summary_then_a_section_per_target_group(real: Tuple[kb_mod.KnowledgeBase, Dict[str, ProjectPage], readiness.ReadinessData]) -> None:
    from generator.site.packagepage import package_page_view
    from generator.site.render import render
    from generator.site.verify import compute_extras

    knowledge, pages, data = real
    extras = compute_extras(knowledge, pages).extras
    folded = 0
    for name in data.packages:
        view = package_page_view(name, knowledge, extras, data)
        text = render("package.md.j2", p=view)
        headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
        assert headings[:2] == ["Summary", "Guides"], headings
        assert len(headings) - 2 == len(view.sections) == len(extras.package_tables[name]) == len(data.platforms)
        # The summary's rows are the target groups, in the order of the sections.
        assert [c.tag for c, _ in view.summary_rows] == [tag for _, _, tag in data.platforms]
        for section, (_, _, tag) in zip(view.sections, data.platforms):
            assert section.heading.endswith(f"({tag})") and section.full.rows[0] == section.table.rows[0]
        folded += text.count('<details class="wf-all-releases">')
        assert text.count('<details class="wf-all-releases">') == sum(len(s.full.rows) > len(s.table.rows) for s in view.sections)
    assert folded > 0, "no package page folds its full matrix: the check proved nothing"


def test_a_python_page_lists_the_guides_whose_pythons_include_it(real: Tuple[kb_mod.KnowledgeBase, Dict[str, ProjectPage], readiness.ReadinessData]) -> None:
    from packaging.specifiers import SpecifierSet

    knowledge, _, data = real
    for python in data.pythons:
        listed = {g.url for g in readiness.python_view(python, knowledge, data).guides}
        base = python.rstrip("t")
        expected = {
            views.guide_page(r.incident.id) for r in knowledge.records
            if SpecifierSet(r.incident.affects.python).contains(base, prereleases=True)
        }
        assert listed == expected, python
