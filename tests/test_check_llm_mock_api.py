"""``check`` against a real third-party OpenAI-compatible server: llm-mock-api (pinned in the
test extras), started on 127.0.0.1 by the test with a rules file, no model and no network.

What it streams, as this test pins it: Responses streams that are well ordered but whose
`response` objects lack `tools`, `tool_choice` and `parallel_tool_calls` and whose usage lacks
`output_tokens_details` (S002); chat streams that send usage on a chunk that still carries a
choice (C020, a warning); and it ignores token limits (X001 on both token-limit scenarios).
"""

from __future__ import annotations

import json
import sys

import pytest
from live_server import cli, lint_findings, serving
from replay_server import unused_port

from validator.live.scenarios import load_builtin

pytest.importorskip("llm_mock_api", reason="llm-mock-api is not installed (pip install -e .[test])")

# What the mock answers: the scenarios' user messages are matched by these rules.
RULES = {"rules": [
    {"when": "/Tokyo/", "reply": {"tools": [
        {"name": "get_weather", "args": {"city": "Paris", "unit": "celsius"}},
        {"name": "get_weather", "args": {"city": "Tokyo", "unit": "celsius"}}]}},
    {"when": "weather", "reply": {"tools": [
        {"name": "get_weather", "args": {"city": "Paris", "unit": "celsius"}}]}},
    {"when": "prime", "reply": {"text": "There are 6.", "reasoning": "11, 13, 17, 19, 23, 29."}},
]}
RESPONSE_FIELDS = {"/response/tools", "/response/tool_choice", "/response/parallel_tool_calls",
                   "/response/usage/output_tokens_details"}


@pytest.fixture(scope="module")
def mock_url(tmp_path_factory):
    directory = tmp_path_factory.mktemp("llm-mock-api")
    rules = directory / "rules.json"
    rules.write_text(json.dumps(RULES))
    port = unused_port()
    # Its console script's entry point, run by this interpreter (no PATH lookup).
    argv = [sys.executable, "-c", "from llm_mock_api.cli import main; main()", "start",
            "-H", "127.0.0.1", "-p", str(port), "-r", str(rules),
            "--config", str(directory / "none.json"), "--latency", "1", "--chunk-size", "20"]
    with serving("llm-mock-api", argv, port, directory):
        yield f"http://127.0.0.1:{port}/v1"


def test_builtin_scenarios_against_llm_mock_api(mock_url, tmp_path):
    result = cli("check", mock_url, "--save", str(tmp_path), "--timeout", "10", "--format",
                 "json")
    assert result.returncode == 1, result.stderr
    files = {f["check"]["scenario"]: f for f in json.loads(result.stdout)["files"]}
    assert sorted(files) == sorted(s.name for s in load_builtin())
    verdicts = {}
    for name, entry in files.items():
        verdicts[name] = sorted({v["code"] for v in entry["violations"]})
        if name.startswith("responses-") and "invalid" not in name:
            assert {v["pointer"] for v in entry["violations"] if v["code"] == "S002"} == \
                RESPONSE_FIELDS, name
    # S005 (warning): its response objects also lack keys OpenAI always sends (`error`, …).
    stream = {"responses": ["S002", "S005"], "chat": ["C020"]}
    expected = {s.name: stream[s.endpoint] for s in load_builtin()}
    expected.update({"responses-invalid-request": [], "chat-invalid-request": [],
                     "responses-max-output-tokens": ["S002", "S005", "X001"],
                     "chat-max-tokens": ["C020", "X001"]})
    assert verdicts == expected
    # The forced and parallel tool calls, the reasoning and the 400 for invalid input are right.
    assert files["responses-invalid-request"]["check"]["http_status"] == 400
    assert files["chat-invalid-request"]["check"]["http_status"] == 400

    lint = cli("lint", str(tmp_path), "--format", "json")
    assert lint.returncode == 1  # S002 is an error
    linted = {f["path"]: f["violations"] for f in json.loads(lint.stdout)["files"]}
    assert linted == lint_findings(list(files.values()))
