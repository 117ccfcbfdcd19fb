"""Safe YAML documents that remember where each value came from.

Contributors edit YAML by hand, so every message must point at a line and
column.  This module loads one document safely (no object-constructing tags,
no aliases, so no alias bombs), records the position of every node and key,
reports duplicate keys (which PyYAML would silently drop), and turns pydantic
validation errors into contributor-facing ``file:line:col: field: message``
problems.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type, TypeVar, Union

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.errors import WheelfixError, printable

FieldPath = Tuple[Union[str, int], ...]
M = TypeVar("M", bound=BaseModel)


class DocumentError(WheelfixError):
    """One problem in one YAML document, with its position."""

    exit_code = 1

    def __init__(self, file: str, line: int, col: int, field: str, message: str) -> None:
        self.file, self.line, self.col, self.field, self.message = file, line, col, field, message
        super().__init__(self.format())

    def format(self) -> str:
        where = f"{self.field}: " if self.field else ""
        # One line, and nothing a terminal would act on, whatever the record holds.
        return printable(f"{self.file}:{self.line}:{self.col}: {where}{self.message}")


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and explicit non-standard tags."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        # Older types-PyYAML stubs (what Python 3.9 gets) leave these untyped.
        if self.check_event(yaml.AliasEvent):  # type: ignore[no-untyped-call,unused-ignore]
            event = self.peek_event()  # type: ignore[no-untyped-call,unused-ignore]
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed here; write the value out", event.start_mark
            )
        node = super().compose_node(parent, index)
        if node is not None and not node.tag.startswith("tag:yaml.org,2002:"):
            raise yaml.composer.ComposerError(None, None, f"YAML tag {node.tag!r} is not allowed here", node.start_mark)
        return node


@dataclass
class Positions:
    """Maps a field path to its (line, col), both 1-based."""

    values: Dict[FieldPath, Tuple[int, int]] = field(default_factory=dict)
    keys: Dict[FieldPath, Tuple[int, int]] = field(default_factory=dict)

    def of(self, path: FieldPath, *, key: bool = False) -> Tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p and p not in table:
            p = p[:-1]
        return table.get(p, self.values.get((), (1, 1)))


@dataclass
class Document:
    """A loaded YAML document: its data, positions, and problems found so far."""

    display: str
    data: Any
    positions: Positions
    errors: List[DocumentError]


class _AliasFound(Exception):
    def __init__(self, path: FieldPath) -> None:
        self.path = path


class _TagRefused(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


def _walk(
    node: yaml.Node, path: FieldPath, pos: Positions, dupes: List[Tuple[FieldPath, yaml.Node]], seen: set[int]
) -> None:
    # The C composer resolves an alias to the very node of its anchor, so a node met
    # twice is an alias; stopping there also defuses alias bombs before construction.
    if id(node) in seen:
        raise _AliasFound(path)
    seen.add(id(node))
    if not node.tag.startswith("tag:yaml.org,2002:"):
        raise _TagRefused(node)
    pos.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "<complex key>"
            child = path + (key,)
            if key in keys:
                dupes.append((child, key_node))
            keys.add(key)
            pos.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, child, pos, dupes, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), pos, dupes, seen)


# --------------------------------------------------------------------------- characters

# Only characters outside tab, line feed and printable ASCII are looked at one by one.
_SUSPECT = re.compile("[^\t\n\x20-\x7e]")
_KIND = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Cs": "a lone surrogate",
    "Co": "a private-use character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def invisible_character(text: str, *, raw: bool = False) -> Optional[Tuple[int, str]]:
    """The first character of ``text`` a reader cannot see or that breaks text apart, and what it is.

    That is every control character but tab and line feed (C0, DEL, C1, NEL),
    invisible formatting characters (zero-width ones, bidirectional overrides),
    line and paragraph separators, private-use characters, lone surrogates and
    noncharacters.  YAML's reader refuses some of them outright, and front
    matter or a terminal would misread the rest.  ``raw`` is for a file's text:
    there a carriage return before a line feed and a leading byte-order mark are
    allowed.  Returns ``(index, "U+001B (a control character)")`` or None.
    """
    for m in _SUSPECT.finditer(text):
        i, ch = m.start(), m.group()
        if raw and ((ch == "\r" and text.startswith("\n", i + 1)) or (ch == "\ufeff" and i == 0)):
            continue
        code = ord(ch)
        kind = "a noncharacter" if _is_noncharacter(code) else _KIND.get(unicodedata.category(ch))
        if kind is not None:
            name = unicodedata.name(ch, "")
            return i, f"U+{code:04X}{f' {name}' if name else ''} ({kind})"
    return None


def _raw_text_error(text: str, display: str) -> Optional[DocumentError]:
    found = invisible_character(text, raw=True)
    if found is None:
        return None
    i, what = found
    line = text.count("\n", 0, i) + 1
    col = i - text.rfind("\n", 0, i)
    return DocumentError(display, line, col, "", f"{what}; only visible characters, tabs and line breaks are allowed")


def _check_strings(data: Any, path: FieldPath, doc: "Document", *, key: bool = False) -> None:
    """Refuse invisible characters that YAML escapes (\\x1b, \\u2028, ...) put into strings and keys."""
    if isinstance(data, str):
        found = invisible_character(data)
        if found is not None:
            line, col = doc.positions.of(path, key=key)
            doc.errors.append(DocumentError(
                doc.display, line, col, format_path(path),
                f"{found[1]} at character {found[0] + 1} (from an escape); only visible characters, tabs and line breaks are allowed",
            ))
    elif isinstance(data, dict):
        for k, v in data.items():
            child = path + (str(k),)
            _check_strings(k, child, doc, key=True)
            _check_strings(v, child, doc)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            _check_strings(item, path + (i,), doc)


def format_path(path: Sequence[Union[str, int]]) -> str:
    """``('fixes', 0, 'claim')`` -> ``fixes[0].claim``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


# libyaml's parser is an order of magnitude faster; the pure-Python one words
# syntax errors better, and is the fallback where libyaml is not compiled in.
_FastLoader: Any = getattr(yaml, "CSafeLoader", None)


def _marked(exc: yaml.MarkedYAMLError, display: str) -> DocumentError:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    context = f" ({exc.context})" if exc.context else ""
    return DocumentError(display, line, col, "", f"YAML syntax error: {exc.problem or 'invalid YAML'}{context}")


def _syntax_error(text: str, display: str, first: BaseException) -> DocumentError:
    """Parse with the pure-Python loader to word the error the way the docs show it.

    Where that loader accepts what libyaml refused (an escaped surrogate), ``first``, libyaml's error, is reported.
    """
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # the reader refuses a character; load_document checks those first
        return DocumentError(display, 1, 1, "", f"YAML error: {exc}")
    try:
        loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return _marked(exc, display)
    except yaml.YAMLError as exc:
        return DocumentError(display, 1, 1, "", f"YAML error: {exc}")
    except RecursionError:
        return DocumentError(display, 1, 1, "", "YAML nesting is too deep")
    finally:
        loader.dispose()  # type: ignore[no-untyped-call,unused-ignore]
    if isinstance(first, yaml.MarkedYAMLError):
        return _marked(first, display)
    return DocumentError(display, 1, 1, "", "YAML syntax error")


def load_document(text: str, display: str) -> Document:
    """Parse one YAML document safely.  Problems go into ``Document.errors``.

    Invisible characters (:func:`invisible_character`) are refused, in the
    file's text before parsing and in every string and key after it.
    """
    pos = Positions()
    refused = _raw_text_error(text, display)
    if refused is not None:
        return Document(display, None, pos, [refused])
    loader = (_FastLoader or _Loader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Document(display, None, pos, [DocumentError(display, 1, 1, "", "the file is empty")])
        dupes: List[Tuple[FieldPath, yaml.Node]] = []
        _walk(node, (), pos, dupes, set())
        data = loader.construct_document(node)
    except _AliasFound as exc:
        line, col = pos.of(exc.path, key=True)
        return Document(display, None, pos, [DocumentError(display, line, col, format_path(exc.path), "YAML aliases (*name) are not allowed here; write the value out")])
    except _TagRefused as exc:
        mark = exc.node.start_mark
        return Document(display, None, pos, [DocumentError(display, mark.line + 1, mark.column + 1, "", f"YAML tag {exc.node.tag!r} is not allowed here")])
    except yaml.constructor.ConstructorError as exc:
        # Raised while building values (e.g. a python/object tag): its own words are right.
        return Document(display, None, pos, [_marked(exc, display)])
    except (yaml.YAMLError, RecursionError) as exc:
        return Document(display, None, pos, [_syntax_error(text, display, exc)])
    finally:
        loader.dispose()  # type: ignore[no-untyped-call,unused-ignore]
    errors = [
        DocumentError(display, n.start_mark.line + 1, n.start_mark.column + 1, format_path(p), f"duplicate key '{p[-1]}'; each field may appear once")
        for p, n in dupes
    ]
    doc = Document(display, data, pos, errors)
    try:
        _check_strings(data, (), doc)
    except RecursionError:  # as deep as _walk went, plus the keys' frame
        return Document(display, None, pos, [DocumentError(display, 1, 1, "", "YAML nesting is too deep")])
    return doc


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean {value!r}"
    if isinstance(value, (int, float)):
        return f"a number {value!r} (quote it if you meant text: \"{value}\")"
    if isinstance(value, str):
        return f"a string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__} {value!r} (quote it to keep it as text)"


def _fields_at(root: Type[BaseModel], path: Sequence[Union[str, int]]) -> List[str]:
    """The field names a model allows at ``path`` (for "did you mean")."""
    model: Optional[Type[BaseModel]] = root
    for part in path:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return []
        model = _inner_model(model.model_fields[part].annotation)
    return list(model.model_fields) if model is not None else []


def _inner_model(ann: Any) -> Optional[Type[BaseModel]]:
    stack = [ann]
    while stack:
        cur = stack.pop()
        if isinstance(cur, type) and issubclass(cur, BaseModel):
            return cur
        stack.extend(getattr(cur, "__args__", ()))
    return None


_EXPECTED = {
    "string_type": "a string",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "bool_type": "true or false",
    "int_type": "a whole number",
}


def _message(root: Type[BaseModel], err: ErrorDetails, loc: FieldPath) -> Tuple[str, bool]:
    """Our wording for one pydantic error; the bool says "point at the key"."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx", {})
    if kind == "missing":
        return f"required field '{loc[-1]}' is missing", False
    if kind == "extra_forbidden":
        allowed = _fields_at(root, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"expected one of: {', '.join(allowed)}"
        return f"unknown field '{loc[-1]}'; {hint}", True
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_describe(value)}", False
    if kind in ("too_short", "string_too_short"):
        if isinstance(value, str):
            return f"too short: at least {ctx.get('min_length')} characters expected", False
        return f"must not be empty: at least {ctx.get('min_length')} item(s) expected", False
    if kind in ("too_long", "string_too_long"):
        return f"too long: at most {ctx.get('max_length')} characters", False
    if kind == "value_error" and ctx.get("error") is not None:
        return str(ctx["error"]), False
    return str(err["msg"]), False


def validate(doc: Document, model: Type[M]) -> Optional[M]:
    """Validate ``doc.data`` against ``model``; append problems to ``doc.errors``."""
    if doc.data is None:
        return None
    if not isinstance(doc.data, dict):
        line, col = doc.positions.of(())
        doc.errors.append(DocumentError(doc.display, line, col, "", f"expected a mapping of fields at the top level, got {_describe(doc.data)}"))
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        # A field whose string the character check already refused is reported once.
        seen = {(e.line, e.col, e.field) for e in doc.errors}
        for err in exc.errors(include_url=False):
            loc: FieldPath = tuple(err["loc"])
            message, at_key = _message(model, err, loc)
            line, col = doc.positions.of(loc, key=at_key)
            if (line, col, format_path(loc)) not in seen:
                doc.errors.append(DocumentError(doc.display, line, col, format_path(loc), message))
        return None
