"""`lint DIR` in a real repository: what a walk skips, what it reports, and unreadable paths."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from validator.cli import main

VALID = SAMPLES / "valid" / "text.sse"
SEED = SAMPLES / "seeds" / "responses-mismatched-ids.jsonl"


def lint(*args: str):
    return CliRunner().invoke(main, ["lint", "--isolated", "--format", "json", *args],
                              catch_exceptions=False)


def linted(result) -> dict[str, set[str]]:
    return {f["path"]: {v["code"] for v in f["violations"]}
            for f in json.loads(result.output)["files"]}


@pytest.fixture
def repository(tmp_path, monkeypatch):
    """A checkout as a user has one: captures, plus what a walk must not lint."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("/generated/\n*.tmp.sse\n")
    for folder in ("captures", ".venv/lib", ".hypothesis", "node_modules/pkg", "generated",
                   "captures/old"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    for target in ("captures/a.sse", ".venv/lib/x.sse", ".hypothesis/x.sse",
                   "node_modules/pkg/x.sse", "generated/x.sse", "captures/scratch.tmp.sse",
                   "captures/old/b.sse"):
        shutil.copy(VALID, tmp_path / target)
    shutil.copy(SEED, tmp_path / "captures" / "seed.jsonl")
    (tmp_path / "package.json").write_text('{\n  "name": "web",\n  "private": true\n}\n')
    (tmp_path / "tsconfig.json").write_text('{"compilerOptions": {"strict": true}}\n')
    return tmp_path


def test_a_walk_skips_hidden_ignored_and_excluded_paths(repository):
    result = lint(".")
    assert linted(result) == {
        "captures/a.sse": set(), "captures/old/b.sse": set(),
        "captures/seed.jsonl": {"Q001", "I003", "R001", "R003"},
        "package.json": {"F030"}, "tsconfig.json": {"F030"}}
    assert result.exit_code == 1  # the seed's errors; the F030 notes are info


def test_a_json_document_is_one_info_not_a_stream(repository):
    [entry] = json.loads(lint("package.json").output)["files"]
    assert entry["events"] == 0
    assert [(v["code"], v["severity"]) for v in entry["violations"]] == [("F030", "info")]


def test_a_json_array_or_json_lines_capture_is_still_linted(tmp_path):
    events = [json.loads(line) for line in SEED.read_text().splitlines()]
    (tmp_path / "array.json").write_text(json.dumps(events, indent=2))
    (tmp_path / "lines.json").write_text(SEED.read_text())
    found = linted(lint(str(tmp_path)))
    assert list(found.values()) == [{"Q001", "I003", "R001", "R003"}] * 2


def test_exclude_and_extend_exclude_from_the_configuration(repository):
    (repository / "pyproject.toml").write_text(
        '[tool.stream-validator]\nformat = "json"\nextend-exclude = ["captures/old/", "*.json"]\n')
    result = CliRunner().invoke(main, ["lint", "."], catch_exceptions=False)
    assert set(linted(result)) == {"captures/a.sse", "captures/seed.jsonl"}
    (repository / "pyproject.toml").write_text(
        '[tool.stream-validator]\nformat = "json"\nexclude = ["captures/"]\n')
    result = CliRunner().invoke(main, ["lint", "."], catch_exceptions=False)
    assert set(linted(result)) == {"node_modules/pkg/x.sse", "package.json", "tsconfig.json"}


def test_a_named_file_is_linted_whatever_the_patterns(repository):
    assert set(linted(lint("node_modules/pkg/x.sse"))) == {"node_modules/pkg/x.sse"}


def test_a_named_directory_is_walked_though_ignored_or_excluded(repository):
    """Captures are often git-ignored (large, private): naming their folder lints them."""
    assert set(linted(lint("generated"))) == {"generated/x.sse"}
    (repository / "node_modules" / "pkg" / "node_modules").mkdir()
    shutil.copy(VALID, repository / "node_modules" / "pkg" / "node_modules" / "y.sse")
    # Below the named folder the exclude patterns still apply: the nested node_modules.
    assert set(linted(lint("node_modules"))) == {"node_modules/pkg/x.sse"}
    assert set(linted(lint("."))) >= {"captures/a.sse"}  # the walk of the root is unchanged
    assert "generated/x.sse" not in linted(lint("."))


def test_an_unreadable_file_is_reported_at_the_end_and_the_rest_is_linted(repository):
    os.symlink(repository / "gone.sse", repository / "captures" / "dangling.sse")
    result = CliRunner().invoke(main, ["lint", "--isolated", "captures", "missing.sse"],
                                catch_exceptions=False)
    assert result.exit_code == 2
    assert "captures/seed.jsonl:7: I003" in result.stdout  # the rest was linted and reported
    assert "cannot read captures/dangling.sse: No such file or directory" in result.stderr
    assert "cannot read missing.sse: No such file or directory" in result.stderr
    assert "Traceback" not in result.output


def test_an_unreadable_subdirectory_is_reported_not_skipped(repository, monkeypatch):
    # The suite runs as root, whom permissions do not stop: the folder's listing fails instead.
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) == "old":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = CliRunner().invoke(main, ["lint", "--isolated", "captures"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "cannot read captures/old: Permission denied" in result.stderr
    assert "captures/seed.jsonl:7: I003" in result.stdout


def test_a_report_path_that_is_an_input_is_refused(repository):
    before = (repository / "captures" / "a.sse").read_bytes()
    result = lint("captures/a.sse", "--report", "json=captures/a.sse")
    assert result.exit_code == 2 and "would overwrite an input" in result.output
    assert (repository / "captures" / "a.sse").read_bytes() == before


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_the_tools_own_reports_are_skipped_by_walks(repository, fmt):
    first = lint("captures", "--report", f"{fmt}=captures/report.json")
    assert (repository / "captures" / "report.json").exists()
    assert set(linted(lint("captures"))) == set(linted(first))
