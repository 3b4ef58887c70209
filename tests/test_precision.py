"""Precision on third-party servers (issue 12): every finding true, every root cause once.

Each test writes the bytes of a capture shaped like what a real server sent (open-responses-
server, a bridge without content parts, a server that rewrites settings…) and asserts exactly
what is reported.  Where a rule is an error, openai-python's own accumulator is fed the same
capture and must break on it (the SDK is the oracle for severities).
"""

from __future__ import annotations

import copy
import json

import pytest
from streams import RESPONSE, sequential

from validator import validate_stream
from validator.live.verdict import Exchange, census


def sse(events: list[dict], done: bool = True) -> bytes:
    """The SSE bytes of ``events`` as a server writes them (`event:` + `data:`)."""
    body = "".join(f"event: {e.get('type', 'message')}\ndata: {json.dumps(e)}\n\n" for e in events)
    return (body + ("data: [DONE]\n\n" if done else "")).encode()


def found(data: bytes, **options) -> list[tuple[str, str | None]]:
    report = validate_stream(data, **options)
    return sorted((v.code, v.pointer) for v in report.violations)


def stream(plans: list) -> list[dict]:
    """A valid stream (tests/streams.py) whose events share no object: each can be edited."""
    return json.loads(json.dumps(sequential(plans)))


def drop(events: list[dict], *types: str) -> list[dict]:
    kept = [e for e in events if e["type"] not in types]
    for number, event in enumerate(kept):
        if "sequence_number" in event:
            event["sequence_number"] = number
    return kept


def strip(events: list[dict], field: str, *types: str) -> list[dict]:
    for e in events:
        if e["type"] in types:
            e.pop(field, None)
    return events


def unnumbered(events: list[dict]) -> list[dict]:
    for e in events:
        e.pop("sequence_number", None)
    return events


def sdk_breaks(events: list[dict]) -> Exception | None:
    """What openai-python's ResponseStreamState raises on ``events`` (``None``: nothing)."""
    pytest.importorskip("openai")
    from openai import omit
    from openai._models import construct_type
    from openai.lib.streaming.responses._responses import ResponseStreamState
    from openai.types.responses import ResponseStreamEvent

    state = ResponseStreamState(input_tools=[{"type": "function", "name": "lookup",
                                              "strict": True, "parameters": {}}],
                                text_format=omit)
    try:
        for event in events:
            state.handle_event(construct_type(type_=ResponseStreamEvent, value=event))
    except Exception as exc:  # what a client of the SDK gets
        return exc
    return None


# -- cascades ----------------------------------------------------------------------------------

def bridge_text() -> list[dict]:
    """open-responses-server's text stream: no output_item.added/done, no content parts, deltas
    without content_index or sequence numbers, a terminal response with the message."""
    events = stream([("message", [["The", " capital", " is", " Paris."]])])
    events = drop(events, "response.output_item.added", "response.output_item.done",
                  "response.content_part.added", "response.content_part.done",
                  "response.output_text.done")
    return unnumbered(strip(events, "content_index", "response.output_text.delta"))


def test_text_under_an_item_never_added_is_one_finding_per_missing_lifecycle():
    events = bridge_text()
    assert found(sse(events)) == [("I001", "/output_index"), ("I011", "/content_index"),
                                  ("Q001", "/sequence_number"), ("S002", "/content_index")]
    report = validate_stream(sse(events))
    messages = {v.code: v.message for v in report.violations}
    # One round of fixes: each finding names both ends of the lifecycle it lacks.
    assert "response.output_item.added before" in messages["I001"]
    assert "response.output_item.done after" in messages["I001"]
    assert "response.content_part.added before" in messages["I011"]
    assert "response.content_part.done after" in messages["I011"]
    # The text was streamed: the scenario's expectations see it (no false X001).
    assert report.output_text == "The capital is Paris."
    assert census("responses", report.output)["message"] == 1


def test_text_of_an_item_never_added_and_missing_from_the_final_output_is_reported():
    events = bridge_text()
    events[-1]["response"]["output"] = []
    assert ("R002", "/response/output") in found(sse(events))


def test_output_item_added_without_output_index_is_placed_by_its_order():
    events = stream([("message", [["Hi"]]), ("function_call", ['{"a":', "1}"])])
    strip(events, "output_index", "response.output_item.added")
    assert found(sse(events)) == [("S002", "/output_index")]


def test_a_delta_without_output_index_goes_by_its_item_id():
    events = stream([("message", [["Hel", "lo"]])])
    strip(events, "output_index", "response.output_text.delta")
    assert found(sse(events)) == [("S002", "/output_index")]


def test_an_absent_identity_field_is_not_a_change_and_a_change_is_reported_once():
    events = stream([("message", [["Hi"]])])
    for e in events[:2]:
        e["response"] = {k: v for k, v in e["response"].items() if k != "model"}
    assert found(sse(events)) == [("S002", "/response/model")]
    events = stream([("message", [["Hi"]])])
    events[0]["response"]["model"] = ""  # open-responses-server: empty until the upstream says
    report = validate_stream(sse(events))
    assert [(v.code, v.event_index) for v in report.violations] == [("R001", 1)]
    assert "model '' -> 'gpt-4.1-2025-04-14'" in report.violations[0].message


def test_a_server_without_content_parts_gets_the_whole_gap_in_one_round():
    # The field is there, the part lifecycle is not: one I011 naming both ends, no I015 on
    # output_item.done, and the text is still compared (T003 would fire if it differed).
    events = stream([("message", [["Hel", "lo"]])])
    events = drop(events, "response.content_part.added", "response.content_part.done")
    assert found(sse(events)) == [("I011", "/content_index")]
    events[-2]["item"]["content"][0]["text"] = "Help"
    assert found(sse(events)) == [("I011", "/content_index"), ("T003", "/item/content/0/text")]


# -- misses ------------------------------------------------------------------------------------

def test_a_delta_naming_another_item_is_reported():
    events = stream([("reasoning", [["think"]]), ("message", [["Hi"]])])
    for e in events:
        if e["type"] == "response.reasoning_summary_text.delta":
            e["item_id"] = "msg_0001"  # the message's id on a reasoning delta
    assert found(sse(events)) == [("I003", "/item_id")]


def test_a_delta_naming_another_item_for_an_item_never_added_is_reported():
    # The reasoning item was never added; its deltas carry the message's id and index 1.
    events = stream([("message", [["Hi"]])])
    delta = {"type": "response.reasoning_text.delta", "item_id": "msg_0000", "output_index": 1,
             "content_index": 0, "delta": "thinking"}
    events.insert(len(events) - 1, delta)
    for number, event in enumerate(events):
        event["sequence_number"] = number
    # Never added, the id of another item, and its text missing from the terminal output.
    assert found(sse(events)) == [("I001", "/output_index"), ("I003", "/item_id"),
                                  ("I011", "/content_index"), ("R002", "/response/output")]


def test_a_streamed_item_id_other_than_the_items_id_is_reported_when_never_added():
    # open-responses-server: arguments deltas under `tool_call_…`, the item is `call_…`.
    events = stream([("function_call", ['{"city":', '"Paris"}'])])
    events = drop(events, "response.output_item.added", "response.output_item.done")
    for e in events:
        if "item_id" in e:
            e["item_id"] = "tool_call_1"
    assert found(sse(events)) == [("I001", "/output_index"), ("R002", "/response/output/0/id")]


def test_a_reasoning_summary_missing_from_the_terminal_output_is_reported():
    events = stream([("reasoning", [["think", " hard"]]), ("message", [["Hi"]])])
    events[-1]["response"]["output"][0]["summary"] = []
    assert found(sse(events)) == [("T004", "/response/output/0/summary")]
    events[-1]["response"]["output"][0]["summary"] = [{"type": "summary_text", "text": "think"}]
    assert found(sse(events)) == [("T004", "/response/output/0/summary/0/text")]


def cut_short(status: str) -> list[dict]:
    events = stream([("message", [["Once upon a"]])])
    terminal = events[-1]
    terminal["type"] = f"response.{status}"
    terminal["response"]["status"] = status
    if status == "incomplete":
        terminal["response"]["incomplete_details"] = {"reason": "max_output_tokens"}
    return events


def test_an_item_completed_inside_an_incomplete_response_is_reported():
    events = cut_short("incomplete")  # output_item.done and the terminal say "completed"
    assert found(sse(events)) == [("I025", "/response/status")]
    events[-1]["response"]["output"][0]["status"] = "incomplete"
    assert found(sse(events)) == [("I025", "/response/output/0/status")]
    events[-2]["item"]["status"] = "incomplete"
    assert found(sse(events)) == []
    assert sdk_breaks(cut_short("incomplete")) is None  # hence a warning


def test_function_call_arguments_that_are_not_json_are_an_error():
    events = stream([("function_call", ['{"city":', '"Par'])])  # cut, yet "completed"
    assert found(sse(events)) == [("T010", "/response/output/0/arguments")]
    assert isinstance(sdk_breaks(events), json.JSONDecodeError)
    events[-1]["type"] = "response.incomplete"
    events[-1]["response"].update(status="incomplete",
                                  incomplete_details={"reason": "max_output_tokens"})
    events[-2]["item"]["status"] = "incomplete"
    events[-1]["response"]["output"][0]["status"] = "incomplete"
    assert found(sse(events)) == []  # an incomplete response may cut them


@pytest.mark.parametrize("field", ["parallel_tool_calls", "store", "tool_choice", "top_p",
                                   "reasoning"])
def test_a_response_setting_that_changes_is_reported_once(field):
    events = stream([("message", [["Hi"]])])
    changed = {"parallel_tool_calls": False, "store": False, "tool_choice": "required",
               "top_p": 0.5, "reasoning": {"effort": "high", "summary": None}}[field]
    for e in (events[1], events[-1]):
        e["response"] = {**copy.deepcopy(RESPONSE), **e["response"], field: changed}
    report = validate_stream(sse(events))
    assert [(v.code, v.pointer, v.event_index) for v in report.violations] == [
        ("R010", f"/response/{field}", 1)]
    assert sdk_breaks(events) is None  # hence a warning


def test_a_tool_call_continuation_with_type_null_is_an_error():
    chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
             "model": "m", "choices": []}

    def delta(d: dict, finish: str | None = None) -> dict:
        return {**chunk, "choices": [{"index": 0, "delta": d, "finish_reason": finish}]}

    chunks = [delta({"role": "assistant", "content": None}),
              delta({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                     "function": {"name": "lookup", "arguments": ""}}]}),
              delta({"tool_calls": [{"index": 0, "type": None,
                                     "function": {"arguments": "{}"}}]}),
              delta({}, "tool_calls")]
    body = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + \
        b"data: [DONE]\n\n"
    report = validate_stream(body)
    assert [(v.code, v.pointer) for v in report.violations] == [
        ("C012", "/choices/0/delta/tool_calls/0/type")]
    pytest.importorskip("openai")
    from openai._models import construct_type
    from openai.lib.streaming.chat._completions import ChatCompletionStreamState
    from openai.types.chat import ChatCompletionChunk

    state = ChatCompletionStreamState()
    with pytest.raises(AssertionError):
        for c in chunks:
            state.handle_chunk(construct_type(type_=ChatCompletionChunk, value=c))


def test_the_bridge_text_stream_breaks_the_sdk_as_i001_says():
    assert "before receiving its output item" in str(sdk_breaks(bridge_text()))


def test_exchange_census_counts_items_never_added():
    report = validate_stream(sse(bridge_text()))
    exchange = Exchange(output=report.output)
    assert census("responses", exchange.output)["message"] == 1


# -- messages and excerpts ---------------------------------------------------------------------

def test_t001_says_which_side_is_which_and_names_the_prefilling_event():
    events = stream([("function_call", ['"city":', '"Paris"}'])])
    events[2]["item"]["arguments"] = "{"  # output_item.added pre-fills the arguments
    events[5]["arguments"] = '{"city":"Rome"}'
    (t001,) = [v for v in validate_stream(sse(events)).violations if v.code == "T001"]
    assert t001.message.startswith(
        "response.function_call_arguments.done: the text response.output_item.added pre-filled "
        "plus the deltas add up to '{\"city\":\"Paris\"}' (16 chars); the .done event says "
        "'{\"city\":\"Rome\"}' (15 chars)")


def test_the_excerpt_is_taken_around_the_field_the_pointer_names():
    events = stream([("message", [["Hi"]])])
    del events[-1]["response"]["output"][0]["status"]
    events[-1]["response"]["usage"]["total_tokens"] = 7
    report = validate_stream(sse(events))
    by_code = {v.code: v for v in report.violations}
    assert set(by_code) == {"S002", "R003"}
    assert len(by_code["R003"].excerpt) <= 160
    assert '"total_tokens":7' in by_code["R003"].excerpt
    assert by_code["R003"].excerpt.startswith("…")
    # A missing field: the excerpt shows the object that lacks it.
    assert '{"id":"msg_0000","type":"message"' in by_code["S002"].excerpt
