"""The payload corpus (tests/data/payloads) and knowledge bases made of it.

Every record and environments.yaml text field is listed in :data:`RECORD_FIELDS`
and :data:`ENV_FIELDS` with its kind; tests put each payload into each field.
:func:`payload_kb` writes a KB in which every field holds every payload that
``wheelfix check`` accepts there, one record (and one environment) per payload.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict, List, Tuple, Union

import yaml

DATA = Path(__file__).parent / "data"
VALID = DATA / "kb_valid"
_CORPUS = yaml.safe_load((DATA / "payloads" / "payloads.yaml").read_text(encoding="utf-8"))
ATTACKS: Dict[str, str] = _CORPUS["attacks"]
BENIGN: Dict[str, str] = _CORPUS["benign"]
PAYLOADS: Dict[str, str] = {**ATTACKS, **BENIGN}

Path_ = Tuple[Union[str, int], ...]

#: (field path in a record, kind).  plain: shown literally, escaped; markdown: rendered
#: and sanitised; the rest are validated values (URL, specifier, requirement, names).
RECORD_FIELDS: List[Tuple[Path_, str]] = [
    (("title",), "plain"),
    (("summary",), "plain"),
    (("symptoms", 0), "plain"),
    (("build_requires", 0), "plain"),
    (("fixes", 0, "title"), "plain"),
    (("fixes", 0, "when"), "plain"),
    (("diagnostics", 0, "look_for"), "plain"),
    (("references", 0, "title"), "plain"),
    (("cause",), "markdown"),
    (("fixes", 0, "steps"), "markdown"),
    (("diagnostics", 0, "meaning"), "markdown"),
    (("references", 0, "url"), "url"),
    (("affects", "python"), "specifier"),
    (("affects", "packages", "demopkg"), "specifier"),
    (("fixes", 0, "claim", "requirement"), "requirement"),
    (("packages", 0), "name"),
    (("signatures", 0, "package"), "name"),
    (("aliases", 0), "name"),
    (("affects", "tags", 0), "name"),
]

#: The same for kb/environments.yaml (environment 0 is the one demo-rust-build names).
ENV_FIELDS: List[Tuple[Path_, str]] = [
    (("environments", 0, "title"), "plain"),
    (("environments", 0, "facts", 0, "text"), "plain"),
    (("environments", 0, "assumptions", 0), "plain"),
    (("environments", 0, "python_from", 0), "plain"),
    (("environments", 0, "facts", 0, "source"), "url"),
]

#: Shortest text each plain or Markdown field takes; shorter payloads are padded.
_MIN_LENGTH = {"title": 10, "summary": 20, "cause": 20, "text": 10}
_PAD = " (padding to the minimum length)"


def record(name: str = "demo-rust-build") -> Dict[str, Any]:
    """A valid fixture record as data."""
    data = yaml.safe_load((VALID / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def environments() -> Dict[str, Any]:
    data = yaml.safe_load((VALID / "environments.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def fit(path: Path_, value: str) -> str:
    """``value`` padded to the field's minimum length (3 for every other text field)."""
    need = _MIN_LENGTH.get(str(path[-1]), 3)
    return value if len(value) >= need else value + _PAD


def put(data: Dict[str, Any], path: Path_, value: str) -> Dict[str, Any]:
    """A copy of ``data`` with ``value`` at ``path`` (lists are created or extended)."""
    out = copy.deepcopy(data)
    node: Any = out
    for i, part in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(node, dict) and part not in node:
            node[part] = [] if isinstance(nxt, int) else {}
        if isinstance(node, list) and isinstance(part, int) and part >= len(node):
            node.append([] if isinstance(nxt, int) else {})
        node = node[part]
    last = path[-1]
    if isinstance(node, list) and isinstance(last, int) and last >= len(node):
        node.append(value)
    else:
        node[last] = value
    return out


def dump(data: Dict[str, Any]) -> str:
    """YAML text for ``data`` (PyYAML quotes whatever needs it, control characters too)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=False, width=1000)


def payload_kb(kb_dir: Path, accepted: Any) -> Dict[str, str]:
    """Write a KB where each plain and Markdown field holds each payload ``accepted(path, text)`` allows.

    One record ``payload-N`` and one environment ``payload-env-N`` per payload;
    returns record id -> payload.  Fields that refuse a payload keep the
    fixture's text.
    """
    kb_dir.mkdir(parents=True, exist_ok=True)
    base_env = environments()
    envs: List[Dict[str, Any]] = list(base_env["environments"])
    ids: Dict[str, str] = {}
    for n, (name, payload) in enumerate(sorted(PAYLOADS.items())):
        rid = f"payload-{n}"
        env_name = f"payload-env-{n}"
        env: Dict[str, Any] = {"environments": [{"name": env_name, "title": "payload environment", "kind": "host", "platform": "manylinux_2_35_x86_64"}]}
        for path, kind in ENV_FIELDS:
            if kind == "plain" and accepted(path, fit(path, payload)):
                env = put(env, path, fit(path, payload))
        env_entry = env["environments"][0]
        if "facts" in env_entry and "source" not in env_entry["facts"][0]:
            env_entry["facts"][0]["source"] = "https://example.org/source"
        envs.append(env_entry)
        data = record()
        data.update(id=rid, aliases=[], related=[], signatures=[{"match": [{"text": f"payload marker {n}"}]}])
        data["affects"]["platforms"] = ["linux-x86_64", env_name]
        for path, kind in RECORD_FIELDS:
            if kind in ("plain", "markdown") and accepted(path, fit(path, payload)):
                data = put(data, path, fit(path, payload))
        if data["title"] != record()["title"]:
            ids[rid] = name
        (kb_dir / f"{rid}.yaml").write_text(dump(data), encoding="utf-8")
    (kb_dir / "environments.yaml").write_text(dump({"environments": envs}), encoding="utf-8")
    return ids
