"""Error signatures: validate them into a bundle, write it, load it.

A record's ``signatures`` say which logs its guide fixes.  Each signature is a
list of conditions (``text``: a literal; ``regex``: a pattern in a restricted
subset, see :mod:`generator.logs.patterns`) that must *all* hold somewhere in one
log, plus optionally a ``package`` that the log must name (``Building wheel
for X``, ``Failed to build X``, ...).  The build turns every record into
``signatures.json`` (:func:`bundle_from_guides`, format documented in
docs/api.md), where each regex carries the program :mod:`generator.logs.linre`
compiled it to; the command line and the browser (paste.js, linre.js) load
that bundle (:func:`load_bundle`, into a :class:`generator.logs.matcher.Matcher`),
run those programs in linear time, and rank guides the same way.

Ranking: a matching signature scores ``1000`` if it names a package, plus
``100`` per condition, plus the length of its required literals (at most 99);
a guide scores its best signature; ties go by guide id.  So a guide tied to
the package being built, or with more conditions, beats a generic one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Set, Tuple, Union

from generator import safefile
from generator.logs import linre
from generator.logs.diagnose import canonical_name
from generator.logs.matcher import Condition, Guide, Matcher, Signature
from generator.logs.patterns import SignatureError, check_text, compile_pattern

#: The site the guides are published on (render.yaml's static site); the
#: environment variable WHEELFIX_SITE_URL overrides it, e.g. for a mirror or a preview.
SITE_URL = "https://wheelfix.onrender.com/"

#: The version of the signatures.json format written and read here (2: every
#: regex condition carries its generator.logs.linre program).
BUNDLE_FORMAT = 2

#: Largest signatures bundle read, in bytes (the real one is a few hundred KB).
MAX_BUNDLE_BYTES = 64 << 20

# --------------------------------------------------------------------------
# The bundle


def _score(package: Optional[str], needs: Sequence[Sequence[str]]) -> int:
    literal = sum(min(len(s) for s in alts) for alts in needs)
    return (1000 if package else 0) + 100 * len(needs) + min(99, literal)


def _compile_signature(sig: Any, where: str) -> Dict[str, Any]:
    if not isinstance(sig, Mapping):
        raise SignatureError(f"{where}: must be a mapping with 'match' (and optionally 'package'), got {sig!r}")
    package = sig.get("package")
    if package is not None and (not isinstance(package, str) or not package.strip()):
        raise SignatureError(f"{where}.package: must be a package name, got {package!r}")
    conditions = sig.get("match")
    if not isinstance(conditions, Sequence) or isinstance(conditions, str) or not conditions:
        raise SignatureError(f"{where}.match: must be a non-empty list of conditions, got {conditions!r}")
    match: List[Dict[str, Any]] = []
    needs: List[List[str]] = []
    for j, cond in enumerate(conditions):
        at = f"{where}.match[{j}]"
        if not isinstance(cond, Mapping) or len(cond) != 1 or not set(cond) <= {"text", "regex"}:
            raise SignatureError(f"{at}: must be exactly one of {{text: ...}} or {{regex: ...}}, got {cond!r}")
        if "text" in cond:
            check_text(cond["text"], at)
            match.append({"text": cond["text"]})
            needs.append([cond["text"]])
        else:
            need, program = compile_pattern(cond["regex"], at)
            needs.append(need)
            match.append({"regex": cond["regex"], "program": program})
    return {"package": package, "match": match, "need": needs, "score": _score(package, needs)}


_PASSTHROUGH = ("summary", "short_url", "packages", "python", "platforms", "versions", "build_requires")


def bundle_from_guides(guides: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """Build the JSON-ready ``signatures.json`` object (format 2, see docs/api.md).

    ``guides`` holds one mapping per record: ``id``, ``title``, ``summary``,
    ``url``, ``short_url``, ``fix``, ``packages``, ``python``, ``platforms``,
    ``versions``, ``build_requires`` and ``signatures``.  Every signature is
    checked (:func:`check_pattern`, :func:`check_text`) and gets its ``need``
    (required literals per condition) and ``score``; a regex condition gets
    its ``program`` (see :mod:`generator.logs.linre`).
    """
    out: List[Dict[str, Any]] = []
    seen: Set[str] = set()
    for i, guide in enumerate(guides):
        gid = guide.get("id") if isinstance(guide, Mapping) else None
        if not isinstance(gid, str) or not gid:
            raise SignatureError(f"guides[{i}]: needs an 'id' string, got {gid!r}")
        if gid in seen:
            raise SignatureError(f"guides[{i}]: id {gid!r} appears twice")
        seen.add(gid)
        entry: Dict[str, Any] = {"id": gid}
        for key in ("title", "url", "fix"):
            value = guide.get(key, "")
            if not isinstance(value, str):
                raise SignatureError(f"{gid}: {key} must be a string, got {value!r}")
            entry[key] = " ".join(value.split()) if key != "url" else value
        for key in _PASSTHROUGH:
            if key in guide:
                entry[key] = guide[key]
        sigs = guide.get("signatures") or []
        if not isinstance(sigs, Sequence) or isinstance(sigs, str):
            raise SignatureError(f"{gid}: signatures must be a list, got {sigs!r}")
        entry["signatures"] = [_compile_signature(s, f"{gid}: signatures[{k}]") for k, s in enumerate(sigs)]
        out.append(entry)
    out.sort(key=lambda g: g["id"])
    return {"format": BUNDLE_FORMAT, "guides": out}


def bundle_json(bundle: Mapping[str, Any], indent: int = 1) -> str:
    """The JSON text of a bundle: indented, but a list of plain values on one line.

    So each program instruction takes one line, not one per number.
    """
    return _dump(bundle, indent, 0) + "\n"


def _dump(value: Any, indent: int, level: int) -> str:
    nested = isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value))
    if not value or not nested:
        return json.dumps(value, ensure_ascii=False)
    pad = "\n" + " " * (indent * (level + 1))
    if isinstance(value, dict):
        items = [json.dumps(k, ensure_ascii=False) + ": " + _dump(v, indent, level + 1) for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        items = [_dump(v, indent, level + 1) for v in value]
        opening, closing = "[", "]"
    return opening + pad + ("," + pad).join(items) + "\n" + " " * (indent * level) + closing


def guide_url(url: str, site_url: Optional[str] = None) -> str:
    """``url`` (relative to the site) joined to ``site_url``.

    The default is $WHEELFIX_SITE_URL, else :data:`SITE_URL`; "" keeps the path relative.
    """
    base = (os.environ.get("WHEELFIX_SITE_URL") or SITE_URL) if site_url is None else site_url
    if not base or "://" in url:
        return url
    return base.rstrip("/") + "/" + url.lstrip("/")


def _show(value: Any) -> str:
    """``value`` for an error message: its repr, cut short (bundles are untrusted)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def load_bundle(data: Mapping[str, Any], source: str = "signatures bundle") -> Matcher:
    """Load a ``signatures.json`` object; raises :class:`SignatureError` if malformed.

    ``source`` starts every error message (e.g. ``"signatures bundle FILE"``).
    """
    if not isinstance(data, Mapping):
        raise SignatureError(f"{source}: must be a JSON object, got {type(data).__name__}")
    if data.get("format") != BUNDLE_FORMAT:
        raise SignatureError(
            f"{source}: format {_show(data.get('format'))} is not supported (expected {BUNDLE_FORMAT})",
            hint="regenerate it with `wheelfix bundle` or use a wheelfix matching the site",
        )
    raw_guides = data.get("guides")
    if not isinstance(raw_guides, list):
        raise SignatureError(f"{source}: 'guides' must be a list")
    guides: List[Guide] = []
    sigs: List[Signature] = []
    conds: List[Condition] = []
    cond_index: Dict[Tuple[str, str], int] = {}
    programs: List[Any] = []  # the program data of each condition (None for text)
    needs: Dict[str, Set[int]] = {}
    for i, g in enumerate(raw_guides):
        where = f"{source}: guides[{i}]"
        if not isinstance(g, Mapping):
            raise SignatureError(f"{where}: must be an object")
        fields = {}
        for field_name in ("id", "title", "url", "fix"):
            value = g.get(field_name)
            if not isinstance(value, str):
                raise SignatureError(f"{where}.{field_name}: must be a string, got {_show(value)}")
            fields[field_name] = value
        guides.append(Guide(**fields))
        raw_sigs = g.get("signatures")
        if not isinstance(raw_sigs, list):
            raise SignatureError(f"{where}.signatures: must be a list")
        for k, s in enumerate(raw_sigs):
            at = f"{where}.signatures[{k}]"
            if not isinstance(s, Mapping):
                raise SignatureError(f"{at}: must be an object")
            package, score, match, need = s.get("package"), s.get("score"), s.get("match"), s.get("need")
            if package is not None and not isinstance(package, str):
                raise SignatureError(f"{at}.package: must be a string or null")
            if not isinstance(score, int) or isinstance(score, bool):
                raise SignatureError(f"{at}.score: must be an integer")
            if not isinstance(match, list) or not match or not isinstance(need, list) or len(need) != len(match):
                raise SignatureError(f"{at}: 'match' and 'need' must be non-empty lists of equal length")
            sig_index = len(sigs)
            sigs.append(Signature(len(guides) - 1, canonical_name(package) if package else None, len(match), score))
            for j, (cond, alts) in enumerate(zip(match, need)):
                key = _condition_key(cond, f"{at}.match[{j}]")
                if not isinstance(alts, list) or not alts or not all(isinstance(a, str) and a for a in alts):
                    raise SignatureError(f"{at}.need[{j}]: must be a non-empty list of strings")
                if key[0] == "text" and alts != [key[1]]:
                    raise SignatureError(f"{at}.need[{j}]: must be [the text]")
                ci = cond_index.get(key)
                if ci is None:
                    ci = cond_index[key] = len(conds)
                    conds.append(_load_condition(cond, f"{at}.match[{j}]"))
                    programs.append(cond.get("program"))
                    for a in alts:
                        needs.setdefault(a, set()).add(ci)
                elif cond.get("program") != programs[ci]:
                    raise SignatureError(f"{at}.match[{j}]: regex {_show(key[1])} appears with two different programs")
                conds[ci].users.append((sig_index, j))
    return Matcher(guides, sigs, conds, needs)


_CONDITION_SHAPE = '{"text": ...} or {"regex": ..., "program": [...]}'


def _condition_key(cond: Any, where: str) -> Tuple[str, str]:
    """What makes two conditions the same: kind, and text or pattern."""
    if isinstance(cond, Mapping) and set(cond) == {"text"} and isinstance(cond["text"], str) and cond["text"]:
        return ("text", cond["text"])
    if isinstance(cond, Mapping) and set(cond) == {"regex", "program"} and isinstance(cond["regex"], str):
        return ("regex", cond["regex"])
    raise SignatureError(f"{where}: must be {_CONDITION_SHAPE}, got {_show(cond)}")


def _load_condition(cond: Mapping[str, Any], where: str) -> Condition:
    if "text" in cond:
        return Condition(cond["text"], None)
    try:
        return Condition(None, linre.Program(cond["program"]))
    except linre.ProgramError as exc:
        raise SignatureError(f"{where}.program: {exc}") from None


def read_bundle_text(path: Union[str, Path]) -> str:
    """The text of a bundle file: a regular file of at most :data:`MAX_BUNDLE_BYTES` bytes of UTF-8."""
    try:
        return safefile.read_text(path, limit=MAX_BUNDLE_BYTES, display=f"signatures bundle {path}")
    except safefile.UnreadableFile as exc:
        raise SignatureError(str(exc), hint="pass the signatures.json of a wheelfix site, or one written by `wheelfix bundle`") from None


def read_bundle(path: Union[str, Path]) -> Any:
    """The JSON data of a bundle file, read with bounds; raises :class:`SignatureError`."""
    text = read_bundle_text(path)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SignatureError(f"signatures bundle {path}: not JSON ({exc})") from None
    except RecursionError:
        raise SignatureError(f"signatures bundle {path}: not JSON a bundle could hold (nested too deeply)") from None


def load_bundle_file(path: Union[str, Path, None] = None) -> Matcher:
    """Load a bundle from ``path``, or the one shipped in the package when ``None``."""
    where = f"signatures bundle {path}" if path is not None else "bundled signatures.json"
    return load_bundle(bundle_data(path), where)


def bundle_data(path: Union[str, Path, None] = None) -> Any:
    """The JSON data of the bundle at ``path``, or of the one shipped in the package when ``None``."""
    if path is not None:
        return read_bundle(path)
    from importlib import resources

    try:
        text = resources.files("generator").joinpath("data/signatures.json").read_text("utf-8")
    except (FileNotFoundError, OSError):
        raise SignatureError(
            "no signatures bundled with this wheelfix (generator/data/signatures.json is missing)",
            hint="pass --index FILE, or run `wheelfix bundle` in a checkout",
        ) from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SignatureError(f"bundled signatures.json: not JSON ({exc})") from None


def iter_conditions(bundle: Mapping[str, Any]) -> Iterator[Tuple[str, str, str]]:
    """``(guide id, kind, value)`` for every condition of a bundle (used by bench)."""
    for g in bundle.get("guides", []):
        for s in g.get("signatures", []):
            for cond in s.get("match", []):
                for kind, value in cond.items():
                    if kind in ("text", "regex"):
                        yield g["id"], kind, value
