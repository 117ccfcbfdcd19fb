"""Fix guides as the signatures bundle lists them, and which guide is about a finding."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from generator import pep440
from generator import safefile
from generator.audit.errors import AuditError
from generator.logs.bundle import guide_url

__all__ = ["Guide", "guide_for", "load_guides", "parse_guides"]

@dataclass(frozen=True)
class Guide:
    """A fix guide as listed in the signatures bundle."""

    id: str
    title: str
    url: str
    packages: Tuple[str, ...]
    python: Optional[SpecifierSet] = None
    versions: Mapping[str, SpecifierSet] = field(default_factory=dict)
    build_requires: Tuple[str, ...] = ()

    def matches(self, package: str, version: Optional[Version], python: str) -> bool:
        """Whether this guide is about ``package`` at ``version`` on CPython ``python``."""
        package = canonicalize_name(package)
        if package not in self.packages:
            return False
        spec = self.versions.get(package)
        if spec is not None and (version is None or not spec.contains(version, prereleases=True)):
            return False
        if self.python is not None and not self.python.contains(Version(python), prereleases=True):
            return False
        return True

    def to_json(self) -> Dict[str, str]:
        """The ``guide`` object of a finding in ``--json``."""
        return {"id": self.id, "title": self.title, "url": self.url}


def _guide_error(where: str, message: str) -> AuditError:
    return AuditError(f"{where}: {message}", hint="regenerate it with `wheelfix bundle`, or pass another --guides FILE")


#: Formats of signatures.json whose guides read the same (2 only added the programs of conditions).
_GUIDE_FORMATS = (1, 2)


def parse_guides(data: Any, where: str) -> List[Guide]:
    """Read the guides of a signatures bundle (``{"format": 2, "guides": [...]}``, or format 1)."""
    if not isinstance(data, dict) or data.get("format") not in _GUIDE_FORMATS:
        raise _guide_error(where, "not a signatures bundle of format 1 or 2 ({\"format\": 2, \"guides\": [...]})")
    guides = data.get("guides")
    if not isinstance(guides, list):
        raise _guide_error(where, "\"guides\" must be a list")
    out: List[Guide] = []
    for i, raw in enumerate(guides):
        at = f"{where}: guides[{i}]"
        if not isinstance(raw, dict):
            raise _guide_error(at, "each guide must be an object")
        try:
            gid, title, url = str(raw["id"]), str(raw["title"]), guide_url(str(raw["url"]))
        except KeyError as exc:
            raise _guide_error(at, f"missing {exc.args[0]!r}") from None
        packages = raw.get("packages") or []
        if not isinstance(packages, list):
            raise _guide_error(at, "\"packages\" must be a list of names")
        try:
            python = pep440.specifier_set(raw["python"]) if raw.get("python") else None
            versions: Dict[str, SpecifierSet] = {
                canonicalize_name(k): pep440.specifier_set(v) for k, v in (raw.get("versions") or {}).items()
            }
        except (InvalidSpecifier, AttributeError, TypeError) as exc:
            raise _guide_error(at, f"bad version specifier ({exc})") from None
        out.append(
            Guide(
                id=gid,
                title=title,
                url=url,
                packages=tuple(canonicalize_name(str(p)) for p in packages),
                python=python,
                versions=versions,
                build_requires=tuple(str(b) for b in raw.get("build_requires") or []),
            )
        )
    return out


#: A guides file is a signatures bundle: a few KiB per guide.
_MAX_GUIDES_BYTES = 16 * 1024 * 1024


def load_guides(path: Optional[Path] = None) -> Tuple[List[Guide], Optional[str]]:
    """Load guides from ``path`` or the bundled ``generator/data/signatures.json``.

    Returns the guides and a warning to show when there are none to link.
    """
    if path is not None:
        try:
            text = safefile.read_text(path, limit=_MAX_GUIDES_BYTES)
        except safefile.UnreadableFile as exc:
            raise AuditError(f"cannot read guides file {exc}", hint="check --guides") from None
        where = safefile.shown(path)
    else:
        bundled = resources.files("generator").joinpath("data").joinpath("signatures.json")
        if not bundled.is_file():
            return [], "no guides are bundled with this wheelfix; findings carry no guide links"
        text = bundled.read_text(encoding="utf-8")
        where = "bundled signatures.json"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _guide_error(f"{where}:{exc.lineno}", f"not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise _guide_error(where, "JSON nested too deeply to read") from None
    return parse_guides(data, where), None


def guide_for(guides: Sequence[Guide], package: str, version: Optional[Version], python: str) -> Optional[Guide]:
    """The first guide about ``package`` at ``version`` on CPython ``python``."""
    for guide in guides:
        if guide.matches(package, version, python):
            return guide
    return None
