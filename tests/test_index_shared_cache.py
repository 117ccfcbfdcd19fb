"""The on-disk cache under concurrency and slow fetches: two builds at once, and progress."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from indexserver import DATA_DIR, IndexServer

from generator.index.client import IndexClient

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = sorted(p.name[: -len(".json")] for p in DATA_DIR.glob("*.json") if not p.name.endswith(".headers.json"))

_BUILD = textwrap.dedent(
    """
    import sys
    from datetime import timedelta
    from pathlib import Path
    from generator.index.client import IndexClient
    index_url, cache, rounds, names = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
    for _ in range(rounds):
        # max_age=0: every round revalidates and rewrites entries, racing the other process.
        client = IndexClient(index_url, cache_dir=cache, max_age=timedelta(0), progress=False)
        for name, result in client.fetch_many(names).items():
            if not hasattr(result, "files"):
                raise SystemExit(f"{name}: {result}")
    """
)


def test_two_builds_at_once_leave_a_readable_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with IndexServer() as server:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _BUILD, server.index_url, str(cache), "3", *PROJECTS],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for _ in range(2)
        ]
        outputs = [p.communicate() for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outputs
        assert server.total_requests() >= 2 * len(PROJECTS)  # both really went to the index
    # The server is gone: offline reads see only what the two builds left on disk,
    # and every entry written under contention must decode.
    for name in PROJECTS:
        page = IndexClient(server.index_url, cache_dir=cache, offline=True, progress=False).fetch(name)
        assert page.name == name and page.files
    assert not [p for p in cache.rglob("*") if p.is_file() and ".tmp" in p.name], "temporary files left behind"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_slow_fetch_shows_progress(tmp_path: Path) -> None:
    mp = pytest.MonkeyPatch()
    terminal = _Terminal()
    mp.setattr(sys, "stderr", terminal)
    try:
        with IndexServer() as server:
            server.add_fault("/simple/six/", "timeout", seconds=1.0)  # slower than the progress delay, within the timeout
            client = IndexClient(server.index_url, cache_dir=tmp_path / "cache", timeout=10.0, max_age=timedelta(0))
            results = client.fetch_many(["tiktoken", "six"])
    finally:
        mp.undo()
    assert set(results) == {"tiktoken", "six"}
    shown = terminal.getvalue()
    assert "fetching six; 1 left" in shown, shown  # names the package still on its way, during the wait
    assert "2/2" in shown, shown


def test_no_progress_when_not_a_terminal(tmp_path: Path, capsys: object) -> None:
    with IndexServer() as server:
        server.add_fault("/simple/six/", "timeout", seconds=1.0)
        client = IndexClient(server.index_url, cache_dir=tmp_path / "cache", timeout=10.0)
        client.fetch_many(["tiktoken", "six"])
    assert capsys.readouterr().err == ""  # type: ignore[attr-defined]
