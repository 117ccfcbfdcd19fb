"""Named targets: platforms, hosts and images, with their facts and sources.

``kb/environments.yaml`` defines the names that records use under
``affects.platforms`` (``linux-x86_64``, ``alpine``, ``render`` ...).  Each
name maps to the most specific platform tag pip would see there, which is what
the wheel tables and ``wheelfix audit --env`` use.  This module knows nothing
about records.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from typing_extensions import Annotated

from generator import safefile
from generator.kb import safetext
from generator.errors import WheelfixError
from generator.kb.yamldoc import DocumentError, load_document, validate

_NAME_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
# Versions in tags have at most 3 digits: the engine lists every older version a tag accepts.
_TAG_RE = re.compile(r"^(manylinux_\d{1,3}_\d{1,3}|musllinux_\d{1,3}_\d{1,3}|macosx_\d{1,3}_\d{1,3})_[a-z0-9_]+$|^win_(amd64|arm64)$|^win32$")
_PY_RE = re.compile(r"^3\.\d{1,2}(\.\d{1,2})?$")
#: The file lists a few dozen environments; anything far larger is not it.
MAX_BYTES = 1024 * 1024


class InvalidEnvironments(WheelfixError):
    """kb/environments.yaml has problems; ``errors`` lists each with its position."""

    exit_code = 1
    multiline = True

    def __init__(self, errors: List[DocumentError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.format() for e in errors), hint="see docs/contributing.md for the format")


#: Shown exactly as written, escaped wherever it lands (see generator/kb/safetext.py).
_PlainText = Annotated[str, AfterValidator(safetext.check_plain)]
_Url = Annotated[str, AfterValidator(safetext.check_url)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Fact(_Model):
    """A fact about an environment and the public source that establishes it."""

    text: _PlainText = Field(min_length=10, description="Plain text.")
    source: _Url = Field(description="An http(s) URL.")


class Environment(_Model):
    """A platform, host or image that builds run on."""

    name: str
    title: _PlainText = Field(min_length=3)
    kind: str = Field(pattern=r"^(platform|host|image)$", description="platform, host (a hosting service) or image")
    platform: str = Field(description="The most specific platform tag pip sees there, e.g. manylinux_2_35_x86_64.")
    python_default: Optional[str] = Field(default=None, description="The Python a new service gets when none is pinned.")
    python_default_changes: bool = Field(default=False, description="Whether that default moves over time.")
    python_from: List[_PlainText] = Field(default_factory=list, description="Where the host reads the Python version from.")
    facts: List[Fact] = Field(default_factory=list)
    #: What wheelfix assumes where no public source says; shown as such, never as fact.
    assumptions: List[_PlainText] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a safe name: use lowercase letters, digits, '-' and '_'")
        return value

    @field_validator("platform")
    @classmethod
    def _platform(cls, value: str) -> str:
        if not _TAG_RE.match(value):
            raise ValueError(
                f"{value!r} is not a most-specific platform tag; expected e.g. manylinux_2_35_x86_64, "
                "musllinux_1_2_x86_64, macosx_14_0_arm64 or win_amd64"
            )
        return value

    @field_validator("python_default")
    @classmethod
    def _python(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not _PY_RE.match(value):
            raise ValueError(f"{value!r} is not a Python version; expected e.g. '3.13' or '3.13.4'")
        return value

    @property
    def python_minor(self) -> Optional[str]:
        """``3.13.4`` -> ``3.13``."""
        return ".".join(self.python_default.split(".")[:2]) if self.python_default else None


class EnvironmentsFile(_Model):
    """The whole of kb/environments.yaml."""

    environments: List[Environment] = Field(min_length=1)


def parse_environments(text: str, display: str) -> Dict[str, Environment]:
    """Parse the environments file's text; raise :class:`InvalidEnvironments` on problems."""
    doc = load_document(text, display)
    parsed = validate(doc, EnvironmentsFile)
    if parsed is not None:
        seen: Dict[str, int] = {}
        for i, env in enumerate(parsed.environments):
            if env.name in seen:
                line, col = doc.positions.of(("environments", i, "name"))
                doc.errors.append(DocumentError(display, line, col, f"environments[{i}].name", f"{env.name!r} is defined twice"))
            seen[env.name] = i
    if doc.errors or parsed is None:
        raise InvalidEnvironments(doc.errors)
    return {env.name: env for env in parsed.environments}


def load_environments(path: Path, root: Optional[Path] = None) -> Dict[str, Environment]:
    """Load ``kb/environments.yaml``; the result maps name -> :class:`Environment`.

    With ``root`` (the kb/ folder), a link leading out of it is refused.  Raises
    :class:`~generator.safefile.UnreadableFile` when the file cannot be read.
    """
    text = safefile.read_text(path, limit=MAX_BYTES, root=root)
    return parse_environments(text, safefile.shown(path))
