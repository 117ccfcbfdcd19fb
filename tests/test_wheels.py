"""The wheel engine: tags a target accepts, verdicts per release, and agreement with pip itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
from packaging import tags as ptags
from packaging.tags import Tag
from packaging.version import Version

from conftest import RECORDED_AT, recorded_page
from indexserver import IndexServer

from generator.index.page import ProjectPage, parse_project_page
from generator.index.page import file_version
from generator.truth.wheels import Kind, Reason, Target, TargetError, release_verdicts


def _verdict(project: str, version: str, python: str, platform: str):  # type: ignore[no-untyped-def]
    target = Target.parse(python, platform)
    return next(v for v in release_verdicts(recorded_page(project), target) if v.version == Version(version))


# -- Target ------------------------------------------------------------------


@pytest.mark.parametrize(
    "python, platform, expected",
    [
        # plain CPython version
        ("3.13", "manylinux_2_35_x86_64", Target("3.13", "manylinux_2_35_x86_64", False)),
        # 't' suffix means the free-threaded build
        ("3.13t", "win_amd64", Target("3.13", "win_amd64", True)),
        # legacy manylinux names are normalised to their glibc version
        ("3.12", "manylinux2014_x86_64", Target("3.12", "manylinux_2_17_x86_64", False)),
        # dashes and dots as people type them
        ("3.9", "macosx-14.0-arm64", Target("3.9", "macosx_14_0_arm64", False)),
    ],
)
def test_target_parse(python: str, platform: str, expected: Target) -> None:
    assert Target.parse(python, platform) == expected


@pytest.mark.parametrize(
    "python, platform, message",
    [
        ("3", "win_amd64", "not of the form X.Y"),  # no minor version
        ("2.7", "win_amd64", "not a Python 3 version"),  # CPython 2 is out of scope
        ("3.12t", "win_amd64", "free-threaded builds exist from 3.13"),  # no 3.12t exists
        ("3.13", "linux_x86_64", "not a platform tag"),  # never on an index
        ("3.13", "manylinux_2_35_sparc", "not a platform tag"),  # unknown arch
        ("3.13", "manylinux_2_12_aarch64", "start at manylinux_2_17"),  # no such aarch64 baseline
        ("3.13", "", "not a platform tag"),  # empty
    ],
)
def test_target_parse_rejects(python: str, platform: str, message: str) -> None:
    with pytest.raises(TargetError, match=message) as info:
        Target.parse(python, platform)
    assert repr(platform) in str(info.value) or repr(python) in str(info.value)


def test_label() -> None:
    assert Target.parse("3.13", "manylinux_2_35_x86_64").label == "CPython 3.13, manylinux_2_35_x86_64"
    assert Target.parse("3.13t", "win_amd64").label == "CPython 3.13t, win_amd64"


def test_manylinux_platforms_match_packaging_host_logic(monkeypatch: pytest.MonkeyPatch) -> None:
    # packaging computes the host's list from its glibc; make it believe it runs glibc 2.35 on x86_64.
    from packaging import _manylinux

    monkeypatch.setattr(_manylinux, "_get_glibc_version", lambda: (2, 35))
    monkeypatch.setattr(_manylinux, "_have_compatible_abi", lambda executable, archs: True)
    expected = list(_manylinux.platform_tags(["x86_64"]))
    assert Target.parse("3.13", "manylinux_2_35_x86_64").platforms() == expected
    assert "linux_x86_64" not in expected
    assert expected[-1] == "manylinux1_x86_64"
    monkeypatch.setattr(_manylinux, "_get_glibc_version", lambda: (2, 28))
    expected_arm = list(_manylinux.platform_tags(["aarch64"]))
    assert Target.parse("3.13", "manylinux_2_28_aarch64").platforms() == expected_arm
    assert expected_arm[-2:] == ["manylinux_2_17_aarch64", "manylinux2014_aarch64"]


def test_musllinux_platforms() -> None:
    assert Target.parse("3.13", "musllinux_1_2_x86_64").platforms() == [
        "musllinux_1_2_x86_64",
        "musllinux_1_1_x86_64",
        "musllinux_1_0_x86_64",
    ]


def test_macos_platforms_are_packagings() -> None:
    plats = Target.parse("3.13", "macosx_14_0_arm64").platforms()
    assert plats == list(ptags.mac_platforms((14, 0), "arm64"))
    assert "macosx_11_0_arm64" in plats and "macosx_14_0_universal2" in plats
    assert not any(p.startswith("macosx_10_") and p.endswith("arm64") for p in plats)
    intel = Target.parse("3.12", "macosx_10_15_x86_64").platforms()
    assert {"macosx_10_15_intel", "macosx_10_9_universal2", "macosx_10_4_fat64"} <= set(intel)


def test_tags_abi3_and_free_threading() -> None:
    regular = Target.parse("3.13", "manylinux_2_35_x86_64").tags()
    free = Target.parse("3.13t", "manylinux_2_35_x86_64").tags()
    assert regular[0] == Tag("cp313", "cp313", "manylinux_2_35_x86_64")
    assert Tag("cp38", "abi3", "manylinux_2_17_x86_64") in regular
    assert Tag("cp313", "cp313t", "manylinux_2_17_x86_64") not in regular
    assert free[0] == Tag("cp313", "cp313t", "manylinux_2_35_x86_64")
    assert not any(t.abi == "abi3" for t in free)
    assert Tag("py3", "none", "any") in regular and Tag("py3", "none", "any") in free
    assert Tag("cp313", "none", "linux_x86_64") not in regular


# -- verdicts on recorded data ---------------------------------------------------


@pytest.mark.parametrize(
    "project, version, python, platform, kind, filename",
    [
        # done-when: tiktoken 0.7.0 has no cp313 wheel, builds from source
        ("tiktoken", "0.7.0", "3.13", "manylinux_2_35_x86_64", Kind.SDIST, "tiktoken-0.7.0.tar.gz"),
        # ... while 3.12 gets a wheel
        ("tiktoken", "0.7.0", "3.12", "manylinux_2_35_x86_64", Kind.WHEEL, "tiktoken-0.7.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
        # releases shipping only manylinux_2_28 wheels build from source on glibc 2.26
        ("tiktoken", "0.12.0", "3.13", "manylinux_2_26_x86_64", Kind.SDIST, "tiktoken-0.12.0.tar.gz"),
        # abi3 wheel built for an older CPython serves 3.13
        ("cryptography", "50.0.2", "3.13", "manylinux_2_35_x86_64", Kind.WHEEL, "cryptography-50.0.2-cp311-abi3-manylinux_2_34_x86_64.whl"),
        # pure wheel
        ("six", "1.17.0", "3.13", "win_amd64", Kind.WHEEL, "six-1.17.0-py2.py3-none-any.whl"),
        # free-threaded wheel counts for 3.13t ...
        ("numpy", "2.1.0", "3.13t", "manylinux_2_35_x86_64", Kind.WHEEL, "numpy-2.1.0-cp313-cp313t-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
        # ... the regular build gets the regular one (musllinux_1_1 serves 1_2)
        ("numpy", "2.1.0", "3.13", "musllinux_1_2_x86_64", Kind.WHEEL, "numpy-2.1.0-cp313-cp313-musllinux_1_1_x86_64.whl"),
        # psycopg2 ships Windows wheels only
        ("psycopg2", "2.9.10", "3.13", "manylinux_2_35_x86_64", Kind.SDIST, "psycopg2-2.9.10.tar.gz"),
        # wholly yanked release: judged as pip would pin it, and flagged
        ("setuptools", "59.1.0", "3.12", "win_amd64", Kind.WHEEL, "setuptools-59.1.0-py3-none-any.whl"),
        # Requires-Python excludes every file: nothing installs
        ("pip", "24.1", "3.7", "win_amd64", Kind.NONE, None),
    ],
)
def test_verdicts(project: str, version: str, python: str, platform: str, kind: Kind, filename: Optional[str]) -> None:
    v = _verdict(project, version, python, platform)
    assert v.kind is kind
    assert (v.file.filename if v.file else None) == filename


def test_yanked_flag_only_for_wholly_yanked_releases() -> None:
    assert _verdict("setuptools", "59.1.0", "3.12", "win_amd64").yanked is True
    assert _verdict("setuptools", "59.2.0", "3.12", "win_amd64").yanked is False


def test_verdicts_cover_every_release_ascending() -> None:
    page = recorded_page("tiktoken")
    verdicts = release_verdicts(page, Target.parse("3.13", "manylinux_2_35_x86_64"))
    assert [str(v.version) for v in verdicts] == sorted(page.versions, key=Version)
    assert all(v.upload_time is not None for v in verdicts)


@pytest.mark.parametrize(
    "project, version, python, platform, kind, reason, requires_python",
    [
        # a wheel needs no reason
        ("tiktoken", "0.8.0", "3.13", "manylinux_2_35_x86_64", Kind.WHEEL, None, None),
        # no cp313 wheel: the sdist, for want of a matching wheel
        ("tiktoken", "0.7.0", "3.13", "manylinux_2_35_x86_64", Kind.SDIST, Reason.NO_WHEEL, None),
        # manylinux_2_28-only wheels on glibc 2.26: same reason
        ("tiktoken", "0.12.0", "3.13", "manylinux_2_26_x86_64", Kind.SDIST, Reason.NO_WHEEL, None),
        # dropped 3.8: every file it could use says Requires-Python >=3.9
        ("tiktoken", "0.8.0", "3.8", "manylinux_2_35_x86_64", Kind.NONE, Reason.REQUIRES_PYTHON, ">=3.9"),
        ("pip", "24.1", "3.7", "win_amd64", Kind.NONE, Reason.REQUIRES_PYTHON, ">=3.8"),
        # a version the page lists with no file at all
        ("numexpr", "1.2", "3.8", "manylinux_2_35_x86_64", Kind.NONE, Reason.NO_FILES, None),
    ],
)
def test_verdict_reasons(project: str, version: str, python: str, platform: str, kind: Kind, reason: Optional[Reason], requires_python: Optional[str]) -> None:
    v = _verdict(project, version, python, platform)
    assert (v.kind, v.reason, v.requires_python) == (kind, reason, requires_python)


def _page(files: list[dict[str, object]]) -> ProjectPage:
    payload = {"meta": {"api-version": "1.1"}, "name": "demo", "versions": ["1.0"], "files": [{"url": f"/packages/{f['filename']}", "hashes": {}, **f} for f in files]}
    return parse_project_page("demo", payload, fetched_at=RECORDED_AT)


_WHEEL_313 = "demo-1.0-cp313-cp313-manylinux_2_17_x86_64.whl"


@pytest.mark.parametrize(
    "files, kind, reason, requires_python",
    [
        # the matching wheel is yanked, the sdist is not: pip builds from source, because of the yank
        ([{"filename": _WHEEL_313, "yanked": "broken"}, {"filename": "demo-1.0.tar.gz"}], Kind.SDIST, Reason.YANKED, None),
        # every usable file yanked, another platform's wheel is not: nothing installs, because of the yank
        ([{"filename": _WHEEL_313, "yanked": True}, {"filename": "demo-1.0-cp313-cp313-win_amd64.whl"}], Kind.NONE, Reason.YANKED, None),
        # the wheel excludes 3.13, the sdist does not
        ([{"filename": _WHEEL_313, "requires-python": ">=3.14"}, {"filename": "demo-1.0.tar.gz"}], Kind.SDIST, Reason.REQUIRES_PYTHON, ">=3.14"),
        # both excluded, by different specifiers: the reason, without a specifier to quote
        ([{"filename": _WHEEL_313, "requires-python": ">=3.14"}, {"filename": "demo-1.0.tar.gz", "requires-python": "<3"}], Kind.NONE, Reason.REQUIRES_PYTHON, None),
        # only another platform's wheel
        ([{"filename": "demo-1.0-cp313-cp313-win_amd64.whl"}], Kind.NONE, Reason.NO_WHEEL, None),
        # a file whose name does not parse is no file
        ([{"filename": "demo-1.0.exe"}], Kind.NONE, Reason.NO_FILES, None),
    ],
)
def test_verdict_reasons_per_shape(files: list[dict[str, object]], kind: Kind, reason: Reason, requires_python: Optional[str]) -> None:
    (v,) = release_verdicts(_page(files), Target.parse("3.13", "manylinux_2_35_x86_64"))
    assert (v.kind, v.reason, v.requires_python) == (kind, reason, requires_python)


# -- agreement with pip itself -------------------------------------------------------

#: Releases with two files pip ranks equal on a target: (project, version, python, platform, the two files in page order).
TIES = [
    # two sdists, .tar.gz then .zip
    ("numpy", "1.10.1", "3.8", "win_amd64", ("numpy-1.10.1.tar.gz", "numpy-1.10.1.zip")),
    ("pandas", "0.10.0", "3.8", "manylinux_2_35_x86_64", ("pandas-0.10.0.tar.gz", "pandas-0.10.0.zip")),
    ("setuptools", "0.6c11", "3.8", "win_amd64", ("setuptools-0.6c11.tar.gz", "setuptools-0.6c11.zip")),
    # two wheels whose best tag on glibc 2.26 is the same manylinux_2_17 one; one also carries manylinux_2_28
    ("regex", "2025.7.29", "3.9", "manylinux_2_26_x86_64", (
        "regex-2025.7.29-cp39-cp39-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl",
        "regex-2025.7.29-cp39-cp39-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
    )),
]

PIP_CASES = [
    # (project, requirement, python, platform): a comment per case
    ("tiktoken", "tiktoken==0.7.0", "3.12", "manylinux_2_35_x86_64"),  # cp312 manylinux2014 wheel
    ("tiktoken", "tiktoken==0.7.0", "3.13", "manylinux_2_35_x86_64"),  # no wheel: sdist
    ("tiktoken", "tiktoken==0.12.0", "3.13", "manylinux_2_35_x86_64"),  # 2_28 preferred over 2_17
    ("tiktoken", "tiktoken==0.12.0", "3.13", "manylinux_2_26_x86_64"),  # 2_28-only: sdist
    ("tiktoken", "tiktoken", "3.13", "macosx_14_0_arm64"),  # newest release, macOS
    ("cryptography", "cryptography==50.0.2", "3.13", "manylinux_2_35_x86_64"),  # abi3 from cp311
    ("cryptography", "cryptography==50.0.2", "3.13", "macosx_14_0_arm64"),  # abi3 universal2 vs arm64
    ("cryptography", "cryptography==42.0.0", "3.12", "musllinux_1_2_x86_64"),  # abi3 musllinux
    ("six", "six==1.17.0", "3.13", "win_amd64"),  # pure wheel
    ("numpy", "numpy==2.1.0", "3.13t", "manylinux_2_35_x86_64"),  # free-threaded wheel
    ("numpy", "numpy==2.1.0", "3.13", "musllinux_1_2_x86_64"),  # musllinux
    ("numpy", "numpy==2.1.0", "3.13", "macosx_14_0_arm64"),  # macOS 14 arm64
    ("numpy", "numpy==1.26.4", "3.13", "win_amd64"),  # too old for 3.13: sdist
    ("numpy", "numpy==2.4.0", "3.12", "manylinux_2_35_x86_64"),  # partly yanked release
    ("numpy", "numpy", "3.13t", "win_amd64"),  # newest with a wheel, or sdist
    ("psycopg2", "psycopg2==2.9.10", "3.13", "win_amd64"),  # Windows wheel
    ("psycopg2", "psycopg2==2.9.10", "3.13", "manylinux_2_35_x86_64"),  # sdist only
    ("psycopg2-binary", "psycopg2-binary==2.9.10", "3.13", "manylinux_2_35_x86_64"),  # binary wheel
    ("pydantic-core", "pydantic-core==2.27.2", "3.13t", "manylinux_2_35_x86_64"),  # cp313t
    ("setuptools", "setuptools==59.1.0", "3.12", "win_amd64"),  # wholly yanked, pinned
    ("pip", "pip==24.1", "3.7", "win_amd64"),  # Requires-Python excludes: nothing
    ("regex", "regex==2021.8.27", "3.10", "manylinux_2_35_x86_64"),  # yanked files
    *[(case[0], f"{case[0]}=={case[1]}", case[2], case[3]) for case in TIES],  # files pip ranks equal
    ("regex", "regex==2025.7.29", "3.9", "manylinux_2_35_x86_64"),  # the same two wheels where 2_28 ranks first
]


def _pip_choice(server: IndexServer, requirement: str, target: Target, tmp: Path, only_binary: bool) -> Optional[str]:
    report = tmp / "report.json"
    if report.exists():
        report.unlink()
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--report", str(report), "--no-deps",
           "--ignore-installed", "--no-cache-dir", "--disable-pip-version-check", "--index-url", server.index_url,
           "--python-version", target.python, "--implementation", "cp", "--target", str(tmp / "target")]
    if target.free_threaded:
        cmd += ["--abi", f"cp{target.python.replace('.', '')}t"]
    for plat in target.platforms():
        cmd += ["--platform", plat]
    if only_binary:
        cmd.append("--only-binary=:all:")
    cmd.append(requirement)
    # A clean pip: this machine's config (find-links, constraints, extra indexes) must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        assert "No matching distribution" in proc.stderr or "Could not find a version" in proc.stderr, proc.stderr
        return None
    installs = json.loads(report.read_text())["install"]
    assert len(installs) == 1
    return str(installs[0]["download_info"]["url"]).rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def pip_server():  # type: ignore[no-untyped-def]
    with IndexServer(pip_mode=True) as server:
        yield server


def _pip_at_least(version: str) -> bool:
    from pip import __version__ as pip_version

    return Version(pip_version) >= Version(version)


@pytest.mark.parametrize("project, requirement, python, platform", PIP_CASES)
def test_engine_agrees_with_pip(pip_server: IndexServer, tmp_path: Path, project: str, requirement: str, python: str, platform: str) -> None:
    target = Target.parse(python, platform)
    if target.free_threaded and not _pip_at_least("24.1"):
        pytest.skip("this pip predates free-threaded tags")
    from packaging.requirements import Requirement

    wheel = _pip_choice(pip_server, requirement, target, tmp_path, only_binary=True)
    chosen = wheel if wheel is not None else _pip_choice(pip_server, requirement, target, tmp_path, only_binary=False)
    spec = Requirement(requirement).specifier
    verdicts = [v for v in release_verdicts(recorded_page(project), target) if spec.contains(v.version)]
    if spec:  # pinned: judge that release
        assert len(verdicts) == 1
        mine = verdicts[0]
    else:  # unpinned: pip takes the newest release that has any file for the target
        live = [v for v in verdicts if not v.yanked and v.kind is not Kind.NONE]
        wheels = [v for v in live if v.kind is Kind.WHEEL]
        mine = (wheels or live)[-1] if wheel is not None else live[-1]
    mine_file = mine.file.filename if mine.file and mine.kind is not Kind.NONE else None
    assert chosen == mine_file, f"pip chose {chosen}, engine says {mine.kind.value} {mine_file}"
    assert (wheel is not None) == (mine.kind is Kind.WHEEL)


# -- pip's tie-break, to the file ------------------------------------------------------
#
# Among files pip ranks equal, ``pip install`` takes the last on the page: its resolver
# walks the finder's applicable candidates (a stable sort: page order among equals) in
# reverse.  The finder's own ``best_candidate`` is a max(), the first of equals; pip
# install does not choose with it.  The engine follows pip install.


def _reversed_index(data: Path, project: str, version: str) -> ProjectPage:
    """Write one release of ``project``'s recorded page into ``data``, its files in reverse order; the page, parsed."""
    payload = json.loads((Path(__file__).parent / "data" / "index" / f"{project}.json").read_text())
    payload["files"] = [f for f in reversed(payload["files"]) if file_version(f["filename"], project) == Version(version)]
    payload["versions"] = [version]
    data.mkdir()
    (data / f"{project}.json").write_text(json.dumps(payload))
    return parse_project_page(project, payload, fetched_at=RECORDED_AT)


@pytest.mark.parametrize("project, version, python, platform, files", TIES)
def test_ties_follow_page_order_like_pip(tmp_path: Path, project: str, version: str, python: str, platform: str, files: tuple[str, str]) -> None:
    target = Target.parse(python, platform)
    assert _verdict(project, version, python, platform).file.filename == files[1]  # type: ignore[union-attr]
    data = tmp_path / "data"
    reversed_page = _reversed_index(data, project, version)
    (mine,) = [v for v in release_verdicts(reversed_page, target) if v.version == Version(version)]
    assert mine.file is not None and mine.file.filename == files[0]  # the page's order decides, not the name
    with IndexServer(data, pip_mode=True) as server:
        wheel = _pip_choice(server, f"{project}=={version}", target, tmp_path, only_binary=True)
        chosen = wheel or _pip_choice(server, f"{project}=={version}", target, tmp_path, only_binary=False)
    assert chosen == files[0]


def _finder_candidates(server: IndexServer, project: str, version: str, target: Target):  # type: ignore[no-untyped-def]
    """pip's PackageFinder on the local index: (best_candidate, applicable candidates), for ``==version``."""
    try:
        from pip._internal.index.collector import LinkCollector
        from pip._internal.index.package_finder import PackageFinder
        from pip._internal.models.search_scope import SearchScope
        from pip._internal.models.selection_prefs import SelectionPreferences
        from pip._internal.models.target_python import TargetPython
        from pip._internal.network.session import PipSession
        from pip._vendor.packaging.specifiers import SpecifierSet as PipSpecifierSet
    except ImportError as exc:  # pip's internals moved: the subprocess parity tests still run
        pytest.skip(f"this pip's finder API differs: {exc}")
    abis = [f"cp{target.python.replace('.', '')}t"] if target.free_threaded else None
    finder = PackageFinder.create(
        link_collector=LinkCollector(session=PipSession(), search_scope=SearchScope.create(find_links=[], index_urls=[server.index_url], no_index=False)),
        selection_prefs=SelectionPreferences(allow_yanked=True),
        target_python=TargetPython(platforms=target.platforms(), py_version_info=target.version_info, abis=abis, implementation="cp"),
    )
    result = finder.find_best_candidate(project, PipSpecifierSet(f"=={version}"))
    return result.best_candidate, list(result.applicable_candidates)


@pytest.mark.parametrize("project, version, python, platform, files", TIES)
def test_ties_against_pips_finder(pip_server: IndexServer, project: str, version: str, python: str, platform: str, files: tuple[str, str]) -> None:
    target = Target.parse(python, platform)
    best, applicable = _finder_candidates(pip_server, project, version, target)
    # What pip install takes: the resolver's order is the applicable list reversed.
    installs = next(c for c in reversed(applicable) if not c.link.is_yanked)
    assert installs.link.filename == files[1] == _verdict(project, version, python, platform).file.filename  # type: ignore[union-attr]
    # The two are equal in pip's ranking and listed in page order; best_candidate is the first.
    assert [c.link.filename for c in applicable][-2:] == list(files)
    assert best is not None and best.link.filename == files[0]
