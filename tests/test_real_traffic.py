"""What real traffic showed (issue 11): genuine OpenAI output that must not be an error, and
broken streams that must be, each from a capture of that shape."""

from __future__ import annotations

import json

import pytest
from conftest import REAL, SAMPLES, codes, errors
from streams import sequential

from validator import validate_stream

INVALID = SAMPLES / "invalid"


def jsonl(events: list[dict]) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in events)


def sse(events: list[dict], names: list[str | None] | None = None, done: bool = False) -> bytes:
    names = names or [e.get("type") for e in events]
    blocks = [(f"event: {n}\n" if n else "") + f"data: {json.dumps(e)}\n\n"
              for n, e in zip(names, events, strict=True)]
    return ("".join(blocks) + ("data: [DONE]\n\n" if done else "")).encode()


def found(report) -> list[tuple[str, str]]:
    return sorted((v.code, v.severity.value) for v in report.violations)


# -- genuine output: no error ------------------------------------------------------------------

def test_an_mcp_call_error_object_is_accepted():
    events = [json.loads(line[6:]) for line in (REAL / "openai-dotnet__mcp-call.sse")
              .read_text("utf-8").splitlines() if line.startswith("data: {")]
    for event in events:
        item = event.get("item") or {}
        if item.get("type") == "mcp_call":
            item["error"] = {"type": "mcp_protocol_error", "code": -32600, "message": "bad"}
            item["output"] = None
    assert errors(validate_stream(jsonl(events))) == []


def test_a_tool_search_call_id_change_is_a_warning_and_an_error_for_function_calls():
    sample = INVALID / "I018-tool-search-call-id-changed.jsonl"
    assert found(validate_stream(sample)) == [("I018", "warning")]
    assert found(validate_stream(sample, profile="strict")) == [("I018", "error")]
    assert found(validate_stream(INVALID / "I007-item-done-changed.jsonl")) == [
        ("I007", "error")]


def test_arguments_only_in_done_are_a_warning_and_disagreeing_deltas_stay_t001():
    sample = INVALID / "T005-value-without-deltas.jsonl"
    [finding] = validate_stream(sample).violations
    assert (finding.code, finding.severity.value) == ("T005", "warning")
    assert "no delta" in finding.message
    assert found(validate_stream(sample, profile="strict")) == [("T005", "error")]
    events = [json.loads(line) for line in sample.read_text("utf-8").splitlines()]
    done = next(i for i, e in enumerate(events)
                if e["type"] == "response.function_call_arguments.done")
    delta = {"type": "response.function_call_arguments.delta", "item_id": events[done]["item_id"],
             "output_index": 0, "delta": '{"q":', "sequence_number": done}
    with_delta = [*events[:done], delta, *events[done:]]
    for n, event in enumerate(with_delta):
        event["sequence_number"] = n
    assert codes(validate_stream(jsonl(with_delta))) == ["T001"]


def test_chat_tool_calls_null_is_accepted():
    """openai-python's own `ChatCompletionChunk.model_dump()`: `delta.tool_calls: null`."""
    chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1767004000,
             "model": "gpt-4o", "obfuscation": None,
             "choices": [{"index": 0, "logprobs": None, "finish_reason": None,
                          "delta": {"role": "assistant", "content": "Hi", "tool_calls": None,
                                    "audio": None, "function_call": None, "refusal": None}}]}
    last = {**chunk, "choices": [{"index": 0, "delta": {"tool_calls": None},
                                  "finish_reason": "stop", "logprobs": None}]}
    data = sse([chunk, last], [None, None], done=True)
    assert validate_stream(data).violations == []
    assert {v.pointer for v in validate_stream(data, profile="strict").violations} >= {
        "/choices/0/delta/tool_calls", "/obfuscation"}


def test_an_item_added_already_complete_needs_no_value_events():
    events = sequential([("function_call", ['{"a": 1}'])])
    added = next(e for e in events if e["type"] == "response.output_item.added")
    done = next(e for e in events if e["type"] == "response.output_item.done")
    added["item"] = dict(done["item"])
    events = [e for e in events if not e["type"].startswith("response.function_call_arguments")]
    for n, event in enumerate(events):
        event["sequence_number"] = n
    assert errors(validate_stream(jsonl(events))) == []


# -- broken streams: each an error -------------------------------------------------------------

@pytest.mark.parametrize("body", [b"data: [DONE]\n\n", b"data: [DONE]\r\n\r\n",
                                  b": ping\n\ndata: [DONE]\n\n"])
def test_a_body_of_only_done_is_an_empty_stream(body):
    report = validate_stream(body)
    assert [(v.code, v.severity.value) for v in report.violations] == [("L010", "error")]
    assert "[DONE]" in report.violations[0].message


@pytest.mark.parametrize("profile", ["openai", "strict", "open-responses"])
def test_an_sse_event_name_other_than_the_type_is_an_error(profile):
    events = sequential([("message", [["Hi"]])])
    names = [e["type"] for e in events]
    names[3] = "response.output_text.done"
    report = validate_stream(sse(events, names), profile=profile)
    assert ("F003", "error") in found(report)


def test_event_message_is_the_sse_default_name():
    events = sequential([("message", [["Hi"]])])
    assert "F003" not in codes(validate_stream(sse(events, ["message"] * len(events))))


def test_missing_response_keys_warn_by_default_and_fail_strict_and_open_responses():
    sample = INVALID / "S005-response-key-missing.jsonl"
    assert {v.severity.value for v in validate_stream(sample).violations} == {"warning"}
    assert {v.message.split("'")[1] for v in validate_stream(sample).violations} == {
        "temperature", "usage"}
    assert {v.severity.value for v in validate_stream(sample, profile="strict").violations} == {
        "error"}
    # open-responses requires exactly what its ResponseResource schema requires.
    missing = {v.message.split("'")[1] for v in validate_stream(
        sample, profile="open-responses").violations if v.code == "S005"}
    assert {"temperature", "usage", "completed_at", "presence_penalty"} <= missing


def test_a_capture_with_every_response_key_passes_open_responses_key_checks():
    from validator.rules.schema import OPEN_RESPONSES_REQUIRED

    events = sequential([("message", [["Hi"]])])
    for event in events:
        if "response" in event:
            for key in OPEN_RESPONSES_REQUIRED:
                event["response"].setdefault(key, None)
    assert "S005" not in codes(validate_stream(jsonl(events), profile="open-responses"))


def test_repeated_list_deltas_without_index_are_an_error():
    report = validate_stream(INVALID / "C025-list-delta-without-index.sse")
    assert found(report) == [("C025", "error")]


@pytest.mark.parametrize(("sample", "code"), [("C026-chunk-created-invalid.sse", "C026"),
                                              ("C027-chunk-id-empty.sse", "C027")])
def test_chunk_created_in_ms_and_empty_id_are_warnings(sample, code):
    assert found(validate_stream(INVALID / sample)) == [(code, "warning")]


def test_azures_leading_filter_chunk_stays_clean():
    assert validate_stream(REAL / "chat__vercel-ai__azure-model-router.jsonl").violations == []


def test_chunk_created_zero_is_a_warning():
    data = (INVALID / "C026-chunk-created-invalid.sse").read_bytes().replace(
        b'"created":1748531042123', b'"created":0')
    [finding] = validate_stream(data).violations
    assert finding.message.startswith("created is 0, not a Unix time in seconds")


def test_a_pretty_printed_capture_is_one_finding_and_a_count():
    events = sequential([("message", [["Hello", " world"]])])
    pretty = b"".join(json.dumps(e, indent=2).encode() + b"\n" for e in events)
    report = validate_stream(pretty)
    assert [v.code for v in report.violations] == ["F001", "F001"]
    assert "pretty-printed" in report.violations[0].message
    assert "more F001 findings" in report.violations[1].message


def test_invalid_json_lines_are_capped():
    report = validate_stream(b'{"type": oops}\n' * 5000)
    assert len(report.violations) <= 25
    assert "4980 more F001 findings" in report.violations[-1].message


@pytest.mark.parametrize("first", [
    {"candidates": [{"content": {"parts": [{"text": "Hi"}], "role": "model"}}],
     "modelVersion": "gemini-2.5-flash"},
    # Ollama's native /api/chat stream: no `type`, no `choices`.
    {"model": "llama3.2", "created_at": "2026-01-01T00:00:00Z",
     "message": {"role": "assistant", "content": "Hi"}, "done": False},
])
def test_another_wire_format_is_one_clear_finding(first):
    data = sse([first, first], [None, None])
    [finding] = validate_stream(data).violations
    assert finding.code == "L013"
    assert finding.message.startswith("not an OpenAI Responses, Chat Completions or Anthropic "
                                      "Messages stream; the first event looks like ")
    assert "None" not in finding.message


def test_anthropic_events_are_not_another_wire_format():
    first = {"type": "message_start", "message": {"id": "msg_1", "role": "assistant",
                                                  "content": []}}
    report = validate_stream(sse([first], [None]))
    assert report.kind == "anthropic"
    assert "L013" not in {v.code for v in report.violations}


def test_no_message_prints_python_none():
    """A first event without a type, fields absent rather than null."""
    events = sequential([("message", [["Hi"]])])
    del events[0]["type"]
    events[0]["object"] = "response"
    report = validate_stream(jsonl(events), kind="responses")
    assert report.violations and all("None" not in v.message for v in report.violations)
