"""Reporters: every format on the bundled samples, parsed back and checked; hostile content;
``--format``/``--report`` and the GitHub step summary through the command line."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import SAMPLES, sarif_validator

from validator import validate_stream
from validator.cli import main
from validator.reporters import REPORTERS, github, junit, parse_report_spec, sarif
from validator.result import Severity, StreamReport, Violation
from validator.rules import RULES

SEED = str(SAMPLES / "seeds" / "responses-mismatched-ids.jsonl")
WARNING_ONLY = str(SAMPLES / "invalid" / "L012-in-progress-missing.jsonl")
HOSTILE = "</testcase>]]>\"'&<x>\x1b[31mred\x00\x07\ud800\udfff\u2028\ufffe%0A::error::forged"
_FORBIDDEN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def lint(*paths: Path, **options) -> list[StreamReport]:
    return [validate_stream(path, **options) for path in paths]


@pytest.fixture(scope="module")
def samples() -> list[StreamReport]:
    paths = sorted((SAMPLES / "invalid").iterdir()) + sorted((SAMPLES / "valid").iterdir())
    return lint(*paths)


def hostile_report(path: str = f"captures/{HOSTILE}.sse") -> StreamReport:
    """A report whose path, message and excerpt carry markup, control characters, an ANSI
    escape, NUL, lone surrogates, a noncharacter and a forged workflow command."""
    return StreamReport(path=path, format="sse", kind="responses", profile="openai", events=3,
                        violations=[
                            Violation("I003", "item-id-mismatch", Severity.ERROR,
                                      f"item_id {HOSTILE}\nsecond line\r", line=2,
                                      event_index=1, pointer="/item_id", excerpt=HOSTILE),
                            Violation("L004", "terminal-missing", Severity.WARNING, HOSTILE)])


# --- JUnit -----------------------------------------------------------------------------------

def test_junit_on_the_samples(samples):
    root = ET.fromstring(junit.render(samples))
    [suite] = root.findall("testsuite")
    cases = suite.findall("testcase")
    failing = [r for r in samples if r.errors]
    assert len(cases) == len(samples) == int(suite.get("tests")) == int(root.get("tests"))
    assert int(suite.get("failures")) == len(failing) > 0
    assert len({(c.get("classname"), c.get("name")) for c in cases}) == len(cases)
    for report, case in zip(samples, cases, strict=True):
        assert case.get("name") == report.path
        failure = case.find("failure")
        assert (failure is not None) == bool(report.errors), report.path
        if failure is None:
            continue
        text = failure.text
        for v in report.violations:
            where = f"line {v.line}" if v.line is not None else "end of stream"
            assert f"{where}: {v.code} [{v.severity}]" in text, (report.path, v.code)
        assert failure.get("message").startswith(f"{report.errors} error")


def test_junit_lists_findings_of_passing_streams_in_system_out():
    [report] = lint(Path(WARNING_ONLY))
    case = ET.fromstring(junit.render([report])).find("testsuite/testcase")
    assert case.find("failure") is None
    assert "L012 [warning]" in case.find("system-out").text


def test_junit_warnings_fail_only_under_strict():
    reports = lint(Path(WARNING_ONLY), SAMPLES / "valid" / "text.sse")
    assert ET.fromstring(junit.render(reports)).get("failures") == "0"
    strict = ET.fromstring(junit.render(reports, strict=True))
    assert strict.get("failures") == "1"
    [failed] = [c for c in strict.iter("testcase") if c.find("failure") is not None]
    assert failed.get("name") == WARNING_ONLY


def test_junit_names_are_unique_when_paths_repeat():
    reports = lint(Path(SEED), Path(SEED), Path(SEED))
    reports.append(StreamReport(path=f"{SEED} #2", format=None, kind=None, profile="openai",
                                events=0))
    names = [c.get("name") for c in ET.fromstring(junit.render(reports)).iter("testcase")]
    assert names == [SEED, f"{SEED} #2", f"{SEED} #3", f"{SEED} #2 #2"]


# --- SARIF -----------------------------------------------------------------------------------

def test_the_schema_check_catches_a_bad_uri():
    log = json.loads(sarif.render(lint(Path(SEED))))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"] = "a b\\c"
    with pytest.raises(jsonschema.ValidationError, match="uri-reference"):
        sarif_validator().validate(log)


def test_sarif_on_the_samples_is_valid_against_the_official_schema(samples):
    log = json.loads(sarif.render(samples))
    sarif_validator().validate(log)
    [run_] = log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    violations = [(r, v) for r in samples for v in sorted(r.violations, key=Violation.sort_key)]
    assert len(run_["results"]) == len(violations) > 0
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for result, (report, v) in zip(run_["results"], violations, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == v.code
        assert result["level"] == levels[v.severity.value]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == f"file://{quote(report.path)}"
        assert physical.get("region", {}).get("startLine") == v.line


def test_sarif_rules_carry_the_catalogue():
    driver = json.loads(sarif.render([]))["runs"][0]["tool"]["driver"]
    i003 = driver["rules"][list(RULES).index("I003")]
    assert i003["name"] == "item-id-mismatch"
    assert i003["shortDescription"]["text"] == RULES["I003"].summary
    assert i003["help"]["markdown"] == RULES["I003"].doc
    assert i003["fullDescription"]["text"] in RULES["I003"].doc
    assert "##" not in i003["fullDescription"]["text"]
    assert i003["defaultConfiguration"] == {"level": "error"}
    f006 = driver["rules"][list(RULES).index("F006")]  # off under the openai profile
    assert f006["defaultConfiguration"] == {"enabled": False}


def test_sarif_default_levels_follow_the_profile():
    [report] = lint(Path(SEED), profile="strict")
    rules = json.loads(sarif.render([report]))["runs"][0]["tool"]["driver"]["rules"]
    q001 = rules[list(RULES).index("Q001")]
    assert q001["defaultConfiguration"] == {"level": "error"}  # a warning under openai


@pytest.mark.parametrize(("path", "expected"), [
    ("samples/a.sse", {"uri": "samples/a.sse", "uriBaseId": "%SRCROOT%"}),
    ("out dir/100%.sse", {"uri": "out%20dir/100%25.sse", "uriBaseId": "%SRCROOT%"}),
    ("/abs/a b.jsonl", {"uri": "file:///abs/a%20b.jsonl"}),
    ("caps/\udcff.sse", {"uri": "caps/%FF.sse", "uriBaseId": "%SRCROOT%"}),  # undecodable name
    ("<stdin>", {"uri": "%3Cstdin%3E", "uriBaseId": "%SRCROOT%"}),
])
def test_sarif_artifact_uris_are_percent_encoded(path, expected):
    assert sarif.artifact_location(path) == expected


def test_sarif_fingerprints_are_stable_and_distinct(samples):
    first = json.loads(sarif.render(samples))["runs"][0]["results"]
    again = json.loads(sarif.render(samples))["runs"][0]["results"]
    prints = [r["partialFingerprints"]["streamValidator/v1"] for r in first]
    assert prints == [r["partialFingerprints"]["streamValidator/v1"] for r in again]
    assert len(set(prints)) > len(prints) * 0.9


# --- GitHub ----------------------------------------------------------------------------------

_COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def _unescape(text: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def annotations(output: str) -> list[tuple[str, dict, str]]:
    found = []
    for line in output.splitlines():
        if match := _COMMAND.match(line):
            props = dict(p.split("=", 1) for p in match[2].split(","))
            found.append((match[1], {k: _unescape(v) for k, v in props.items()},
                          _unescape(match[3])))
    return found


def test_github_annotations_for_the_seed():
    [report] = lint(Path(SEED))
    output = github.render([report])
    found = annotations(output)
    assert len(found) == len(report.violations)
    by_line = {(props.get("line"), props["title"]): (command, props, message)
               for command, props, message in found}
    command, props, message = by_line[("7", "I003 item-id-mismatch")]
    assert command == "error" and props["file"] == SEED
    assert message.startswith("item_id 'msg_67c9a8787f4c8190b49c858d4c1cf20c' does not match")
    assert {c for c, _, _ in found} == {"error", "warning"}
    assert output.startswith(f"::group::{SEED} (5 errors, 1 warning, 0 info)\n")
    assert "::endgroup::" in output


def test_github_levels_and_end_of_stream_findings():
    [report] = lint(SAMPLES / "invalid" / "L004-terminal-missing.jsonl")
    [(command, props, _)] = annotations(github.render([report]))
    assert command == "error" and "line" not in props  # no event: the annotation is per file
    [info] = lint(SAMPLES / "invalid" / "F011-unknown-sse-field.sse")
    assert {c for c, _, _ in annotations(github.render([info]))} == {"notice"}


def test_github_escapes_data_and_properties():
    assert github.escape_data("100% done\r\nnext") == "100%25 done\\x0d\\x0anext"
    assert github.escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_annotates_ten_per_level_and_counts_the_rest():
    violations = [Violation("T001", "delta-done-mismatch", Severity.ERROR, f"error {i}", line=i)
                  for i in range(1, 26)]
    report = StreamReport(path="x.sse", format="sse", kind="responses", profile="openai",
                          events=30, violations=violations)
    output = github.render([report])
    assert len(annotations(output)) == github.ANNOTATIONS_PER_LEVEL
    plain = [line for line in output.splitlines() if line.startswith("error: x.sse: line ")]
    assert len(plain) == 15
    assert "::notice::15 more findings not annotated" in output


def test_github_step_summary_table(samples):
    text = github.summary(samples)
    assert text.startswith("## stream-validator\n")
    for report in samples:
        assert f"| {report.path.replace('_', chr(92) + '_')} | " in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and " `" in line]
    assert len(rows) == min(sum(len(r.violations) for r in samples), github.SUMMARY_FINDINGS)


# --- hostile content -------------------------------------------------------------------------

def _check_text_like(output: str) -> None:
    assert not _RAW_CONTROL.search(output), _RAW_CONTROL.search(output)
    output.encode("utf-8")  # no lone surrogate left


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_hostile_content_keeps_every_format_well_formed(name):
    report = hostile_report()
    seed = validate_stream(Path(SEED), name=HOSTILE)
    output = REPORTERS[name]([report, seed])
    output.encode("utf-8")
    if name == "junit":
        assert not _FORBIDDEN_XML.search(output)
        root = ET.fromstring(output)
        failure = root.find("testsuite/testcase/failure")
        assert "item_id </testcase>]]>\"'&<x>\\x1b[31mred\\x00" in failure.text
        assert root.find("testsuite/testcase").get("name").startswith("captures/</testcase>]]>")
    elif name in ("json", "sarif"):
        output.encode("ascii")
        document = json.loads(output)
        if name == "sarif":
            sarif_validator().validate(document)
            message = document["runs"][0]["results"][0]["message"]["text"]
            assert "</testcase>]]>" in message and "\x1b" not in message
        else:
            assert document["files"][0]["violations"][0]["message"].startswith("item_id </test")
    else:
        _check_text_like(output)
    if name == "github":
        commands = [line for line in output.splitlines() if line.startswith("::")]
        assert all(_COMMAND.match(line) or re.match(r"::(group::|endgroup::$)", line)
                   for line in commands)
        assert len(annotations(output)) == len(report.violations) + len(seed.violations)
        assert not any(line.startswith("::error::forged") for line in output.splitlines())
        messages = [message for _, _, message in annotations(output)]
        assert "%0A::error::forged" in messages[0]  # shown as written, not decoded as LF
        _check_text_like(github.summary([report]))


def test_hostile_event_dicts_through_the_engine():
    """Stream content that reaches messages and excerpts through the engine: an SDK event dict
    whose item_id holds markup, ESC, NUL and a lone surrogate."""
    events = [json.loads(line) for line in
              (SAMPLES / "invalid" / "I003-item-id-mismatch.jsonl").read_text().splitlines()]
    delta = next(e for e in events if e["type"] == "response.output_text.delta")
    delta["item_id"] = HOSTILE
    report = validate_stream(events, name="hostile.jsonl")
    assert any("</testcase>" in (v.excerpt or "") for v in report.violations)
    ET.fromstring(junit.render([report]))
    sarif_validator().validate(json.loads(sarif.render([report])))
    json.loads(REPORTERS["json"]([report]))
    for name in ("text", "github"):
        _check_text_like(REPORTERS[name]([report]))


# --- the command line ------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_format_end_to_end(name):
    result = run("lint", "--format", name, str(SAMPLES / "invalid"), str(SAMPLES / "valid"))
    assert result.exit_code == 1, result.output
    files = len([p for p in (SAMPLES / "invalid").iterdir()]) + len(
        [p for p in (SAMPLES / "valid").iterdir()])
    if name == "junit":
        assert ET.fromstring(result.output).get("tests") == str(files)
    elif name == "sarif":
        sarif_validator().validate(json.loads(result.output))
    elif name == "json":
        assert json.loads(result.output)["summary"]["files"] == files
    else:
        assert f"{files} files: " in result.output


def test_report_writes_several_files_at_once(tmp_path):
    junit_path, sarif_path = tmp_path / "out" / "junit.xml", tmp_path / "deep" / "r.sarif"
    result = run("lint", "--format", "json", "--report", f"junit={junit_path}",
                 "--report", f"sarif={sarif_path}", "--report", f"text={tmp_path / 'r.txt'}",
                 SEED, str(SAMPLES / "valid" / "text.sse"))
    assert result.exit_code == 1
    assert json.loads(result.output)["summary"]["errors"] == 5  # stdout keeps --format
    assert ET.fromstring(junit_path.read_text()).get("failures") == "1"
    sarif_validator().validate(json.loads(sarif_path.read_text()))
    assert "2 files: 5 errors, 1 warning" in (tmp_path / "r.txt").read_text()


def test_report_junit_follows_strict(tmp_path):
    target = tmp_path / "junit.xml"
    assert run("lint", "--strict", "--report", f"junit={target}", WARNING_ONLY).exit_code == 1
    assert ET.fromstring(target.read_text()).get("failures") == "1"


@pytest.mark.parametrize("spec", ["junit", "xml=out.xml", "junit=", "=x.xml"])
def test_bad_report_spec_exits_2(spec):
    result = run("lint", "--report", spec, SEED)
    assert result.exit_code == 2
    assert "Invalid value for '--report': expected FORMAT=PATH" in result.output
    with pytest.raises(ValueError, match="FORMAT=PATH"):
        parse_report_spec(spec)


def test_two_reports_to_one_path_exit_2():
    result = run("lint", "--report", "junit=r.out", "--report", "sarif=r.out", SEED)
    assert result.exit_code == 2
    assert "two reports would write r.out" in result.output


def test_unwritable_report_path_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("lint", "--report", f"junit={blocker}/junit.xml", SEED)
    assert result.exit_code == 2
    assert f"cannot write {blocker}/junit.xml" in result.output
    assert "Traceback" not in result.output
    directory = run("lint", "--report", f"sarif={tmp_path}", SEED)
    assert directory.exit_code == 2 and "cannot write" in directory.output


def test_step_summary_is_appended_when_github_is_used(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    result = run("lint", "--format", "github", SEED, env=env)
    assert result.exit_code == 1
    assert annotations(result.output)
    text = summary.read_text()
    assert text.startswith("# earlier step\n## stream-validator\n")
    assert "| 5 | 1 | 0 |" in text and "I003 `item-id-mismatch`" in text
    run("lint", "--report", f"github={tmp_path / 'gh.txt'}", SEED, env=env)
    assert summary.read_text().count("## stream-validator") == 2
    run("lint", "--format", "json", SEED, env=env)  # no github report: no summary
    assert summary.read_text().count("## stream-validator") == 2


def test_step_summary_not_written_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run("lint", "--format", "github", SEED).exit_code == 1
    assert list(tmp_path.iterdir()) == []
