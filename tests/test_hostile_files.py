"""Hostile files through every command that reads files: a refusal, never a traceback, a hang or a memory blow-up.

Each case runs the real command line in a subprocess (``timeout=60`` is a hang
detector, not a performance limit: FIFOs here have no writer, so opening one
for reading would block forever) and asserts the exit code, a one-line message
naming the file (and line and field where there is one), no traceback and no
content of a file that was refused.  ``check`` reports record problems as
findings (exit 1, one line each, as documented); the other commands exit 2 on
bad input.  The KB cases also go through the build's pure function, which
export and the MkDocs plugin share.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import pytest
from indexserver import IndexServer

from generator.site.build import BuildOptions, build_files
from generator.kb import InvalidKnowledgeBase

ROOT = Path(__file__).parent.parent
SECRET = "SECRET-CONTENT-0451"
HUGE = "1" * 5000
TARGET = ["--python", "3.12", "--platform", "manylinux_2_35_x86_64"]

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and closed descriptors are POSIX")


@dataclass
class Result:
    code: int
    out: str
    err: str


def wheelfix(*args: str, cwd: Path = ROOT, stdin: object = subprocess.DEVNULL, stdout: object = subprocess.PIPE, close: str = "") -> Result:
    """Run ``wheelfix ARGS``; ``close`` is a shell redirection (``<&-``, ``>&-``) applied before Python starts."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env.pop("GITHUB_ACTIONS", None)
    argv = [sys.executable, "-m", "generator", *args]
    if close:
        argv = ["sh", "-c", f'exec "$0" "$@" {close}', *argv]
    proc = subprocess.run(argv, cwd=cwd, env=env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, timeout=60)  # type: ignore[call-overload]
    out = proc.stdout.decode("utf-8", "replace") if proc.stdout is not None else ""
    return Result(proc.returncode, out, proc.stderr.decode("utf-8", "replace"))


def assert_clean(result: Result) -> None:
    """No traceback, nothing of a refused file's content, no Python warning about an unflushed stream."""
    everything = result.out + result.err
    assert "Traceback" not in everything and "Exception ignored" not in everything, result.err
    assert SECRET not in everything


def assert_refused(result: Result, code: int, *words: str) -> str:
    """Exit ``code`` and exactly one error line holding every one of ``words``; returns it."""
    assert_clean(result)
    assert result.code == code, (result.code, result.err)
    errors = [line for line in result.err.splitlines() if line.startswith("wheelfix: error: ")]
    assert len(errors) == 1, result.err
    for word in words:
        assert word in errors[0], (word, errors[0])
    return errors[0]


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text(f"title: {SECRET}\n{SECRET}==1\n")
    return secret


def _fifo(path: Path) -> Path:
    os.mkfifo(path)  # and nobody ever writes to it
    return path


# -- the knowledge base: check, and the build every site and export goes through


def _kb(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    shutil.copytree(ROOT / "kb", kb)
    return kb


def _record(kb: Path) -> Tuple[Path, List[str]]:
    path = kb / "python-h-missing.yaml"
    return path, path.read_text(encoding="utf-8").splitlines(keepends=True)


def _edit_title(kb: Path, title: str) -> int:
    path, lines = _record(kb)
    i = next(n for n, line in enumerate(lines) if line.startswith("title: "))
    lines[i] = f"title: {title}\n"
    path.write_text("".join(lines), encoding="utf-8")
    return i + 1


def _raw(kb: Path, char: str) -> str:
    path, lines = _record(kb)
    i = next(n for n, line in enumerate(lines) if line.startswith("title: "))
    lines[i] = lines[i][:12] + char + lines[i][12:]
    path.write_bytes("".join(lines).encode("utf-8"))
    return f"kb/python-h-missing.yaml:{i + 1}:13: U+{ord(char):04X}"


def _case_kb(case: str, kb: Path, tmp_path: Path) -> str:
    """Make ``kb`` hostile in the way ``case`` says; return the text the problem line must hold."""
    if case == "record is a FIFO":
        _fifo(kb / "zz.yaml")
        return "kb/zz.yaml:1:1: the file is a named pipe (FIFO), not a regular file"
    if case == "record links out of kb":
        (kb / "zz.yaml").symlink_to(_outside(tmp_path))
        return "kb/zz.yaml:1:1: the file leads outside"
    if case == "record links to /dev/zero":
        (kb / "zz.yaml").symlink_to("/dev/zero")
        return "kb/zz.yaml:1:1: the file leads outside"
    if case == "record is a directory":
        (kb / "zz.yaml").mkdir()
        return "kb/zz.yaml:1:1: the file is a directory, not a regular file"
    if case == "record is huge":
        (kb / "zz.yaml").write_bytes(b"# x\n" * (200 * 1024))
        return "kb/zz.yaml:1:1: the file is larger than 512 KiB"
    if case == "record is not UTF-8":
        path, lines = _record(kb)
        path.write_bytes("".join(lines[:2]).encode() + b"summary: caf\xe9\n" + "".join(lines[3:]).encode())
        return "kb/python-h-missing.yaml:3:1: the file is not UTF-8 text"
    if case == "record in a subfolder":
        (kb / "extra").mkdir()
        shutil.copy(kb / "python-h-missing.yaml", kb / "extra" / "zz.yaml")
        return "kb/extra/zz.yaml:1:1: records live directly in kb/, not in a subfolder"
    if case.startswith("raw "):
        return _raw(kb, {"raw NUL": "\x00", "raw ESC": "\x1b", "raw U+FFFE": "\ufffe", "raw U+202E": "\u202e"}[case])
    if case.startswith("escaped "):
        escape = case.split()[1]
        line = _edit_title(kb, f'"Python.h {escape} missing when building"')
        return f"kb/python-h-missing.yaml:{line}:8: title: U+"
    if case == "5,000-digit version":
        path, lines = _record(kb)
        path.write_text("".join(lines).replace("affects:\n", f'affects:\n  python: "<{HUGE}"\n', 1), encoding="utf-8")
        return "affects.python: '<1111"
    if case == "YAML nested 100,000 deep":
        (kb / "zz.yaml").write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
        return "kb/zz.yaml:1:1: YAML nesting is too deep"
    if case == "environments.yaml is a FIFO":
        (kb / "environments.yaml").unlink()
        _fifo(kb / "environments.yaml")
        return "kb/environments.yaml:1:1: the file is a named pipe (FIFO)"
    if case == "environments.yaml links out of kb":
        (kb / "environments.yaml").unlink()
        (kb / "environments.yaml").symlink_to(_outside(tmp_path))
        return "kb/environments.yaml:1:1: the file leads outside"
    if case == "sample links out of kb":
        (kb / "samples" / "python-h-missing" / "zz.log").symlink_to(_outside(tmp_path))
        return "kb/samples/python-h-missing/zz.log:1:1: the sample leads outside"
    if case == "sample is a FIFO":
        _fifo(kb / "samples" / "python-h-missing" / "zz.log")
        return "kb/samples/python-h-missing/zz.log:1:1: the sample is a named pipe (FIFO)"
    if case == "sample folder links out of kb":
        (kb / "samples" / "zz").symlink_to(tmp_path / "outside", target_is_directory=True)
        _outside(tmp_path)
        return "kb/samples/zz:1:1: the sample leads outside"
    raise AssertionError(case)


KB_CASES = [
    "record is a FIFO", "record links out of kb", "record links to /dev/zero", "record is a directory",
    "record is huge", "record is not UTF-8", "record in a subfolder", "raw NUL", "raw ESC", "raw U+FFFE",
    "raw U+202E", "escaped \\x80", "escaped \\x1b", "escaped \\u2028", "escaped \\N", "escaped \\uFEFF",
    "5,000-digit version", "YAML nested 100,000 deep", "environments.yaml is a FIFO",
    "environments.yaml links out of kb", "sample links out of kb", "sample is a FIFO", "sample folder links out of kb",
]


@pytest.mark.parametrize("case", KB_CASES)
def test_check_and_build_refuse_hostile_kb_files(tmp_path: Path, case: str) -> None:
    kb = _kb(tmp_path)
    expected = _case_kb(case, kb, tmp_path)
    result = wheelfix("check", "--kb", "kb", cwd=tmp_path)
    assert_clean(result)
    assert result.code == 1, result.err
    problems = result.out.splitlines()
    assert any(expected in line for line in problems), (expected, problems)
    # After the subprocess (which would have hung on a FIFO), the same through the build in-process.
    with pytest.raises(InvalidKnowledgeBase) as info:
        build_files(BuildOptions(kb_dir=kb, index=False))
    assert any(expected.replace("kb/", f"{kb}/", 1) in line or expected in line for line in str(info.value).splitlines())
    assert SECRET not in str(info.value)


def test_the_real_kb_is_clean() -> None:
    result = wheelfix("check")
    assert_clean(result)
    assert result.code == 0, result.out


# -- explain: a log is streamed, so any size; only what never ends, or is no log, is refused


@pytest.fixture
def bundle_arg(bundle: Path) -> List[str]:
    return ["--index", str(bundle)]


def test_explain_refuses_a_device(bundle_arg: List[str]) -> None:
    assert_refused(wheelfix("explain", "/dev/zero", *bundle_arg), 2, "cannot read log /dev/zero: a character device is not a log")


def test_explain_refuses_a_directory(bundle_arg: List[str], tmp_path: Path) -> None:
    assert_refused(wheelfix("explain", str(tmp_path), *bundle_arg), 2, f"cannot read log {tmp_path}: a directory is not a log")


def test_explain_refuses_a_device_on_stdin(bundle_arg: List[str]) -> None:
    with open("/dev/zero", "rb") as zero:
        result = wheelfix("explain", "-", *bundle_arg, stdin=zero)
    assert_refused(result, 2, "cannot read standard input: a character device is not a log")


def test_explain_refuses_a_closed_stdin(bundle_arg: List[str]) -> None:
    assert_refused(wheelfix("explain", "-", *bundle_arg, close="<&-"), 2, "cannot read standard input: it is closed")


def test_explain_reads_a_fifo_until_its_writer_closes_it(bundle_arg: List[str], tmp_path: Path) -> None:
    fifo = _fifo(tmp_path / "build.log")
    log = (ROOT / "kb" / "samples" / "python-h-missing" / "pip-install-psutil.log").read_bytes()

    def write() -> None:
        with open(fifo, "wb") as out:
            out.write(log)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    result = wheelfix("explain", str(fifo), "--json")
    writer.join(timeout=60)
    assert_clean(result)
    assert result.code == 0 and json.loads(result.out)["matches"][0]["id"] == "python-h-missing"


HOSTILE_LOGS: Dict[str, bytes] = {
    "5,000-digit numbers": (
        f"Collecting demo=={HUGE}\n  Downloading demo-{HUGE}-cp312-cp312-manylinux_{HUGE}_17_x86_64.whl\n"
        f"build/temp.macosx-{HUGE}.0-arm64-cpython-312\nERROR: Failed building wheel for demo\n"
    ).encode(),
    "NUL bytes and escapes": b"\x00\x1b[2J\x1b]0;title\x07\xff\xfe\x9b31m error: \x00\n" * 1000,
    "UTF-16 without a BOM": "error: Microsoft Visual C++ 14.0\n".encode("utf-16-le") * 100,
    "lone CR only": b"\r" * 100_000,
    "one 8 MiB line": b"x" * (8 << 20),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_LOGS))
def test_explain_hostile_logs(bundle_arg: List[str], tmp_path: Path, case: str) -> None:
    path = tmp_path / "build.log"
    path.write_bytes(HOSTILE_LOGS[case])
    for args in ([str(path)], ["-"]):
        with path.open("rb") as stdin:
            result = wheelfix("explain", *args, *bundle_arg, stdin=stdin)
        assert_clean(result)
        assert result.code in (0, 1), result.err
        assert result.out.endswith("\n")


# Feeds 256 MiB without a line break to the command in argv, then prints its exit code and peak RSS (KiB).
# A small launcher of its own, because Linux counts a child's peak RSS from before its exec, when it
# was a copy of its parent, and the test runner's parent is large.
_FEED = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
chunk = b"x" * (1 << 20)
for _ in range(256):
    proc.stdin.write(chunk)
proc.stdin.close()
_pid, status, usage = os.wait4(proc.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def test_explain_memory_stays_flat_on_an_endless_line(bundle_arg: List[str]) -> None:
    # Memory is a count of bytes, not time: the peak must not grow with the line.
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-c", _FEED, sys.executable, "-m", "generator", "explain", "-", *bundle_arg]
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    code, peak = map(int, proc.stdout.split())
    assert code == 1 and "Traceback" not in proc.stderr
    assert peak < 100 * 1024, f"peak RSS {peak // 1024} MiB for a 256 MiB line"


# -- closed standard streams and closed pipes: explain, run and audit


def _closed_pipe() -> int:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, like `| head -0`
    return write_end


def _script(code: str) -> List[str]:
    return ["--", sys.executable, "-c", code]


@pytest.fixture
def sample_log() -> Path:
    return ROOT / "kb" / "samples" / "python-h-missing" / "pip-install-psutil.log"


def _stream_cases(sample_log: Path, bundle_arg: List[str]) -> List[Tuple[str, List[str], int]]:
    failing = "import sys; sys.stdout.write('x' * 200000 + chr(10)); sys.stderr.write('fatal error: Python.h: No such file or directory' + chr(10)); sys.exit(3)"
    return [
        ("explain", ["explain", str(sample_log), *bundle_arg], 0),
        ("explain --json", ["explain", str(sample_log), "--json", *bundle_arg], 0),
        ("run", ["run", *bundle_arg, *_script(failing)], 3),
        ("run ok", ["run", *bundle_arg, *_script("print('ok')")], 0),
    ]


@pytest.mark.parametrize("how", ["stdin closed", "stdout closed", "stdin and stdout closed", "closed pipe"])
@pytest.mark.parametrize("which", ["explain", "explain --json", "run", "run ok"])
def test_closed_streams(sample_log: Path, bundle_arg: List[str], how: str, which: str) -> None:
    [(_, args, code)] = [c for c in _stream_cases(sample_log, bundle_arg) if c[0] == which]
    if how == "closed pipe":
        pipe = _closed_pipe()
        try:
            result = wheelfix(*args, stdout=pipe)
        finally:
            os.close(pipe)
        expected = 0 if which.startswith("explain") else code  # explain's output went nowhere; run still reports the command's code
    else:
        result = wheelfix(*args, close={"stdin closed": "<&-", "stdout closed": ">&-", "stdin and stdout closed": "<&- >&-"}[how])
        expected = code
    assert_clean(result)
    assert result.code == expected, result.err


# -- audit: requirements and lock files, their includes, guides, environments and project files


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _chain(repo: Path) -> Path:
    for i in range(3000):
        _write(repo / f"r{i}.txt", f"-r r{i + 1}.txt\n")
    _write(repo / "r3000.txt", "six==1.16.0\n")
    return repo / "r0.txt"


def _case_audit(case: str, repo: Path, tmp_path: Path) -> Tuple[Path, List[str], List[str]]:
    """The file to audit, extra arguments, and the words the one error line must hold."""
    requirements = repo / "requirements.txt"
    if case == "requirements file is a FIFO":
        return _fifo(requirements), TARGET, ["requirements.txt: is a named pipe (FIFO)"]
    if case == "requirements file is /dev/zero":
        requirements.symlink_to("/dev/zero")
        return requirements, TARGET, ["requirements.txt: is a character device"]
    if case == "-r /dev/zero":
        _write(requirements, "six==1.16.0\n-r /dev/zero\n")
        return requirements, TARGET, ["requirements.txt:2: cannot read included file /dev/zero (leads outside"]
    if case == "-r a FIFO":
        _fifo(repo / "more.txt")
        _write(requirements, "-r more.txt\n")
        return requirements, TARGET, ["requirements.txt:1: cannot read included file more.txt (is a named pipe (FIFO)"]
    if case == "-r a link out of the repository":
        (repo / "more.txt").symlink_to(_outside(tmp_path))
        _write(requirements, "-r more.txt\n")
        return requirements, TARGET, ["requirements.txt:1: cannot read included file more.txt (leads outside"]
    if case == "-r 3,000 deep":
        return _chain(repo), TARGET, ["r32.txt:1: -r/-c includes nest more than 32 files deep"]
    if case == "5,000-digit pin":
        return _write(requirements, f"six=={HUGE}\n"), TARGET, ["requirements.txt:1: ", "5000 digits"]
    if case == "pylock wheels = 5":
        text = 'lock-version = "1.0"\n[[packages]]\nname = "six"\nversion = "1.16.0"\nwheels = 5\n'
        return _write(repo / "pylock.toml", text), TARGET, ["pylock.toml:2: six: 'wheels' must be an array of tables, not an integer (5)"]
    if case == "uv resolution-markers = 5":
        text = 'version = 1\n[[package]]\nname = "six"\nversion = "1.16.0"\nresolution-markers = 5\nsource = { registry = "x" }\n'
        return _write(repo / "uv.lock", text), TARGET, ["uv.lock:2: six: 'resolution-markers' must be an array of strings, not an integer (5)"]
    if case == "TOML nested 100,000 deep":
        path = _write(repo / "poetry.lock", "x = " + "[" * 100_000 + "]" * 100_000 + "\n")
        return path, TARGET, ["poetry.lock: TOML nested too deeply to read"]
    _write(requirements, "six==1.16.0\n")
    if case == "--guides is a FIFO":
        return requirements, [*TARGET, "--guides", str(_fifo(repo / "g.json"))], ["cannot read guides file", "g.json: is a named pipe (FIFO)"]
    if case == "--guides JSON nested 100,000 deep":
        guides = _write(repo / "g.json", "[" * 100_000 + "]" * 100_000)
        return requirements, [*TARGET, "--guides", str(guides)], ["g.json: JSON nested too deeply to read"]
    if case == "pyproject.toml is a FIFO":  # read to find the project's Python when --python is not given
        _fifo(repo / "pyproject.toml")
        return requirements, TARGET[2:], ["pyproject.toml: is a named pipe (FIFO)"]
    if case == "render.yaml links out of the repository":
        (repo / "render.yaml").symlink_to(_outside(tmp_path))
        return requirements, TARGET[2:], ["render.yaml: leads outside"]
    if case == "--env with kb/environments.yaml a FIFO":
        (repo / "kb").mkdir()
        _fifo(repo / "kb" / "environments.yaml")
        return requirements, ["--env", "render", "--kb", str(repo / "kb")], ["environments.yaml: is a named pipe (FIFO)"]
    raise AssertionError(case)


AUDIT_CASES = [
    "requirements file is a FIFO", "requirements file is /dev/zero", "-r /dev/zero", "-r a FIFO",
    "-r a link out of the repository", "-r 3,000 deep", "5,000-digit pin", "pylock wheels = 5",
    "uv resolution-markers = 5", "TOML nested 100,000 deep", "--guides is a FIFO", "--guides JSON nested 100,000 deep",
    "pyproject.toml is a FIFO", "render.yaml links out of the repository", "--env with kb/environments.yaml a FIFO",
]


@pytest.mark.parametrize("case", AUDIT_CASES)
def test_audit_refuses_hostile_files(repo: Path, tmp_path: Path, case: str) -> None:
    path, args, words = _case_audit(case, repo, tmp_path)
    result = wheelfix("audit", str(path), *args, "--offline", cwd=repo)
    assert_refused(result, 2, *words)


@pytest.mark.parametrize("how", ["stdin closed", "stdout closed", "closed pipe"])
def test_audit_with_closed_streams(index_server: IndexServer, repo: Path, how: str) -> None:
    path = _write(repo / "requirements.txt", "six==1.16.0\n")
    # --no-deps: the closed streams are the point here; resolving the closure is tested in test_audit_cmd.
    args = ["audit", str(path), *TARGET, "--no-deps", "--index-url", index_server.index_url]
    if how == "closed pipe":
        pipe = _closed_pipe()
        try:
            result = wheelfix(*args, cwd=repo, stdout=pipe)
        finally:
            os.close(pipe)
    else:
        result = wheelfix(*args, cwd=repo, close="<&-" if how == "stdin closed" else ">&-")
    assert_clean(result)
    assert result.code == 0, result.err


# -- table: an index page with numbers no version can have; arguments likewise


def test_table_skips_index_entries_with_huge_numbers(index_server: IndexServer) -> None:
    index_server.set_page("demo", {
        "meta": {"api-version": "1.1"}, "name": "demo", "versions": ["1.0", HUGE],
        "files": [
            {"filename": "demo-1.0-py3-none-any.whl", "url": "demo-1.0-py3-none-any.whl", "hashes": {}},
            {"filename": f"demo-{HUGE}.tar.gz", "url": "x.tar.gz", "hashes": {}},
            {"filename": f"demo-1.0-{HUGE}-py3-none-any.whl", "url": "y.whl", "hashes": {}},
        ],
    })
    result = wheelfix("table", "demo", *TARGET, "--index-url", index_server.index_url, "--json")
    assert_clean(result)
    assert result.code == 0, result.err
    [cell] = json.loads(result.out)["cells"]
    assert [r["version"] for r in cell["releases"]] == ["1.0"]
    assert result.err.count("skipping") == 3 and all(len(line) < 300 for line in result.err.splitlines())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--release", f"<{HUGE}"], ["--release '<1111", "5000 digits"]),
        (["--python", "3.12", "--platform", "manylinux_2_99999_x86_64"], ["manylinux_2_99999_x86_64", "at most 3 digits"]),
        (["--python", f"3.{HUGE}", "--platform", "win_amd64"], ["is not of the form X.Y"]),
    ],
)
def test_table_refuses_huge_numbers_in_arguments(index_server: IndexServer, args: Sequence[str], words: List[str]) -> None:
    result = wheelfix("table", "six", *args, "--index-url", index_server.index_url)
    assert_refused(result, 2, *words)


def test_error_messages_escape_what_a_terminal_would_act_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    name = tmp_path / "evil\x1b]0;pwned\x07\u202e\n.txt"
    assert main(["audit", str(name), *TARGET, "--offline"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\u202e" not in err and "\x07" not in err
    assert "evil\\x1b]0;pwned\\x07\\u202e\\n.txt: no such file" in err
    assert len([line for line in err.splitlines() if line.startswith("wheelfix: error: ")]) == 1
