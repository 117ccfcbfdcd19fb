"""Incident records: the schema (declared once), YAML loading with positions, validation.

A record is one YAML file ``kb/<id>.yaml``.  The pydantic models below are the
single declaration of the format: they validate records and also produce the
JSON Schema published at ``/schema/incident.json`` (:func:`json_schema`).

Every problem is reported as a :class:`RecordError` that knows its file, line,
column and field path, so ``wheelfix check`` can print them all at once as::

    kb/tiktoken-cargo-read-only-filesystem.yaml:12:3: fixes[0].claim.requirement: ...
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from packaging.requirements import InvalidRequirement
from packaging.specifiers import InvalidSpecifier
from packaging.utils import canonicalize_name
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from typing_extensions import Annotated

from generator import pep440
from generator import safefile
from generator.kb import safetext
from generator.errors import WheelfixError
from generator.logs.patterns import check_pattern
from generator.kb.yamldoc import Document, DocumentError, FieldPath, Positions, format_path, load_document, validate

FORMAT_VERSION = 1

#: Safe, stable slugs: lowercase words joined by single hyphens.  They become
#: URLs and file names, so nothing here may traverse paths.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MAX_SLUG = 80
#: A project name as PEP 508 allows it (canonicalize_name leaves anything else as is).
_PROJECT_NAME_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$")
#: Platform and environment names (linux-x86_64, render, macos-arm64).
NAME_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
#: A platform tag as pip spells it (manylinux_2_35_x86_64, win_amd64, ...).
_PLATFORM_TAG_RE = re.compile(r"^[a-z0-9_]+$")
_LONG_TAG_NUMBER = re.compile(r"_[0-9]{4}")  # not the year of manylinux2014
_PYTHON_RE = re.compile(r"^3\.\d{1,2}t?$")
#: YAML larger than this is not a record; refuse before parsing.
_MAX_RECORD_BYTES = 512 * 1024


#: One problem in one record: ``file:line:col: field: message``.
RecordError = DocumentError


class InvalidRecords(WheelfixError):
    """Raised by :func:`load_kb` when any record is invalid; holds every problem."""

    exit_code = 1
    multiline = True

    def __init__(self, errors: Sequence[RecordError]) -> None:
        self.errors = list(errors)
        n = len(self.errors)
        super().__init__(
            f"{n} problem{'s' if n != 1 else ''} in the records:\n" + "\n".join(e.format() for e in self.errors),
            hint="run `wheelfix check` for the full list; docs/contributing.md describes the format",
        )


# --------------------------------------------------------------------------- value types


def _check_specifier(value: str) -> str:
    try:
        pep440.specifier_set(value)
    except InvalidSpecifier as exc:
        if pep440.number_problem(value):
            raise ValueError(str(exc)) from None
        raise ValueError(f"{value!r} is not a valid PEP 440 specifier set (expected e.g. '>=3.13' or '<0.8.0')") from None
    return safetext.check_specifier(value)


def _check_requirement(value: str) -> str:
    try:
        req = pep440.requirement(value)
    except InvalidRequirement as exc:
        if pep440.number_problem(value):
            raise ValueError(str(exc)) from None
        reason = str(exc).splitlines()[0]
        raise ValueError(f"{value!r} is not a valid PEP 508 requirement ({reason}); expected e.g. 'tiktoken>=0.8.0'") from None
    # The claim checker judges one project's releases by their versions; anything else
    # in the requirement would be silently left unchecked, so it is refused.
    unchecked = [
        (req.url, "a URL"),
        (req.marker, "an environment marker"),
        (req.extras, "extras"),
    ]
    for part, what in unchecked:
        if part:
            raise ValueError(f"{value!r} has {what}, which claims cannot check; write the project and a version specifier only, e.g. 'tiktoken>=0.8.0'")
    safetext.check_specifier(str(req.specifier))
    return value


def _check_package(value: str) -> str:
    if not _PROJECT_NAME_RE.match(value):
        raise ValueError(f"{value!r} is not a project name: letters, digits, '-', '_' and '.' only, starting and ending with a letter or digit")
    if canonicalize_name(value) != value:
        raise ValueError(f"{value!r} is not a normalised project name; write {canonicalize_name(value)!r}")
    return value


def _check_slug(value: str, what: str = "id") -> str:
    if len(value) > _MAX_SLUG or not SLUG_RE.match(value):
        raise ValueError(
            f"{value!r} is not a safe {what}: use lowercase letters, digits and single hyphens, at most {_MAX_SLUG} characters"
        )
    return value


def _check_python(value: str) -> str:
    if not _PYTHON_RE.match(value):
        raise ValueError(f"{value!r} is not a CPython version; expected 'X.Y' such as '3.13' (or '3.13t')")
    return value


def _check_platform_tag(value: str) -> str:
    if not _PLATFORM_TAG_RE.match(value):
        raise ValueError(f"{value!r} is not a platform tag; expected e.g. 'manylinux_2_35_x86_64' or 'win_amd64'")
    if _LONG_TAG_NUMBER.search(value):
        # The engine lists every older version a tag accepts: manylinux_2_99999999 would be millions.
        raise ValueError(f"{value!r} is not a real platform tag: its version numbers have at most 3 digits")
    return value


def _check_name(value: str) -> str:
    if not NAME_RE.match(value):
        raise ValueError(f"{value!r} is not a platform or environment name: use lowercase letters, digits, '-' and '_' (names are defined in kb/environments.yaml)")
    return value


# Constrained strings: validated per item, so errors point at the exact entry.
PackageName = Annotated[str, AfterValidator(_check_package)]
SpecifierText = Annotated[str, AfterValidator(lambda v: _check_specifier(v) if v else v)]
RequirementText = Annotated[str, AfterValidator(_check_requirement)]
PythonVersion = Annotated[str, AfterValidator(_check_python)]
PlatformTag = Annotated[str, AfterValidator(_check_platform_tag)]
PlatformName = Annotated[str, AfterValidator(_check_name)]
Slug = Annotated[str, AfterValidator(_check_slug)]
Tag = Annotated[str, AfterValidator(lambda v: _check_slug(v, "tag"))]
HttpUrl = Annotated[str, AfterValidator(safetext.check_url)]
#: Shown exactly as written (escaped wherever it lands); see generator/kb/safetext.py.
PlainText = Annotated[str, AfterValidator(safetext.check_plain)]
#: Rendered as Markdown without raw HTML or attribute lists, then sanitised.
MarkdownText = Annotated[str, AfterValidator(safetext.check_markdown)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=False)


class Condition(_Model):
    """One condition of a signature: literal text, or a regex from the linear-time subset."""

    text: Optional[str] = Field(default=None, min_length=3, description="Literal text that must appear in one log line.")
    regex: Optional[str] = Field(default=None, min_length=3, description="A regular expression (linear-time subset).")

    @model_validator(mode="after")
    def _exactly_one(self) -> "Condition":
        if (self.text is None) == (self.regex is None):
            raise ValueError("give exactly one of 'text' or 'regex'")
        if self.regex is not None:
            check_pattern(self.regex)  # raises SignatureError, a ValueError
        return self


class Signature(_Model):
    """Conditions that must all hold in one log for the record to match it."""

    package: Optional[PackageName] = Field(default=None, description="A project that must be named in the same log.")
    match: List[Condition] = Field(min_length=1, description="All must hold, possibly on different lines.")


class Claim(_Model):
    """A machine-checkable claim: this requirement installs from wheels on these targets."""

    requirement: RequirementText = Field(description="A PEP 508 requirement, e.g. 'tiktoken>=0.8.0'.")
    python: List[PythonVersion] = Field(min_length=1, description="CPython versions, e.g. ['3.13'].")
    platforms: List[PlatformTag] = Field(min_length=1, description="Platform tags, e.g. ['manylinux_2_35_x86_64'].")


class Fix(_Model):
    """One fix, in the order a reader should try them."""

    title: PlainText = Field(min_length=3, description="Plain text.")
    when: PlainText = Field(min_length=3, description="When this fix applies (plain text).")
    steps: MarkdownText = Field(min_length=3, description="Markdown, without HTML.")
    claim: Optional[Claim] = None


class Diagnostic(_Model):
    """An 'if it still fails' check: what to look for in the log and what it means."""

    look_for: PlainText = Field(min_length=3, description="Plain text, shown as code.")
    meaning: MarkdownText = Field(min_length=3, description="Markdown, without HTML.")


class Reference(_Model):
    """A public source that establishes facts in the record."""

    title: PlainText = Field(min_length=3, description="Plain text.")
    url: HttpUrl = Field(description="An http(s) URL.")


class Affects(_Model):
    """When the failure happens."""

    python: SpecifierText = Field(default="", description="A PEP 440 specifier set for the Python version, e.g. '>=3.13'.")
    packages: Dict[PackageName, SpecifierText] = Field(default_factory=dict, description="Affected versions, per project.")
    platforms: List[PlatformName] = Field(default_factory=list, description="Named platforms or environments (see kb/environments.yaml).")
    tags: List[Tag] = Field(default_factory=list, description="Free tags.")


class Incident(_Model):
    """One failure and how to fix it."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"$id": "incident.json", "title": "wheelfix incident record, format 1"},
    )

    id: Slug = Field(description="The file name without .yaml; a stable slug, because it is the guide's URL.")
    title: PlainText = Field(min_length=10, max_length=160, description="The problem as a user would search for it (plain text).")
    summary: PlainText = Field(min_length=20, max_length=400, description="One or two sentences (plain text).")
    aliases: List[Slug] = Field(default_factory=list, description="Former ids; their permanent links e/<id>/ keep working.")
    packages: List[PackageName] = Field(default_factory=list, description="Normalised project names; empty for failures not tied to one project.")
    affects: Affects
    build_requires: List[PlainText] = Field(default_factory=list, description="What a source build needs, e.g. 'a Rust toolchain'.")
    symptoms: List[PlainText] = Field(min_length=1, description="Error lines exactly as users see them (plain text).")
    signatures: List[Signature] = Field(min_length=1)
    cause: MarkdownText = Field(min_length=20, description="Markdown, without HTML.")
    fixes: List[Fix] = Field(min_length=1)
    diagnostics: List[Diagnostic] = Field(default_factory=list)
    references: List[Reference] = Field(min_length=1)
    related: List[Slug] = Field(default_factory=list)


def json_schema() -> Dict[str, Any]:
    """The JSON Schema of a record, derived from the models above."""
    schema = Incident.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["properties"]["id"]["pattern"] = SLUG_RE.pattern
    return schema


@dataclass(frozen=True)
class LoadedRecord:
    """A valid record, the file it came from, and where each field stands in it."""

    path: Path
    display: str
    incident: Incident
    positions: Positions = field(default_factory=Positions, compare=False, repr=False)


def display_path(path: Path, root: Optional[Path]) -> str:
    """``path`` as messages name it: relative to the folder holding ``root`` (kb/), terminal-safe."""
    try:
        shown = path.relative_to(root.parent) if root is not None else path
    except ValueError:
        shown = path
    return safefile.shown(shown)


def parse_record(text: str, display: str, stem: Optional[str] = None) -> Tuple[Optional[Incident], List[RecordError]]:
    """Parse and validate one record's text.  Pure: no file access.

    ``display`` names the file in messages; ``stem`` is the file name without
    ``.yaml``, which the id must equal.  Returns the incident (or None) and
    every problem found, in line order.
    """
    incident, doc = _parse(text, display, stem)
    return incident, doc.errors


def _parse(text: str, display: str, stem: Optional[str]) -> Tuple[Optional[Incident], Document]:
    if len(text) > _MAX_RECORD_BYTES:
        error = RecordError(display, 1, 1, "", f"file is larger than {_MAX_RECORD_BYTES // 1024} KiB; a record should be a few KiB")
        return None, Document(display, None, Positions(), [error])
    doc = load_document(text, display)
    incident = validate(doc, Incident)
    if incident is not None and stem is not None and incident.id != stem:
        line, col = doc.positions.of(("id",))
        doc.errors.append(RecordError(display, line, col, "id", f"id {incident.id!r} differs from the file name; rename the file to {incident.id}.yaml or set id: {stem}"))
    doc.errors.sort(key=lambda e: (e.line, e.col))
    return (None if doc.errors else incident), doc


def _cross_check(loaded: List[LoadedRecord]) -> List[RecordError]:
    """Checks that need all records: duplicate ids and aliases, related ids."""
    errors: List[RecordError] = []
    owners: Dict[str, str] = {}
    for rec in loaded:
        paths: List[FieldPath] = [("id",)] + [("aliases", i) for i in range(len(rec.incident.aliases))]
        for path, name in zip(paths, [rec.incident.id, *rec.incident.aliases]):
            if name in owners and owners[name] != rec.display:
                line, col = rec.positions.of(path)
                errors.append(RecordError(rec.display, line, col, format_path(path), f"{name!r} is already used by {owners[name]}; ids and aliases are never reused"))
            owners.setdefault(name, rec.display)
    ids = {rec.incident.id for rec in loaded}
    for rec in loaded:
        for i, other in enumerate(rec.incident.related):
            if other not in ids:
                close = difflib.get_close_matches(other, sorted(ids), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                line, col = rec.positions.of(("related", i))
                errors.append(RecordError(rec.display, line, col, f"related[{i}]", f"no record with id {other!r}{hint}"))
    return errors


def record_paths(kb_dir: Path) -> List[Path]:
    """The record files of a kb/ folder, sorted (not environments.yaml, not samples)."""
    return sorted(p for p in kb_dir.glob("*.yaml") if p.name != "environments.yaml")


def unreadable_error(exc: safefile.UnreadableFile, what: str = "the file") -> RecordError:
    """A refused file as one ``check`` problem (``file:line:1: the file is ...``)."""
    return RecordError(exc.display, exc.line or 1, 1, "", f"{what} {exc.reason}")


def check_kb(kb_dir: Path) -> Tuple[List[LoadedRecord], List[RecordError]]:
    """Load and validate every record under ``kb_dir``; never raises for bad records."""
    if not kb_dir.is_dir():
        raise WheelfixError(f"no knowledge base folder at {kb_dir}", hint="run from the repository root or pass --kb DIR")
    loaded: List[LoadedRecord] = []
    errors: List[RecordError] = []
    for path in record_paths(kb_dir):
        display = display_path(path, kb_dir)
        try:
            text = safefile.read_text(path, limit=_MAX_RECORD_BYTES, root=kb_dir, display=display)
        except safefile.UnreadableFile as exc:
            errors.append(unreadable_error(exc))
            continue
        incident, doc = _parse(text, display, path.stem)
        errors.extend(doc.errors)
        if incident is not None:
            loaded.append(LoadedRecord(path, display, incident, doc.positions))
    for other in sorted(kb_dir.glob("*.yml")) + sorted(kb_dir.glob("*.YAML")):
        errors.append(RecordError(display_path(other, kb_dir), 1, 1, "", "records use the .yaml extension; rename the file"))
    errors.extend(_cross_check(loaded))
    errors.sort(key=lambda e: (e.file, e.line, e.col))
    return loaded, errors


def load_kb(kb_dir: Path) -> List[Incident]:
    """Load every record; raise :class:`InvalidRecords` listing all problems if any."""
    records, errors = check_kb(kb_dir)
    if errors:
        raise InvalidRecords(errors)
    return [r.incident for r in records]
