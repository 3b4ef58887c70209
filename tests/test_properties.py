"""Property-based tests: generated valid streams are clean, and every mutation that breaks an
invariant is an error; the SSE decoder agrees with a plain WHATWG reference on random bytes.

A valid stream is any interleaving of several items (messages with several content parts,
function calls, reasoning items with summary parts), each item's own events in protocol order,
numbered 0, 1, 2, … and closed by a `response.completed` whose output matches.

Mutations and what must be caught:

* drop one event, renumbering the rest (so the Q rules see nothing): an error, except for
  `response.in_progress` (only a warning, L012) and the `arguments.done` of a function call
  that streamed no delta (its item.done and the final response say the same: nothing is lost);
* duplicate one event, renumbering: always an error;
* swap two neighbouring events, keeping their sequence numbers: always Q003;
* edit one field (a delta's or a done event's text, an item_id, an output_index, a
  sequence_number): always an error.
"""

from __future__ import annotations

import copy
import json

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streams import assemble, item_events

from validator import validate_stream
from validator.engine import StreamValidator
from validator.framing import FrameDecoder

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

delta = st.text(min_size=1, max_size=6)


@st.composite
def arguments(draw) -> list[str]:
    """Arguments deltas that add up to a JSON object (what a completed call carries: T010)."""
    text = json.dumps(draw(st.dictionaries(st.text(max_size=4), st.integers() | st.text(
        max_size=4), max_size=3)), ensure_ascii=False)
    cuts = sorted(draw(st.sets(st.integers(1, len(text) - 1), max_size=3)))
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]

item_plan = st.one_of(
    st.tuples(st.just("message"), st.lists(st.lists(delta, max_size=4), min_size=1,
                                            max_size=3)),
    st.tuples(st.just("reasoning"), st.lists(st.lists(delta, max_size=3), max_size=3)),
    st.tuples(st.just("function_call"), arguments()),
)


@st.composite
def valid_streams(draw) -> list[dict]:
    plans = draw(st.lists(item_plan, min_size=1, max_size=4))
    per_item = [list(item_events(kind, n, plan)) for n, (kind, plan) in enumerate(plans)]
    order = draw(st.permutations([n for n, events in enumerate(per_item) for _ in events]))
    return assemble(per_item, order)


def renumber(events: list[dict]) -> list[dict]:
    events = copy.deepcopy(events)
    for seq, event in enumerate(events):
        event["sequence_number"] = seq
    return events


def errors(events: list[dict]) -> set[str]:
    return {v.code for v in validate_stream(events).violations if v.severity.value == "error"}


def sse(events: list[dict]) -> bytes:
    return b"".join(b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n"
                    for e in events)


# -- valid streams --------------------------------------------------------------------------------

@SETTINGS
@given(valid_streams(), st.lists(st.integers(min_value=1, max_value=400), max_size=20))
def test_valid_interleavings_are_clean_in_any_chunking(events, cuts):
    assert validate_stream(events).violations == []
    data = sse(events)
    validator = StreamValidator()
    start = 0
    for size in cuts:  # the same stream as SSE bytes, split at arbitrary points
        validator.feed(data[start:start + size])
        start += size
    validator.feed(data[start:])
    validator.close()
    assert validator.violations == []
    assert validator.events == len(events)


# -- mutations ------------------------------------------------------------------------------------

def _undetectable_drop(events: list[dict], i: int) -> bool:
    event = events[i]
    return event["type"] == "response.in_progress"


def _only_delta(events: list[dict], i: int) -> bool:
    """The one delta of its value: without it the value comes only in its `.done` event, which
    genuine servers send (T005, a warning), not a broken stream."""
    event = events[i]
    return event["type"].endswith(".delta") and sum(
        e["type"] == event["type"] and e.get("item_id") == event.get("item_id")
        and e.get("content_index") == event.get("content_index")
        and e.get("summary_index") == event.get("summary_index") for e in events) == 1


@SETTINGS
@given(valid_streams(), st.data())
def test_dropping_an_event_is_an_error(events, data):
    i = data.draw(st.integers(0, len(events) - 1))
    mutated = renumber(events[:i] + events[i + 1:])
    if _undetectable_drop(events, i):
        assert not errors(mutated) - {"T004"}  # nothing but what the final response shows
    elif _only_delta(events, i):
        found = validate_stream(mutated).violations
        assert not errors(mutated) and "T005" in {v.code for v in found}
    else:
        assert errors(mutated), f"dropped {events[i]['type']}"


@SETTINGS
@given(valid_streams(), st.data())
def test_duplicating_an_event_is_an_error(events, data):
    i = data.draw(st.integers(0, len(events) - 1))
    mutated = renumber([*events[:i + 1], events[i], *events[i + 1:]])
    assert errors(mutated), f"duplicated {events[i]['type']}"


@SETTINGS
@given(valid_streams(), st.data())
def test_swapping_neighbours_is_a_sequence_error(events, data):
    i = data.draw(st.integers(0, len(events) - 2))
    mutated = list(events)
    mutated[i], mutated[i + 1] = mutated[i + 1], mutated[i]
    assert "Q003" in errors(mutated)


_EDITABLE = ("delta", "text", "arguments", "item_id", "output_index", "sequence_number")


@SETTINGS
@given(valid_streams(), st.data())
def test_editing_a_field_is_an_error(events, data):
    candidates = [(i, key) for i, event in enumerate(events) for key in _EDITABLE
                  if key in event]
    i, key = data.draw(st.sampled_from(candidates))
    mutated = copy.deepcopy(events)
    value = mutated[i][key]
    if isinstance(value, str):
        mutated[i][key] = value + "~"
    elif key == "output_index":
        mutated[i][key] = value + 100  # no item there
    else:
        mutated[i][key] = value + 2
    assert errors(mutated), f"edited {key} of {events[i]['type']}"


# -- the SSE decoder against the WHATWG algorithm -------------------------------------------------

def whatwg_events(data: bytes) -> list[tuple[str, str]]:
    """(event type, data) of every dispatched event, per the HTML Standard's "event stream
    interpretation", written plainly: decode UTF-8 with replacement, strip one leading BOM, split
    lines at CRLF, LF or CR, and process each line."""
    text = data.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines.pop()  # the text after the last line break is not a line (and is discarded at EOF)
    dispatched, buffer, event_type = [], "", ""
    for line in lines:
        if line == "":
            if buffer != "":  # "If the data buffer is an empty string, ... return"
                dispatched.append((event_type or "message", buffer.removesuffix("\n")))
            buffer, event_type = "", ""
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "event":
            event_type = value
        elif name == "data":
            buffer += value + "\n"
    return dispatched


_SSE_PIECES = st.sampled_from([
    b"data: {}", b"data:{}", b"data", b"data: [DONE]", b"event: a", b"event:", b"id: 1",
    b"retry: 5", b": c", b"x: y", b"\n", b"\r", b"\r\n", b"\n\n", b"\xef\xbb\xbf", b"\xff",
    b" ", b"{", b"\xc3\xa9", b"\xc3", b"data: \"x\"",
])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.one_of(_SSE_PIECES, st.binary(max_size=8)), max_size=30), st.data())
def test_sse_decoder_matches_the_whatwg_algorithm(pieces, data):
    stream = b"".join(pieces)
    decoder = FrameDecoder("sse")
    decoder.decoder.trace = trace = []  # every dispatched message, as the decoder saw it
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    start = 0
    for cut in [*cuts, len(stream)]:  # fed in arbitrary pieces
        decoder.feed(stream[start:cut])
        start = cut
    decoder.close()
    assert [(m["event"], m["data"]) for m in trace] == whatwg_events(stream)
