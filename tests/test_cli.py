"""The command line: exit codes, the JSON contract, selection, stdin, and bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from validator.cli import main

VALID = str(SAMPLES / "valid" / "text.sse")
SEED = str(SAMPLES / "seeds" / "responses-mismatched-ids.jsonl")
WARNING_ONLY = str(SAMPLES / "invalid" / "L012-in-progress-missing.jsonl")


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_clean_file_exits_0():
    result = run("lint", VALID)
    assert result.exit_code == 0, result.output
    assert "no findings" in result.output


def test_errors_exit_1_and_text_points_at_the_line():
    result = run("lint", SEED)
    assert result.exit_code == 1
    assert f"{SEED}:7: I003 [error] item_id" in result.output
    assert '"type":"response.output_text.done"' in result.output  # the quoted event
    assert "5 errors, 1 warning" in result.output


def test_warnings_fail_only_with_strict():
    assert run("lint", WARNING_ONLY).exit_code == 0
    assert run("lint", "--strict", WARNING_ONLY).exit_code == 1


def test_exit_zero():
    assert run("lint", "--exit-zero", SEED).exit_code == 0


def test_json_contract():
    result = run("lint", "--format", "json", SEED, VALID)
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert set(doc) == {"version", "files", "summary"}
    assert doc["version"] == 1
    assert doc["summary"] == {"files": 2, "errors": 5, "warnings": 1, "infos": 0}
    first = doc["files"][0]
    assert set(first) == {"path", "format", "kind", "profile", "events", "violations"}
    assert (first["format"], first["kind"], first["profile"], first["events"]) == (
        "jsonl", "responses", "default", 10)
    violation = next(v for v in first["violations"] if v["code"] == "I003")
    assert set(violation) == {"code", "name", "severity", "message", "line", "event_index",
                              "sequence_number", "pointer"}
    assert (violation["name"], violation["severity"], violation["line"],
            violation["event_index"], violation["pointer"]) == (
        "item-id-mismatch", "error", 7, 6, "/item_id")
    assert doc["files"][1]["violations"] == []


def test_end_of_stream_findings_have_null_location():
    result = run("lint", "--format", "json", str(SAMPLES / "invalid" /
                                                 "L004-terminal-missing.jsonl"))
    [violation] = json.loads(result.output)["files"][0]["violations"]
    assert (violation["code"], violation["line"], violation["event_index"]) == ("L004", None, None)


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_select_and_ignore_take_codes_prefixes_and_names(option):
    for selector in ("I003", "I", "item-id-mismatch", "I0,R"):
        result = run("lint", "--format", "json", option, selector, SEED)
        found = {v["code"] for v in json.loads(result.output)["files"][0]["violations"]}
        assert ("I003" in found) == (option == "--select"), selector


def test_unknown_selector_is_a_usage_error():
    result = run("lint", "--select", "I999", SEED)
    assert result.exit_code == 2
    assert "no rule matches 'I999'" in result.output


def test_profile_changes_severity():
    path = str(SAMPLES / "invalid" / "F006-done-missing.sse")
    assert run("lint", path).exit_code == 0
    assert run("lint", "--profile", "open-responses", path).exit_code == 1


def test_stdin(tmp_path):
    data = (SAMPLES / "seeds" / "responses-mismatched-ids.jsonl").read_bytes()
    result = run("lint", "--format", "json", "--stdin-filename", "capture.jsonl", "-",
                 input=data)
    assert result.exit_code == 1
    assert json.loads(result.output)["files"][0]["path"] == "capture.jsonl"


def test_directory_is_expanded():
    result = run("lint", "--format", "json", str(SAMPLES / "valid"))
    doc = json.loads(result.output)
    assert result.exit_code == 0
    assert doc["summary"]["files"] == len(list((SAMPLES / "valid").iterdir()))


def test_missing_file_is_one_line_and_exit_2(tmp_path):
    result = run("lint", str(tmp_path / "nope.sse"))
    assert result.exit_code == 2
    assert "cannot read" in result.output and "Traceback" not in result.output


def test_rules_and_rule():
    listing = run("rules")
    assert listing.exit_code == 0 and "I003  item-id-mismatch" in listing.output
    page = run("rule", "item-id-mismatch")
    assert page.exit_code == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead",
                    "## References", "## Sample (I003-item-id-mismatch.jsonl)"):
        assert section in page.output
    assert run("rule", "Z999").exit_code == 2


def test_rules_json_lists_severity_per_profile():
    rules = json.loads(run("rules", "--format", "json").output)
    f006 = next(r for r in rules if r["code"] == "F006")
    assert f006["severity"] == {"default": None, "strict": None, "open-responses": "error"}


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "validator", "lint", VALID],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_control_characters_in_stream_content_are_escaped(tmp_path):
    path = tmp_path / "escape.jsonl"
    path.write_text('{"type":"response.\\u001b[31mevil","sequence_number":0}\n')
    result = run("lint", str(path))
    assert "\x1b" not in result.output
    assert "\\x1b[31mevil" in result.output


def test_schema_prints_the_schema_of_an_event_type():
    result = run("schema", "response.output_text.delta")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["title"] == "response.output_text.delta"
    assert "delta" in document["required"]


def test_schema_list_names_every_event_type_with_its_kind():
    lines = run("schema", "--list").output.splitlines()
    listed = {tuple(line.split()) for line in lines}
    assert ("response.output_text.delta", "responses") in listed
    assert ("chat.completion.chunk", "chat") in listed
    assert len(lines) >= 59  # the 58 Responses event types and the chat chunk


def test_schema_of_an_unknown_type_exits_2_with_a_hint():
    result = CliRunner().invoke(main, ["schema", "response.output_text.dlta"])
    assert result.exit_code == 2
    assert "did you mean response.output_text.delta?" in result.output
    assert CliRunner().invoke(main, ["schema"]).exit_code == 2


def test_text_findings_are_in_file_order_end_of_stream_last():
    # The `...` line (F011, between two events) comes before the event at line 18 (T001).
    output = run("lint", str(SAMPLES / "seeds" / "api-reference-example.sse")).output
    found = [(int(m[1]), m[2]) for m in re.finditer(r"^\S+?:(\d+): ([A-Z]\d{3}) ", output, re.M)]
    assert found == [(1, "Q001"), (16, "F011"), (18, "T001")]
    ended = run("lint", str(SAMPLES / "invalid" / "L004-terminal-missing.jsonl")).output
    assert re.search(r"^\S+\.jsonl: L004 \[error\]", ended, re.M)  # no line: end of stream


def test_json_violations_are_in_file_order_too():
    result = run("lint", "--format", "json", str(SAMPLES / "seeds" / "api-reference-example.sse"))
    found = [(v["line"], v["code"]) for v in json.loads(result.output)["files"][0]["violations"]]
    assert found == [(1, "Q001"), (16, "F011"), (18, "T001")]


# --- a newcomer's conventions -----------------------------------------------------------------

def _piped(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The command with its stdout a pipe, as in CI logs and `| less -R`."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS")}
    return subprocess.run([sys.executable, "-m", "validator", *args], capture_output=True,
                          text=True, env={**environ, **(env or {})}, timeout=60)


@pytest.mark.parametrize(("args", "env"), [(["--color", "always"], {}),
                                            ([], {"FORCE_COLOR": "1"})])
def test_colour_is_kept_when_piped_if_asked_for(args, env):
    output = _piped("lint", *args, SEED, env=env).stdout
    assert "\x1b[31m[error]\x1b[0m" in output


def test_no_colour_when_piped_by_default():
    assert "\x1b[" not in _piped("lint", SEED).stdout


def test_rule_with_a_binary_sample_shows_its_bytes():
    result = run("rule", "F005")
    assert result.exit_code == 0
    assert "## Sample (F005-invalid-utf8.sse)" in result.output
    assert "\\xe9" in result.output  # the invalid byte, as a bytes literal


def test_quiet_prints_only_the_findings_and_qq_nothing(tmp_path):
    quiet = run("lint", "-q", SEED, VALID)
    assert quiet.exit_code == 1
    assert quiet.output.splitlines()[0].startswith(f"{SEED}:1: Q001")
    assert "no findings" not in quiet.output and "errors" not in quiet.output
    assert VALID not in quiet.output
    silent = run("lint", "-qq", SEED, "--report", f"json={tmp_path / 'r.json'}")
    assert (silent.exit_code, silent.output) == (1, "")
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["errors"] == 5


def test_statistics_counts_per_rule():
    result = run("lint", "--statistics", SEED)
    lines = result.output.splitlines()
    assert re.match(r"\s+3  I003  item-id-mismatch\s+\[error\]", lines[0]), lines
    assert {line.split()[1] for line in lines[1:-1]} == {"Q001", "R001", "R003"}
    assert lines[-1] == "1 file: 5 errors, 1 warning, 0 info"


def test_clean_files_are_not_listed_when_there_are_many():
    valid = sorted(str(p) for p in (SAMPLES / "valid").iterdir())
    result = run("lint", *valid, SEED)
    assert "no findings" not in result.output
    assert SEED in result.output and valid[0] not in result.output
    assert f"({len(valid)} without findings not listed)" in result.output
    assert run("lint", valid[0]).output.count("no findings") == 1  # a few files: listed


def test_github_format_inside_github_actions(monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert run("lint", SEED).output.startswith("::group::")
    assert run("lint", "--format", "text", SEED).output.startswith(SEED)
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert run("lint", SEED).output.startswith(SEED)
