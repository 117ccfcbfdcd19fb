"""Helpers that build the real site in a temporary folder (used by tests and bench)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent


def mkdocs(config: Path, site_dir: Path, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build --strict`` and return the finished process."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir)],
        capture_output=True, text=True, env=full_env, cwd=config.parent,
    )


def kb_config(tmp: Path, kb_dir: Path, **options: object) -> Path:
    """A copy of mkdocs.yml whose wheelfix plugin reads ``kb_dir`` (plus ``options``), over docs/."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - wheelfix\n" in text
    settings = "".join(f"\n      {k}: {json.dumps(v)}" for k, v in {"kb_dir": str(kb_dir), **options}.items())
    text = text.replace("  - wheelfix\n", f"  - wheelfix:{settings}\n", 1)
    text = text.replace("custom_dir: generator/site/theme", f"custom_dir: {ROOT / 'generator' / 'site' / 'theme'}")
    config_path = tmp / "mkdocs.yml"
    config_path.write_text(text + f"\ndocs_dir: {ROOT / 'docs'}\n", encoding="utf-8")
    return config_path


def plain_config(tmp: Path, kb_dir: Path = ROOT / "kb", extra_docs: Optional[Path] = None) -> Path:
    """A copy of mkdocs.yml without the wheelfix plugin, over docs/ plus exported pages.

    This is how another MkDocs-compatible generator would build the site from
    ``wheelfix export``'s output.
    """
    docs = tmp / "docs"
    shutil.copytree(ROOT / "docs", docs)
    if extra_docs is not None:
        shutil.copytree(extra_docs, docs, dirs_exist_ok=True)
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = yaml.load(text, Loader=_PermissiveLoader)  # noqa: S506 - our own file; keeps !!python/name tags
    config["plugins"] = [p for p in config["plugins"] if not (p == "wheelfix" or (isinstance(p, dict) and "wheelfix" in p))]
    config["docs_dir"] = str(docs)
    config["theme"]["custom_dir"] = str(ROOT / config["theme"]["custom_dir"])
    out = tmp / "mkdocs.yml"
    out.write_text(yaml.dump(config, Dumper=_Dumper, sort_keys=False), encoding="utf-8")
    return out


class _Tag(str):
    pass


class _PermissiveLoader(yaml.SafeLoader):
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tag:
    value = _Tag(suffix)
    return value


_PermissiveLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _tag)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Tag, lambda d, v: d.represent_scalar("tag:yaml.org,2002:python/name:" + str(v), ""))
