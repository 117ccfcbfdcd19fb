"""``wheelfix new --from-log LOG ID``: draft a record and its sample from a failing build's log.

The log is read with bounds (a regular file from its end, a stream through a
fixed-size window), stripped of terminal escapes, redacted
(:mod:`generator.logs.redact`) and written to ``kb/samples/ID/``.  That sample
is then read the way ``wheelfix explain`` reads a log (the same function, the
same bundle), which gives the guide that already matches it, the package that
failed, the Python version and what the log proves of the platform; the
decisive lines and the first signature come from :mod:`generator.logs.scaffold`.
The record's drafted fields are facts of the sample; everything else is a TODO
that ``wheelfix check`` refuses until it is filled in.
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Dict, List, Optional

from generator import safefile
from generator.cli.commands._common import TEMPLATE_TAIL
from generator.errors import WheelfixError
from generator.logs import redact, scaffold
from generator.logs.bundle import bundle_data, bundle_from_guides, load_bundle
from generator.logs.diagnose import Diagnosis
from generator.logs.matcher import Match
from generator.logs.text import ANSI_PATTERN, LogError, iter_lines, iter_raw_blocks

#: The sample keeps at most the log's last this many bytes (the failure is at its end).
SAMPLE_LIMIT = 256 * 1024
_CHUNK = 1 << 16
_ansi_re = re.compile(ANSI_PATTERN)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_LOG_HINT = "pass the failing build's log, e.g. pip install ... > build.log 2>&1"


@dataclass
class Scaffold:
    """What ``new --from-log`` wrote and found."""

    record: Path
    sample: Path
    text: str
    truncated: bool
    draft: scaffold.Draft
    diagnosis: Diagnosis
    #: The guides ``wheelfix explain`` shows for the sample, best first.
    existing: List[Match] = field(default_factory=list)
    signature: Dict[str, Any] = field(default_factory=dict)
    platforms: List[str] = field(default_factory=list)


def read_tail(path: str) -> "tuple[bytes, bool]":
    """The last :data:`SAMPLE_LIMIT` bytes of the log at ``path`` (``-``: standard input), whole lines only."""
    if path == "-":
        from generator.cli.commands.explain import stdin_log

        return _tail(stdin_log(), None)
    problem = safefile.log_path_problem(path)
    if problem is not None:
        raise LogError(f"cannot read log {safefile.shown(path)}: {problem}", hint=_LOG_HINT)
    try:
        with open(path, "rb") as stream:
            mode = os.fstat(stream.fileno()).st_mode
            return _tail(stream, os.fstat(stream.fileno()).st_size if stat.S_ISREG(mode) else None)
    except OSError as exc:
        raise LogError(f"cannot read log {safefile.shown(path)}: {exc.strerror or exc}", hint=_LOG_HINT) from None


def _tail(stream: BinaryIO, size: Optional[int]) -> "tuple[bytes, bool]":
    if size is not None and size > SAMPLE_LIMIT:
        stream.seek(size - SAMPLE_LIMIT - 1)  # one byte more: is the first kept line whole?
    window = b""
    total = 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        total += len(chunk)
        window = (window + chunk)[-(SAMPLE_LIMIT + 1):]
    truncated = (size if size is not None else total) > SAMPLE_LIMIT
    if truncated:
        cut = window.find(b"\n")
        window = window[cut + 1:] if cut >= 0 else b""
    return window, truncated


def sample_text(raw: bytes, hosts: List[str]) -> str:
    """The sample as published: the log's text without terminal escapes, line breaks unified, redacted."""
    text = "\n".join(block.decode("utf-8", "replace") for block in iter_raw_blocks(io.BytesIO(raw)))
    text = _ansi_re.sub("", text).replace("\ufffd", "?")
    return redact.redact(text, hosts).rstrip("\n") + "\n"


def sample_name(log: str) -> str:
    """A safe file name for the sample, from the log's own name."""
    stem = _SAFE_NAME.sub("-", Path(log).name.rsplit(".", 1)[0]).strip("-")[:60].strip("-")
    return f"{stem or 'build'}.log" if log != "-" else "build.log"


def make(args: Any, hosts: List[str]) -> Scaffold:
    """Check that nothing would be overwritten, read and redact the log, analyse it, write record and sample."""
    from generator.cli.commands.explain import analyse

    kb = Path(args.kb)
    record = kb / f"{args.id}.yaml"
    folder = kb / "samples" / args.id
    for existing in (record, folder):
        if os.path.lexists(existing):
            raise WheelfixError(f"{safefile.shown(existing)} already exists; nothing was written",
                                hint="ids are never reused: pick another id, or add the log to that record's samples by hand")
    raw, truncated = read_tail(args.from_log)
    if not raw.strip(b" \t\r\n\x00"):
        what = "is empty" if not raw else "holds only blank lines"
        raise LogError(f"the log {safefile.shown(args.from_log)} {what}", hint=_LOG_HINT)
    text = sample_text(raw, hosts)
    data = text.encode("utf-8")
    bundle = bundle_data(args.index)
    matches, diagnosis = analyse(io.BytesIO(data), load_bundle(bundle), False, safefile.shown(args.from_log), nearest=False)
    lines = list(iter_lines(io.BytesIO(data)))
    found = scaffold.draft(lines, scaffold.general_matcher(bundle))
    signature = _signature(args.id, found.literal, diagnosis.failed, data)
    platforms = _platforms(kb, diagnosis.platform)
    name = sample_name(args.from_log)
    result = Scaffold(record, folder / name, text, truncated, found, diagnosis, matches, signature, platforms)
    try:
        folder.mkdir(parents=True)
        (folder / name).write_bytes(data)
        (folder / "SOURCES.md").write_text(_SOURCES.format(name=name), encoding="utf-8")
        with open(record, "x", encoding="utf-8") as out:  # "x": never over a record made meanwhile
            out.write(render(args.id, result))
    except OSError as exc:
        raise WheelfixError(f"cannot write {safefile.shown(exc.filename or folder)}: {exc.strerror or exc}",
                            hint=f"check that {safefile.shown(kb)} is a writable folder") from None
    return result


def _signature(gid: str, literal: Optional[str], package: Optional[str], data: bytes) -> Dict[str, Any]:
    """The first signature: the literal, with the failed package when the matcher sees the log name it."""
    if literal is None:
        return {}
    for candidate in ({"package": package, "match": [{"text": literal}]}, {"match": [{"text": literal}]}):
        if "package" in candidate and not package:
            continue
        guide = {"id": gid, "title": gid, "url": "", "fix": "", "signatures": [candidate]}
        if load_bundle(bundle_from_guides([guide])).match_stream(io.BytesIO(data)):
            return candidate
    return {}


def _platforms(kb: Path, tag: Optional[str]) -> List[str]:
    """Names in kb/environments.yaml whose platform tag is exactly the one the log proves."""
    if not tag:
        return []
    from generator.kb import ENVIRONMENTS_FILE
    from generator.kb.environments import load_environments

    try:
        environments = load_environments(kb / ENVIRONMENTS_FILE, root=kb)
    except (WheelfixError, safefile.UnreadableFile):
        return []
    return sorted(name for name, env in environments.items() if env.platform == tag)


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's), with every non-printable character escaped."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in json.dumps(value, ensure_ascii=False))


_SOURCES = """\
# Where these samples come from

- `{name}`: TODO: where this log comes from: the command that produced it and the tool
  versions, or the public issue or CI run it was posted in. Samples are real logs, or
  composed only from the emitting tool's own messages (see CONTRIBUTING.md).
"""


def render(gid: str, s: Scaffold) -> str:
    """The drafted record's YAML."""
    from generator.kb.modeline import MODELINE

    d, out = s.diagnosis, []
    out.append(MODELINE)
    out.append(f"# Drafted by `wheelfix new --from-log` from kb/samples/{gid}/{s.sample.name}. Replace every TODO,")
    out.append("# check what was taken from the log, then run `wheelfix check`. Every fact needs a public")
    out.append("# source under `references`; see CONTRIBUTING.md.")
    out.append(f"id: {gid}")
    out.append('title: "TODO: the problem as a user would search for it"')
    out.append('summary: "TODO: one or two sentences: what fails, why, and the fix."')
    pkg = d.failed
    out.append(f"packages: [{_q(pkg)}]  # the package whose build failed, as the log names it" if pkg else "packages: []  # the log names no failed package")
    out.append("affects:")
    minor = re.match(r"[0-9]+\.[0-9]+", d.python or "")
    if d.python and minor:
        out.append(f'  python: "=={minor.group()}.*"  # the log shows Python {_clean(d.python)}; widen it only with a source')
    else:
        out.append('  python: ""  # the log does not show the Python version')
    version = d.versions.get(pkg) if pkg else None
    if pkg and version:
        out.append(f"  packages: {{{_q(pkg)}: {_q('==' + version)}}}  # the version the log builds; write the affected range")
    else:
        out.append("  packages: {}")
    proof = f"the log proves: {d.platform_proof or d.platform}" if d.platform else "the log proves no platform"
    out.append(f"  platforms: [{', '.join(s.platforms)}]  # {_clean(proof)}; names from kb/environments.yaml")
    out.append("  tags: []")
    out.append("symptoms:  # the log's decisive lines")
    out.extend(f"  - {_q(line)}" for line in s.draft.symptoms)
    if not s.draft.symptoms:
        out.append('  - "TODO: an error line exactly as the log shows it"')
    out.append("signatures:")
    sig = s.signature
    if sig:
        if sig.get("package"):
            out.append(f"  - package: {_q(sig['package'])}")
            out.append("    match:")
        else:
            out.append("  - match:")
        out.append(f"      - text: {_q(sig['match'][0]['text'])}")
    else:
        out.append("  - match:")
        out.append('      - text: "TODO: literal text from the log"')
    out.append(TEMPLATE_TAIL)
    return "\n".join(out)


def _clean(comment: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in comment)

