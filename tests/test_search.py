"""The site search's index content and its browser half, without a browser.

* which symptom lines are pip's generic framing (left out of the index), as a
  table of cases and over every symptom line of the KB, in Python and in the
  browser's JavaScript (run under node): both must agree;
* the separator of mkdocs.yml splits error punctuation, the same way in both;
* every guide is indexed by its title, summary and telling symptom lines;
* the bundle written for the site holds the Pagefind files and the settings.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from html.parser import HTMLParser
from typing import Any, Dict, List, Optional, Tuple

import pytest
import yaml

from generator import kb as kb_mod
from generator.site import search
from generator.site.searchbundle import (
    BUNDLE_DIR,
    SETTINGS_FILE,
    SearchBundleError,
    compile_separator,
    separator_setting,
    write_search_bundle,
)

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "assets" / "javascripts" / "search.js"
KB = kb_mod.load(ROOT / "kb")
SYMPTOMS = sorted({line for rec in KB.records for line in rec.incident.symptoms})


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix)


def _separator() -> str:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    return separator_setting(config.get("extra"))


SEPARATOR = _separator()


def _node(code: str, payload: Any) -> Any:
    """Run ``code`` under node with search.js loaded as ``S`` and ``payload`` as ``P``; its JSON output."""
    if shutil.which("node") is None:
        pytest.skip("node is needed to run the browser's search code")
    program = f"const S = require({json.dumps(str(SCRIPT))}); const P = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n{code}"
    proc = subprocess.run(["node", "-e", program], input=json.dumps(payload), capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def _settings() -> Dict[str, Any]:
    return search.client_settings(SEPARATOR, search.documents(KB))


# --- generic lines ----------------------------------------------------------------------

GENERIC = [
    "Getting requirements to build wheel did not run successfully.",
    "Preparing metadata (pyproject.toml) did not run successfully.",
    "  × Building wheel for lxml (pyproject.toml) did not run successfully.",
    "error: subprocess-exited-with-error",
    "subprocess-exited-with-error",
    "error: metadata-generation-failed",
    "note: This error originates from a subprocess, and is likely not a problem with pip.",
    "note: This is an issue with the package mentioned above, not pip.",
    "ERROR: Command errored out with exit status 1:",
    "exit code: 1",
    "╰─> See above for output.",
    "[end of output]",
    "× Encountered error while generating package metadata.",
    "ERROR: Exception:",
    "PEP517 build of a dependency failed",  # poetry's
]

#: Framing that names the packages whose build failed, and the names.
PACKAGE = [
    ("ERROR: Failed building wheel for psutil", ["psutil"]),
    ("Failed to build psutil", ["psutil"]),
    ("Failed to build psutil lxml", ["psutil", "lxml"]),
    ("ERROR: Failed to build psutil, lxml", ["psutil", "lxml"]),
    ("ERROR: Failed to build installable wheels for some pyproject.toml based projects (psutil)", ["psutil"]),
    ("ERROR: Failed to build installable wheels for some pyproject.toml based projects (psutil, lxml)", ["psutil", "lxml"]),
    ("error: Failed to build `jiter==0.5.0`", ["jiter"]),
    ("  error: Failed to build `pydantic-core==2.14.6`  ", ["pydantic-core"]),
    ("ERROR: Could not build wheels for numpy, which is required to install pyproject.toml-based projects", ["numpy"]),
    ("Failed to build " + " ".join(f"p{i}" for i in range(20)), [f"p{i}" for i in range(8)]),
]

TELLING = [
    "Read-only file system (os error 30)",
    "error: can't find Rust compiler",
    "fatal error: Python.h: No such file or directory",
    "ModuleNotFoundError: No module named 'distutils'",
    "ERROR: No matching distribution found for numpy==2.0.2",
    "Building wheel for grpcio (pyproject.toml): still running...",
    "error: command 'gcc' failed: No such file or directory",
    # A framing word inside a telling line does not make it generic.
    "Failed to build the extension: Python.h not found",
    "exit code: 1 from cargo metadata: Read-only file system",
    "x" * 600 + " did not run successfully.",  # past the length a framing line has
]


@pytest.mark.parametrize("line", GENERIC)
def test_generic_lines(line: str) -> None:
    assert search.is_generic(line)


@pytest.mark.parametrize("line, names", PACKAGE)
def test_framing_that_names_packages(line: str, names: List[str]) -> None:
    assert search.framing(line) == tuple(names)
    assert not search.is_generic(line)


@pytest.mark.parametrize("line", TELLING)
def test_telling_lines(line: str) -> None:
    assert search.framing(line) is None


def test_the_browser_classifies_every_line_as_python_does() -> None:
    lines = SYMPTOMS + GENERIC + [line for line, _ in PACKAGE] + TELLING
    code = "const s = S.compileSettings(P.settings); process.stdout.write(JSON.stringify(P.lines.map(l => S.framing(l.trim(), s))));"
    found = _node(code, {"settings": _settings(), "lines": lines})
    expected = [None if (f := search.framing(line)) is None else list(f) for line in lines]
    assert [(line, f, e) for line, f, e in zip(lines, found, expected) if f != e] == []


def test_every_framing_pattern_is_used_by_a_case() -> None:
    # A pattern that no case exercises could match telling lines unnoticed.
    for pattern in search.GENERIC_PATTERNS:
        assert any(re.search(pattern, line.strip(), re.IGNORECASE) for line in GENERIC), pattern
    for pattern in search.PACKAGE_PATTERNS:
        assert any(re.search(pattern, line.strip(), re.IGNORECASE) for line, _ in PACKAGE), pattern


# --- words --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ("`/usr/local/cargo/registry/cache`", ["usr", "local", "cargo", "registry", "cache"]),
        ("(os error 30)", ["os", "error", "30"]),
        ("Python.h: No", ["Python", "h", "No"]),
        ("requires Python 3.12.1", ["requires", "Python", "3.12.1"]),
        ("error: [Errno 2] No such file or directory: 'gcc'", ["error", "Errno", "2", "No", "such", "file", "or", "directory", "gcc"]),
    ],
)
def test_separator_splits_error_punctuation(text: str, words: List[str]) -> None:
    assert search.tokens(text, re.compile(SEPARATOR)) == words


def test_the_browser_splits_words_as_python_does() -> None:
    texts = SYMPTOMS + [rec.incident.title for rec in KB.records] + [rec.incident.summary for rec in KB.records]
    code = "const s = S.compileSettings(P.settings); process.stdout.write(JSON.stringify(P.texts.map(t => S.words(t, s.separatorRe))));"
    split = _node(code, {"settings": _settings(), "texts": texts})
    pattern = re.compile(SEPARATOR)
    assert [t for t, w in zip(texts, split) if w != search.tokens(t, pattern)] == []


def test_the_browser_reads_the_first_line_of_a_paste() -> None:
    code = "const s = S.compileSettings(P.settings); process.stdout.write(JSON.stringify(P.texts.map(t => S.queryOf(t, s))));"
    texts = ["\n\n  Read-only file system (os error 30)  \nCaused by: x", "", " \n\t", "```"]
    answers = _node(code, {"settings": _settings(), "texts": texts})
    assert answers[0] == {"kind": "words", "line": "Read-only file system (os error 30)", "words": ["Read", "only", "file", "system", "os", "error", "30"]}
    assert [a["kind"] for a in answers[1:]] == ["empty", "empty", "empty"]
    framed = _node(code, {"settings": _settings(), "texts": ["ERROR: Failed building wheel for psutil", "exit code: 1"]})
    assert framed == [
        {"kind": "package", "line": "ERROR: Failed building wheel for psutil", "words": ["psutil"]},
        {"kind": "generic", "line": "exit code: 1", "words": []},
    ]


def test_the_result_line_is_the_symptom_holding_most_query_words() -> None:
    code = "const s = S.compileSettings(P.settings); process.stdout.write(JSON.stringify(S.bestLine(S.symptomLines(P.symptoms), P.words, s.separatorRe)));"
    symptoms = json.dumps(["error: failed to get `mimalloc`", "Read-only file system (os error 30)", "Caused by: Cargo metadata failed"])
    assert _node(code, {"settings": _settings(), "symptoms": symptoms, "words": ["os", "ERROR", "30"]}) == "Read-only file system (os error 30)"
    assert _node(code, {"settings": _settings(), "symptoms": symptoms, "words": ["nothing"]}) == ""


@pytest.mark.parametrize(
    "content, words, held",
    [
        ("Read only file system os error 30", ["os", "error", "30"], True),
        ("Read only file system os error 30", ["OS", "Error"], True),  # case does not matter
        ("compiler s gfortran", ["safetensors"], False),  # Pagefind's prefix fallback: "s" is not the word
        ("installs wheels", ["installation", "wheel"], True),  # one stem: "instal", "wheel"
        ("a doc about it", ["docker"], False),  # "doc" is three letters: no stem
        ("tiktoken fails", ["tikt"], True),  # the last word, still being typed
        ("tiktoken fails", ["tik", "fails"], False),  # only the last word may be a prefix
        ("os error", ["os", "error", "31"], False),
        ("", ["x"], False),
    ],
)
def test_a_result_holds_the_query_words(content: str, words: List[str], held: bool) -> None:
    code = "const s = S.compileSettings(P.settings); process.stdout.write(JSON.stringify(S.holds(P.content, P.words, s.separatorRe)));"
    assert _node(code, {"settings": _settings(), "content": content, "words": words}) is held


@pytest.mark.parametrize("meta", ["", "not json", "{}", "[1, null]", '"a string"'])
def test_malformed_list_metadata_reads_as_no_lines(meta: str) -> None:
    assert _node("process.stdout.write(JSON.stringify(S.symptomLines(P)));", meta) == []


@pytest.mark.parametrize(
    "words, order",
    [
        (["orjson"], ["/b/", "/d/", "/a/", "/c/", "/e/"]),  # about orjson, then general, then the rest
        (["Read", "only", "file", "system"], ["/a/", "/c/", "/b/", "/d/", "/e/"]),  # no package named: general first
        (["numpy", "tiktoken"], ["/d/", "/e/", "/a/", "/c/", "/b/"]),
    ],
)
def test_guides_about_a_named_package_then_general_guides_come_first(words: List[str], order: List[str]) -> None:
    datas = [
        {"url": "/a/", "meta": {"packages": "[]"}},
        {"url": "/b/", "meta": {"packages": '["Orjson"]'}},
        {"url": "/c/", "meta": {}},
        {"url": "/d/", "meta": {"packages": '["numpy", "orjson"]'}},
        {"url": "/e/", "meta": {"packages": '["tiktoken"]'}},
    ]
    urls = _node("process.stdout.write(JSON.stringify(S.aboutFirst(P.datas, P.words).map(d => d.url)));", {"datas": datas, "words": words})
    assert urls == order


READ_ONLY = "cargo-read-only-filesystem"


@pytest.mark.parametrize(
    "query",
    [
        "error: failed to create directory `/usr/local/cargo/registry/cache`",  # colon, backticks, slashes
        "Read-only file system (os error 30)",  # parentheses, hyphen
        'error: failed to create directory "/usr/local/cargo/registry/cache"',  # quotes instead of backticks
    ],
)
def test_a_pasted_error_line_splits_into_words_its_guide_holds(query: str) -> None:
    # What the browser sends Pagefind: the line's words, no query syntax left.
    code = "const s = S.compileSettings(P.settings); process.stdout.write(JSON.stringify(S.queryOf(P.query, s)));"
    sent = _node(code, {"settings": _settings(), "query": query})
    assert sent["kind"] == "words" and len(sent["words"]) >= 3
    assert not [w for w in sent["words"] if re.search(r"[\s\"'`:()/\\^*~+-]", w)], sent["words"]
    doc = next(d for d in search.documents(KB) if d.url == f"guides/{READ_ONLY}/")
    held = {w.lower() for w in search.tokens(doc.content(re.compile(SEPARATOR)), re.compile(SEPARATOR))}
    assert {w.lower() for w in sent["words"]} <= held


def test_the_indexed_page_escapes_what_it_quotes() -> None:
    hostile = '</p><script>alert(1)</script><p data-pagefind-meta="title">x'
    doc = search.SearchDocument(url="guides/x/", title=hostile, summary=hostile, packages=("a<b",), symptoms=(hostile,))
    page = _Page()
    page.feed(doc.html(re.compile(SEPARATOR)))
    assert page.tags <= {"html", "head", "meta", "title", "body", "main", "div", "p", "h1"}, page.tags
    assert page.metas["title"] == hostile
    assert json.loads(page.metas["symptoms"]) == [hostile] and json.loads(page.metas["packages"]) == ["a<b"]


class _Page(HTMLParser):
    """The start tags of a page and the text of its Pagefind metadata elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.metas: Dict[str, str] = {}
        self._meta: Optional[str] = None

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        self.tags.add(tag)
        self._meta = dict(attrs).get("data-pagefind-meta")
        if self._meta is not None:
            self.metas[self._meta] = ""

    def handle_data(self, data: str) -> None:
        if self._meta is not None:
            self.metas[self._meta] += data

    def handle_endtag(self, tag: str) -> None:
        self._meta = None


# --- what is indexed ----------------------------------------------------------------------


def test_every_guide_is_indexed_by_its_telling_symptoms() -> None:
    docs = {d.url: d for d in search.documents(KB)}
    assert len(docs) == len(KB.records)
    pattern = re.compile(SEPARATOR)
    for rec in KB.records:
        doc = docs[f"guides/{rec.incident.id}/"]
        assert doc.symptoms == tuple(s for s in rec.incident.symptoms if search.framing(s) is None)
        assert doc.symptoms, f"{rec.incident.id}: every symptom line is generic, so no line finds the guide"
        content = doc.content(pattern)
        for part in (rec.incident.title, rec.incident.summary, *rec.incident.packages, *doc.symptoms):
            assert " ".join(search.tokens(part, pattern)) in content
        for framed in set(rec.incident.symptoms) - set(doc.symptoms):
            assert search.framing(framed) is not None
        assert {k: json.loads(v) if k != "title" else v for k, v in doc.meta().items()} == {
            "title": rec.incident.title, "packages": list(rec.incident.packages), "symptoms": list(doc.symptoms),
        }


@pytest.mark.parametrize(
    "separator, message",
    [
        ("[", "not a regular expression"),
        ("x*", "matches the empty string"),
    ],
)
def test_a_bad_separator_names_the_setting(separator: str, message: str) -> None:
    with pytest.raises(SearchBundleError, match=re.escape("extra.wheelfix_search.separator: " + message)):
        compile_separator(separator)


@pytest.mark.parametrize("extra", [None, {}, {"wheelfix_search": None}, {"wheelfix_search": {"separator": 3}}, {"wheelfix_search": {"separator": ""}}])
def test_a_missing_separator_names_the_setting(extra: Any) -> None:
    with pytest.raises(SearchBundleError, match=r"extra\.wheelfix_search\.separator: missing"):
        separator_setting(extra)


def test_the_bundle_holds_the_index_and_the_settings(tmp_path: Path) -> None:
    docs = search.documents(KB)
    written = write_search_bundle(tmp_path, docs, SEPARATOR)
    bundle = tmp_path / BUNDLE_DIR
    names = {p.relative_to(bundle).as_posix() for p in written}
    assert {"pagefind.js", "pagefind-entry.json", SETTINGS_FILE} <= names
    assert any(n.startswith("index/") for n in names) and any(n.startswith("fragment/") for n in names)
    # One fragment per guide: the index holds the guides and nothing else.
    assert len([n for n in names if n.startswith("fragment/")]) == len(docs)
    settings = json.loads((bundle / SETTINGS_FILE).read_text(encoding="utf-8"))
    assert settings == {
        "separator": SEPARATOR, "generic": list(search.GENERIC_PATTERNS), "package": list(search.PACKAGE_PATTERNS),
        "framing_max": 500, "max_names": 8, "guides": len(docs),
    }
    assert not (tmp_path / "pagefind" / "playground").exists()
    # Only the engine: the site has its own box, not Pagefind's ready-made interfaces.
    assert not [n for n in names if "-ui." in n or "highlight" in n], names


# --- the plugin writes the bundle after the build -------------------------------------------

VALID = ROOT / "tests" / "data" / "kb_valid"


def _plugin_run(tmp_path: Path, extra: str, **options: Any) -> Path:
    from mkdocs.config import load_config

    from generator.plugin import WheelfixPlugin

    plugin = WheelfixPlugin()
    errors, warnings = plugin.load_config({"index": False, "kb_dir": str(VALID), **options})
    assert errors == [] and warnings == []
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(f"site_name: t\nsite_dir: site\n{extra}", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    plugin.on_config(config)
    plugin.on_post_build(config=config)
    return Path(config.site_dir)


def test_the_plugin_writes_the_bundle_after_the_build(tmp_path: Path) -> None:
    site = _plugin_run(tmp_path, f"extra:\n  wheelfix_search:\n    separator: {json.dumps(SEPARATOR)}\n")
    settings = json.loads((site / BUNDLE_DIR / SETTINGS_FILE).read_text(encoding="utf-8"))
    assert settings["separator"] == SEPARATOR
    assert settings["guides"] == len(kb_mod.load(VALID).records)
    assert (site / BUNDLE_DIR / "pagefind.js").is_file()


def test_the_plugin_names_a_missing_separator(tmp_path: Path) -> None:
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError, match=r"^wheelfix: mkdocs\.yml: extra\.wheelfix_search\.separator: missing"):
        _plugin_run(tmp_path, "")


def test_the_plugin_writes_no_bundle_with_search_off(tmp_path: Path) -> None:
    site = _plugin_run(tmp_path, "", search=False)
    assert not (site / BUNDLE_DIR).exists()
