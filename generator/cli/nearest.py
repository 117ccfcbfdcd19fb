"""The nearest release of a failed package that has a wheel for the log's Python and platform.

Index data comes from the cache, or the index with ``online``; the index
client is imported only when there may be something to read, so that
``wheelfix explain`` starts fast.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from generator.logs.diagnose import Diagnosis

logger = logging.getLogger("wheelfix.diagnose")


def nearest_wheel(diagnosis: "Diagnosis", *, online: bool = False) -> Optional[Dict[str, str]]:
    """The release of ``diagnosis.failed`` nearest the one that failed that has a wheel.

    See :func:`nearest_wheel_or_note`, which also says why there is none.
    """
    return nearest_wheel_or_note(diagnosis, online=online)[0]


def nearest_wheel_or_note(diagnosis: "Diagnosis", *, online: bool = False) -> Tuple[Optional[Dict[str, str]], Optional[str]]:
    """``({"version", "file"}, None)``, or ``(None, why not)`` (``why`` is None without a failed package).

    "Nearest": the lowest release at or above the version the log shows
    being built, else the highest below it; without a version, the newest.
    Needs the failed package, the Python version and the platform; only
    cached index data is used unless ``online``.  A Linux platform whose glibc
    the log does not show is taken as manylinux2014 (glibc 2.17): a wheel
    found is then certain to install.
    """
    name, python, platform = diagnosis.failed, diagnosis.python, diagnosis.platform
    if not name:
        return None, None
    if not python:
        return None, "the log does not show the Python version"
    if not platform:
        return None, "the log does not show the platform"
    if platform.startswith("linux_"):
        platform = "manylinux_2_17_" + platform[len("linux_"):]
    not_cached = f"no index data for {name} is cached; run again with --online to look it up"
    if not online:
        from generator.index.cachedir import default_cache_dir, http_cache_dir

        # Nothing cached at all: known without importing the index client.
        if not http_cache_dir(default_cache_dir()).is_dir():
            return None, not_cached
    try:
        from packaging.version import InvalidVersion, Version

        from generator import pep440
        from generator.index.client import IndexClient, IndexClientError, IndexUnavailable  # type: ignore[import-not-found,unused-ignore]
        from generator.truth.wheels import Kind, Target, release_verdicts  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:  # the index modules are optional at this layer
        logger.debug("nearest wheel unavailable: %s", exc)
        return None, f"looking it up needs wheelfix's index support ({exc.name or exc} is not installed)"
    try:
        page = IndexClient(offline=not online, progress=False).fetch(name)
        verdicts = release_verdicts(page, Target.parse(python, platform))
    except IndexUnavailable as exc:
        logger.info("no index data for %s: %s", name, exc)
        if online:
            return None, f"the package index could not be read ({exc})"
        return None, not_cached
    except (IndexClientError, ValueError) as exc:
        logger.info("no index data for %s: %s", name, exc)
        return None, f"the index data for {name} could not be used ({exc})"
    wheels: List[Tuple[Any, Any]] = []
    for verdict in verdicts:
        if verdict.kind != Kind.WHEEL or verdict.file is None:
            continue
        try:
            wheels.append((Version(str(verdict.version)), verdict))
        except InvalidVersion:
            continue
    if not wheels:
        return None, f"no release of {name} has a wheel for Python {python} on {platform}"
    wheels.sort(key=lambda pair: pair[0])
    failed_version = diagnosis.versions.get(name)
    chosen = wheels[-1][1]
    if failed_version:
        try:
            wanted = pep440.version(failed_version)
        except InvalidVersion:
            wanted = None
        if wanted is not None:
            above = [v for key, v in wheels if key >= wanted]
            below = [v for key, v in wheels if key < wanted]
            chosen = above[0] if above else below[-1]
    return {"version": str(chosen.version), "file": str(chosen.file.filename)}, None
