"""Tests for generator.cli.nearest: explain's nearest release with a wheel, with a stand-in index.

The real index client is tested in test_index*.py; here the lookup's rules:
which facts it needs, what it says when it cannot look, and which release it picks.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

import pytest

from generator.cli.nearest import nearest_wheel
from generator.logs.diagnose import Diagnosis


@dataclass
class _File:
    filename: str


@dataclass
class _Verdict:
    version: str
    kind: Any
    file: Optional[_File]


def _fake_index(monkeypatch: pytest.MonkeyPatch, verdicts: List[_Verdict], calls: List[Tuple[str, bool]]) -> None:
    import generator.index.client as index_mod
    import generator.truth.wheels as wheels_mod

    class Client:
        def __init__(self, offline: bool = False, progress: bool = True) -> None:
            self.offline = offline

        def fetch(self, name: str) -> str:
            calls.append((name, self.offline))
            return "page"

    def verdicts_for(page: str, target: Any) -> List[_Verdict]:
        calls.append((target.platform, True))
        return verdicts

    monkeypatch.setattr(index_mod, "IndexClient", Client)
    monkeypatch.setattr(wheels_mod, "release_verdicts", verdicts_for)
    # Something is cached (else the client is not even asked: see the test below).
    from generator.index.cachedir import default_cache_dir, http_cache_dir

    http_cache_dir(default_cache_dir()).mkdir(parents=True, exist_ok=True)


def test_an_empty_cache_is_known_without_the_index_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.cli.nearest import nearest_wheel_or_note

    monkeypatch.setitem(sys.modules, "generator.index.client", None)  # importing it would fail
    d = Diagnosis(failed="cffi", python="3.13", platform="linux_x86_64")
    assert nearest_wheel_or_note(d) == (None, "no index data for cffi is cached; run again with --online to look it up")
    assert nearest_wheel_or_note(d, online=True)[1] is not None  # online, the client is needed


def test_nearest_wheel_prefers_the_next_release_with_a_wheel(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("generator.truth.wheels")
    from generator.truth.wheels import Kind

    calls: List[Tuple[str, bool]] = []
    _fake_index(monkeypatch, [
        _Verdict("0.5.0", Kind.WHEEL, _File("t-0.5.0-cp313-cp313-manylinux_2_17_x86_64.whl")),
        _Verdict("0.6.0", Kind.SDIST, _File("t-0.6.0.tar.gz")),
        _Verdict("0.7.0", Kind.SDIST, _File("t-0.7.0.tar.gz")),
        _Verdict("0.8.0", Kind.WHEEL, _File("t-0.8.0-cp313-cp313-manylinux_2_17_x86_64.whl")),
        _Verdict("0.9.0", Kind.WHEEL, _File("t-0.9.0-cp313-cp313-manylinux_2_17_x86_64.whl")),
    ], calls)
    d = Diagnosis(failed="tiktoken", python="3.13", platform="linux_x86_64", versions={"tiktoken": "0.6.0"})
    assert nearest_wheel(d) == {"version": "0.8.0", "file": "t-0.8.0-cp313-cp313-manylinux_2_17_x86_64.whl"}
    # offline by default; an unknown glibc is taken as manylinux2014
    assert calls == [("tiktoken", True), ("manylinux_2_17_x86_64", True)]
    # above the newest wheel: the highest one below
    d.versions["tiktoken"] = "1.0"
    assert nearest_wheel(d) == {"version": "0.9.0", "file": "t-0.9.0-cp313-cp313-manylinux_2_17_x86_64.whl"}
    calls.clear()
    nearest_wheel(d, online=True)
    assert calls[0] == ("tiktoken", False)


def test_nearest_wheel_needs_all_facts_and_survives_missing_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    assert nearest_wheel(Diagnosis(failed="x", python=None, platform="linux_x86_64")) is None
    monkeypatch.setitem(sys.modules, "generator.index.client", None)  # import fails
    assert nearest_wheel(Diagnosis(failed="x", python="3.13", platform="linux_x86_64")) is None
