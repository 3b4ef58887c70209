"""The sans-IO verdict on one check exchange, and the redaction of what --save writes."""

from __future__ import annotations

import pytest

from validator.live.capture import is_secret, redact_url
from validator.live.scenarios import parse
from validator.live.verdict import Exchange, census, is_event_stream, judge
from validator.model import Finding

STREAM = parse({"name": "s", "endpoint": "responses", "request": {},
                "expect": {"status": "incomplete", "contains": {"function_call": 2},
                           "text": True}}, "test")
REJECTED = parse({"name": "r", "endpoint": "chat", "request": {},
                  "expect": {"outcome": "rejected"}}, "test")
SSE = "text/event-stream; charset=utf-8"


def codes(found):
    return [f.code for f in found]


@pytest.mark.parametrize(("scenario", "status", "expected"), [
    (STREAM, 400, ["H001"]), (STREAM, 500, ["H001"]), (STREAM, 302, ["H001"]),
    (REJECTED, 400, []), (REJECTED, 422, []), (REJECTED, 500, ["H001"]),
])
def test_http_status(scenario, status, expected):
    found = judge(scenario, Exchange(http_status=status, reason="X", body_excerpt='{"e": 1}'))
    assert codes(found) == expected
    if found:
        assert f"HTTP {status} X" in found[0].message and '{"e": 1}' in found[0].message


def test_a_2xx_that_is_not_a_stream_is_h002_only():
    found = judge(STREAM, Exchange(http_status=200, content_type="application/json"))
    assert codes(found) == ["H002"] and "application/json" in found[0].message
    assert codes(judge(REJECTED, Exchange(http_status=200, content_type=None))) == ["H002"]


def test_transport_error_is_reported_once_without_expectation_cascade():
    broken = Exchange(http_status=200, content_type=SSE, streamed=True,
                      error=Finding("H003", "stalled"), stream_status=None)
    assert judge(STREAM, broken) == [Finding("H003", "stalled")]
    refused = Finding("H004", "refused")
    assert judge(STREAM, Exchange(error=refused)) == [refused]


def test_expectations_each_give_one_x001():
    exchange = Exchange(http_status=200, content_type=SSE, streamed=True,
                        stream_status="completed",
                        output=[{"type": "function_call"}, {"type": "message"}])
    messages = [f.message for f in judge(STREAM, exchange) if f.code == "X001"]
    assert len(messages) == 3
    assert "status 'completed', expected 'incomplete'" in messages[0]
    assert "at least 2 function_call outputs, the stream has 1" in messages[1]
    assert "no text" in messages[2]
    exchange.stream_status, exchange.output_text = "incomplete", "hi"
    exchange.output.append({"type": "function_call"})
    assert judge(STREAM, exchange) == []


def test_a_stream_with_no_end_leaves_expectations_to_the_engine():
    exchange = Exchange(http_status=200, content_type=SSE, streamed=True, stream_status=None)
    assert judge(STREAM, exchange) == []


@pytest.mark.parametrize(("ended", "expected"), [
    ("error", []), ("failed", []), ("stop", ["X001"]), ("completed", ["X001"])])
def test_rejected_scenario_accepts_only_a_failed_stream(ended, expected):
    exchange = Exchange(http_status=200, content_type=SSE, streamed=True, stream_status=ended)
    assert codes(judge(REJECTED, exchange)) == expected


def test_chat_census_counts_choice_zero():
    output = [{"index": 1, "content": "other"},
              {"index": 0, "content": "", "tool_calls": [{}, {}], "reasoning": "r"}]
    found = census("chat", output)
    assert (found["content"], found["tool_call"], found["reasoning"]) == (0, 2, 1)


@pytest.mark.parametrize(("value", "expected"), [
    ("text/event-stream", True), ("Text/Event-Stream ; charset=utf-8", True),
    ("text/event-streams", False), ("application/json", False), (None, False)])
def test_is_event_stream(value, expected):
    assert is_event_stream(value) is expected


def test_secrets_are_redacted():
    assert all(is_secret(h) for h in ("Authorization", "api-key", "X-Session-Token",
                                      "Cookie", "OpenAI-Client-Secret"))
    assert not any(is_secret(h) for h in ("Content-Type", "X-Team", "OpenAI-Organization"))
    assert redact_url("https://user:pw@host:8443/v1/responses?api-key=s3&api-version=2025") \
        == "https://host:8443/v1/responses?api-key=REDACTED&api-version=2025"


@pytest.mark.parametrize("status", [404, 405])
def test_not_found_is_no_rejection_and_asks_for_the_base_url(status):
    for scenario in (STREAM, REJECTED):
        found = judge(scenario, Exchange(http_status=status, reason="Not Found"))
        assert codes(found) == ["H001"]
        assert "is the base URL right? (…/v1?)" in found[0].message


@pytest.mark.parametrize(("body", "message"), [
    (b'{"error": {"message": "model not found", "code": 404}}', "model not found"),
    (b'{"detail": "Not authenticated"}', "Not authenticated"),
    (b'{"error": "\\u001b[2Jboom"}', "\\x1b[2Jboom"),
    (b'data: {"type": "x"}\n\n', None), (b'{"type": "x"}', None), (b"[1]", None),
])
def test_a_json_error_relayed_as_an_event_stream_is_named(body, message):
    from validator.live.verdict import relayed_error

    assert relayed_error(body) == message
    exchange = Exchange(http_status=200, content_type=SSE, streamed=True,
                        relayed_error=message, stream_status=None)
    assert codes(judge(STREAM, exchange)) == (["H005"] if message else [])
