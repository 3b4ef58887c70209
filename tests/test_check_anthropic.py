"""``check --endpoint messages``: the built-in Anthropic scenarios against the replay server
serving real api.anthropic.com captures (clean), the §11 defect samples (errors), an HTTP error
without an Anthropic error body (H020), and against llm-mock-api's `/v1/messages`."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES
from live_server import cli
from replay_server import ReplayServer, anthropic_captures
from test_anthropic_corpus import ANTHROPIC_CORPUS
from test_check import check_json, found

from validator.live.scenarios import load_builtin

MESSAGES = sorted(s.name for s in load_builtin(["messages"]))
KEY = "sk-ant-test-SECRET-42"
DEFECTS = SAMPLES / "defects" / "anthropic"


def test_messages_scenarios_are_opt_in():
    assert MESSAGES == ["messages-forced-tool-use", "messages-invalid-request",
                        "messages-max-tokens", "messages-parallel-tool-use",
                        "messages-stop-sequences", "messages-text", "messages-thinking"]
    assert not any(s.endpoint == "messages" for s in load_builtin())


@pytest.fixture(scope="module")
def genuine():
    if not ANTHROPIC_CORPUS.is_dir():
        pytest.skip("the shared corpus is not beside the checkout")
    with ReplayServer(anthropic_captures(ANTHROPIC_CORPUS)) as replay:
        yield replay


def test_genuine_captures_pass_every_scenario(genuine, tmp_path):
    code, files = check_json(genuine.url("replay"), "--endpoint", "messages", "--api-key", KEY,
                             "--save", str(tmp_path), "--timeout", "5")
    assert {name: found(entry) for name, entry in files.items()} == {n: [] for n in MESSAGES}
    assert code == 0
    assert files["messages-invalid-request"]["check"]["http_status"] == 400
    for received in genuine.requests:
        headers = received.headers
        assert received.path.endswith("/v1/messages")
        assert headers["x-api-key"] == KEY and headers["anthropic-version"] == "2023-06-01"
        assert "Authorization" not in headers
    # The key is sent, never written.
    assert all(KEY not in p.read_text("utf-8", "replace") for p in tmp_path.iterdir())


def test_broken_captures_are_errors_with_a_reproduce_command(tmp_path):
    broken = {("messages", "text"): DEFECTS / "sglang-24293-text-delta-on-open-tool-use.sse",
              ("messages", "tools"): DEFECTS / "litellm-34692-end-turn-on-tool-call.sse",
              ("messages", "parallel_tools"): DEFECTS / "pi-1983-proxy-omits-event-lines.sse",
              ("messages", "reasoning"): DEFECTS / "llama-cpp-18551-block-start-per-token.sse",
              ("messages", "max_tokens"):
                  DEFECTS / "deepseek-reasonix-8756-ends-after-message-delta.sse",
              ("messages", "stop_sequence"): DEFECTS / "vllm-37510-done-sentinel.sse"}
    with ReplayServer(broken) as server:
        code, files = check_json(server.url("replay"), "--endpoint", "messages", "--save",
                                 str(tmp_path), "--timeout", "5", "--api-key", KEY)
    assert code == 1
    verdicts = {name: found(entry) for name, entry in files.items()}
    assert "M020" in verdicts["messages-text"]
    assert {"M014", "M043"} <= set(verdicts["messages-forced-tool-use"])
    assert "F035" in verdicts["messages-parallel-tool-use"]
    assert {"M010", "M016"} <= set(verdicts["messages-thinking"])
    assert "M003" in verdicts["messages-max-tokens"]
    assert "F037" in verdicts["messages-stop-sequences"]
    entry = files["messages-text"]
    command = entry["check"]["reproduce"]
    assert "--kind anthropic" in command and KEY not in json.dumps(entry)
    lint = cli("lint", entry["check"]["capture"], "--kind", "anthropic", "--format", "json")
    assert {v["code"] for v in json.loads(lint.stdout)["files"][0]["violations"]} >= {"M020"}


def test_http_error_without_an_anthropic_body(genuine):
    code, files = check_json(genuine.url("error500"), "--endpoint", "messages", "--only",
                             "messages-text,messages-invalid-request")
    assert code == 1
    assert found(files["messages-text"]) == ["H001", "H020"]
    assert found(files["messages-invalid-request"]) == ["H001", "H020"]


# -- llm-mock-api's /v1/messages -----------------------------------------------------------

pytest.importorskip("llm_mock_api", reason="llm-mock-api is not installed (pip install -e .[test])")
import test_check_llm_mock_api  # noqa: E402

mock_url = test_check_llm_mock_api.mock_url  # the fixture: the same server and rules


def test_messages_scenarios_against_llm_mock_api(mock_url):
    code, files = check_json(mock_url, "--endpoint", "messages", "--timeout", "10")
    assert code == 1
    # Judged against the bytes: its thinking block starts without `signature` (S002: the SDK's
    # ThinkingBlock requires it) and gets no signature_delta (M050); it ignores max_tokens and
    # stop_sequences (X001). The tool calls, the text and the 400 with an Anthropic error body
    # are right.
    assert {name: found(entry) for name, entry in files.items()} == {
        "messages-forced-tool-use": [], "messages-invalid-request": [],
        "messages-max-tokens": ["X001"], "messages-parallel-tool-use": [],
        "messages-stop-sequences": ["X001"], "messages-text": [],
        "messages-thinking": ["M050", "S002"]}
    assert files["messages-invalid-request"]["check"]["http_status"] == 400
