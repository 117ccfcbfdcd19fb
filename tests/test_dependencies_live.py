"""wheelfix's own runtime dependencies install from wheels everywhere (live; opt in with --live).

``wheelfix explain`` imports only the standard library, but ``pip install wheelfix``
pulls the dependencies below; the compiled ones must have a wheel that pip would
pick on every target the KB covers, Alpine (musl) and Windows included.  Judged
with wheelfix's own engine against the live index, as ``wheelfix table`` does.
"""

from __future__ import annotations

import pytest

from generator.index.client import IndexClient
from generator.truth.wheels import Kind, Target, release_verdicts

# Runtime dependencies that ship compiled code (the rest are pure Python).
COMPILED = ["pydantic-core", "pyyaml", "markupsafe", "msgpack", "charset-normalizer"]
PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]
PLATFORMS = ["manylinux_2_17_x86_64", "musllinux_1_2_x86_64", "musllinux_1_2_aarch64", "win_amd64", "macosx_11_0_arm64"]


@pytest.mark.live
@pytest.mark.parametrize("package", COMPILED)
def test_pip_picks_a_wheel_on_every_target(package: str) -> None:
    page = IndexClient(progress=False).fetch(package)
    missing = []
    for python in PYTHONS:
        for platform in PLATFORMS:
            installable = [
                v for v in release_verdicts(page, Target.parse(python, platform))
                if not v.yanked and not v.version.is_prerelease and v.kind is not Kind.NONE
            ]
            chosen = installable[-1] if installable else None  # pip takes the newest it can install
            if chosen is None or chosen.kind is not Kind.WHEEL:
                missing.append(f"{python}/{platform}: {chosen.version if chosen else 'nothing'}")
    assert not missing, f"{package} would build from source or not install: {missing}"
