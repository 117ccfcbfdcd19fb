"""Tests for generator.cli.ghactions: workflow-command annotations and the job summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli.ghactions import (
    GitHubActionsError,
    annotation,
    append_step_summary,
    in_github_actions,
    markdown_link,
    markdown_table,
)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        # plain message
        ({"level": "warning", "message": "hi"}, "::warning::hi"),
        # file and line
        ({"level": "error", "message": "m", "file": "req.txt", "line": 3}, "::error file=req.txt,line=3::m"),
        # line without file is dropped: the runner needs both
        ({"level": "notice", "message": "m", "line": 3}, "::notice::m"),
        # title and escaping of ':' and ',' in properties, '%' and newlines in the message
        (
            {"level": "warning", "message": "50%\nnext", "file": "a,b:c.txt", "line": 1, "title": "x: y"},
            "::warning file=a%2Cb%3Ac.txt,line=1,title=x%3A y::50%25%0Anext",
        ),
    ],
)
def test_annotation(kwargs: dict, expected: str) -> None:  # type: ignore[type-arg]
    assert annotation(**kwargs) == expected


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"level": "debug", "message": "m"}, "level 'debug' is not one of"),  # unknown level
        ({"level": "error", "message": "m", "file": "f", "line": 0}, "line 0 must be 1 or more"),  # lines start at 1
    ],
)
def test_annotation_rejects(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(GitHubActionsError, match=message):
        annotation(**kwargs)


def test_markdown_table_escapes_cells() -> None:
    table = markdown_table(["a", "b"], [["x|y", markdown_link("guide [1]", "/g/1 (x)")]], raw_columns=[1])
    assert table == "| a | b |\n| --- | --- |\n| x\\|y | [guide \\[1\\]](/g/1%20(x%29) |\n"


def test_markdown_table_row_length() -> None:
    with pytest.raises(GitHubActionsError, match="row 1 has 1 cells, the header has 2"):
        markdown_table(["a", "b"], [["x"]])


def test_markdown_link_without_url() -> None:
    assert markdown_link("a|b", None) == "a\\|b"


def test_append_step_summary(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    target.write_text("before\n")
    assert append_step_summary("## one", {"GITHUB_STEP_SUMMARY": str(target)}) == target
    append_step_summary("two\n", {"GITHUB_STEP_SUMMARY": str(target)})
    assert target.read_text() == "before\n## one\ntwo\n"
    assert append_step_summary("x", {}) is None


def test_append_step_summary_unwritable(tmp_path: Path) -> None:
    with pytest.raises(GitHubActionsError, match="cannot append the job summary"):
        append_step_summary("x", {"GITHUB_STEP_SUMMARY": str(tmp_path / "missing" / "s.md")})


@pytest.mark.parametrize("value, expected", [("true", True), ("True", True), ("", False), ("false", False)])
def test_in_github_actions(value: str, expected: bool) -> None:
    assert in_github_actions({"GITHUB_ACTIONS": value}) is expected
