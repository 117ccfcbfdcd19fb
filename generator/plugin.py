"""The MkDocs adapter: adds the generated pages with ``File.generated``.

All work happens in plain functions (:func:`generator.site.build.build_files`);
this class only wires them into MkDocs' events.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from generator import kb as kb_mod
from generator.site.build import BuildOptions, build_files
from generator.errors import WheelfixError

log = logging.getLogger("mkdocs.plugins.wheelfix")


class WheelfixConfig(base.Config):  # type: ignore[no-untyped-call]
    kb_dir = c.Type(str, default="kb")
    #: Fetch index data for the wheel tables and claim checks.
    index = c.Type(bool, default=True)
    index_url = c.Optional(c.Type(str))
    #: Use cached index data only, however old.
    offline = c.Type(bool, default=False)
    #: Seconds during which cached index data is used without asking the index.
    max_age = c.Type(int, default=3600)
    #: Fail the build on a false claim or a package with no index data at all.
    strict = c.Type(bool, default=True)
    #: The previous build's claims.json (a path), to list the claims that flipped since on the home page.
    previous_claims = c.Optional(c.Type(str))
    #: Write the site search's index (Pagefind) after the build.
    search = c.Type(bool, default=True)


class WheelfixPlugin(BasePlugin[WheelfixConfig]):  # type: ignore[no-untyped-call]
    def on_config(self, config: MkDocsConfig) -> Optional[MkDocsConfig]:
        base_dir = Path(config.config_file_path or ".").resolve().parent
        self._kb = (base_dir / self.config.kb_dir).resolve()
        self._previous = (base_dir / self.config.previous_claims) if self.config.previous_claims else None
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        options = BuildOptions(
            kb_dir=self._kb,
            index=self.config.index,
            index_url=self.config.index_url,
            offline=self.config.offline,
            max_age=self.config.max_age,
            strict=self.config.strict,
            previous_claims=self._previous,
        )
        try:
            generated = build_files(options)
        except WheelfixError as exc:
            raise PluginError(f"wheelfix: {exc}") from None
        for path, content in generated.items():
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, path, content=content))
        return files

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.search:
            return
        from generator.site.searchbundle import separator_setting, write_search_bundle
        from generator.site.search import documents

        try:
            separator = separator_setting(config.extra)
            write_search_bundle(Path(config.site_dir), documents(kb_mod.load(self._kb)), separator)
        except WheelfixError as exc:
            raise PluginError(f"wheelfix: {exc}") from None

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self._kb))
        return server
