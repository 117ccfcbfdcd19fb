"""The MkDocs adapter stays thin: config defaults, files added, kb/ watched, errors translated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

from generator.plugin import WheelfixPlugin

VALID = Path(__file__).parent / "data" / "kb_valid"


def _plugin(tmp_path: Path, **options: Any) -> tuple[WheelfixPlugin, MkDocsConfig]:
    plugin = WheelfixPlugin()
    errors, warnings = plugin.load_config({"index": False, **options})
    assert errors == [] and warnings == []
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins: [search]\n")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    plugin.on_config(config)
    return plugin, config


def test_config_defaults() -> None:
    plugin = WheelfixPlugin()
    plugin.load_config({})
    assert plugin.config.kb_dir == "kb"
    assert plugin.config.index is True and plugin.config.strict is True
    assert plugin.config.max_age == 3600 and plugin.config.offline is False and plugin.config.index_url is None


def test_on_files_adds_every_generated_file(tmp_path: Path) -> None:
    plugin, config = _plugin(tmp_path, kb_dir=str(VALID))
    config.plugins._current_plugin = "wheelfix"  # MkDocs sets this while it runs a plugin's event
    files = plugin.on_files(Files([]), config=config)
    assert {f.generated_by for f in files} == {"wheelfix"}
    paths = sorted(f.src_uri for f in files)
    assert "guides/demo-rust-build.md" in paths and "e/demo-old-id/index.html" in paths
    assert "schema/incident.json" in paths and "signatures.json" in paths


def test_kb_dir_is_relative_to_mkdocs_yml(tmp_path: Path) -> None:
    plugin, _ = _plugin(tmp_path, kb_dir="kb")
    assert plugin._kb == (tmp_path / "kb").resolve()


def test_invalid_records_become_a_plugin_error(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "environments.yaml").write_text((VALID / "environments.yaml").read_text())
    (kb / "broken.yaml").write_text("id: [\n")
    plugin, config = _plugin(tmp_path, kb_dir=str(kb))
    config.plugins._current_plugin = "wheelfix"
    with pytest.raises(PluginError) as info:
        plugin.on_files(Files([]), config=config)
    assert "kb/broken.yaml:2:1: YAML syntax error" in str(info.value)


def test_serve_watches_the_kb(tmp_path: Path) -> None:
    plugin, config = _plugin(tmp_path, kb_dir=str(VALID))

    class Server:
        watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    server = Server()
    assert plugin.on_serve(server, config=config, builder=lambda: None) is server
    assert server.watched == [str(VALID.resolve())]


def test_plugin_module_is_small() -> None:
    source = Path(__file__).resolve().parent.parent / "generator" / "plugin.py"
    assert len(source.read_text().splitlines()) < 100  # an adapter, not a home for logic
