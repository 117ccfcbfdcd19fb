"""Tests for generator.audit.resolver: uv's command line, its output and errors, and the closure loop.

The parsing tests use text as uv 0.13 prints it; the loop runs the real uv
against the local index server (recorded pages and metadata, no network).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, List, Optional, Tuple

import pytest
from indexserver import IndexServer
from packaging.specifiers import SpecifierSet

from generator.audit import resolver as R
from generator.audit.resolution import DIRECT, Blocker, ClosureRequest, ResolverError

LINUX = "manylinux_2_35_x86_64"


@pytest.mark.parametrize(
    "platform, expected, env",
    [
        ("manylinux_2_35_x86_64", "x86_64-manylinux_2_35", {}),
        ("manylinux_2_17_aarch64", "aarch64-manylinux_2_17", {}),
        ("manylinux_2_40_x86_64", "x86_64-manylinux_2_40", {}),
        ("musllinux_1_2_x86_64", "x86_64-unknown-linux-musl", {}),
        ("macosx_14_0_arm64", "aarch64-apple-darwin", {"MACOSX_DEPLOYMENT_TARGET": "14.0"}),
        ("macosx_11_0_x86_64", "x86_64-apple-darwin", {"MACOSX_DEPLOYMENT_TARGET": "11.0"}),
        ("win_amd64", "x86_64-pc-windows-msvc", {}),
        ("win32", "i686-pc-windows-msvc", {}),
    ],
)
def test_uv_platform(platform: str, expected: str, env: dict[str, str]) -> None:
    assert R.uv_platform(platform) == (expected, env)


@pytest.mark.parametrize(
    "platform",
    ["manylinux_2_12_x86_64", "manylinux_2_41_x86_64", "manylinux_2_17_ppc64le", "musllinux_1_1_x86_64", "linux_x86_64", "macosx_14_0_universal2"],
)
def test_uv_platform_only_exact(platform: str) -> None:
    # no approximation: a different tag set would judge wheels differently
    with pytest.raises(ResolverError, match=f"uv cannot resolve for platform {platform}"):
        R.uv_platform(platform)


def test_environment_drops_uv_settings_that_change_the_inputs() -> None:
    base = {
        "UV_INDEX_URL": "http://elsewhere/simple", "UV_EXTRA_INDEX_URL": "x", "UV_CONSTRAINT": "/c", "UV_EXCLUDE_NEWER": "2020-01-01",
        "UV_CONFIG_FILE": "/u.toml", "UV_HTTP_TIMEOUT": "5", "UV_NATIVE_TLS": "1", "PIP_CERT": "/ca.pem", "HOME": "/h",
    }
    env = R.uv_environment(base, cache_dir=Path("/cache/uv"))
    assert {k: v for k, v in env.items() if k.startswith("UV_")} == {
        "UV_HTTP_TIMEOUT": "5", "UV_NATIVE_TLS": "1", "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1", "UV_CACHE_DIR": "/cache/uv",
    }
    assert env["SSL_CERT_FILE"] == "/ca.pem" and env["HOME"] == "/h"  # pip's certificates, for uv too
    assert R.uv_environment({"PIP_CERT": "/ca.pem", "SSL_CERT_FILE": "/mine.pem"})["SSL_CERT_FILE"] == "/mine.pem"


def test_command_never_builds_and_uses_the_given_index(tmp_path: Path) -> None:
    uv = R.UvResolver("uv", index_url="http://127.0.0.1:1/simple/", cache_dir=tmp_path, interpreter="py")
    cmd, env = uv.command([tmp_path / "r.in"], "3.13t", "macosx_14_0_arm64", excludes=tmp_path / "x.txt")
    assert cmd[:4] == ["uv", "pip", "compile", str(tmp_path / "r.in")]
    for flag in ("--no-build", "--no-config", "--no-python-downloads"):
        assert flag in cmd
    assert cmd[cmd.index("--python-version") + 1] == "3.13"  # free-threaded: markers as the normal build
    assert cmd[cmd.index("--python-platform") + 1] == "aarch64-apple-darwin" and env["MACOSX_DEPLOYMENT_TARGET"] == "14.0"
    assert cmd[cmd.index("--default-index") + 1] == "http://127.0.0.1:1/simple/"
    assert cmd[cmd.index("--excludes") + 1] == str(tmp_path / "x.txt")
    assert cmd[cmd.index("--python") + 1] == "py"
    assert "--offline" not in cmd
    assert "--offline" in R.UvResolver("uv", index_url=None, offline=True).command([tmp_path / "r.in"], "3.12", LINUX)[0]


COMPILED = """\
annotated-types==0.8.0
    # via pydantic
pydantic==2.6.1
    # via
    #   -r /tmp/w/requirements.in
    #   pydantic-settings
pydantic-settings==2.1.0
    # via -r /tmp/w/requirements.in
regex==2026.11.19
    # via -r /tmp/w/dependencies-of-tiktoken.in
typing-extensions==4.16.0
    # via
    #   -c /tmp/w/constraints.txt
    #   pydantic
    #   -r /tmp/w/dependencies-of-pydantic-core.in
"""


def test_parse_compile_output() -> None:
    labels = {"/tmp/w/requirements.in": DIRECT, "/tmp/w/dependencies-of-tiktoken.in": "tiktoken",
              "/tmp/w/dependencies-of-pydantic-core.in": "pydantic-core"}
    got = R.parse_compile_output(COMPILED, labels)
    assert {name: (p.version, p.parents) for name, p in got.items()} == {
        "annotated-types": ("0.8.0", ("pydantic",)),
        "pydantic": ("2.6.1", (DIRECT, "pydantic-settings")),
        "pydantic-settings": ("2.1.0", (DIRECT,)),
        "regex": ("2026.11.19", ("tiktoken",)),
        "typing-extensions": ("4.16.0", ("pydantic", "pydantic-core")),  # a constraint file is not a parent
    }
    assert got["pydantic"].direct and not got["regex"].direct


@pytest.mark.parametrize(
    "stderr, expected",
    [
        (
            "error: No solution found when resolving dependencies\n  cause: Because tiktoken==0.6.0 has no usable wheels and you require "
            "tiktoken==0.6.0, we can conclude that your requirements are unsatisfiable.",
            [("tiktoken", "==0.6.0", (DIRECT,))],
        ),
        (
            "  cause: Because pydantic-core==2.16.2 has no usable wheels and pydantic==2.6.1 depends on pydantic-core==2.16.2, we can\n"
            "         conclude that pydantic==2.6.1 cannot be used.\n         And because you require pydantic==2.6.1, we can conclude ...",
            [("pydantic-core", "==2.16.2", ("pydantic",))],
        ),
        (
            "  ╰─▶ Because all versions of anyio have no usable wheels and you require anyio, we can conclude that ...",
            [("anyio", "", (DIRECT,))],
        ),
        (
            "Because tiktoken>=0.5,<=0.7.0 has no usable wheels and you require tiktoken>=0.5,<0.8, we can conclude ...",
            [("tiktoken", "<=0.7.0,>=0.5", (DIRECT,))],
        ),
        (
            "Because numpy==1.26.4 has no wheels with a matching Python ABI tag (e.g., `cp313`) and you require numpy==1.26.4 ...",
            [("numpy", "==1.26.4", (DIRECT,))],
        ),
        ("error: Failed to fetch: `http://127.0.0.1:9/simple/six/` Connection refused", []),
        ("Because there is no version of six==99 and you require six==99, we can conclude ...", []),
    ],
)
def test_parse_blockers(stderr: str, expected: List[Tuple[str, str, Tuple[str, ...]]]) -> None:
    got = R.parse_blockers(stderr)
    assert [(b.name, str(b.specifier), b.parents) for b in got] == [(n, str(SpecifierSet(s)), p) for n, s, p in expected]


def test_find_uv_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import shutil

    real = importlib.import_module
    monkeypatch.setattr(importlib, "import_module", lambda name, *a: (_ for _ in ()).throw(ImportError(name)) if name == "uv" else real(name, *a))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ResolverError, match="uv is not installed") as info:
        R.find_uv()
    assert info.value.exit_code == 2 and "wheelfix[audit]" in str(info.value.hint)


# -- the loop, with the real uv against the local index --------------------------------


@pytest.fixture
def uv(tmp_path: Path) -> Iterator[Tuple[R.UvResolver, IndexServer]]:
    with IndexServer() as server:
        yield R.UvResolver(R.find_uv(), index_url=server.index_url, cache_dir=tmp_path / "uv", env={"UV_HTTP_RETRIES": "0"}), server


SEED = ("tiktoken==0.6.0", "pydantic==2.6.1", "pydantic-settings==2.1.0")
DEPENDENCIES = {  # Requires-Dist of the two releases without a cp313 wheel, as their metadata says (markers kept)
    "tiktoken": ["regex>=2022.1.18", "requests>=2.26.0", 'blobfile>=2 ; extra == "blobfile"'],
    "pydantic-core": ["typing-extensions!=4.7.0,>=4.6.0"],
}


def test_closure_of_the_seed_on_313(uv: Tuple[R.UvResolver, IndexServer]) -> None:
    resolver, server = uv
    asked: List[Blocker] = []

    def unblock(blocker: Blocker) -> Optional[Tuple[str, Optional[List[str]]]]:
        asked.append(blocker)
        return str(blocker.specifier).lstrip("="), DEPENDENCIES[blocker.name]

    closure = resolver.closure(ClosureRequest(SEED, (), "3.13", LINUX), unblock)
    assert closure.ok and closure.tool.startswith("uv ")
    # one round per release without a wheel: tiktoken (a pin of the file), then pydantic-core (pydantic's)
    assert [(b.name, str(b.specifier), b.parents) for b in asked] == [
        ("tiktoken", "==0.6.0", (DIRECT,)), ("pydantic-core", "==2.16.2", ("pydantic",)),
    ]
    packages = closure.packages
    assert packages["pydantic-core"].blocked and packages["tiktoken"].blocked and not packages["pydantic"].blocked
    assert [(n.name, n.version) for n in closure.chain("pydantic-core")] == [("pydantic", "2.6.1")]
    assert [n.name for n in closure.chain("regex")] == ["tiktoken"]  # the blocked package still parents its dependencies
    assert [n.name for n in closure.chain("urllib3")] == ["requests", "tiktoken"]
    assert "blobfile" not in packages  # an extra nobody asked for
    assert set(packages) == {
        "tiktoken", "pydantic", "pydantic-settings", "pydantic-core", "annotated-types", "typing-extensions", "python-dotenv",
        "regex", "requests", "certifi", "charset-normalizer", "idna", "urllib3",
    }
    # uv read only recorded metadata: no placeholder dist was ever downloaded
    assert not [p for p in server.counts if p.startswith("/packages/") and not p.endswith(".metadata")]


def test_closure_of_the_seed_on_312_needs_one_round(uv: Tuple[R.UvResolver, IndexServer]) -> None:
    resolver, _ = uv
    closure = resolver.closure(ClosureRequest(SEED, (), "3.12", LINUX), lambda b: pytest.fail(f"{b} blocked on 3.12"))
    assert closure.ok and len(closure.packages) == 13 and not any(p.blocked for p in closure.packages.values())


def test_unknown_blocker_ends_the_loop_with_uvs_reason(uv: Tuple[R.UvResolver, IndexServer]) -> None:
    resolver, _ = uv
    closure = resolver.closure(ClosureRequest(SEED, (), "3.13", LINUX), lambda b: None)
    assert not closure.ok and "tiktoken==0.6.0 has no usable wheels" in closure.message


def test_installs_from_wheels(uv: Tuple[R.UvResolver, IndexServer]) -> None:
    resolver, server = uv
    assert resolver.installs_from_wheels(["pydantic==2.8.0"], "3.13", LINUX) == (True, "")
    ok, message = resolver.installs_from_wheels(["pydantic==2.7.4"], "3.13", LINUX)
    assert ok is False and "pydantic-core==2.18.4 has no usable wheels" in message
    server.stop()
    ok, message = R.UvResolver(resolver.uv, index_url=server.index_url, cache_dir=None, env={"UV_HTTP_RETRIES": "0"}).installs_from_wheels(
        ["six==1.16.0"], "3.13", LINUX
    )
    assert ok is None and message  # the index is gone: no answer, not a "no"
