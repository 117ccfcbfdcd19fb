"""``wheelfix audit``: check requirements and lock files against the deploy target.

Exit codes: 0 every package installs from a wheel; 1 something builds from
source, cannot install, has a hash mismatch, or the dependencies could not be
resolved; 2 usage or input error (uv missing where dependencies need it).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional

from generator.cli.commands import _common

if TYPE_CHECKING:  # the audit module pulls in the wheel engine; only when run
    from generator.audit.run import AuditReport, Finding

logger = logging.getLogger("wheelfix.audit")

_VERB = {"wheel": "wheel", "sdist": "builds from source", "none": "cannot install"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="requirements.txt, pip freeze output, pylock.toml, uv.lock or poetry.lock")
    parser.add_argument("--python", action="append", default=[], metavar="X.Y", help="CPython version to audit for (repeatable)")
    parser.add_argument("--platform", action="append", default=[], metavar="TAG", help="platform tag, e.g. manylinux_2_35_x86_64 (repeatable)")
    parser.add_argument("--env", metavar="NAME", help="a named environment from kb/environments.yaml (e.g. render)")
    parser.add_argument("--format", choices=("requirements", "freeze", "pylock", "uv", "poetry"), help="file format (default: from the name or content)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (see docs/audit.md)")
    parser.add_argument("--guides", type=Path, metavar="FILE", help="signatures bundle to link guides from (default: the bundled one)")
    parser.add_argument("--no-deps", action="store_true", help="check only the packages the files name; do not resolve their dependencies (no uv needed)")
    _common.add_kb_option(parser)
    _common.add_index_options(parser)


def _environment(args: argparse.Namespace) -> Any:
    if not args.env:
        return None
    from importlib import resources

    from generator.audit.run import AuditError
    from generator.kb.environments import load_environments, parse_environments

    local = Path(args.kb) / "environments.yaml"
    bundled = resources.files("generator").joinpath("data").joinpath("environments.yaml")
    present = local.exists() or local.is_symlink()  # a FIFO or a broken link there is refused, not skipped
    if not present and bundled.is_file():
        # Outside the wheelfix repository (a pre-commit hook, a CI step) there is no kb/.
        envs = parse_environments(bundled.read_text(encoding="utf-8"), "bundled environments.yaml")
    elif not present:
        raise AuditError(
            f"--env needs {local}, which does not exist",
            hint="pass --kb DIR pointing at a wheelfix knowledge base, or use --python and --platform",
        )
    else:
        envs = load_environments(local, root=Path(args.kb))
    if args.env not in envs:
        raise AuditError(f"--env {args.env!r} is not a named environment", hint=f"known: {', '.join(sorted(envs))}")
    return envs[args.env]


def run(args: argparse.Namespace) -> int:
    from generator.audit import run as audit_mod
    from generator.cli import ghactions
    from generator.audit.pinfiles import parse_file

    environment = _environment(args)
    files = [parse_file(Path(f), format=args.format) for f in args.files]
    guides, guide_warning = audit_mod.load_guides(args.guides)
    targets: dict[Path, list[audit_mod.AuditTarget]] = {}
    plan_warnings: List[str] = []
    for pf in files:
        targets[pf.path], warnings = audit_mod.plan_targets(
            pf.path, pythons=args.python, platforms=args.platform, environment=environment
        )
        plan_warnings.extend(w for w in warnings if w not in plan_warnings)
    client = _common.index_client(args)
    resolver = None
    if not args.no_deps and any(pf.format == "requirements" and pf.requirements for pf in files):
        from generator.index.client import default_cache_dir
        from generator.audit.resolver import UvResolver, find_uv

        resolver = UvResolver(find_uv(), index_url=client.index_url, cache_dir=default_cache_dir() / "uv", offline=args.offline)
    report = audit_mod.audit(
        files, targets, fetch_many=client.fetch_many, guides=guides, resolve=resolver, no_resolve_reason="--no-deps"
    )
    report.warnings[:0] = plan_warnings + ([guide_warning] if guide_warning else [])
    if args.offline:
        age = audit_mod.data_age_warning(report)
        if age:
            report.warn(age)
    for note in client.fallback_notes():  # the index failed without --offline: say how
        report.warn(note)
    logger.info("index: %d request(s), %d cache hit(s)", client.stats.requests, client.stats.cache_hits)

    gha = ghactions.in_github_actions()
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(render_text(report, verbose=args.verbose > 0))
    if gha:
        for line in annotation_lines(report):
            # With --json, stdout is the JSON object; the runner reads commands on stderr too.
            print(line, file=sys.stderr if args.json else sys.stdout)
        ghactions.append_step_summary(step_summary(report))
    return report.exit_code


def _count(report: AuditReport, kind: str) -> int:
    return sum(1 for f in report.findings if f.kind == kind)


def render_text(report: AuditReport, *, verbose: bool = False) -> str:
    """The human report: problems per target, then warnings and a summary line."""
    out: List[str] = []
    for target in report.targets:
        rows = [f for f in report.findings if f.python == target.python and f.platform == target.platform]
        out.append(f"CPython {target.python} on {target.platform} (Python from {target.python_source}):")
        shown = rows if verbose else [f for f in rows if not f.ok]
        for f in shown:
            out.append(f"  {f.where}: {f.label}: {_VERB[f.kind]}" + (f" ({f.file_name})" if f.file_name else ""))
            if not f.ok:
                out.append(f"      {f.reason}")
                if f.guide:
                    out.append(f"      guide: {f.guide.title} <{f.guide.url}>")
                if f.nearest_wheel:
                    nw = f.nearest_wheel
                    out.append(f"      nearest release with a wheel: {nw.version} ({nw.direction}): {nw.file}")
                else:
                    out.append("      no release has a wheel for this target")
                out.append(f"      {upgrade_text(f)}")
                if f.build_requires:
                    out.append(f"      a source build needs: {', '.join(f.build_requires)}")
        ok = sum(1 for f in rows if f.ok)
        if not shown:
            out.append(f"  all {ok} package(s) install from wheels")
        for r in report.resolutions:
            if (r.python, r.platform) == (target.python, target.platform) and r.ok:
                out.append(f"  {r.summary}")
    for w in report.warnings:
        out.append(f"warning: {w}")
    n_sdist, n_none = _count(report, "sdist"), _count(report, "none")
    out.append(
        f"{len(report.findings)} check(s) on {len(report.targets)} target(s): {_count(report, 'wheel')} wheel(s), "
        f"{n_sdist} source build(s), {n_none} cannot install, {len(report.hash_mismatches)} hash mismatch(es)"
    )
    return "\n".join(out)


def upgrade_text(f: Finding) -> str:
    """The upgrade sentence of a problem, true of what the resolver checked."""
    from generator.audit.closure import MAX_UPGRADE_CHECKS

    top, current = f.required_by[-1] if f.required_by else (f.package, f.version or "?")
    if not f.upgrade_checked:
        return "upgrade: not checked (the resolver did not run, or did not finish)"
    if f.upgrade is None:
        return (
            f"upgrade: no release of {top} above {current} (the nearest {MAX_UPGRADE_CHECKS} with a wheel checked) "
            "installs with all its dependencies from wheels"
        )
    u = f.upgrade
    return f"upgrade: {u.requirement} (from {u.current}; it and all its dependencies install from wheels, checked by {u.checked_by})"


def annotation_lines(report: AuditReport) -> List[str]:
    """``::warning``/``::error`` workflow commands for every problem."""
    from generator.cli.ghactions import annotation

    lines: List[str] = []
    for f in report.problems:
        msg = f"{f.label} {_VERB[f.kind]} on CPython {f.python} {f.platform}: {f.reason}"
        if f.nearest_wheel:
            msg += f". Nearest release with a wheel: {f.nearest_wheel.version} ({f.nearest_wheel.direction})"
        if f.upgrade:
            msg += f". Upgrade: {f.upgrade.requirement} (checked by {f.upgrade.checked_by})"
        if f.guide:
            msg += f". Guide: {f.guide.url}"
        level = "error" if f.kind == "none" else "warning"
        lines.append(annotation(level, msg, file=_relative(f.file), line=f.line, title=f"wheelfix audit: {f.package}"))
    for h in report.hash_mismatches:
        lines.append(annotation("error", h.message, file=_relative(h.file), line=h.line, title="wheelfix audit: hash mismatch"))
    for w in report.warnings:
        lines.append(annotation("notice", w))
    return lines


def _relative(path: str) -> str:
    # Annotations need paths relative to the repository (the workspace).
    base = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
    try:
        return str(Path(path).resolve().relative_to(Path(base).resolve()))
    except ValueError:
        return path


def step_summary(report: AuditReport) -> str:
    """The Markdown job summary: one table row per problem, guides linked."""
    from generator.cli.ghactions import markdown_link, markdown_table

    lines = ["## wheelfix audit", ""]
    targets = ", ".join(f"CPython {t.python} on {t.platform} (from {t.python_source})" for t in report.targets)
    lines.append(f"Targets: {targets}")
    lines.append("")
    if not report.problems and not report.hash_mismatches:
        lines.append(f"All {len(report.findings)} package check(s) install from wheels.")
    else:
        rows: List[List[str]] = []
        for f in report.problems:
            nw: Optional[str] = f"{f.nearest_wheel.version} ({f.nearest_wheel.direction})" if f.nearest_wheel else "none"
            rows.append([
                _cell_where(f.file, f.line), f.package, f.version or "?",
                ", ".join(f"{name} {version}" for name, version in f.required_by), f"{f.python} {f.platform}", _VERB[f.kind],
                markdown_link(f.guide.title, f.guide.url) if f.guide else "", nw or "",
                f.upgrade.requirement if f.upgrade else "", ", ".join(f.build_requires),
            ])
        for h in report.hash_mismatches:
            rows.append([_cell_where(h.file, h.line), h.package, h.version, "", "any", "hash mismatch", "", "", "", ""])
        lines.append(markdown_table(
            ["File", "Package", "Version", "Required by", "Target", "Result", "Guide", "Nearest wheel", "Upgrade", "Build needs"],
            rows, raw_columns=[6],
        ))
    if report.warnings:
        lines.append("")
        lines.extend(f"- {w}" for w in report.warnings)
    return "\n".join(lines) + "\n"


def _cell_where(file: str, line: Optional[int]) -> str:
    rel = _relative(file)
    return f"{rel}:{line}" if line else rel

