"""Claims that flipped at the last refresh: ``claims.json`` of this build against the previous one's.

Every build with index data publishes ``claims.json`` (each fix's claim and whether
it held against that build's data).  Given the previous build's file (the
``previous_claims`` plugin option, ``wheelfix export --previous-claims``), the
build also publishes ``changes.json``: the claims whose verdict changed, and the
home page lists them.  A claim is the same claim when its guide, fix number,
requirement, Pythons and platforms are all the same; a changed or new claim is
not a flip.  Pure: payloads in, payloads out.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Tuple

from generator.errors import WheelfixError
from generator.kb import KnowledgeBase
from generator.site import views
from generator.site.home import Flip

FORMAT = 1
CLAIMS = "claims.json"
CHANGES = "changes.json"
#: The previous build's claims.json is read up to this size (a few hundred bytes per claim).
MAX_BYTES = 4 * 1024 * 1024

_Key = Tuple[str, int, str, Tuple[str, ...], Tuple[str, ...]]


class BadClaimsFile(WheelfixError):
    """The previous build's claims.json is not one this version can compare with."""

    exit_code = 2


def claims_payload(kb: KnowledgeBase, extras: views.Extras) -> Dict[str, Any]:
    """claims.json: every claim of every guide and its verdict in this build."""
    claims: List[Dict[str, Any]] = []
    for rec in kb.records:
        for i, fix in enumerate(rec.incident.fixes):
            if fix.claim is None or (rec.incident.id, i) not in extras.claims:
                continue
            holds, note = extras.claims[(rec.incident.id, i)]
            claims.append({
                "guide": rec.incident.id, "fix": i + 1, "requirement": fix.claim.requirement,
                "python": list(fix.claim.python), "platforms": list(fix.claim.platforms), "holds": holds, "note": note,
            })
    return {"format": FORMAT, "claims": claims}


def _fail(display: str, where: str, rule: str) -> BadClaimsFile:
    return BadClaimsFile(f"{display}: {where}: {rule}", hint=f"pass the {CLAIMS} of a previous wheelfix build, or leave the option out")


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _keyed(payload: Any, display: str) -> Dict[_Key, bool]:
    """claim key -> holds, validating the payload's shape; raises :class:`BadClaimsFile`."""
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or not isinstance(payload.get("claims"), list):
        raise _fail(display, "format", f"expected an object with \"format\": {FORMAT} and a \"claims\" list")
    out: Dict[_Key, bool] = {}
    for n, c in enumerate(payload["claims"]):
        ok = (
            isinstance(c, dict) and isinstance(c.get("guide"), str) and isinstance(c.get("fix"), int)
            and not isinstance(c.get("fix"), bool) and isinstance(c.get("requirement"), str)
            and _strings(c.get("python")) and _strings(c.get("platforms")) and isinstance(c.get("holds"), bool)
        )
        if not ok:
            raise _fail(display, f"claims[{n}]", "expected guide, requirement (strings), fix (integer), python, platforms (string lists) and holds (true/false)")
        out[(c["guide"], c["fix"], c["requirement"], tuple(c["python"]), tuple(c["platforms"]))] = c["holds"]
    return out


def flips(previous: Any, current: Mapping[str, Any], display: str = CLAIMS) -> Tuple[Flip, ...]:
    """The claims in both payloads whose verdict differs, in the current file's order."""
    before = _keyed(previous, display)
    now = _keyed(current, "this build")
    return tuple(Flip(k[0], k[1], k[2], holds) for k, holds in now.items() if k in before and before[k] != holds)


def changes_payload(found: Tuple[Flip, ...]) -> Dict[str, Any]:
    """changes.json: the flips of this build."""
    return {"format": FORMAT, "flipped": [{"guide": f.guide, "fix": f.fix, "requirement": f.requirement, "holds": f.holds} for f in found]}
