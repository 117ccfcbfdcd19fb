"""Which index and where its cache lives: pip's configuration, the environment, the project URL."""

from __future__ import annotations

import logging
import os
from typing import List
from urllib.parse import urlsplit

from packaging.utils import canonicalize_name

from generator.index.cachedir import default_cache_dir
from generator.index.page import IndexClientError

__all__ = ["configured_index_url", "default_cache_dir", "index_hosts", "project_url"]

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


def index_hosts() -> List[str]:
    """Host names a published log must not show: the configured index's, extra indexes' and pip's defaults.

    pip's default index and its file host are read from pip itself, so their
    names are written nowhere in this project.
    """
    urls = [os.environ.get("PIP_EXTRA_INDEX_URL", "")]
    try:
        urls.append(configured_index_url())
    except IndexClientError:
        pass
    hosts = {_hostname(u) for text in urls for u in text.split()}
    try:
        from pip._internal.models.index import PyPI

        hosts.update([str(PyPI.netloc), str(PyPI.file_storage_domain)])
    except Exception as exc:  # no pip: the configured hosts and the URL shapes still apply
        logger.debug("could not read pip's default index hosts: %s", exc)
    hosts.discard("")
    return sorted(hosts)


def _hostname(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address
        return ""


def project_url(index_url: str, name: str) -> str:
    """The PEP 503/691 URL of a project page: index_url.rstrip('/') + '/' + name + '/'."""
    return index_url.rstrip("/") + "/" + canonicalize_name(name) + "/"
