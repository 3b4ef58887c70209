"""The bridge gate, ``check --upstream``, against gateways whose behaviour the test knows: a
faithful pass-through, one that cuts the stream, one that never calls its upstream (``serve``),
and one that asks its upstream for another kind of stream."""

from __future__ import annotations

import json
import socket
import sys

import pytest
from conftest import SAMPLES
from live_server import cli, serving
from passthrough import PassThrough
from replay_server import unused_port

from validator.live.gate import request_for
from validator.testing import StreamConformanceError, assert_same_content

CHAT_TOOLS = SAMPLES / "valid" / "chat-parallel-tool-calls.sse"
CHAT_TEXT = SAMPLES / "valid" / "chat-text.sse"
RESPONSES = SAMPLES / "valid" / "reasoning-summary.jsonl"
INCOMPLETE = SAMPLES / "valid" / "incomplete.sse"
MESSAGES = SAMPLES / "valid" / "anthropic-tool-use.sse"


def gate(url: str, port: int, *args: str) -> tuple[int, dict]:
    result = cli("check", url, "--upstream-port", str(port), "--timeout", "10", "--format",
                 "json", *args)
    assert "Traceback" not in result.stderr
    files = {f["check"]["scenario"]: f for f in json.loads(result.stdout)["files"]}
    return result.returncode, files


def codes(entry: dict) -> list[str]:
    return sorted({v["code"] for v in entry["violations"]})


@pytest.fixture
def port() -> int:
    return unused_port()


def test_a_faithful_gateway_passes_the_gate(port, tmp_path):
    with PassThrough(f"http://127.0.0.1:{port}") as gateway:
        code, files = gate(gateway.url, port, "--upstream", str(CHAT_TOOLS), "--upstream",
                           str(RESPONSES), "--upstream", str(INCOMPLETE), "--upstream",
                           str(MESSAGES), "--save", str(tmp_path), "--api-key", "sk-gate")
    assert code == 0
    assert {name: codes(f) for name, f in files.items()} == {
        "chat-parallel-tool-calls.chat": [], "reasoning-summary.responses": [],
        "incomplete.responses": [], "anthropic-tool-use.anthropic": []}
    # Each API's own authentication (`x-api-key` and `anthropic-version` for /messages).
    sent = json.loads((tmp_path / "anthropic-tool-use.anthropic.request.json").read_text())
    assert sent["headers"]["anthropic-version"] == "2023-06-01"
    assert sent["url"].endswith("/v1/messages") and "tools" in sent["body"]
    facts = files["incomplete.responses"]["check"]
    assert facts["upstream"] == str(INCOMPLETE)
    assert facts["upstream_requests"] == ["/v1/responses"]
    # What the gateway streamed is what the upstream played, byte for byte.
    assert (tmp_path / "incomplete.responses.sse").read_bytes() == INCOMPLETE.read_bytes()


def test_a_gateway_that_cuts_the_stream_loses_text_and_stop(port, tmp_path):
    with PassThrough(f"http://127.0.0.1:{port}") as gateway:
        code, files = gate(gateway.url_cut, port, "--upstream", str(CHAT_TEXT), "--save",
                           str(tmp_path))
    assert code == 1
    entry = files["chat-text.chat"]
    assert codes(entry) == ["C015", "C023", "D001", "D010", "D011", "F004"]
    [text] = [v for v in entry["violations"] if v["code"] == "D001"]
    assert text["message"].startswith("text cut short")
    assert text["upstream"] == {"path": str(CHAT_TEXT), "line": 1, "event_index": 0}
    # The reproduce command is the diff of the capture with what the gateway sent.
    assert entry["check"]["reproduce"] == \
        f"stream-validator diff {CHAT_TEXT} {tmp_path / 'chat-text.chat.sse'}"
    again = cli("diff", str(CHAT_TEXT), str(tmp_path / "chat-text.chat.sse"), "--format",
                "json")
    assert [v["code"] for v in json.loads(again.stdout)["files"][1]["violations"]
            if v["code"].startswith("D")] == ["D001", "D010", "D011"]


def test_a_gateway_that_never_calls_its_upstream_is_x015(port, tmp_path):
    own = unused_port()
    argv = [sys.executable, "-m", "validator", "serve", str(CHAT_TEXT), "--port", str(own)]
    with serving("serve", argv, own, tmp_path):
        code, files = gate(f"http://127.0.0.1:{own}/v1", port, "--upstream", str(CHAT_TEXT))
    assert code == 1
    assert codes(files["chat-text.chat"]) == ["X015"]


def test_a_capture_of_another_kind_than_the_gateway_asks_for_is_x016(port):
    with PassThrough(f"http://127.0.0.1:{port}") as gateway:
        code, files = gate(gateway.url, port, "--upstream", str(INCOMPLETE), "--endpoint",
                           "chat")
    entry = files["incomplete.chat"]
    assert code == 1 and codes(entry) == ["H001", "X016"]
    [unserved] = [v for v in entry["violations"] if v["code"] == "X016"]
    assert "POST /v1/chat/completions" in unserved["message"]


def test_gate_usage_errors():
    result = cli("check", "http://127.0.0.1:1/v1", "--upstream", str(SAMPLES / "nope"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = cli("check", "http://127.0.0.1:1/v1", "--upstream", str(CHAT_TEXT),
                     "--upstream-port", str(taken.getsockname()[1]))
    assert result.returncode == 2 and "serve the upstream" in result.stderr


def test_the_matching_request_declares_what_the_capture_needs():
    from validator import validate_stream

    tools = validate_stream(CHAT_TOOLS, content=True).answer
    chat = request_for(tools, "chat", "m")
    assert [t["function"]["name"] for t in chat["tools"]] == ["get_weather", "get_time"]
    assert chat["stream"] is True and chat["stream_options"] == {"include_usage": True}
    cut = validate_stream(INCOMPLETE, content=True).answer
    assert request_for(cut, "responses", "m")["max_output_tokens"] == cut.usage.output
    assert request_for(cut, "anthropic", "m")["max_tokens"] == cut.usage.output
    reasoning = validate_stream(RESPONSES, content=True).answer
    assert request_for(reasoning, "responses", "m")["reasoning"] == {"effort": "low",
                                                                     "summary": "auto"}
    assert "tools" not in request_for(reasoning, "chat", "m")


def test_assert_same_content():
    pair = SAMPLES / "diff" / "D006-tool-arguments-differ"
    with pytest.raises(StreamConformanceError) as failed:
        assert_same_content(pair / "upstream.sse", pair / "downstream.sse")
    assert "D006 [error]" in str(failed.value) and "upstream:" in str(failed.value)
    found = assert_same_content(CHAT_TEXT, CHAT_TEXT.read_bytes())
    assert found == []
    warning = SAMPLES / "diff" / "D008-reasoning-dropped"
    assert [v.code for v in assert_same_content(warning / "upstream.sse",
                                                warning / "downstream.sse")] == ["D008"]
