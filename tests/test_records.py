"""Record validation: one bad record per case, with the exact message expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.kb.records import check_kb, json_schema, load_kb, parse_record, InvalidRecords

DATA = Path(__file__).parent / "data"
VALID = DATA / "kb_valid"
# The cases' line numbers count from the record's first field, so the editor's
# modeline (a comment, line 1 of the fixture) is left out of the text they edit.
BASE = (VALID / "demo-rust-build.yaml").read_text(encoding="utf-8").split("\n", 1)[1]
FILE = "kb/demo-rust-build.yaml"


def _errors(text: str) -> list[str]:
    incident, errors = parse_record(text, FILE, "demo-rust-build")
    assert (incident is None) == bool(errors)
    return [e.format() for e in errors]


def test_the_valid_fixture_is_valid() -> None:
    assert _errors(BASE) == []


# (old text in the valid record, replacement, expected problems)
CASES = [
    pytest.param(
        "summary:", "sumary:",
        [f"{FILE}:1:1: summary: required field 'summary' is missing",
         f"{FILE}:3:1: sumary: unknown field 'sumary'; did you mean 'summary'?"],
        id="typo-in-field-name",  # the unknown key is pointed at, with the closest valid name
    ),
    pytest.param(
        'title: "demopkg fails to build on Python 3.13: no Rust compiler"\n', "",
        [f"{FILE}:1:1: title: required field 'title' is missing"],
        id="missing-required-field",
    ),
    pytest.param(
        'python: ["3.13"]', "python: [3.13]",
        [f'{FILE}:29:16: fixes[0].claim.python[0]: expected a string, got a number 3.13 (quote it if you meant text: "3.13")'],
        id="unquoted-python-version",  # YAML reads 3.13 as a float; 3.10 would silently become 3.1
    ),
    pytest.param(
        'affects:\n  python: ">=3.13"', 'affects: []\nx_affects:\n  python: ">=3.13"',
        [f"{FILE}:6:10: affects: expected a mapping, got a list",
         f"{FILE}:7:1: x_affects: unknown field 'x_affects'; did you mean 'affects'?"],
        id="wrong-type-and-unknown-field",
    ),
    pytest.param(
        'python: ">=3.13"', 'python: "=>3.13"',
        [f"{FILE}:7:11: affects.python: '=>3.13' is not a valid PEP 440 specifier set (expected e.g. '>=3.13' or '<0.8.0')"],
        id="invalid-python-specifier",
    ),
    pytest.param(
        'demopkg: "<2.0"', 'demopkg: "<<2.0"',
        [f"{FILE}:9:14: affects.packages.demopkg: '<<2.0' is not a valid PEP 440 specifier set (expected e.g. '>=3.13' or '<0.8.0')"],
        id="invalid-package-specifier",  # the path names the package
    ),
    pytest.param(
        'requirement: "demopkg>=2.0"', 'requirement: "demopkg>=>2.0"',
        [f"{FILE}:28:20: fixes[0].claim.requirement: 'demopkg>=>2.0' is not a valid PEP 508 requirement "
         "(Expected semicolon (after name with no version specifier) or end); expected e.g. 'tiktoken>=0.8.0'"],
        id="invalid-requirement",
    ),
    pytest.param(
        'requirement: "demopkg>=2.0"', """requirement: 'demopkg>=2.0; python_version<"3.13"'""",
        [f"""{FILE}:28:20: fixes[0].claim.requirement: 'demopkg>=2.0; python_version<"3.13"' has an environment marker, which claims cannot check; write the project and a version specifier only, e.g. 'tiktoken>=0.8.0'"""],
        id="claim-with-a-marker",  # the claim checker would silently ignore it
    ),
    pytest.param(
        'requirement: "demopkg>=2.0"', 'requirement: "demopkg @ https://example.org/demopkg-2.0.tar.gz"',
        [f"{FILE}:28:20: fixes[0].claim.requirement: 'demopkg @ https://example.org/demopkg-2.0.tar.gz' has a URL, which claims cannot check; write the project and a version specifier only, e.g. 'tiktoken>=0.8.0'"],
        id="claim-with-a-url",
    ),
    pytest.param(
        'requirement: "demopkg>=2.0"', 'requirement: "demopkg[rust]>=2.0"',
        [f"{FILE}:28:20: fixes[0].claim.requirement: 'demopkg[rust]>=2.0' has extras, which claims cannot check; write the project and a version specifier only, e.g. 'tiktoken>=0.8.0'"],
        id="claim-with-extras",  # the extras' own dependencies are not checked
    ),
    pytest.param(
        'requirement: "demopkg>=2.0"', 'requirement: "demopkg===2.0"',
        [f"{FILE}:28:20: fixes[0].claim.requirement: '===2.0' uses arbitrary equality '==='; records use '==' with a PEP 440 version"],
        id="claim-with-arbitrary-equality",
    ),
    pytest.param(
        'demopkg: "<2.0"', """demopkg: '===<svg/onload=alert`1`>'""",
        [f"{FILE}:9:14: affects.packages.demopkg: '===<svg/onload=alert`1`>' uses arbitrary equality '==='; records use '==' with a PEP 440 version"],
        id="arbitrary-equality-specifier",  # valid PEP 440, and it can hold anything
    ),
    pytest.param(
        "packages: [demopkg]", "packages: ['<script>']",
        [f"{FILE}:5:12: packages[0]: '<script>' is not a project name: letters, digits, '-', '_' and '.' only, starting and ending with a letter or digit"],
        id="markup-as-package-name",  # canonicalize_name leaves it unchanged
    ),
    pytest.param(
        "  demopkg **1.x** has no wheel", "  demopkg <b>1.x</b> has no wheel",
        [f"{FILE}:20:8: cause: raw HTML '<b>' is not allowed in Markdown; put code in backticks, or write '&lt;' for a literal '<'"],
        id="html-in-markdown",
    ),
    pytest.param(
        'title: "demopkg fails to build on Python 3.13: no Rust compiler"', 'title: "demopkg fails to build \\e[31m on Python 3.13"',
        [f"{FILE}:2:8: title: U+001B (a control character) at character 24 (from an escape); only visible characters, tabs and line breaks are allowed"],
        id="control-character-in-plain-text",
    ),
    pytest.param(
        "packages: [demopkg]", "packages: [Demo_Pkg]",
        [f"{FILE}:5:12: packages[0]: 'Demo_Pkg' is not a normalised project name; write 'demo-pkg'"],
        id="unnormalised-package-name",
    ),
    pytest.param(
        'url: "https://example.org/demopkg/changelog"', 'url: "javascript:alert(1)"',
        [f"{FILE}:39:10: references[0].url: 'javascript:alert(1)' is not an http(s) URL"],
        id="non-http-url",
    ),
    pytest.param(
        "id: demo-rust-build", "id: demo-rust-built",
        [f"{FILE}:1:5: id: id 'demo-rust-built' differs from the file name; rename the file to demo-rust-built.yaml or set id: demo-rust-build"],
        id="id-differs-from-file-name",
    ),
    pytest.param(
        "id: demo-rust-build", "id: ../../etc/passwd",
        [f"{FILE}:1:5: id: '../../etc/passwd' is not a safe id: use lowercase letters, digits and single hyphens, at most 80 characters"],
        id="path-traversal-id",
    ),
    pytest.param(
        "cause: |", 'title: "again, a second title here"\ncause: |',
        [f"{FILE}:20:1: title: duplicate key 'title'; each field may appear once"],
        id="duplicate-key",  # PyYAML alone would silently keep the last one
    ),
    pytest.param(
        "symptoms:\n", "symptoms: [\n",
        [f"{FILE}:14:3: YAML syntax error: expected the node content, but found '-' (while parsing a flow node)"],
        id="yaml-syntax-error",
    ),
    pytest.param(
        "symptoms:\n  - \"error: can't find Rust compiler\"", "symptoms: &s\n  - \"error: can't find Rust compiler\"\nx: *s",
        [f"{FILE}:15:4: YAML syntax error: YAML aliases (*name) are not allowed here; write the value out"],
        id="alias-refused-in-broken-yaml",  # the pure-Python parser words it, at the alias
    ),
    pytest.param(
        "related: [demo-c-headers]", "related: &r [demo-c-headers]\nextra: *r",
        [f"{FILE}:41:1: extra: YAML aliases (*name) are not allowed here; write the value out"],
        id="alias-refused",  # no aliases at all, so no alias bombs
    ),
    pytest.param(
        "related: [demo-c-headers]",
        "related: [demo-c-headers]\n" + "".join(
            f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}" if i else '"lol"'] * 9) + "]\n" for i in range(9)
        ),
        [f"{FILE}:42:1: l1[0]: YAML aliases (*name) are not allowed here; write the value out"],
        id="alias-bomb",  # billion laughs: refused at the first alias, before anything expands
    ),
    pytest.param(
        "cause: |", 'cause: !!python/object/apply:os.system ["echo"]\nx: |',
        [f"{FILE}:20:8: YAML syntax error: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"],
        id="object-constructing-tag-refused",
    ),
    pytest.param(
        'references:\n  - title: "demopkg changelog"\n    url: "https://example.org/demopkg/changelog"', "references: []",
        [f"{FILE}:37:13: references: must not be empty: at least 1 item(s) expected"],
        id="no-references",  # every record cites at least one source
    ),
    pytest.param(
        "      Require `demopkg>=2.0`.\n", '      Require `demopkg>=2.0`.\n    stepz: "x"\n',
        [f"{FILE}:27:5: fixes[0].stepz: unknown field 'stepz'; did you mean 'steps'?"],
        id="unknown-field-in-a-fix",
    ),
    pytest.param(
        "platforms: [manylinux_2_35_x86_64]", "platforms: [Linux x86-64]",
        [f"{FILE}:30:19: fixes[0].claim.platforms[0]: 'Linux x86-64' is not a platform tag; expected e.g. 'manylinux_2_35_x86_64' or 'win_amd64'"],
        id="bad-claim-platform-tag",
    ),
    pytest.param(
        "      - text: \"can't find Rust compiler\"", "      - text: \"can't find Rust compiler\"\n        regex: \"Rust\"",
        [f"{FILE}:19:9: signatures[0].match[0]: give exactly one of 'text' or 'regex'"],
        id="condition-with-text-and-regex",
    ),
    pytest.param(
        'summary: "demopkg 1.x ships no cp313 wheel, so pip builds it from Rust source and fails without a compiler."', 'summary: "short"',
        [f"{FILE}:3:10: summary: too short: at least 20 characters expected"],
        id="summary-too-short",
    ),
    pytest.param(
        'when: "You can change the pin."', "when: yes",
        [f"{FILE}:24:11: fixes[0].when: expected a string, got a boolean True"],
        id="yaml-boolean-gotcha",  # YAML 1.1 reads yes as true
    ),
]


@pytest.mark.parametrize("old, new, expected", CASES)
def test_bad_record(old: str, new: str, expected: list[str]) -> None:
    assert old in BASE, "the case no longer applies to the fixture"
    assert _errors(BASE.replace(old, new, 1)) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("- a\n- b\n", f"{FILE}:1:1: expected a mapping of fields at the top level, got a list"),  # not a mapping
        ("", f"{FILE}:1:1: the file is empty"),  # empty file
        ("a: b\n" * 200_000, f"{FILE}:1:1: file is larger than 512 KiB; a record should be a few KiB"),  # refused before parsing
        ("[" * 5000, None),  # deep nesting: an error, never a crash
    ],
)
def test_degenerate_documents(text: str, expected: str | None) -> None:
    errors = _errors(text)
    assert errors, "a degenerate document must be rejected"
    if expected is not None:
        assert errors == [expected]


def test_regex_outside_the_subset_is_rejected_with_the_rule() -> None:
    text = BASE.replace("      - text: \"can't find Rust compiler\"", '      - regex: "(a+)+$"')
    errors = _errors(text)
    assert len(errors) == 1
    assert errors[0].startswith(f"{FILE}:19:9: signatures[0].match[0]: ")
    assert "(a+)+$" in errors[0] and "nested quantifiers" in errors[0]


def _copy_kb(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    kb.mkdir()
    for p in VALID.glob("*.yaml"):
        (kb / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    return kb


def test_related_ids_must_exist(tmp_path: Path) -> None:
    kb = _copy_kb(tmp_path)
    path = kb / "demo-c-headers.yaml"
    path.write_text(path.read_text().replace("related: [demo-rust-build]", "related: [demo-rust-buld]"))
    _, errors = check_kb(kb)
    assert [e.format() for e in errors] == [
        "kb/demo-c-headers.yaml:21:11: related[0]: no record with id 'demo-rust-buld'; did you mean 'demo-rust-build'?"
    ]


def test_ids_and_aliases_are_never_reused(tmp_path: Path) -> None:
    kb = _copy_kb(tmp_path)
    path = kb / "demo-c-headers.yaml"
    path.write_text(path.read_text().replace("packages: [cdemo]", "aliases: [demo-old-id]\npackages: [cdemo]"))
    _, errors = check_kb(kb)
    assert [e.format() for e in errors] == [
        "kb/demo-rust-build.yaml:5:11: aliases[0]: 'demo-old-id' is already used by kb/demo-c-headers.yaml; ids and aliases are never reused"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    kb = _copy_kb(tmp_path)
    (kb / "broken.yaml").write_text("id: [\n")
    (kb / "other.yml").write_text("id: other\n")
    (kb / "latin1.yaml").write_bytes(b"id: caf\xe9\n")
    records, errors = check_kb(kb)
    assert len(records) == 2
    assert [e.format() for e in errors] == [
        "kb/broken.yaml:2:1: YAML syntax error: expected the node content, but found '<stream end>' (while parsing a flow node)",
        "kb/latin1.yaml:1:1: the file is not UTF-8 text; save it as UTF-8",
        "kb/other.yml:1:1: records use the .yaml extension; rename the file",
    ]
    with pytest.raises(InvalidRecords) as info:
        load_kb(kb)
    assert len(info.value.errors) == 3


def test_json_schema_is_derived_from_the_models() -> None:
    schema = json_schema()
    json.dumps(schema)  # serialisable
    assert schema["additionalProperties"] is False
    assert {"id", "title", "summary", "affects", "symptoms", "signatures", "cause", "fixes", "references"} <= set(schema["required"])
    assert schema["properties"]["id"]["pattern"].startswith("^[a-z0-9]")


def test_json_schema_accepts_the_real_records() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json_schema()
    for path in sorted((Path(__file__).parent.parent / "kb").glob("*.yaml")):
        if path.name == "environments.yaml":
            continue
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
