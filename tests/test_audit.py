"""Tests for generator.audit.run: targets, markers, guides, verdicts per pin, the dependency closure.

Index pages come from the recorded responses in tests/data/index, parsed with
the same code the client uses; the end-to-end runs over HTTP live in
tests/test_audit_cmd.py.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import pytest
from packaging.version import Version

from generator.audit import run as A
from generator.kb.environments import load_environments
from generator.index.page import IndexClientError, ProjectPage, parse_project_page
from generator.audit.pinfiles import parse_file, parse_requirements
from generator.errors import WheelfixError
from generator.audit.resolution import DIRECT, Blocker, Closure, ClosureRequest, Resolved, Unblock
from generator.truth.wheels import Target, release_verdicts

DATA = Path(__file__).parent / "data"
AUDIT = DATA / "audit"
RECORDED_AT = datetime(2026, 11, 28, tzinfo=timezone.utc)
LINUX = "manylinux_2_35_x86_64"


def _page(name: str) -> ProjectPage:
    payload = json.loads((DATA / "index" / f"{name}.json").read_text(encoding="utf-8"))
    return parse_project_page(name, payload, fetched_at=RECORDED_AT, base_url=f"http://127.0.0.1:9/simple/{name}/")


class _Recorded:
    """fetch_many over the recorded pages; counts what it was asked."""

    def __init__(self) -> None:
        self.asked: List[str] = []

    def __call__(self, names: Sequence[str]) -> Mapping[str, Union[ProjectPage, IndexClientError]]:
        from generator.index.client import ProjectNotFound

        self.asked.extend(names)
        out: Dict[str, Union[ProjectPage, IndexClientError]] = {}
        for n in names:
            out[n] = _page(n) if (DATA / "index" / f"{n}.json").exists() else ProjectNotFound(f"no project named {n!r}")
        return out


def _guides() -> List[A.Guide]:
    guides, warning = A.load_guides(AUDIT / "guides.json")
    assert warning is None
    return guides


def _run(path: Path, python: str, platform: str = LINUX, **kw: object) -> A.AuditReport:
    pf = parse_file(path)
    target = A.AuditTarget(python, platform, "--python")
    return A.audit([pf], {pf.path: [target]}, fetch_many=_Recorded(), guides=_guides(), **kw)  # type: ignore[arg-type]


# -- the seed incident ------------------------------------------------------


def test_seed_flagged_on_313() -> None:
    report = _run(AUDIT / "seed-requirements.txt", "3.13", resolve=None)
    assert report.exit_code == 1
    [problem] = report.problems
    assert (problem.package, problem.version, problem.kind, problem.line) == ("tiktoken", "0.6.0", "sdist", 3)
    assert problem.file_name == "tiktoken-0.6.0.tar.gz"
    assert problem.nearest_wheel is not None
    assert (problem.nearest_wheel.version, problem.nearest_wheel.direction) == ("0.8.0", "newer")
    assert "cp313" in problem.nearest_wheel.file
    assert problem.guide is not None and problem.guide.id == "tiktoken-rust-py313"
    assert problem.build_requires == ("rust (cargo)", "setuptools-rust")
    # pydantic and pydantic-settings are pure-Python wheels.
    assert {f.package: f.kind for f in report.findings} == {"tiktoken": "sdist", "pydantic": "wheel", "pydantic-settings": "wheel"}


def test_seed_passes_on_312() -> None:
    report = _run(AUDIT / "seed-requirements.txt", "3.12", resolve=None)
    assert report.exit_code == 0
    assert [f.kind for f in report.findings] == ["wheel", "wheel", "wheel"]
    assert report.findings[0].file_name is not None and "cp312" in report.findings[0].file_name
    # Without a resolver, the report says the dependencies were not looked at.
    assert any("dependencies not resolved (no resolver was given)" in w for w in report.warnings)


def test_json_object_shape() -> None:
    data = _run(AUDIT / "seed-requirements.txt", "3.13", resolve=None).to_json()
    assert set(data) == {"targets", "findings", "warnings", "hash_mismatches", "resolutions", "data_as_of"}
    assert data["targets"] == [{"python": "3.13", "platform": LINUX, "python_source": "--python"}]
    tik = data["findings"][0]
    assert set(tik) == {
        "file", "line", "package", "version", "python", "platform", "kind", "file_name", "guide", "nearest_wheel",
        "build_requires", "reason", "required_by", "upgrade", "upgrade_checked", "resolved_by",
    }
    assert tik["guide"] == {
        "id": "tiktoken-rust-py313",
        "title": "tiktoken builds from source on Python 3.13 and needs Rust",
        "url": "https://wheelfix.example/guides/tiktoken-rust-py313/",
    }
    assert data["data_as_of"]["tiktoken"] == RECORDED_AT.isoformat()
    json.dumps(data)  # serialisable as is


# -- every format against the recorded data ---------------------------------


@pytest.mark.parametrize(
    "name, python, platform, expected",
    [
        # PEP 751 lock; colorama is win32-only, so not judged (nor asked about) on Linux
        ("pylock.toml", "3.13", LINUX, {"tiktoken": "sdist"}),
        ("pylock.toml", "3.12", LINUX, {"tiktoken": "wheel"}),
        # poetry.lock, same packages
        ("poetry.lock", "3.13", LINUX, {"tiktoken": "sdist"}),
        # uv.lock: numpy locked per Python; only the matching entry is judged
        ("uv.lock", "3.11", LINUX, {"tiktoken": "wheel", "numpy": "wheel"}),
        # pip freeze output: six is pure Python
        ("freeze.txt", "3.13", LINUX, {"tiktoken": "sdist", "six": "wheel"}),
        ("freeze.txt", "3.12", LINUX, {"tiktoken": "wheel", "six": "wheel"}),
    ],
)
def test_formats(name: str, python: str, platform: str, expected: Dict[str, str]) -> None:
    pf = parse_file(AUDIT / name)
    fetch = _Recorded()
    target = A.AuditTarget(python, platform, "--python")
    report = A.audit([pf], {pf.path: [target]}, fetch_many=fetch, guides=_guides(), resolve=None)
    assert {f.package: f.kind for f in report.findings} == expected
    assert "colorama" not in fetch.asked
    # unauditable lines become warnings naming file:line
    assert pf.unauditable
    for u in pf.unauditable:
        assert any(w.startswith(f"{u.where}: not auditable") for w in report.warnings)


def test_uv_lock_numpy_per_python() -> None:
    report = _run(AUDIT / "uv.lock", "3.13")
    assert [(f.package, f.version) for f in report.findings if f.package == "numpy"] == [("numpy", "2.1.0")]
    report = _run(AUDIT / "uv.lock", "3.11")
    assert [(f.package, f.version) for f in report.findings if f.package == "numpy"] == [("numpy", "1.26.4")]


def test_lock_requires_python_warning() -> None:
    report = _run(AUDIT / "uv.lock", "3.9")
    assert any("requires Python >=3.10; CPython 3.9 is outside it" in w for w in report.warnings)


def test_unknown_package_is_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("tiktoken==0.6.0\nno-such-package-xyz==1.0\n")
    with pytest.raises(A.AuditError, match=r"requirements\.txt:2: no project named 'no-such-package-xyz' on the index") as info:
        _run(path, "3.13")
    assert info.value.exit_code == 2


def test_index_down_error_propagates(tmp_path: Path) -> None:
    from generator.index.client import IndexUnavailable

    path = tmp_path / "requirements.txt"
    path.write_text("tiktoken==0.6.0\n")
    pf = parse_file(path)

    def down(names: Sequence[str]) -> Mapping[str, Union[ProjectPage, IndexClientError]]:
        return {n: IndexUnavailable("cannot get the project page (connection failed) and there is no cached copy") for n in names}

    with pytest.raises(IndexUnavailable):
        A.audit([pf], {pf.path: [A.AuditTarget("3.13", LINUX, "x")]}, fetch_many=down)


def test_version_missing_from_index(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("tiktoken==0.6.99\n")
    [finding] = _run(path, "3.12").findings
    assert finding.kind == "none" and "no release 0.6.99" in finding.reason
    # nearest wheel still helps: the lowest newer release with a cp312 wheel
    assert finding.nearest_wheel is not None and finding.nearest_wheel.version == "0.7.0"


# -- hashes -------------------------------------------------------------------


def test_hash_mismatch_reported_with_line(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("tiktoken==0.6.0 \\\n  --hash=sha256:" + "0" * 64 + "\n")
    report = _run(path, "3.12")
    assert report.exit_code == 1  # everything is a wheel, but the hash does not match
    [mismatch] = report.hash_mismatches
    assert (mismatch.line, mismatch.package, mismatch.version) == (1, "tiktoken", "0.6.0")
    assert f"{path}:1:" in mismatch.message


def test_hash_match(tmp_path: Path) -> None:
    real = "ace62a4ede83c75b0374a2ddfa4b76903cf483e9cb06247f566be3bf14e6beed"  # the sdist, as recorded
    path = tmp_path / "requirements.txt"
    path.write_text(f"tiktoken==0.6.0 --hash=sha256:{'0' * 64} --hash=sha256:{real.upper()}\n")
    assert _run(path, "3.12").hash_mismatches == []


def test_lock_hashes_checked() -> None:
    # pylock.toml lists the real sdist hash next to a made-up wheel hash: one match is enough.
    assert _run(AUDIT / "pylock.toml", "3.12").hash_mismatches == []


# -- nearest wheel --------------------------------------------------------------


@pytest.mark.parametrize(
    "python, pinned, expected",
    [
        # lowest newer release with a wheel
        ("3.13", "0.6.0", ("0.8.0", "newer")),
        # where every release has a wheel, the next release up
        ("3.12", "0.5.2", ("0.6.0", "newer")),
        # pinned above every release: the highest below
        ("3.13", "99.0", None),
    ],
)
def test_nearest_wheel(python: str, pinned: str, expected: object) -> None:
    verdicts = release_verdicts(_page("tiktoken"), Target.parse(python, LINUX))
    found = A.nearest_wheel(verdicts, Version(pinned))
    if expected is None:
        assert found is not None and found.direction == "older"
        newest = max(v.version for v in verdicts if v.kind.value == "wheel")
        assert found.version == str(newest)
    else:
        assert found is not None and (found.version, found.direction) == expected


def test_nearest_wheel_skips_yanked_and_prereleases() -> None:
    from generator.index.page import DistFile
    from generator.truth.wheels import Kind, Verdict

    def v(version: str, kind: Kind, yanked: bool = False) -> Verdict:
        f = DistFile(f"p-{version}-py3-none-any.whl", "/p", None, yanked, None, None, None) if kind != Kind.NONE else None
        return Verdict(Version(version), kind, f, yanked, None)

    verdicts = [v("1.0", Kind.WHEEL), v("2.0", Kind.SDIST), v("2.1", Kind.WHEEL, yanked=True), v("3.0rc1", Kind.WHEEL)]
    found = A.nearest_wheel(verdicts, Version("2.0"))
    # 2.1 is yanked and 3.0rc1 a pre-release: the older 1.0 is the nearest usable wheel
    assert found is not None and (found.version, found.direction) == ("1.0", "older")
    # a pre-release pin may move to a pre-release
    found = A.nearest_wheel(verdicts, Version("2.0rc1"))
    assert found is not None and found.version == "3.0rc1"
    assert A.nearest_wheel([v("1.0", Kind.SDIST), v("2.0", Kind.NONE)], Version("1.0")) is None


# -- guides ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "package, version, python, expected",
    [
        ("tiktoken", "0.6.0", "3.13", "tiktoken-rust-py313"),  # all conditions hold
        ("tiktoken", "0.8.0", "3.13", None),  # version outside versions[pkg]
        ("tiktoken", "0.6.0", "3.12", None),  # python outside the guide's range
        ("TikToken", "0.6.0", "3.14", "tiktoken-rust-py313"),  # names compare canonicalised
        ("pydantic_core", "2.16.2", "3.13", "pydantic-core-rust"),  # no version or python condition
        ("requests", "2.31.0", "3.13", None),  # not in any guide
    ],
)
def test_guide_matching(package: str, version: str, python: str, expected: object) -> None:
    matched = [g.id for g in _guides() if g.matches(package, Version(version), python)]
    assert matched == ([] if expected is None else [expected])


@pytest.mark.parametrize(
    "data, message",
    [
        ({"format": 3, "guides": []}, "not a signatures bundle of format 1 or 2"),  # unknown format
        ({"guides": []}, "not a signatures bundle of format 1 or 2"),  # no format
        ({"format": 1, "guides": {}}, '"guides" must be a list'),  # wrong container
        ({"format": 1, "guides": [{"id": "x", "title": "t"}]}, r"guides\[0\]: missing 'url'"),  # missing key
        ({"format": 1, "guides": [{"id": "x", "title": "t", "url": "u", "python": ">>3"}]}, "bad version specifier"),
    ],
)
def test_parse_guides_errors(data: object, message: str) -> None:
    with pytest.raises(A.AuditError, match=message):
        A.parse_guides(data, "g.json")


def test_load_guides_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_text('{"format": 1,\n "guides": [}\n')
    with pytest.raises(A.AuditError, match=r"g\.json:2: not valid JSON"):
        A.load_guides(path)


# -- markers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "marker, python, platform, expected",
    [
        ('python_version < "3.13"', "3.13", LINUX, False),  # version comparison on the TARGET python
        ('python_version < "3.13"', "3.12", LINUX, True),
        ('sys_platform == "win32"', "3.12", "win_amd64", True),  # platform derived from the tag
        ('sys_platform == "linux" and platform_machine == "aarch64"', "3.12", "manylinux_2_17_aarch64", True),
        ('platform_machine == "x86_64"', "3.12", "musllinux_1_2_x86_64", True),
        ('sys_platform == "darwin" and platform_machine == "arm64"', "3.12", "macosx_14_0_arm64", True),
        ('implementation_name == "cpython" and os_name == "nt"', "3.12", "win_amd64", True),
        ('python_full_version >= "3.13.0"', "3.13", LINUX, True),
        ('platform_system == "Linux"', "3.12", "win_amd64", False),
    ],
)
def test_marker_environment(marker: str, python: str, platform: str, expected: bool, tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text(f"x==1 ; {marker}\n")
    [pin] = parse_requirements(path).pins
    assert A.applies(pin, A.marker_environment(python, platform)) is expected


def test_marker_environment_rejects_unknown_platform() -> None:
    with pytest.raises(A.AuditError, match="'solaris' is not a wheel platform tag"):
        A.marker_environment("3.12", "solaris")


# -- targets ---------------------------------------------------------------------


def _repo(tmp_path: Path, files: Dict[str, str]) -> Path:
    (tmp_path / ".git").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path / "requirements.txt"


def test_plan_targets_every_combination(tmp_path: Path) -> None:
    start = _repo(tmp_path, {})
    targets, _ = A.plan_targets(start, pythons=["3.12", "3.13.1"], platforms=[LINUX, "manylinux2014_aarch64"])
    assert [(t.python, t.platform, t.python_source) for t in targets] == [
        ("3.12", LINUX, "--python"),
        ("3.12", "manylinux_2_17_aarch64", "--python"),  # legacy alias normalised
        ("3.13", LINUX, "--python"),
        ("3.13", "manylinux_2_17_aarch64", "--python"),
    ]


def test_plan_targets_declared_python_names_its_file(tmp_path: Path) -> None:
    start = _repo(tmp_path, {".python-version": "3.12.7\n"})
    envs = load_environments(AUDIT / "environments.yaml")
    targets, warnings = A.plan_targets(start, environment=envs["render"])
    assert [(t.python, t.platform) for t in targets] == [("3.12", LINUX)]
    assert targets[0].python_source == f"{tmp_path.resolve()}/.python-version:1"
    assert not any("not pinned" in w for w in warnings)


def test_plan_targets_unpinned_on_moving_default(tmp_path: Path) -> None:
    start = _repo(tmp_path, {})
    envs = load_environments(AUDIT / "environments.yaml")
    targets, warnings = A.plan_targets(start, environment=envs["render"])
    assert [(t.python, t.python_source) for t in targets] == [("3.13", "render default")]
    assert "Python is not pinned; Render's default for new services changes over time; pin PYTHON_VERSION or add .python-version" in warnings


def test_plan_targets_env_ignores_sources_the_host_does_not_read(tmp_path: Path) -> None:
    # Render reads PYTHON_VERSION and .python-version, not runtime.txt.
    start = _repo(tmp_path, {"runtime.txt": "python-3.11.2\n"})
    envs = load_environments(AUDIT / "environments.yaml")
    targets, _ = A.plan_targets(start, environment=envs["render"])
    assert targets[0].python == "3.13"
    # without --env, runtime.txt counts
    targets, _ = A.plan_targets(start, platforms=[LINUX])
    assert targets[0].python == "3.11"


def test_plan_targets_range_outside_default(tmp_path: Path) -> None:
    start = _repo(tmp_path, {"pyproject.toml": '[project]\nrequires-python = "<3.13"\n'})
    envs = load_environments(AUDIT / "environments.yaml")
    _, warnings = A.plan_targets(start, environment=envs["render"])
    assert any("default Python 3.13 is outside requires-python <3.13" in w for w in warnings)


def test_plan_targets_no_python_is_usage_error(tmp_path: Path) -> None:
    start = _repo(tmp_path, {"pyproject.toml": '[project]\nrequires-python = ">=3.10"\n'})
    with pytest.raises(A.AuditError, match="no Python to audit") as info:
        A.plan_targets(start, platforms=[LINUX])
    assert "requires-python >=3.10" in str(info.value) and info.value.exit_code == 2


def test_plan_targets_default_platform_warns(tmp_path: Path) -> None:
    start = _repo(tmp_path, {})
    targets, warnings = A.plan_targets(start, pythons=["3.12"])
    assert targets[0].platform == A.DEFAULT_PLATFORM
    assert any("assuming" in w for w in warnings)


@pytest.mark.parametrize(
    "python, platform, message",
    [
        ("3", LINUX, "'3' is not a CPython 3 version"),  # no minor version
        ("2.7", LINUX, "'2.7' is not a CPython 3 version"),  # Python 2
        ("3.12", "linux_sparc", "platform 'linux_sparc' is not a platform tag"),  # unknown platform
        ("3.12", "manylinux_2_5_aarch64", "aarch64 wheels start at manylinux_2_17"),  # impossible tag
    ],
)
def test_plan_targets_bad_input(tmp_path: Path, python: str, platform: str, message: str) -> None:
    start = _repo(tmp_path, {})
    with pytest.raises(WheelfixError, match=message) as info:
        A.plan_targets(start, pythons=[python], platforms=[platform])
    assert info.value.exit_code == 2


# -- the dependency closure, with a stand-in resolver -------------------------------
#
# The resolver's own glue (uv's command line and output) is tested in
# tests/test_resolver.py; the real uv runs end to end in tests/test_audit_cmd.py.


class _FakeResolver:
    """Stands in for uv where the test is about what the audit does with the resolver's answer."""

    tool = "fake 1.0"

    def __init__(self, closure: Closure, wheels_only: Sequence[str] = (), blockers: Sequence[Blocker] = ()) -> None:
        self.result = closure
        self.wheels_only = set(wheels_only)  # requirement lines whose closure installs from wheels
        self.blockers = list(blockers)
        self.requests: List[ClosureRequest] = []
        self.checked: List[str] = []
        self.unblocked: List[object] = []

    def closure(self, request: ClosureRequest, unblock: Unblock) -> Closure:
        self.requests.append(request)
        for blocker in self.blockers:
            self.unblocked.append(unblock(blocker))
        return self.result

    def installs_from_wheels(self, requirements: Sequence[str], python: str, platform: str) -> Tuple[Optional[bool], str]:
        self.checked.extend(requirements)
        ok = all(r in self.wheels_only for r in requirements)
        return ok, "" if ok else "no usable wheels"


def _closure(*packages: Resolved, ok: bool = True, message: str = "") -> Closure:
    return Closure("fake 1.0", ok, {p.name: p for p in packages}, message)


SEED_313 = _closure(
    Resolved("tiktoken", "0.6.0", (DIRECT,)),
    Resolved("pydantic", "2.6.1", (DIRECT, "pydantic-settings")),
    Resolved("pydantic-settings", "2.1.0", (DIRECT,)),
    Resolved("pydantic-core", "2.16.2", ("pydantic",), blocked=True),
    Resolved("typing-extensions", "4.16.0", ("pydantic", "pydantic-core")),
    Resolved("annotated-types", "0.8.0", ("pydantic",)),
)


def test_closure_judges_dependencies_with_their_chain() -> None:
    fake = _FakeResolver(SEED_313, wheels_only=["tiktoken==0.8.0", "pydantic==2.8.0"])
    report = _run(AUDIT / "seed-requirements.txt", "3.13", resolve=fake)
    [request] = fake.requests
    assert request.requirements == ("tiktoken==0.6.0", "pydantic==2.6.1", "pydantic-settings==2.1.0")
    by = {f.package: f for f in report.problems}
    assert set(by) == {"tiktoken", "pydantic-core"}
    core = by["pydantic-core"]
    assert (core.version, core.kind, core.required_by, core.resolved_by) == ("2.16.2", "sdist", (("pydantic", "2.6.1"),), "fake 1.0")
    assert core.line == 4  # the line of the requirement that pulled it in
    assert core.label == "pydantic-core 2.16.2, required by pydantic 2.6.1"
    # the fix is an upgrade of the file's own requirement, checked by the resolver
    assert core.upgrade is not None and (core.upgrade.package, core.upgrade.version, core.upgrade.current) == ("pydantic", "2.8.0", "2.6.1")
    assert by["tiktoken"].upgrade is not None and by["tiktoken"].upgrade.requirement == "tiktoken==0.8.0"
    assert by["tiktoken"].required_by == () and by["tiktoken"].resolved_by is None
    # every release between was checked, nearest first, and only releases with a wheel of their own
    assert fake.checked[: fake.checked.index("pydantic==2.8.0") + 1] == [
        "tiktoken==0.8.0", "pydantic==2.6.2", "pydantic==2.6.3", "pydantic==2.6.4", "pydantic==2.7.0", "pydantic==2.7.1",
        "pydantic==2.7.2", "pydantic==2.7.3", "pydantic==2.7.4", "pydantic==2.8.0",
    ]
    assert {f.package for f in report.findings} == {p for p in SEED_313.packages}
    assert not any("not resolved" in w for w in report.warnings)
    [resolution] = report.resolutions
    assert (resolution.tool, resolution.ok, resolution.packages) == ("fake 1.0", True, 6)


def test_upgrade_search_is_bounded() -> None:
    from generator.audit.closure import MAX_UPGRADE_CHECKS

    fake = _FakeResolver(SEED_313)  # nothing installs from wheels only
    report = _run(AUDIT / "seed-requirements.txt", "3.13", resolve=fake)
    core = next(f for f in report.problems if f.package == "pydantic-core")
    assert core.upgrade is None and core.upgrade_checked
    assert len([c for c in fake.checked if c.startswith("pydantic==")]) == MAX_UPGRADE_CHECKS


@pytest.mark.parametrize(
    "chain, label",
    [
        ((), "pydantic 2.6.1"),
        ((("pydantic", "2.6.1"),), "pydantic 2.6.1, required by pydantic 2.6.1"),
        ((("b", "2"), ("c", "3")), "pydantic 2.6.1, required by b 2, required by c 3"),
    ],
)
def test_finding_label(chain: Tuple[Tuple[str, str], ...], label: str) -> None:
    finding = A.Finding("r.txt", 1, "pydantic", "2.6.1", "3.13", LINUX, "sdist", required_by=chain)
    assert finding.label == label
    assert finding.to_json()["required_by"] == [{"package": n, "version": v} for n, v in chain]


def test_chain_is_the_shortest_path_to_a_requirement() -> None:
    closure = _closure(
        Resolved("a", "1", (DIRECT,)),
        Resolved("b", "1", ("a",)),
        Resolved("c", "1", ("b", "d")),
        Resolved("d", "1", (DIRECT, "a")),
        Resolved("e", "1", ("c",)),
    )
    assert [(n.name) for n in closure.chain("e")] == ["c", "d"]  # e <- c <- d (direct), not via b and a
    assert closure.chain("a") == [] and closure.chain("d") == []  # direct requirements have no chain
    assert closure.chain("nope") == []


def test_resolver_failure_keeps_direct_pins(tmp_path: Path) -> None:
    fake = _FakeResolver(_closure(ok=False, message="Failed to fetch: http://127.0.0.1:9/simple/regex/ (connection refused)"))
    report = _run(AUDIT / "seed-requirements.txt", "3.13", resolve=fake)
    # the pins of the file are still judged
    assert {f.package: f.kind for f in report.findings} == {"tiktoken": "sdist", "pydantic": "wheel", "pydantic-settings": "wheel"}
    assert report.exit_code == 1 and report.failed_resolutions == 1
    [resolution] = report.resolutions
    assert not resolution.ok and "connection refused" in resolution.message
    [warning] = [w for w in report.warnings if "not resolved" in w]
    assert warning.endswith(
        "seed-requirements.txt: dependencies not resolved by fake 1.0 for CPython 3.13 manylinux_2_35_x86_64: "
        "Failed to fetch: http://127.0.0.1:9/simple/regex/ (connection refused)"
    )


def test_resolver_error_is_reported_not_raised(tmp_path: Path) -> None:
    from generator.audit.resolution import ResolverError

    class Broken(_FakeResolver):
        def closure(self, request: ClosureRequest, unblock: Unblock) -> Closure:
            raise ResolverError("uv cannot resolve for platform linux_sparc")

    report = _run(AUDIT / "seed-requirements.txt", "3.12", resolve=Broken(_closure()))
    assert report.exit_code == 1 and len(report.findings) == 3
    assert any("dependencies not resolved for CPython 3.12" in w and "linux_sparc" in w for w in report.warnings)


def test_loose_requirements_take_the_resolved_version(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text('tiktoken>=0.5 ; python_version >= "3.8"\nsix==1.16.0\nrequests ; sys_platform == "win32"\n')
    fake = _FakeResolver(_closure(
        Resolved("tiktoken", "0.8.0", (DIRECT,)), Resolved("six", "1.16.0", (DIRECT,)), Resolved("regex", "2024.9.11", ("tiktoken",)),
    ))
    report = _run(path, "3.13", resolve=fake)
    [request] = fake.requests
    # markers are passed on: the resolver evaluates them for the target
    assert request.requirements == ('tiktoken>=0.5 ; python_version >= "3.8"', "six==1.16.0", 'requests ; sys_platform == "win32"')
    assert (request.python, request.platform) == ("3.13", LINUX)
    by = {f.package: f for f in report.findings}
    assert (by["tiktoken"].line, by["tiktoken"].version, by["tiktoken"].kind) == (1, "0.8.0", "wheel")
    assert by["regex"].line == 1 and by["regex"].required_by == (("tiktoken", "0.8.0"),)
    assert [f.package for f in report.findings].count("six") == 1  # the exact pin is judged once
    assert report.exit_code == 0


def test_blocked_package_is_unblocked_from_its_wheel_metadata() -> None:
    from packaging.specifiers import SpecifierSet

    fetched: List[str] = []

    def get(url: str) -> Optional[bytes]:
        fetched.append(url)
        return b"Metadata-Version: 2.1\nName: pydantic-core\nVersion: 2.16.2\nRequires-Dist: typing-extensions!=4.7.0,>=4.6.0\n\n"

    fake = _FakeResolver(SEED_313, blockers=[Blocker("pydantic-core", SpecifierSet("==2.16.2"), ("pydantic",)),
                                             Blocker("tiktoken", SpecifierSet(">=0.5,<0.8"), (DIRECT,))])
    pf = parse_file(AUDIT / "seed-requirements.txt")
    A.audit([pf], {pf.path: [A.AuditTarget("3.13", LINUX, "x")]}, fetch_many=_Recorded(), resolve=fake, get_metadata=get)
    assert fake.unblocked[0] == ("2.16.2", ["typing-extensions!=4.7.0,>=4.6.0"])
    # one wheel's metadata answers for the release; sdists are never read
    assert len(fetched) == 2 and all(u.endswith(".whl.metadata") for u in fetched)
    # a range: the release pip takes with sources allowed, within the file's pin too (==0.6.0)
    assert fake.unblocked[1] == ("0.6.0", ["typing-extensions!=4.7.0,>=4.6.0"])


def test_no_resolver_warns_once_per_target(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("six>1\n")
    report = _run(path, "3.13", resolve=None)
    assert report.findings == []
    assert report.warnings == [f"{path}: dependencies not resolved (no resolver was given); only the packages it names were checked"]


def test_lock_files_need_no_resolver() -> None:
    fake = _FakeResolver(_closure())
    report = _run(AUDIT / "uv.lock", "3.13", resolve=fake)
    assert fake.requests == [] and report.resolutions == []


def test_constraint_pins_loose_requirement(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("tiktoken==0.6.0\n")
    path = tmp_path / "requirements.txt"
    path.write_text("-c c.txt\ntiktoken>=0.5\n")
    fake = _FakeResolver(_closure(Resolved("tiktoken", "0.6.0", (DIRECT,))))
    report = _run(path, "3.13", resolve=fake)
    assert fake.requests[0].constraints == ("tiktoken==0.6.0",)
    assert [(f.package, f.version, f.kind, f.line) for f in report.findings] == [("tiktoken", "0.6.0", "sdist", 2)]


def test_data_age_warning() -> None:
    report = A.AuditReport(data_as_of={"a": RECORDED_AT, "b": RECORDED_AT + timedelta(hours=1)})
    text = A.data_age_warning(report, now=RECORDED_AT + timedelta(hours=3))
    assert text is not None and "oldest (a)" in text and "3.0 hours old" in text
    assert A.data_age_warning(A.AuditReport()) is None


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: Path("/dev/zero"), "not a regular file"),  # endless: would never finish reading
        (lambda p: (p / "g.json").write_bytes(b"[" * 100000 + b"]" * 100000) and p / "g.json", "nested too deeply"),
    ],
)
def test_load_guides_refuses_hostile_files(tmp_path: Path, make: Any, message: str) -> None:
    with pytest.raises(A.AuditError, match=message):
        A.load_guides(make(tmp_path))
