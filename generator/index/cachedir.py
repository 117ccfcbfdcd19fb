"""Where wheelfix caches index responses (stdlib only: ``explain`` asks before importing the index client)."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    """$WHEELFIX_CACHE_DIR, else $XDG_CACHE_HOME/wheelfix, else ~/.cache/wheelfix."""
    explicit = os.environ.get("WHEELFIX_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "wheelfix"
    return Path.home() / ".cache" / "wheelfix"


def http_cache_dir(cache_dir: Path) -> Path:
    """The directory of cached HTTP responses under ``cache_dir``."""
    return cache_dir / "http"
