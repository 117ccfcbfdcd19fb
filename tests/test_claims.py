"""Claim checks and "fixed upstream" against recorded index data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from conftest import recorded_page

from generator.truth.claims import ClaimError, check_claim, fixed_upstream
from generator.truth.wheels import TargetError

LINUX = "manylinux_2_35_x86_64"


def _pages() -> dict:  # type: ignore[type-arg]
    return {name: recorded_page(name) for name in ("tiktoken", "six", "psycopg2", "cffi")}


def test_tiktoken_lower_bound_builds_from_source() -> None:
    result = check_claim("tiktoken>=0.7.0", ["3.13"], [LINUX], _pages())
    assert not result.holds
    assert result.failures == (
        "tiktoken>=0.7.0 on CPython 3.13, manylinux_2_35_x86_64: 0.7.0 would build from source; releases with a wheel: every release from 0.8.0 on",
    )


@pytest.mark.parametrize(
    "requirement, pythons, platforms, holds",
    [
        ("tiktoken>=0.8.0", ["3.13"], [LINUX], True),  # done-when: the fix holds
        ("tiktoken>=0.8.0", ["3.13"], [LINUX, "win_amd64", "macosx_14_0_arm64"], True),  # every platform
        ("tiktoken>=0.8.0", ["3.13"], ["manylinux_2_26_x86_64"], False),  # 0.12+ is manylinux_2_28 only
        ("tiktoken==0.7.0", ["3.12"], [LINUX], True),  # 3.12 had wheels already
        ("tiktoken>=0.8.0", ["3.12", "3.13"], [LINUX], True),  # several pythons
        ("six>=1.5", ["3.9", "3.13"], [LINUX, "win_amd64"], True),  # pure wheels from 1.5 on
        ("six", ["3.13"], [LINUX], False),  # unbounded: a pin to 0.9.0 gets the sdist
        ("psycopg2>=2.9", ["3.12"], [LINUX], False),  # Windows-only wheels
        ("tiktoken>=99", ["3.13"], [LINUX], False),  # nothing satisfies
        # pip skips pre-releases: 2.0.0b1 builds from source there, but >=1.15.0 never picks it
        ("cffi>=1.15.0", ["3.10"], ["manylinux_2_26_x86_64"], True),
        ("cffi==2.0.0b1", ["3.10"], ["manylinux_2_26_x86_64"], False),  # ... unless the requirement names it
    ],
)
def test_claims(requirement: str, pythons: list, platforms: list, holds: bool) -> None:  # type: ignore[type-arg]
    result = check_claim(requirement, pythons, platforms, _pages())
    assert result.holds is holds
    assert bool(result.failures) is not holds
    assert result.requirement == requirement


def test_failure_lines_name_each_failing_target() -> None:
    result = check_claim("tiktoken>=0.7.0", ["3.12", "3.13"], [LINUX, "win_amd64"], _pages())
    assert len(result.failures) == 2
    assert all("3.13" in line and "0.7.0 would build from source" in line for line in result.failures)


def test_nothing_satisfies_message() -> None:
    result = check_claim("tiktoken>=99", ["3.13"], [LINUX], _pages())
    assert result.failures == ("tiktoken>=99 on CPython 3.13, manylinux_2_35_x86_64: no release satisfies the requirement",)


@pytest.mark.parametrize(
    "requirement, pythons, platforms, error, text",
    [
        ("tiktoken>=>0.7", ["3.13"], [LINUX], ClaimError, "not a valid requirement"),  # bad specifier
        ("numpy>=2", ["3.13"], [LINUX], ClaimError, "no index data for 'numpy'"),  # page not supplied
        ("tiktoken", [], [LINUX], ClaimError, "names no targets"),  # empty target list
        ("tiktoken", ["3.13"], ["solaris"], TargetError, "not a platform tag"),  # bad platform
    ],
)
def test_bad_claims(requirement: str, pythons: list, platforms: list, error: type, text: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(error, match=text):
        check_claim(requirement, pythons, platforms, _pages())


def test_fixed_upstream_tiktoken_on_313() -> None:
    page = recorded_page("tiktoken")
    fixed = fixed_upstream("tiktoken", SpecifierSet("==3.13.*"), [LINUX, "win_amd64", "macosx_14_0_arm64"], page)
    assert fixed is not None
    version, released = fixed
    assert version == Version("0.8.0")
    assert released is not None and released.date() == date(2024, 10, 3)


def test_fixed_upstream_none_while_latest_builds_from_source() -> None:
    page = recorded_page("tiktoken")
    assert fixed_upstream("tiktoken", SpecifierSet("==3.13.*"), ["manylinux_2_26_x86_64"], page) is None
    assert fixed_upstream("psycopg2", SpecifierSet(">=3.12"), [LINUX], recorded_page("psycopg2")) is None


def test_fixed_upstream_wrong_page() -> None:
    with pytest.raises(ClaimError, match="given to check"):
        fixed_upstream("numpy", SpecifierSet(">=3.13"), [LINUX], recorded_page("tiktoken"))


def _abi3_served(page: object) -> set:  # type: ignore[type-arg]
    """Minors 3.8-3.14 on which some release's wheel installs on Linux, read from the verdicts (not from tags)."""
    from generator.truth.wheels import Kind, Target, release_verdicts

    return {m for m in range(8, 15) if any(v.kind is Kind.WHEEL for v in release_verdicts(page, Target.parse(f"3.{m}", LINUX)))}  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(p.stem for p in (Path(__file__).parent / "data" / "index").glob("*.json") if not p.name.endswith(".headers.json")))
def test_upstream_minors_cover_every_minor_a_wheel_serves(name: str) -> None:
    # abi3 wheels serve every minor from theirs on: psutil ships cp36-abi3 and no cp311/cp312
    # wheels, and "fixed upstream" must still speak of 3.11 and 3.12.
    from generator.truth.claims import upstream_minors

    page = recorded_page(name)
    assert _abi3_served(page) <= set(upstream_minors(page))


def test_fixed_upstream_speaks_of_minors_served_only_by_abi3() -> None:
    page = recorded_page("psutil")
    found = fixed_upstream("psutil", SpecifierSet("==3.12.*"), ["musllinux_1_2_x86_64"], page)
    assert found is not None and found[0] == Version("7.2.0")
