"""``.pre-commit-hooks.yaml``: the hook runs the installed CLI on the files it matches."""

from __future__ import annotations

import re
import sys

from click.testing import CliRunner
from conftest import REPO, SAMPLES

from validator.cli import main
from validator.framing.formats import BY_NAME_SUFFIXES, STREAM_SUFFIXES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def hooks() -> list[dict[str, str]]:
    """The hook file read as the flat YAML it is: a list of mappings of scalars (no PyYAML)."""
    found: list[dict[str, str]] = []
    for line in (REPO / ".pre-commit-hooks.yaml").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"(- |  )([a-z_]+): (.*)", line)
        assert match, f"not a flat hook entry: {line!r}"
        if match[1] == "- ":
            found.append({})
        value = match[3]
        found[-1][match[2]] = value[1:-1] if value[:1] == value[-1:] == '"' else value
    return found


def test_the_hook_runs_the_lint_command_of_the_console_script():
    [hook] = hooks()
    assert hook["id"] == "stream-validator"
    assert hook["language"] == "python"
    script, command = hook["entry"].split()
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[script] == "validator.__main__:main"
    assert command in main.commands


def test_the_file_pattern_matches_captures_only():
    [hook] = hooks()
    pattern = re.compile(hook["files"])
    for name in ("a.sse", "dir/b.jsonl", "c.ndjson"):
        assert pattern.search(name), name
    for name in ("a.json", "pyproject.toml", "notes.sse.txt", "x.py", "README.md"):
        assert not pattern.search(name), name
    assert all(f".{ext}" in STREAM_SUFFIXES for ext in ("sse", "jsonl", "ndjson"))


def test_the_file_pattern_is_the_format_tables():
    # the suffixes that make a file a capture by name alone (.json files are tested by content,
    # which a hook's file pattern cannot do)
    [hook] = hooks()
    assert hook["files"] == rf"\.({'|'.join(s[1:] for s in BY_NAME_SUFFIXES)})$"


def test_the_hook_passes_clean_files_and_fails_broken_ones():
    """pre-commit appends the matched file names to the entry's arguments."""
    [hook] = hooks()
    pattern = re.compile(hook["files"])
    _, command = hook["entry"].split()
    valid = [str(p) for p in sorted((SAMPLES / "valid").iterdir()) if pattern.search(p.name)]
    invalid = str(SAMPLES / "seeds" / "responses-mismatched-ids.jsonl")
    assert valid
    assert CliRunner().invoke(main, [command, *valid]).exit_code == 0
    assert CliRunner().invoke(main, [command, *valid, invalid]).exit_code == 1
