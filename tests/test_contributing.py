"""The contributor's path: CONTRIBUTING.md, the pull-request template and the "My build failed" form."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import yaml

ROOT = Path(__file__).resolve().parent.parent
FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "build-failed.yml"
# The body element types of GitHub's issue forms, and the attributes each needs.
_TYPES = {"markdown": {"value"}, "textarea": {"label"}, "input": {"label"}, "dropdown": {"label", "options"}, "checkboxes": {"label", "options"}}


def _form() -> Dict[str, Any]:
    return yaml.safe_load(FORM.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_the_issue_form_is_well_formed() -> None:
    form = _form()
    assert {"name", "description", "body"} <= set(form)
    ids: List[str] = []
    for item in form["body"]:
        assert item["type"] in _TYPES, item
        assert _TYPES[item["type"]] <= set(item["attributes"]), item
        if item["type"] != "markdown":
            assert re.match(r"^[A-Za-z0-9_-]+$", item["id"]), item
            ids.append(item["id"])
    assert len(ids) == len(set(ids)), "ids must be unique"


def test_the_issue_form_asks_for_what_a_guide_needs() -> None:
    required = {item["id"] for item in _form()["body"] if item.get("validations", {}).get("required")}
    assert {"log", "command", "python", "platform", "explain"} <= required


def test_the_pull_request_template_is_a_checklist() -> None:
    text = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    boxes = [line for line in text.splitlines() if line.startswith("- [")]
    assert len(boxes) >= 4 and all(line.startswith("- [ ] ") for line in boxes)


def test_contributing_links_and_commands_exist() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target
    for path in re.findall(r"`((?:schema|kb|docs)/[A-Za-z0-9_./-]+\.(?:json|md))`", text):
        assert (ROOT / path).exists(), path
    from generator.cli.commands import new

    import argparse

    parser = argparse.ArgumentParser()
    new.configure(parser)
    assert "--from-log" in parser.format_help() and "--from-log" in text
