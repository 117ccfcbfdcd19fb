"""End-to-end tests of ``wheelfix audit`` against the local index server (no network).

Fixture files are copied into a temporary repository (a folder with .git) so
that the project-Python lookup sees only what each test puts there.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
from indexserver import IndexServer

from generator.cli import main

AUDIT = Path(__file__).parent / "data" / "audit"
LINUX = "manylinux_2_35_x86_64"
GUIDES = ["--guides", str(AUDIT / "guides.json")]


@pytest.fixture
def pip_server() -> Iterator[IndexServer]:
    """The index server with PEP 658 metadata, so pip can resolve without downloading."""
    with IndexServer(pip_mode=True) as server:
        yield server


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".git").mkdir()
    for item in AUDIT.iterdir():
        if item.is_dir():
            shutil.copytree(item, root / item.name)
        else:
            shutil.copy(item, root / item.name)
    for var in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE"):
        monkeypatch.delenv(var, raising=False)
    # A failed request is final here: the local index answers at once or not at all.
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    monkeypatch.chdir(root)
    return root


def _audit(server: IndexServer, capsys: pytest.CaptureFixture[str], *args: str) -> Tuple[int, str, str]:
    code = main(["audit", *args, "--index-url", server.index_url])
    out, err = capsys.readouterr()
    return code, out, err


# -- the seed incident ----------------------------------------------------------


def test_seed_on_313_names_tiktoken_and_pydantic_core(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _audit(index_server, capsys, "seed-requirements.txt", "--python", "3.13", "--platform", LINUX, *GUIDES)
    assert code == 1
    assert "seed-requirements.txt:3: tiktoken 0.6.0: builds from source (tiktoken-0.6.0.tar.gz)" in out
    assert "nearest release with a wheel: 0.8.0 (newer)" in out
    assert "guide: tiktoken builds from source on Python 3.13 and needs Rust <https://wheelfix.example/guides/tiktoken-rust-py313/>" in out
    assert "a source build needs: rust (cargo), setuptools-rust" in out
    assert "upgrade: tiktoken==0.8.0 (from 0.6.0; it and all its dependencies install from wheels, checked by uv " in out
    # the dependency pydantic pins exactly: reported at pydantic's line, with the chain and the upgrade of pydantic
    assert "seed-requirements.txt:4: pydantic-core 2.16.2, required by pydantic 2.6.1: builds from source (pydantic_core-2.16.2.tar.gz)" in out
    assert "upgrade: pydantic==2.8.0 (from 2.6.1; it and all its dependencies install from wheels, checked by uv " in out
    assert "seed-requirements.txt: dependencies resolved by uv " in out and ": 13 package(s)" in out
    problems = [line for line in out.splitlines() if line.startswith("  seed-requirements.txt:") and "builds from source" in line]
    assert len(problems) == 2 and len([l for l in out.splitlines() if l.startswith("  seed-requirements.txt:")]) == 3  # wheels are not listed
    assert "only the packages" not in out and "not their dependencies" not in out


def test_seed_on_312_passes(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _audit(index_server, capsys, "seed-requirements.txt", "--python", "3.12", "--platform", LINUX, *GUIDES)
    assert code == 0
    assert "all 13 package(s) install from wheels" in out


def test_seed_json(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _audit(
        index_server, capsys, "seed-requirements.txt", "--python", "3.13", "--python", "3.12", "--platform", LINUX, "--json", *GUIDES
    )
    assert code == 1
    data = json.loads(out)
    assert [(t["python"], t["platform"], t["python_source"]) for t in data["targets"]] == [("3.13", LINUX, "--python"), ("3.12", LINUX, "--python")]
    problems = {f["package"]: f for f in data["findings"] if f["kind"] != "wheel"}
    assert set(problems) == {"tiktoken", "pydantic-core"}
    tik = problems["tiktoken"]
    assert (tik["package"], tik["version"], tik["python"], tik["kind"], tik["line"]) == ("tiktoken", "0.6.0", "3.13", "sdist", 3)
    assert tik["nearest_wheel"]["version"] == "0.8.0" and tik["guide"]["id"] == "tiktoken-rust-py313"
    assert tik["required_by"] == [] and tik["resolved_by"] is None
    assert tik["upgrade"]["package"] == "tiktoken" and tik["upgrade"]["version"] == "0.8.0" and tik["upgrade_checked"]
    core = problems["pydantic-core"]
    assert (core["version"], core["python"], core["kind"], core["line"]) == ("2.16.2", "3.13", "sdist", 4)
    assert core["required_by"] == [{"package": "pydantic", "version": "2.6.1"}]
    assert {k: core["upgrade"][k] for k in ("package", "version", "from")} == {"package": "pydantic", "version": "2.8.0", "from": "2.6.1"}
    assert core["resolved_by"].startswith("uv ") and core["upgrade"]["checked_by"] == core["resolved_by"]
    assert len(data["findings"]) == 26  # the 13 packages of the closure x 2 targets
    assert [(r["python"], r["ok"], r["packages"]) for r in data["resolutions"]] == [("3.13", True, 13), ("3.12", True, 13)]
    assert all(r["tool"].startswith("uv ") for r in data["resolutions"])
    assert {"pydantic-core", "regex", "requests", "typing-extensions"} <= set(data["data_as_of"])


# -- every format ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, python, code, problems",
    [
        ("pylock.toml", "3.13", 1, ["tiktoken"]),  # PEP 751
        ("pylock.toml", "3.12", 0, []),
        ("uv.lock", "3.13", 1, ["tiktoken"]),  # uv; numpy 2.1.0 has cp313 wheels
        ("poetry.lock", "3.12", 0, []),  # poetry
        ("poetry.lock", "3.13", 1, ["tiktoken"]),
        ("freeze.txt", "3.13", 1, ["tiktoken"]),  # pip freeze
        ("freeze.txt", "3.12", 0, []),
    ],
)
def test_formats(
    index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str], name: str, python: str, code: int, problems: List[str]
) -> None:
    got, out, _ = _audit(index_server, capsys, name, "--python", python, "--platform", LINUX, "--json")
    data = json.loads(out)
    assert got == code
    assert [f["package"] for f in data["findings"] if f["kind"] != "wheel"] == problems
    # colorama is Windows-only in these files: never asked about for Linux
    assert index_server.counts.get("/simple/colorama/", 0) == 0


def test_requirements_with_includes_and_loose_pins(pip_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _audit(pip_server, capsys, "includes/requirements.txt", "--python", "3.12", "--platform", LINUX, "--json")
    data = json.loads(out)
    assert code == 1  # all wheels, but the made-up hashes of tiktoken do not match
    by = {f["package"]: f for f in data["findings"]}
    # the closure: regex is tiktoken's dependency (requests' own come from made-up metadata without any)
    assert set(by) == {"six", "typing-extensions", "tiktoken", "annotated-types", "requests", "regex"}
    assert by["regex"]["required_by"] == [{"package": "tiktoken", "version": "0.6.0"}] and by["regex"]["line"] == 8
    # the loose requirement was resolved by pip itself
    assert by["requests"]["kind"] == "wheel" and by["requests"]["line"] == 6 and by["requests"]["version"]
    # annotated-types is loose but pinned by -c constraints.txt
    assert by["annotated-types"]["version"] == "0.7.0" and by["annotated-types"]["line"] == 14
    assert by["six"]["file"].endswith("base.txt") and by["six"]["line"] == 1
    assert data["hash_mismatches"] == [{"file": "includes/requirements.txt", "line": 8, "package": "tiktoken", "version": "0.6.0"}]
    assert any(w.startswith("includes/requirements.txt:11: not auditable") for w in data["warnings"])


def test_loose_requirement_without_wheel(pip_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "loose.txt").write_text("six\ntiktoken>=0.5,<0.8\n")
    code, out, _ = _audit(pip_server, capsys, "loose.txt", "--python", "3.13", "--platform", LINUX, "--json", *GUIDES)
    assert code == 1
    data = json.loads(out)
    [problem] = [f for f in data["findings"] if f["kind"] != "wheel"]
    # uv (never building) finds no wheel in the range; with sources pip would take 0.7.0
    assert (problem["package"], problem["version"], problem["kind"], problem["line"]) == ("tiktoken", "0.7.0", "sdist", 2)
    assert problem["nearest_wheel"]["version"] == "0.8.0"
    assert problem["resolved_by"].startswith("uv ")
    assert [r["ok"] for r in data["resolutions"]] == [True]


def test_loose_requirement_with_wheel(pip_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "loose.txt").write_text("tiktoken>=0.5\n")
    code, out, _ = _audit(pip_server, capsys, "loose.txt", "--python", "3.13", "--platform", LINUX, "--json")
    data = json.loads(out)
    assert code == 0
    [finding] = data["findings"]
    assert finding["kind"] == "wheel" and "cp313" in finding["file_name"]


# -- targets from the project and named environments ------------------------------


def test_env_without_pin_warns_about_moving_default(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _audit(index_server, capsys, "seed-requirements.txt", "--env", "render", "--kb", str(repo))
    assert code == 1  # Render's default, 3.13 in the fixture, has no tiktoken 0.6.0 wheel
    assert "CPython 3.13 on manylinux_2_35_x86_64 (Python from render default)" in out
    assert "Python is not pinned; Render's default for new services changes over time; pin PYTHON_VERSION or add .python-version" in out


def test_env_with_pin_names_the_file(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".python-version").write_text("3.12.7\n")
    code, out, _ = _audit(index_server, capsys, "seed-requirements.txt", "--env", "render", "--kb", str(repo))
    assert code == 0
    assert f"(Python from {repo.resolve()}/.python-version:1)" in out
    assert "not pinned" not in out


def test_unknown_env(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _audit(index_server, capsys, "seed-requirements.txt", "--env", "heroku", "--kb", str(repo))
    assert code == 2 and "'heroku' is not a named environment" in err and "render" in err


def test_no_python_is_usage_error(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _audit(index_server, capsys, "seed-requirements.txt", "--platform", LINUX)
    assert code == 2 and "no Python to audit" in err and "hint:" in err


# -- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("tiktoken==0.6.0\nthis is !! not a requirement\n", "bad.txt:2: 'this is !! not a requirement' is not a valid requirement"),
        ("no-such-project-here==1.0\n", "bad.txt:1: no project named 'no-such-project-here' on the index"),
    ],
)
def test_input_errors_exit_2(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str], text: str, message: str) -> None:
    (repo / "bad.txt").write_text(text)
    code, out, err = _audit(index_server, capsys, "bad.txt", "--python", "3.12", "--platform", LINUX)
    assert code == 2
    assert message in err and "Traceback" not in err + out


def test_missing_file_exit_2(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _audit(index_server, capsys, "nope.txt", "--python", "3.12")
    assert code == 2 and "nope.txt: no such file" in err


def test_bad_platform_exit_2(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _audit(index_server, capsys, "seed-requirements.txt", "--python", "3.12", "--platform", "solaris_sparc")
    assert code == 2 and "solaris_sparc" in err


def test_index_down_without_cache_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = IndexServer()
    url = server.index_url
    server.httpd.server_close()  # nothing listens there any more
    code = main(["audit", "seed-requirements.txt", "--python", "3.12", "--platform", LINUX, "--index-url", url])
    _, err = capsys.readouterr()
    assert code == 2 and "no cached copy" in err


def test_index_down_still_checks_direct_pins(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["seed-requirements.txt", "--python", "3.13", "--platform", LINUX]
    with IndexServer() as server:
        url = server.index_url
        assert main(["audit", *args, "--no-deps", "--index-url", url]) == 1  # caches the pages of the pins
    capsys.readouterr()
    # the index is gone now: the pins are judged from the cache, and the closure is reported as unresolved
    code = main(["audit", *args, "--index-url", url])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert "seed-requirements.txt:3: tiktoken 0.6.0: builds from source" in out
    [line] = [l for l in out.splitlines() if "dependencies not resolved" in l]
    assert line.startswith("warning: seed-requirements.txt: dependencies not resolved by uv ")
    assert "for CPython 3.13 manylinux_2_35_x86_64: " in line and url.rstrip("/").rsplit("/", 1)[0] in line  # names the index it could not reach
    assert "upgrade: not checked (the resolver did not run, or did not finish)" in out


def test_platform_uv_cannot_target(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _audit(index_server, capsys, "seed-requirements.txt", "--python", "3.12", "--platform", "manylinux_2_17_ppc64le", "--json")
    data = json.loads(out)
    assert code == 1
    assert {f["package"] for f in data["findings"]} == {"tiktoken", "pydantic", "pydantic-settings"}  # the pins are still judged
    [resolution] = data["resolutions"]
    assert not resolution["ok"] and resolution["tool"] is None
    assert resolution["message"] == "uv cannot resolve for platform manylinux_2_17_ppc64le"


def test_uv_missing_is_usage_error(
    index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    import shutil as shutil_mod

    real_import = importlib.import_module

    def no_uv(name: str, *a: object, **k: object) -> object:
        if name == "uv":
            raise ImportError("No module named 'uv'")
        return real_import(name, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib, "import_module", no_uv)
    monkeypatch.setattr(shutil_mod, "which", lambda name, *a, **k: None)
    code, out, err = _audit(index_server, capsys, "seed-requirements.txt", "--python", "3.13", "--platform", LINUX)
    assert code == 2 and out == ""
    assert "uv is not installed: the audit resolves dependencies with it" in err
    assert "pip install 'wheelfix[audit]'" in err and "--no-deps" in err
    # lock files need no resolver, and --no-deps opts out
    assert _audit(index_server, capsys, "uv.lock", "--python", "3.13", "--platform", LINUX)[0] == 1
    code, out, _ = _audit(index_server, capsys, "seed-requirements.txt", "--python", "3.13", "--platform", LINUX, "--no-deps")
    assert code == 1 and "dependencies not resolved (--no-deps); only the packages it names were checked" in out


def test_offline_uses_cache_and_says_how_old(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["seed-requirements.txt", "--python", "3.12", "--platform", LINUX]
    assert _audit(index_server, capsys, *args)[0] == 0
    index_server.reset_counts()
    code, out, _ = _audit(index_server, capsys, *args, "--offline")
    assert code == 0 and index_server.total_requests() == 0
    assert "offline: using cached index data" in out and "old" in out


def test_index_failure_says_what_happened_not_offline(index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["seed-requirements.txt", "--python", "3.12", "--platform", LINUX, "--max-age", "0"]
    assert _audit(index_server, capsys, *args)[0] == 0
    index_server.add_fault("/simple/tiktoken/", "status", code=500, times=10)
    code, out, _ = _audit(index_server, capsys, *args)
    assert code == 0
    notes = [line for line in out.splitlines() if "using cached data" in line]
    assert len(notes) == 1 and "tiktoken: the index answered HTTP 500" in notes[0], out
    assert re.search(r"using cached data from \d{4}-\d\d-\d\d \d\d:\d\d UTC", notes[0])
    assert "offline" not in out


# -- GitHub Actions -------------------------------------------------------------------


def test_github_actions_annotations_and_summary(
    index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = repo / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo))
    code, out, _ = _audit(index_server, capsys, str(repo / "seed-requirements.txt"), "--python", "3.13", "--platform", LINUX, *GUIDES)
    assert code == 1
    [line] = [l for l in out.splitlines() if l.startswith("::warning file=seed-requirements.txt,line=3,")]
    # path relative to the workspace, the line of the pin, and the guide in the message
    assert line.startswith("::warning file=seed-requirements.txt,line=3,title=wheelfix audit%3A tiktoken::tiktoken 0.6.0 builds from source")
    assert "Nearest release with a wheel: 0.8.0 (newer)" in line and "https://wheelfix.example/guides/tiktoken-rust-py313/" in line
    text = summary.read_text()
    assert "| File | Package | Version | Required by | Target | Result | Guide | Nearest wheel | Upgrade | Build needs |" in text
    assert (
        "| seed-requirements.txt:3 | tiktoken | 0.6.0 |  | 3.13 manylinux_2_35_x86_64 | builds from source | "
        "[tiktoken builds from source on Python 3.13 and needs Rust](https://wheelfix.example/guides/tiktoken-rust-py313/) | 0.8.0 (newer) | "
        "tiktoken==0.8.0 |"
    ) in text
    assert "| seed-requirements.txt:4 | pydantic-core | 2.16.2 | pydantic 2.6.1 | 3.13 manylinux_2_35_x86_64 | builds from source |" in text
    [core] = [l for l in out.splitlines() if l.startswith("::warning file=seed-requirements.txt,line=4,")]
    assert "pydantic-core 2.16.2, required by pydantic 2.6.1 builds from source" in core and "Upgrade: pydantic==2.8.0" in core


def test_github_actions_with_json_keeps_stdout_clean(
    index_server: IndexServer, repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(repo / "summary.md"))
    code, out, err = _audit(index_server, capsys, "seed-requirements.txt", "--python", "3.13", "--platform", LINUX, "--json")
    assert code == 1
    json.loads(out)  # nothing but the object
    assert "::warning file=seed-requirements.txt,line=3" in err


# -- the pre-commit hook --------------------------------------------------------------


@pytest.mark.parametrize(
    "path, matched",
    [
        ("requirements.txt", True),
        ("services/api/requirements-prod.txt", True),
        ("pylock.toml", True),
        ("pylock.dev.toml", True),  # PEP 751 named lock
        ("uv.lock", True),
        ("poetry.lock", True),
        ("docs/requirements.md", False),
        ("constraints.txt", False),
        ("Cargo.lock", False),
    ],
)
def test_pre_commit_hook(path: str, matched: bool) -> None:
    import re

    import yaml

    from generator.cli.main import COMMANDS

    [hook] = yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["entry"], hook["language"]) == ("wheelfix-audit", "wheelfix audit", "python")
    assert hook["entry"].split()[1] in COMMANDS
    assert bool(re.search(hook["files"], path)) is matched


def test_env_falls_back_to_bundled_environments(
    index_server: IndexServer, repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.resources

    package = tmp_path / "fake-package"
    (package / "data").mkdir(parents=True)
    monkeypatch.setattr(importlib.resources, "files", lambda name: package)
    args = ["seed-requirements.txt", "--env", "render", "--kb", str(repo / "nowhere")]
    # no kb/ here and nothing bundled: a usage error naming the file
    code, _, err = _audit(index_server, capsys, *args)
    assert code == 2 and "--env needs" in err and "environments.yaml" in err
    # a bundled copy is used when there is no kb/ (other repositories, pre-commit)
    shutil.copy(AUDIT / "environments.yaml", package / "data" / "environments.yaml")
    code, out, _ = _audit(index_server, capsys, *args)
    assert code == 1 and "(Python from render default)" in out
