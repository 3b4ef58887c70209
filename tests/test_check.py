"""``stream-validator check`` against the project's replay server on 127.0.0.1: verdicts, the
transport findings (hang, mid-stream close, 500, non-SSE, refused connection), ``--save`` and
the ``lint`` round trip, secrets, scenario files and options."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time

import pytest
import yaml
from click.testing import CliRunner
from conftest import REAL, REPO, SAMPLES, sarif_validator
from replay_server import ReplayServer, captures_from, sample_captures, unused_port

from validator.cli import main
from validator.live.scenarios import load_builtin, parse
from validator.rules import LIVE_FAMILIES, RULES, bridge

BUILTIN = sorted(s.name for s in load_builtin())
CLEAN: dict[str, list] = {name: [] for name in BUILTIN}


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def check_json(*args: str) -> tuple[int, dict[str, dict]]:
    """Exit code and the JSON report's file entries by scenario name."""
    result = run("check", *args, "--format", "json")
    document = json.loads(result.stdout)
    return result.exit_code, {f["check"]["scenario"]: f for f in document["files"]}


def found(entry: dict) -> list[str]:
    return sorted(v["code"] for v in entry["violations"])


def test_builtin_scenarios_cover_both_endpoints():
    cases = ("text", "system-prompt", "multi-sentence", "function-call", "tool-choice-auto",
             "parallel-function-calls", "reasoning", "invalid-request")
    expected = [f"{e}-{c}" for e in ("responses", "chat") for c in cases]
    assert sorted([*expected, "responses-max-output-tokens", "chat-max-tokens",
                   "chat-usage"]) == BUILTIN


@pytest.fixture(scope="module")
def server():
    with ReplayServer(sample_captures(SAMPLES)) as replay:
        yield replay


def test_replayed_samples_get_their_verdicts(server, tmp_path):
    code, files = check_json(server.url("replay"), "--save", str(tmp_path), "--timeout", "5")
    assert code == 1
    assert sorted(files) == BUILTIN
    # The samples have no chat capture that stops at a token limit and no Responses capture
    # with two calls: the replay answers those scenarios with a plain text stream and with one
    # call, which the scenarios catch.
    verdicts = {name: found(entry) for name, entry in files.items()}
    assert verdicts == {**CLEAN, "chat-max-tokens": ["X001"],
                        "responses-parallel-function-calls": ["X001"]}
    assert "'stop', expected 'length'" in files["chat-max-tokens"]["violations"][0]["message"]
    assert "at least 2 function_call outputs, the stream has 1" in files[
        "responses-parallel-function-calls"]["violations"][0]["message"]
    invalid = files["responses-invalid-request"]["check"]
    assert invalid["http_status"] == 400  # the expected rejection is no finding
    text = files["responses-text"]
    assert text["kind"] == "responses" and text["format"] == "sse" and text["events"] > 3
    facts = text["check"]
    assert facts["http_status"] == 200 and facts["endpoint"] == "responses"
    assert facts["url"].endswith("/replay/v1/responses")
    assert 0 < facts["time_to_first_event"] <= facts["total_time"]


def test_saved_captures_lint_to_the_same_findings(server, tmp_path):
    code, files = check_json(server.url("lenient"), "--save", str(tmp_path), "--profile",
                             "strict")
    assert code == 1
    saved = sorted(p.name for p in tmp_path.iterdir())
    assert saved == sorted([f"{n}.sse" for n in BUILTIN] + [f"{n}.request.json" for n in BUILTIN])
    lint = run("lint", str(tmp_path), "--profile", "strict", "--format", "json")
    linted = {f["path"]: f["violations"] for f in json.loads(lint.stdout)["files"]}
    assert sorted(linted) == sorted(f["path"] for f in files.values())
    streamed = {f["path"]: [v for v in f["violations"] if not v["code"].startswith(LIVE_FAMILIES)]
                for f in files.values()}
    assert linted == streamed
    # The lenient replay streams a normal answer to the invalid requests: an expectation finding.
    assert found(files["chat-invalid-request"]) == ["X001"]
    assert found(files["responses-invalid-request"]) == ["X001"]


def test_saved_bytes_are_the_served_bytes(server, tmp_path):
    run("check", server.url("replay"), "--save", str(tmp_path), "--only", "responses-text")
    assert (tmp_path / "responses-text.sse").read_bytes() == (SAMPLES / "valid" /
                                                             "text.sse").read_bytes()


def test_secrets_are_sent_but_never_saved_or_printed(server, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live-123456")
    before = len(server.requests)
    result = run("check", server.url("error500"), "--save", str(tmp_path), "--only",
                 "chat-text", "--header", "X-Api-Token: tok-7777", "--header", "X-Team: blue",
                 "--format", "json")
    assert result.exit_code == 1
    [received] = server.requests[before:]
    headers = received.headers
    assert headers["Authorization"] == "Bearer sk-live-123456"
    assert headers["X-Api-Token"] == "tok-7777" and headers["X-Team"] == "blue"
    request = json.loads((tmp_path / "chat-text.request.json").read_text())
    assert request["headers"]["X-Team"] == "blue"
    assert "X-Api-Token" not in request["headers"] and "Authorization" not in request["headers"]
    assert request["body"]["stream"] is True and request["body"]["model"] == "gpt-5-mini"
    for path in tmp_path.iterdir():
        assert b"sk-live" not in path.read_bytes() and b"tok-7777" not in path.read_bytes()
    assert "sk-live" not in result.output and "tok-7777" not in result.output


def test_failing_scenario_ends_with_the_lint_command_that_reproduces_it(server, tmp_path):
    result = run("check", server.url("lenient"), "--save", str(tmp_path), "--only",
                 "responses-invalid-request", "--profile", "open-responses")
    assert result.exit_code == 1
    header = next(line for line in result.output.splitlines()
                  if line.startswith("responses-invalid-request: fail ("))
    last = [line for line in result.output.splitlines() if line.startswith("  reproduce: ")][-1]
    assert "HTTP 200, first event " in header and ", total " in header
    command = shlex.split(last.removeprefix("  reproduce: "))
    assert command[:2] == ["stream-validator", "lint"]
    again = run(*command[1:], "--format", "json")
    assert again.exit_code == 1
    codes = {v["code"] for v in json.loads(again.stdout)["files"][0]["violations"]}
    # Open Responses wants `data: [DONE]` and every key of its ResponseResource; OpenAI's
    # capture has no [DONE] and leaves out some of those keys.
    assert codes == {"F006", "S005"}
    assert "X001" in result.output and "F006" in result.output


def test_hanging_server_is_a_timeout_finding_within_the_timeout(server):
    start = time.monotonic()
    code, files = check_json(server.url("hang"), "--timeout", "0.5", "--only", "*-text")
    assert time.monotonic() - start < 10
    assert code == 1
    # Cut inside an SSE block (F004), the streams also miss their ends: the terminal event
    # (L004), or finish_reason and [DONE] (C015, C023).
    assert {name: found(entry) for name, entry in files.items()} == {
        "responses-text": ["F004", "H003", "L004"],
        "chat-text": ["C015", "C023", "F004", "H003"]}
    for entry in files.values():
        h003 = next(v for v in entry["violations"] if v["code"] == "H003")
        assert "sent nothing for 0.5 s" in h003["message"] and "stalled" in h003["message"]


def test_keep_alive_comments_forever_are_stopped_by_max_time(server):
    start = time.monotonic()
    code, files = check_json(server.url("keepalive"), "--timeout", "5", "--max-time", "0.5",
                             "--only", "responses-text")
    assert time.monotonic() - start < 5  # comments keep --timeout from firing
    assert code == 1
    (h003,) = [v for v in files["responses-text"]["violations"] if v["code"] == "H003"]
    assert "did not end within 0.5 s (--max-time" in h003["message"]


def test_connection_closed_mid_stream(server):
    code, files = check_json(server.url("close"), "--only", "responses-text")
    assert code == 1
    entry = files["responses-text"]
    assert found(entry) == ["F004", "H004", "L004"]
    h004 = next(v for v in entry["violations"] if v["code"] == "H004")
    assert h004["message"].startswith("the connection broke after")


def test_server_error_500(server, tmp_path):
    code, files = check_json(server.url("error500"), "--only", "responses-*", "--save",
                             str(tmp_path))
    assert code == 1
    for entry in files.values():  # the invalid request must get a 4xx, not a 500, too
        assert found(entry) == ["H001"]
        assert "HTTP 500" in entry["violations"][0]["message"]
        assert "upstream exploded" in entry["violations"][0]["message"]
        assert entry["path"].endswith(".body") and entry["events"] == 0
    assert not list(tmp_path.glob("*.sse"))  # lint DIR does not read the error bodies


def test_non_sse_body(server):
    code, files = check_json(server.url("html"), "--only", "chat-text")
    assert code == 1
    (violation,) = files["chat-text"]["violations"]
    assert violation["code"] == "H002"
    assert "text/html" in violation["message"] and "502 Bad Gateway" in violation["message"]


def test_refused_connection_is_a_finding_per_scenario(tmp_path):
    start = time.monotonic()
    code, files = check_json(f"http://127.0.0.1:{unused_port()}/v1", "--timeout", "2",
                             "--save", str(tmp_path))
    assert time.monotonic() - start < 10
    assert code == 1
    assert sorted(files) == BUILTIN
    for entry in files.values():
        assert found(entry) == ["H004"]
        assert entry["violations"][0]["message"].startswith("cannot connect")
        assert entry["check"]["http_status"] is None
    # No answer, no body file: only the requests, to replay them by hand.
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{n}.request.json" for n in BUILTIN]


def test_every_live_rule_is_triggered(server):
    # The H and X rules have no file sample (tests/test_samples.py): each is triggered here.
    triggered = set()
    for mode in ("lenient", "hang", "close", "error500", "html", "sseerror", "badgzip"):
        _, files = check_json(server.url(mode), "--timeout", "0.5", "--only", "*-invalid-*")
        triggered |= {code for entry in files.values() for code in found(entry)}
    _, files = check_json(f"http://127.0.0.1:{unused_port()}/v1", "--only", "chat-text")
    triggered |= set(found(files["chat-text"]))
    _, files = check_json(server.url("error500"), "--endpoint", "messages", "--only",
                          "messages-invalid-request")  # an OpenAI-style error body: H020
    triggered |= set(found(files["messages-invalid-request"]))
    # The bridge gate's own X rules are triggered by tests/test_gate.py.
    assert {c for c in triggered if c.startswith(LIVE_FAMILIES)} == {
        code for code in RULES if code.startswith(LIVE_FAMILIES)} - {r.code for r in bridge.RULES}


def test_ignore_applies_to_live_rules_and_exit_zero(server):
    code, files = check_json(server.url("html"), "--only", "chat-text", "--ignore", "H002")
    assert code == 0 and found(files["chat-text"]) == []
    assert run("check", server.url("html"), "--only", "chat-text", "--exit-zero").exit_code == 0


def test_user_scenarios_and_selection(server, tmp_path):
    (tmp_path / "mine.json").write_text(json.dumps({
        "name": "my-haiku", "endpoint": "responses", "request": {"input": "A haiku, please."},
        "expect": {"status": "completed", "contains": {"function_call": 1}}}))
    code, files = check_json(server.url("replay"), "--scenarios", str(tmp_path), "--only",
                             "my-*,responses-text")
    assert sorted(files) == ["my-haiku", "responses-text"]
    assert found(files["my-haiku"]) == ["X001"] and code == 1
    code, files = check_json(server.url("replay"), "--scenarios", str(tmp_path),
                             "--no-builtin")
    assert sorted(files) == ["my-haiku"]
    code, files = check_json(server.url("replay"), "--skip", "chat-*,*-invalid-*,*-parallel-*",
                             "--concurrency", "1")
    assert code == 0 and sorted(files) == [n for n in BUILTIN if n.startswith("responses-")
                                           and "invalid" not in n and "parallel" not in n]


def test_yaml_scenarios_with_comments(server, tmp_path):
    (tmp_path / "gateway.yaml").write_text(
        "# Our gateway must pass tools through.\n"
        "name: gateway-tools\n"
        "endpoint: chat\n"
        "request:\n"
        "  messages: [{role: user, content: 'Weather in Paris?'}]\n"
        "  tools: [{type: function, function: {name: get_weather, parameters: {}}}]\n"
        "expect:\n"
        "  status: [tool_calls, stop]  # OpenAI ends forced calls with stop\n"
        "  contains: {tool_call: 3}\n")
    (tmp_path / "old.request.json").write_text("{}")  # what --save wrote: not a scenario
    code, files = check_json(server.url("replay"), "--scenarios", str(tmp_path),
                             "--no-builtin")
    assert sorted(files) == ["gateway-tools"] and code == 1
    (x001,) = files["gateway-tools"]["violations"]
    assert "at least 3 tool_call outputs, the stream has 2" in x001["message"]


@pytest.mark.parametrize(("name", "document", "message"), [
    ("bad.json", "{", "not valid JSON"),
    ("bad.json", '{"name": "a b", "endpoint": "responses", "request": {}}', "'name' must be"),
    ("bad.json", '{"name": "x", "endpoint": "completions", "request": {}}', "'endpoint' must be"),
    ("bad.json", '{"name": "x", "endpoint": "chat", "request": {}, "expect": {"sttus": "stop"}}',
                 "unknown expectation 'sttus'"),
    ("bad.json",
     '{"name": "x", "endpoint": "chat", "request": {}, "expect": {"contains": {"a": 0}}}',
     "counts >= 1"),
    ("bad.json", '{"name": "chat-text", "endpoint": "chat", "request": {}}', "already used"),
    ("bad.yml", "name: [unclosed\n", "not valid YAML"),
    ("bad.yml", "- a list\n", "a scenario is a JSON object"),
    ("bad.yml", "name: x\nendpoint: chat\nrequest: {}\nexpect: {text: yes please}\n",
                "'expect.text' must be true or false"),
])
def test_bad_scenario_file_exits_2_with_one_line(tmp_path, name, document, message):
    (tmp_path / name).write_text(document)
    result = run("check", "http://127.0.0.1:9/v1", "--scenarios", str(tmp_path))
    assert result.exit_code == 2
    assert message in result.output and name in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ["ftp://example/v1"], ["not a url"], ["http://[::1/v1"], ["http://127.0.0.1:abc/v1"],
    ["http://127.0.0.1:99999/v1"],
    ["http://127.0.0.1:9/v1", "--header", "X-Name: h\u00e9llo"],
    ["http://127.0.0.1:9/v1", "--header", "X Bad: v"],
    ["http://127.0.0.1:9/v1", "--only", "nothing-like-this"],
    ["http://127.0.0.1:9/v1", "--header", "no colon"],
    ["http://127.0.0.1:9/v1", "--select", "H999"],
    ["http://127.0.0.1:9/v1", "--timeout", "0"],
    ["http://127.0.0.1:9/v1", "--scenarios", "/nonexistent-dir"],
])
def test_bad_options_exit_2(args):
    result = run("check", *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_replayed_openai_captures_are_clean_and_lint_the_same(corpus, tmp_path):
    with ReplayServer(captures_from(corpus)) as replay:
        code, files = check_json(replay.url("replay"), "--save", str(tmp_path))
    verdicts = {name: found(entry) for name, entry in files.items()}
    # DeepSeek (chat-reasoning) sends its usage on a chunk that still has choices.
    assert verdicts == {**CLEAN, "chat-reasoning": ["C020"]}
    assert code == 0  # C020 is a warning
    lint = run("lint", str(tmp_path), "--format", "json")
    linted = {f["path"]: f["violations"] for f in json.loads(lint.stdout)["files"]}
    assert linted == {f["path"]: f["violations"] for f in files.values()
                      if f["path"].endswith(".sse")}
    assert REAL.is_dir()


def test_readme_scenario_example_is_a_valid_scenario():
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("### Scenario files", 1)[1]
    example = section.split("```json\n", 1)[1].split("```", 1)[0]
    scenario = parse(json.loads(example), "README.md")
    assert scenario.endpoint == "responses" and scenario.contains == {"function_call": 1}
    as_yaml = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert parse(yaml.safe_load(as_yaml), "README.md") == scenario


def test_findings_do_not_depend_on_concurrency(server):
    def findings(concurrency: str) -> dict:
        _, files = check_json(server.url("lenient"), "--profile", "strict", "--concurrency",
                              concurrency)
        return {name: entry["violations"] for name, entry in files.items()}

    one = findings("1")
    assert any(one.values())
    many = findings("16")
    assert many == one, {k: v for k, v in many.items() if v != one[k]}


def test_progress_reports_each_scenario_as_it_finishes(server, capsys):
    from validator.cli import _progress
    from validator.live.check import CheckOptions, run_check

    chosen = [s for s in load_builtin() if s.name.startswith("chat-")]
    reports = run_check(chosen, CheckOptions(base_url=server.url("replay"), concurrency=3),
                        _progress(len(chosen)))
    assert [r.check["scenario"] for r in reports] == [s.name for s in chosen]  # input order
    lines = capsys.readouterr().err.splitlines()
    assert sorted(line.split("] ", 1)[0] for line in lines) == sorted(
        f"[{i}/{len(chosen)}" for i in range(1, len(chosen) + 1))
    assert any(line.split("] ", 1)[1].startswith("chat-max-tokens: 1 error (") for line in lines)
    assert any(line.split("] ", 1)[1].startswith("chat-text: ok (") for line in lines)


def test_reports_and_configuration_are_shared_with_lint(server, tmp_path, monkeypatch):
    """`--report junit=…` writes one test case per scenario; `base-url` and `scenarios` can come
    from `[tool.stream-validator]`, and the command line still wins."""
    import xml.etree.ElementTree as ET

    user = tmp_path / "ci" / "scenarios"
    user.mkdir(parents=True)
    (user / "mine.json").write_text(json.dumps({
        "name": "my-text", "endpoint": "responses", "request": {"input": "Hi"}}))
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.stream-validator]\nbase-url = "{server.url("replay")}"\n'
        'scenarios = "ci/scenarios"\n')
    monkeypatch.chdir(tmp_path)
    result = run("check", "--no-builtin", "--report", "junit=out/junit.xml", "--timeout", "5")
    assert result.exit_code == 0, result.output
    suite = ET.parse(tmp_path / "out" / "junit.xml").getroot().find("testsuite")
    assert [case.get("name") for case in suite.iter("testcase")] == ["my-text"]
    assert suite.get("failures") == "0"
    refused = run("check", f"http://127.0.0.1:{unused_port()}/v1", "--no-builtin",
                  "--timeout", "2", "--format", "json")
    assert refused.exit_code == 1  # the argument beats the file's base-url
    assert found(json.loads(refused.stdout)["files"][0]) == ["H004"]


def test_check_writes_valid_junit_and_sarif_for_its_scenarios(server, tmp_path):
    """The issue's gate: `check URL --save out/ --report junit=… --report sarif=…`."""
    import xml.etree.ElementTree as ET

    out = tmp_path / "out"
    result = run("check", server.url("replay"), "--save", str(out), "--timeout", "5",
                 "--report", f"junit={out / 'junit.xml'}", "--report", f"sarif={out / 'x.sarif'}")
    assert result.exit_code == 1
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    names = [case.get("name") for case in suite.iter("testcase")]
    assert len(names) == len(set(names)) == len(BUILTIN)
    failed = {case.get("name") for case in suite.iter("testcase")
              if case.find("failure") is not None}
    assert failed and int(suite.get("failures")) == len(failed)
    log = json.loads((out / "x.sarif").read_text())
    sarif_validator().validate(log)
    results = log["runs"][0]["results"]
    assert results and all(r["ruleId"] in RULES for r in results)


# -- verdicts on third-party servers (issue 12) -------------------------------------------------

def test_404_is_not_a_rejection_and_asks_for_the_base_url(server):
    _, files = check_json(server.url("notfound"), "--only", "*-invalid-request,chat-text")
    for name in ("responses-invalid-request", "chat-invalid-request", "chat-text"):
        (h001,) = files[name]["violations"]
        assert h001["code"] == "H001" and "HTTP 404" in h001["message"], name
        assert "is the base URL right? (…/v1?)" in h001["message"], name
        assert files[name]["check"]["verdict"] == "fail"


def test_an_event_stream_whose_body_is_a_json_error_is_read_as_sse(server):
    _, files = check_json(server.url("sseerror"), "--only", "responses-text,chat-text")
    for entry in files.values():
        assert found(entry) == ["H005", "L010"]  # no framing noise: one cause
        (h005,) = [v for v in entry["violations"] if v["code"] == "H005"]
        assert "model 'gpt-5-mini' not found" in h005["message"]
        assert entry["format"] == "sse"


def test_the_model_defaults_to_the_first_one_the_server_lists(server):
    _, files = check_json(server.url("models"), "--only", "chat-text")
    assert files["chat-text"]["check"]["model"] == "served-model-1"
    assert json.loads(server.requests[-1].body)["model"] == "served-model-1"
    _, files = check_json(server.url("replay"), "--only", "chat-text")  # GET /models: 404
    assert files["chat-text"]["check"]["model"] == "gpt-5-mini"
    _, files = check_json(server.url("models"), "--only", "chat-text", "--model", "mine")
    assert json.loads(server.requests[-1].body)["model"] == "mine"


def test_per_endpoint_urls_and_a_scenario_path(server, tmp_path):
    chat = server.url("replay").removesuffix("/v1") + "/openai/deployments/x/chat/completions"
    _, files = check_json(server.url("notfound"), "--only", "chat-text,responses-text",
                          "--chat-url", chat,
                          "--responses-url", server.url("replay") + "/responses")
    assert files["chat-text"]["check"]["url"] == chat and found(files["chat-text"]) == []
    assert found(files["responses-text"]) == []
    (tmp_path / "mounted.json").write_text(json.dumps({
        "name": "mounted", "endpoint": "chat", "path": "/../replay/v1/chat/completions",
        "request": {"messages": [{"role": "user", "content": "hi"}]}}))
    _, files = check_json(server.url("notfound"), "--no-builtin", "--scenarios", str(tmp_path),
                          "--chat-url", server.url("notfound") + "/chat/completions")
    assert files["mounted"]["check"]["url"].endswith("/notfound/v1/../replay/v1/chat/completions")


def test_repeat_marks_findings_that_not_every_run_has_as_flaky(server):
    _, files = check_json(server.url("flaky"), "--only", "chat-text", "--repeat", "2",
                          "--concurrency", "1")
    entry = files["chat-text"]
    assert entry["check"]["runs"] == 2 and entry["check"]["flaky"] >= 1
    flaky = [v for v in entry["violations"] if "[flaky: in 1 of 2 runs]" in v["message"]]
    assert flaky and all(v["code"] in ("C015", "C023", "F004", "X001") for v in flaky), flaky
    _, files = check_json(server.url("replay"), "--only", "chat-text", "--repeat", "3")
    assert files["chat-text"]["check"]["flaky"] == 0 and found(files["chat-text"]) == []


def test_findings_are_grouped_by_cause_across_scenarios_errors_first(server):
    result = run("check", server.url("sseerror"), "--only", "responses-text,chat-text,chat-usage")
    lines = result.output.splitlines()
    entries = [line for line in lines if line[:1].isupper() and " [" in line]
    assert [e.split()[0] for e in entries] == ["H005", "L010"]
    assert "    at chat-text, chat-usage, responses-text (3 places)" in lines
    verdicts = [line for line in lines if line.startswith(("chat-", "responses-"))]
    assert len(verdicts) == 3 and all(": fail (2 errors, 0 warnings" in v for v in verdicts)


def test_the_json_report_has_each_scenarios_verdict_and_description(server):
    _, files = check_json(server.url("replay"), "--only", "chat-text,chat-max-tokens")
    assert files["chat-text"]["check"]["verdict"] == "pass"
    assert files["chat-max-tokens"]["check"]["verdict"] == "fail"
    described = {s.name: s.description for s in load_builtin()}
    assert all(f["check"]["description"] == described[n] for n, f in files.items())


# --- a newcomer's conventions ------------------------------------------------------------------

def test_a_failing_scenario_prints_a_curl_command_that_replays_its_request(server, tmp_path):
    result = run("check", server.url("lenient"), "--save", str(tmp_path), "--only",
                 "responses-invalid-request", "--api-key", "sk-test-not-printed")
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith("  replay: ")]
    command = line.removeprefix("  replay: ")
    assert "sk-test-not-printed" not in result.output
    assert command.endswith('-H "Authorization: Bearer $OPENAI_API_KEY"')
    replayed = subprocess.run(["bash", "-c", command], capture_output=True, timeout=30,
                              env={"PATH": os.environ["PATH"], "OPENAI_API_KEY": "sk-x"})
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout == (tmp_path / "responses-invalid-request.sse").read_bytes()


def test_list_and_dry_run_send_nothing():
    listed = run("check", "--list", "--only", "chat-*")
    assert listed.exit_code == 0
    names = [line.split()[0] for line in listed.output.splitlines()]
    assert names == [name for name in BUILTIN if name.startswith("chat-")]
    port = unused_port()  # nothing listens: a request would be an H004 finding
    dry = run("check", f"http://127.0.0.1:{port}/v1", "--dry-run", "--only", "responses-text")
    assert dry.exit_code == 0
    assert dry.output.splitlines()[0] == "# responses-text"
    argv = shlex.split(dry.output.splitlines()[1])
    assert argv[:3] == ["curl", "-sSN", f"http://127.0.0.1:{port}/v1/responses"]
    assert json.loads(argv[argv.index("-d") + 1])["stream"] is True
    assert run("check").exit_code == 2  # no BASE_URL and no --list


def test_junit_has_the_reproduce_and_replay_commands(server, tmp_path):
    import xml.etree.ElementTree as ET

    run("check", server.url("lenient"), "--save", str(tmp_path), "--only",
        "responses-invalid-request", "--profile", "open-responses", "-qq",
        "--report", f"junit={tmp_path / 'junit.xml'}")
    [failure] = ET.parse(tmp_path / "junit.xml").getroot().iter("failure")
    assert "reproduce: stream-validator lint " in failure.text
    assert "replay: curl -sSN " in failure.text


def test_the_summary_counts_scenarios(server):
    result = run("check", server.url("replay"), "--only", "responses-text,chat-text")
    assert result.output.splitlines()[-1] == "2 scenarios: 0 errors, 0 warnings, 0 info"


def test_sarif_and_annotations_point_at_the_saved_capture(server, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    saved = tmp_path / "responses-invalid-request.sse"
    result = run("check", server.url("lenient"), "--save", str(tmp_path), "--only",
                 "responses-invalid-request", "--profile", "open-responses", "--format",
                 "github", "--report", f"sarif={tmp_path / 'x.sarif'}")
    assert f"::error file={saved}" in result.output  # F006 on the capture, not the name
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads((tmp_path / "x.sarif").read_text())["runs"][0]["results"]}
    assert uris == {saved.as_uri()}


def test_check_format_html_has_a_section_per_scenario(server, tmp_path):
    result = run("check", server.url("replay"), "--only", "responses-text,chat-text",
                 "--save", str(tmp_path), "--format", "html")
    assert result.output.count('<section class="stream"') == 2
    assert result.output.count('<table class="timeline">') == 2  # drawn from the saved captures
