"""The home page: families of failures, new guides (git dates) and claims that flipped (claims.json)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any, Dict, List

import pytest

from generator import kb as kb_mod
from generator.site import changes, history, home
from generator.site import pages as site
from generator.site import views
from generator.site.build import _flips

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def real() -> kb_mod.KnowledgeBase:
    return kb_mod.load(ROOT / "kb")


# -- families -----------------------------------------------------------------------------


def test_every_guide_is_in_exactly_the_first_family_its_tags_name(real: kb_mod.KnowledgeBase) -> None:
    found = home.families(real)
    assert sum(f.count for f in found) == len(real.records)
    counts = [f.count for f in found]
    assert counts == sorted(counts, reverse=True), "the largest family does not come first"
    by_key = {f.key: f for f in found}
    members: Dict[str, List[str]] = {}
    for rec in real.records:
        tags = set(rec.incident.affects.tags)
        first = next((k for k, _, wanted in home.FAMILIES if tags & wanted), home.OTHER[0])
        members.setdefault(first, []).append(rec.incident)  # type: ignore[arg-type]
    assert set(members) == set(by_key)
    for key, incidents in members.items():
        family = by_key[key]
        assert family.count == len(incidents)
        titles = sorted((i.title for i in incidents), key=str.lower)  # type: ignore[attr-defined]
        assert [g.title for g in family.guides] == titles[: home.PER_FAMILY]


def test_the_families_cover_most_of_the_kb(real: kb_mod.KnowledgeBase) -> None:
    # "Other" is for the odd guide out; if it grows, FAMILIES needs a new entry.
    other = [f.count for f in home.families(real) if f.key == home.OTHER[0]]
    assert not other or other[0] <= len(real.records) // 5, f"{other} of {len(real.records)} guides fall in no family"


def test_the_home_page_links_every_family_and_says_how_to_install(real: kb_mod.KnowledgeBase) -> None:
    text = site.generate(real)[site.HOME]
    for family in home.families(real):
        assert f"### {family.title} ({family.count})" in text
    assert home.INSTALL in text and 'id="wheelfix-paste"' in text and 'name="q"' in text
    assert "What changed recently" not in text  # no dates, no comparison: nothing said


# -- new guides: the date a record was first committed --------------------------------------


def _git(repo: Path, *args: str, when: str = "2020-01-02T03:04:05+00:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    kb = root / "kb"
    kb.mkdir(parents=True)
    _git(root, "init", "-q")
    (kb / "first.yaml").write_text("a\n")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "first", when="2020-01-02T23:30:00-05:00")
    (kb / "second.yaml").write_text("b\n")
    (kb / "first.yaml").write_text("a, edited\n")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "second", when="2021-03-04T10:00:00+00:00")
    (kb / "first.yaml").write_text("a, edited again\n")
    _git(root, "commit", "-qam", "third", when="2022-05-06T10:00:00+00:00")
    return root


def test_a_guide_is_dated_by_the_commit_that_added_its_record(repo: Path) -> None:
    found = history.added_dates(repo / "kb", ["first", "second", "never-committed"])
    # The author's own calendar date: 23:30 at UTC-5 is still 2020-01-02 there.
    assert found == {"first": date(2020, 1, 2), "second": date(2021, 3, 4)}


def test_no_dates_from_a_shallow_clone_or_outside_git(repo: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True, capture_output=True)
    assert history.added_dates(shallow / "kb", ["first", "second"]) == {}
    plain = tmp_path / "plain"
    plain.mkdir()
    assert history.added_dates(plain, ["first"]) == {}


def test_new_guides_are_listed_newest_first(real: kb_mod.KnowledgeBase) -> None:
    ids = [r.incident.id for r in real.records]
    added = {gid: date(2024, 1, 1 + i % 28) for i, gid in enumerate(ids)}
    page = home.home_page(real, home.HomeFacts(added))
    shown = [when for _, when in page.recent]
    assert len(shown) == min(home.RECENT, len(ids)) and shown == sorted(shown, reverse=True)
    newest = sorted(added.values(), reverse=True)[: home.RECENT]
    assert shown == [d.isoformat() for d in newest]
    for link, when in page.recent:
        gid = link.url[len("guides/") : -len(".md")]
        assert added[gid].isoformat() == when and link.url == views.guide_page(gid)


# -- claims that flipped --------------------------------------------------------------------


def _claim(guide: str, fix: int, holds: bool, requirement: str = "p>=1") -> Dict[str, Any]:
    return {"guide": guide, "fix": fix, "requirement": requirement, "python": ["3.13"], "platforms": ["win_amd64"], "holds": holds, "note": ""}


def _payload(*claims: Dict[str, Any]) -> Dict[str, Any]:
    return {"format": changes.FORMAT, "claims": list(claims)}


def test_a_flip_is_the_same_claim_with_the_other_verdict() -> None:
    before = _payload(_claim("a", 1, True), _claim("a", 2, False), _claim("b", 1, True), _claim("c", 1, True))
    after = _payload(_claim("a", 1, False), _claim("a", 2, True), _claim("b", 1, True, requirement="p>=2"), _claim("d", 1, False))
    assert changes.flips(before, after) == (home.Flip("a", 1, "p>=1", False), home.Flip("a", 2, "p>=1", True))


@pytest.mark.parametrize(
    "payload, where",
    [
        ([], "format"),
        ({"format": 2, "claims": []}, "format"),
        ({"format": 1}, "format"),
        (_payload({"guide": "a"}), "claims[0]"),
        (_payload(_claim("a", 1, True), {**_claim("a", 2, True), "holds": "yes"}), "claims[1]"),
        (_payload({**_claim("a", True, True)}), "claims[0]"),  # a boolean is not a fix number
        (_payload({**_claim("a", 1, True), "python": "3.13"}), "claims[0]"),
    ],
)
def test_a_bad_previous_file_is_refused_naming_the_field(payload: Any, where: str) -> None:
    with pytest.raises(changes.BadClaimsFile) as caught:
        changes.flips(payload, _payload(), "old/claims.json")
    assert f"old/claims.json: {where}:" in str(caught.value)
    assert caught.value.exit_code == 2


def test_the_build_reads_the_previous_file_with_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(_payload(_claim("a", 1, True))))
    assert _flips(path, _payload(_claim("a", 1, False))) == (home.Flip("a", 1, "p>=1", False),)
    path.write_text("{not json")
    with pytest.raises(changes.BadClaimsFile, match="not JSON"):
        _flips(path, _payload())


def test_the_home_page_lists_flips_only_after_a_comparison(real: kb_mod.KnowledgeBase) -> None:
    rec = next(r for r in real.records if any(f.claim for f in r.incident.fixes))
    i = next(k for k, f in enumerate(rec.incident.fixes) if f.claim)
    claim = rec.incident.fixes[i].claim
    assert claim is not None
    flip = home.Flip(rec.incident.id, i + 1, claim.requirement, False)
    files = site.generate(real, facts=home.HomeFacts(flips=(flip,)))
    assert f"fix {i + 1}: `{claim.requirement}` no longer holds" in files[site.HOME]
    assert json.loads(files[changes.CHANGES])["flipped"] == [{"guide": rec.incident.id, "fix": i + 1, "requirement": claim.requirement, "holds": False}]
    quiet = site.generate(real, facts=home.HomeFacts(flips=()))[site.HOME]
    assert "every claim reads as it did in the previous build" in quiet
    assert changes.CHANGES not in site.generate(real)


def test_claims_json_lists_every_checked_claim() -> None:
    knowledge = kb_mod.load(DATA / "kb_valid")
    extras = views.Extras()
    expected = []
    for rec in knowledge.records:
        for i, fix in enumerate(rec.incident.fixes):
            if fix.claim is not None:
                extras.claims[(rec.incident.id, i)] = (i % 2 == 0, "note")
                expected.append((rec.incident.id, i + 1, fix.claim.requirement, i % 2 == 0))
    assert expected, "the fixture KB has no claim"
    payload = json.loads(site.generate(knowledge, extras)[changes.CLAIMS])
    assert [(c["guide"], c["fix"], c["requirement"], c["holds"]) for c in payload["claims"]] == expected
    assert changes.flips(payload, payload) == ()
