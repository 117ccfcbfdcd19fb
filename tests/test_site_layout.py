"""Where the site's sources live: theme templates are never published as pages."""

from __future__ import annotations

import yaml

from sitebuild import ROOT, _PermissiveLoader


def _config() -> dict:  # type: ignore[type-arg]
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_PermissiveLoader)  # noqa: S506


def test_the_theme_override_is_outside_docs_dir() -> None:
    config = _config()
    docs = (ROOT / config.get("docs_dir", "docs")).resolve()
    custom = (ROOT / config["theme"]["custom_dir"]).resolve()
    assert custom.is_dir(), f"custom_dir {custom} does not exist"
    assert docs not in custom.parents and custom != docs, f"custom_dir {custom} is inside docs_dir {docs}: MkDocs would publish its templates"


def test_docs_dir_holds_no_theme_template() -> None:
    # MkDocs copies every non-Markdown file of docs_dir to the site as is.
    templates = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.html"))
    assert templates == [], f"published as static files: {templates}"
