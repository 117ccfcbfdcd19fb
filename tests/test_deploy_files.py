"""render.yaml against Render's Blueprint schema, and the pre-commit configuration.

The schema is a fixture (tests/data/render/, source and date in its README):
the tests never touch the network.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import jsonschema
import pytest
import yaml

from generator import kb as kb_mod
from generator.site import deploy

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "data" / "render" / "render.yaml.schema.json").read_text(encoding="utf-8"))


def _blueprint() -> Dict[str, Any]:
    doc = yaml.safe_load((ROOT / "render.yaml").read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _errors(doc: Any) -> List[str]:
    validator = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def _site(doc: Dict[str, Any]) -> Dict[str, Any]:
    (service,) = [s for s in doc["services"] if s.get("runtime") == "static"]
    return service


def test_the_fixture_is_renders_blueprint_schema() -> None:
    assert SCHEMA["$id"] == "https://render.com/schema/render.yaml.json"
    readme = (ROOT / "tests" / "data" / "render" / "README.md").read_text(encoding="utf-8")
    assert SCHEMA["$id"] in readme


def test_render_yaml_is_valid() -> None:
    assert _errors(_blueprint()) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.update(runtime="staticc"),                     # a misspelt runtime
        lambda s: s.update(staticPublishDir="./site"),              # an unknown key
        lambda s: s["previews"].update(generation="always"),        # not a generation mode
        lambda s: s["routes"].append({"type": "redirect", "source": "/x/"}),  # a route without destination
        lambda s: s["headers"].append({"path": "/x", "name": "Cache-Control"}),  # a header without value
    ],
)
def test_the_schema_catches_mistakes(change: Any) -> None:
    # The validation above can fail: each of these breaks the real file.
    doc = copy.deepcopy(_blueprint())
    change(_site(doc))
    assert _errors(doc)


def _deprecated(schema: Dict[str, Any], definition: str) -> List[str]:
    props = schema["definitions"][definition]["properties"] if definition else schema["properties"]
    return sorted(k for k, v in props.items() if isinstance(v, dict) and v.get("deprecated"))


def test_previews_use_the_schemas_current_setting() -> None:
    # Render deprecated pullRequestPreviewsEnabled for previews.generation.
    deprecated = _deprecated(SCHEMA, "staticService")
    assert "pullRequestPreviewsEnabled" in deprecated
    site = _site(_blueprint())
    assert not set(deprecated) & set(site)
    assert not set(_deprecated(SCHEMA, "")) & set(_blueprint())
    assert site["previews"] == {"generation": "automatic"}


def test_short_link_routes_are_the_kbs() -> None:
    knowledge = kb_mod.load(ROOT / "kb")
    routes = [(r["source"], r["destination"]) for r in _site(_blueprint())["routes"] if r["type"] == "redirect"]
    assert routes == deploy.short_link_routes(knowledge), "run: python -m generator.site.deploy render.yaml"
    text = (ROOT / "render.yaml").read_text(encoding="utf-8")
    assert deploy.replace_block(text, deploy.routes_block(knowledge)) == text
    for source, destination in routes:
        # Every target is a built guide page; every source is one of its short links.
        guide_id = destination.split("/")[2]
        assert (ROOT / "kb" / f"{guide_id}.yaml").is_file(), destination
        assert source.startswith("/e/") and source.endswith("/")


def test_replace_block_needs_its_markers() -> None:
    with pytest.raises(deploy.RoutesBlockMissing, match="BEGIN short-link routes"):
        deploy.replace_block("services: []\n", "")


def _material_file(pattern: str) -> List[Path]:
    import material

    templates = Path(material.__file__).parent / "templates"
    return sorted(templates.glob(pattern.lstrip("/")))


def test_cache_headers_cover_the_search_files(tmp_path: Path) -> None:
    headers = {(h["path"], h["name"]): h["value"] for h in _site(_blueprint())["headers"]}
    # Every file of the search bundle a build writes has exactly one rule, and it is
    # "immutable" exactly when the file's name carries a hash of its content.
    import fnmatch
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    import test_search
    from generator.site.searchbundle import BUNDLE_DIR, write_search_bundle

    site = tmp_path / "site"
    written = write_search_bundle(site, test_search.search.documents(test_search.KB), test_search.SEPARATOR)
    hashed = re.compile(r"_[0-9a-f]{7,}\.pf_(?:fragment|index|meta)$")
    for path in written:
        url = "/" + path.relative_to(site).as_posix()
        rules = [value for (pattern, name), value in headers.items() if name == "Cache-Control" and fnmatch.fnmatchcase(url, pattern)]
        assert len(rules) == 1, (url, rules)
        assert ("immutable" in rules[0]) == bool(hashed.search(url)), (url, rules[0])
        assert "immutable" in rules[0] or rules[0] == "no-cache", (url, rules[0])
    # "immutable" is only true of files whose name changes with their content.
    worker = headers[("/assets/javascripts/workers/*", "Cache-Control")]
    assert "immutable" in worker
    files = [p for p in _material_file("/assets/javascripts/workers/*") if p.suffix == ".js"]
    assert files and all(len(p.name.split(".")) == 4 and len(p.name.split(".")[1]) == 8 for p in files), files


def _requirements_of_pyproject() -> List[str]:
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(data["project"]["dependencies"])


def _local_hooks() -> Iterator[Tuple[str, Dict[str, Any]]]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    for repo in config["repos"]:
        assert repo["repo"] == "local"
        for hook in repo["hooks"]:
            yield hook["id"], hook


def test_pre_commit_runs_check_on_records_with_the_runtime_dependencies() -> None:
    hooks = dict(_local_hooks())
    hook = hooks["wheelfix-check"]
    assert hook["entry"] == "python -m generator check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    import re

    assert re.search(hook["files"], "kb/tiktoken-cargo-read-only-filesystem.yaml")
    assert re.search(hook["files"], "kb/samples/x/build.log")
    assert not re.search(hook["files"], "generator/kb/records.py")
    assert hook["additional_dependencies"] == _requirements_of_pyproject()
