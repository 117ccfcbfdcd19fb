"""Which index and where its cache lives: pip's configuration, the environment, the project URL."""

from __future__ import annotations

import logging
import os

from packaging.utils import canonicalize_name

from generator.index.cachedir import default_cache_dir
from generator.index.page import IndexClientError

__all__ = ["configured_index_url", "default_cache_dir", "project_url"]

logger = logging.getLogger("wheelfix.index")


def configured_index_url() -> str:
    """The index URL pip would use: PIP_INDEX_URL, pip's global.index-url, else pip's default."""
    env = os.environ.get("PIP_INDEX_URL", "").strip()
    if env:
        return env.split()[0]
    try:
        from pip._internal.configuration import Configuration

        config = Configuration(isolated=False)
        config.load()
        for key in ("global.index-url", ":env:.index-url", "install.index-url"):
            try:
                value = str(config.get_value(key)).strip()
            except Exception:  # pip raises ConfigurationError for a missing key
                continue
            if value:
                return value.split()[0]
    except Exception as exc:  # an unreadable pip config must not stop us; pip's default still applies
        logger.debug("could not read pip's configuration: %s", exc)
    try:
        from pip._internal.models.index import PyPI

        return str(PyPI.simple_url)
    except Exception as exc:
        raise IndexClientError(
            "no index URL configured and pip's default could not be read",
            hint=f"set PIP_INDEX_URL (pip import failed: {exc})",
        ) from None


def project_url(index_url: str, name: str) -> str:
    """The PEP 503/691 URL of a project page: index_url.rstrip('/') + '/' + name + '/'."""
    return index_url.rstrip("/") + "/" + canonicalize_name(name) + "/"
