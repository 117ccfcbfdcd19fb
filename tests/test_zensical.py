"""`wheelfix export` output builds with Zensical too (issue 12, portability).

Zensical reads mkdocs.yml.  The build runs strict over docs/ plus the exported
pages of a small KB, and every exported guide must come out as a page with its
version table.  Two findings are pinned here and written up in docs/cli.md
("Building with Zensical"): when Zensical changes, these tests say so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator, Tuple

import pytest

from indexserver import IndexServer
from sitebuild import ROOT, plain_config

from generator.cli import main

zensical = pytest.importorskip("zensical", reason="Zensical is in the test extra (Python 3.11 and newer): pip install -e '.[test]'")

#: A few real records (their pages, with the recorded index data), small enough to build fast.
RECORDS = ("tiktoken-cargo-read-only-filesystem", "cargo-read-only-filesystem", "lxml-no-wheel-new-python")


def _small_kb(tmp: Path) -> Path:
    kb = tmp / "kb"
    (kb / "samples").mkdir(parents=True)
    shutil.copy(ROOT / "kb" / "environments.yaml", kb)
    for record in RECORDS:
        text = (ROOT / "kb" / f"{record}.yaml").read_text(encoding="utf-8")
        # Links to guides outside this small KB would not resolve.
        (kb / f"{record}.yaml").write_text(re.sub(r"(?m)^related: .*$", "related: []", text), encoding="utf-8")
        if (ROOT / "kb" / "samples" / record).is_dir():
            shutil.copytree(ROOT / "kb" / "samples" / record, kb / "samples" / record)
    return kb


def _zensical(config: Path, *args: str) -> "subprocess.CompletedProcess[str]":
    script = Path(sys.executable).parent / "zensical"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "zensical"]
    return subprocess.run([*command, "build", "-f", str(config), *args], capture_output=True, text=True, cwd=config.parent,
                          env={**os.environ, "RUST_BACKTRACE": "0"})


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Path, Path]]:
    """(config, exported folder): docs/ plus `wheelfix export` of the small KB, docs_dir relative."""
    tmp = tmp_path_factory.mktemp("zensical")
    kb = _small_kb(tmp)
    exported = tmp / "exported"
    with IndexServer() as server:
        assert main(["export", str(exported), "--kb", str(kb), "--index-url", server.index_url]) == 0
    config = plain_config(tmp, kb, extra_docs=exported)
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^docs_dir: .*$", "docs_dir: docs", text), encoding="utf-8")
    yield config, exported


def test_exported_pages_build_strictly(project: Tuple[Path, Path]) -> None:
    config, exported = project
    proc = _zensical(config, "--strict")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    site = config.parent / "site"
    guides = sorted(p.stem for p in (exported / "guides").glob("*.md") if p.stem != "index")
    assert guides == sorted(RECORDS)
    for guide in guides:
        html = (site / "guides" / guide / "index.html").read_text(encoding="utf-8")
        assert "<table" in html, guide  # the version table
        # No Markdown left unrendered (an extension Zensical lacks would leave these).
        assert "<p>!!! " not in html and "<p>??? " not in html, guide
    assert (site / "index.html").is_file() and (site / "cli" / "index.html").is_file()


def test_finding_an_absolute_docs_dir_stops_the_build(project: Tuple[Path, Path]) -> None:
    # Zensical 0.0.73 panics on an absolute docs_dir (MkDocs accepts it): the exported
    # project must name its docs_dir relative to mkdocs.yml.
    config, _ = project
    absolute = config.with_name("absolute.yml")
    absolute.write_text(re.sub(r"(?m)^docs_dir: .*$", f"docs_dir: {config.parent / 'docs'}", config.read_text(encoding="utf-8")),
                        encoding="utf-8")
    proc = _zensical(absolute)
    assert proc.returncode != 0 and "invariant" in proc.stderr, (
        "Zensical now builds with an absolute docs_dir: update docs/cli.md (Building with Zensical) and this test"
    )


def test_finding_search_fields_are_ignored() -> None:
    # mkdocs.yml weighs the search fields (titles x3 ...) so pasted error lines find their guide;
    # Zensical 0.0.73 accepts the option and does not implement it.
    from zensical import config as zconfig

    unsupported = getattr(zconfig, "_PLUGIN_UNSUPPORTED_OPTIONS", {}).get("search", ())
    assert "fields" in unsupported, "Zensical now implements search `fields`: update docs/cli.md (Building with Zensical) and this test"
