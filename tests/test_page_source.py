"""Every PageSource (generator/index/interface.py) answers alike: the index client, and recorded pages."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List

import pytest

from conftest import recorded_page
from indexserver import DATA_DIR, IndexServer
from generator import kb as kb_mod
from generator.index.client import IndexClient, ProjectNotFound
from generator.index.interface import Known, PageResult, PageSource
from generator.index.page import IndexClientError, PageMeta, ProjectPage
from generator.site import verify
from generator.site.factcache import FactCache

ROOT = Path(__file__).resolve().parent.parent


class RecordedSource:
    """Pages straight from tests/data/index, digested like the client digests bodies."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def fetch_many(self, names: Iterable[str], *, known: Known) -> Dict[str, PageResult]:
        out: Dict[str, PageResult] = {}
        for name in names:
            path = DATA_DIR / f"{name}.json"
            if not path.is_file():
                out[name] = ProjectNotFound(f"no project named {name!r} on the index")
                continue
            page = recorded_page(name)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            meta = PageMeta(page.name, digest, page.last_serial, page.fetched_at, page.index)
            # Like the client: only a page seen before (a cached one) may stay unread.
            if name in self.seen and known(meta):
                out[name] = meta
            else:
                out[name] = ProjectPage(page.name, page.files, page.versions, page.last_serial, page.fetched_at, page.index, digest)
            self.seen.add(name)
        return out


@pytest.fixture(params=["client", "recorded"])
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PageSource]:
    if request.param == "recorded":
        yield RecordedSource()
        return
    with IndexServer() as server:
        yield IndexClient(server.index_url, cache_dir=tmp_path / "cache", max_age=timedelta(hours=1), progress=False)


def _accept_all(seen: List[PageMeta]) -> Callable[[PageMeta], bool]:
    def known(meta: PageMeta) -> bool:
        seen.append(meta)
        return True

    return known


def test_each_name_gets_its_page_or_its_error_in_order(source: PageSource) -> None:
    names = ["six", "no-such-project", "tiktoken"]
    results = source.fetch_many(names, known=lambda meta: False)
    assert list(results) == names
    assert isinstance(results["six"], ProjectPage) and results["six"].name == "six"
    assert isinstance(results["no-such-project"], IndexClientError)
    page = results["tiktoken"]
    assert isinstance(page, ProjectPage) and len(page.digest) == 64


def test_a_page_seen_before_is_given_as_its_meta_when_known(source: PageSource) -> None:
    (first,) = source.fetch_many(["tiktoken"], known=lambda meta: False).values()
    assert isinstance(first, ProjectPage)
    asked: List[PageMeta] = []
    (again,) = source.fetch_many(["tiktoken"], known=_accept_all(asked)).values()
    assert again == first.meta and asked == [first.meta]
    (read,) = source.fetch_many(["tiktoken"], known=lambda meta: False).values()
    assert read == first


def test_the_facts_pass_gives_the_same_facts_from_every_source(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    for name in ("environments", "tiktoken-cargo-read-only-filesystem", "pyyaml-cython3-cython-sources"):
        text = (ROOT / "kb" / f"{name}.yaml").read_text(encoding="utf-8")
        (kb / f"{name}.yaml").write_text(re.sub(r"(?m)^related: \[.*\]$", "related: []", text), encoding="utf-8")
    knowledge = kb_mod.load(kb)
    with IndexServer() as server:
        client = IndexClient(server.index_url, cache_dir=tmp_path / "cache", progress=False)
        over_http = verify.collect(knowledge, client, FactCache(tmp_path / "facts-http"))
    recorded = RecordedSource()
    cold = verify.collect(knowledge, recorded, FactCache(tmp_path / "facts"))
    warm = verify.collect(knowledge, recorded, FactCache(tmp_path / "facts"))
    assert set(cold.packages) == {"tiktoken", "pyyaml"}
    assert cold.packages == warm.packages
    # The local index also sends the serial as a header, which the page then carries.
    assert {n: replace(f, serial=None) for n, f in cold.packages.items()} == {n: replace(f, serial=None) for n, f in over_http.packages.items()}
