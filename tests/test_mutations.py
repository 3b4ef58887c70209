"""Deliberately broken variants of real captures are each reported as an error.

Every variant is made from a genuine capture (which itself has no error) by one edit: an id
changed, a delta altered, dropped or duplicated, an event moved or removed, the final response
edited, sequence numbers swapped or skipped, a JSON line cut short.
"""

from __future__ import annotations

import copy

import orjson
import pytest
from conftest import REAL, errors

from validator import validate_stream
from validator.framing import read_frames
from validator.model import Frame

CAPTURES = [
    "openai-dotnet__text-hello.sse",
    "mirascope__parallel-function-calls.sse",
    "pydantic-ai__reasoning-summary.sse",
    "openai-dotnet__web-search.sse",
    "vercel-ai__shell-skills.jsonl",
    "vercel-ai__mcp-call-approval-flow.jsonl",
    "mirascope__refusal.sse",
    "mirascope__incomplete-max-output-tokens.sse",
]
# In the capture from before sequence_number existed, a removed `response.in_progress` can only
# be a warning (L012): nothing else in the stream shows it was there.
NO_SEQ = "pydantic-ai__function-call-no-seqnum-2025-03.sse"


def load(name: str) -> list[dict]:
    with open(REAL / name, "rb") as stream:
        return [f.payload for f in read_frames(stream) if type(f) is Frame and not f.done]


def jsonl(events: list) -> bytes:
    return b"".join(orjson.dumps(e) + b"\n" for e in events)


def _with(events: list[dict], i: int, **fields) -> list[dict]:
    """``events`` with event ``i`` replaced by a copy that has ``fields``: the other events are
    shared, never changed (a deep copy of the whole capture per variant cost most of the suite)."""
    return [*events[:i], {**events[i], **fields}, *events[i + 1:]]


def variants(events: list[dict]):
    n = len(events)
    bumped = None  # every event with its sequence number + 1, made on first use
    for i, event in enumerate(events):
        kind = event["type"]
        yield f"drop {i} {kind}", events[:i] + events[i + 1:]
        yield f"duplicate {i} {kind}", [*events[:i + 1], event, *events[i + 1:]]
        if i + 1 < n:
            swapped = list(events)
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
            yield f"swap {i} {kind} with {events[i + 1]['type']}", swapped
        for key in ("delta", "item_id", "text", "arguments", "code", "refusal"):
            if isinstance(event.get(key), str):
                yield f"edit {key} of {i} {kind}", _with(events, i, **{key: event[key] + "~"})
        if isinstance(event.get("item"), dict) and "id" in event["item"]:
            item = {**event["item"], "id": event["item"]["id"] + "~"}
            yield f"change item id of {i} {kind}", _with(events, i, item=item)
        if isinstance(event.get("sequence_number"), int):
            if i + 1 < n:
                edited = _with(events, i, sequence_number=events[i + 1]["sequence_number"])
                edited[i + 1] = {**events[i + 1], "sequence_number": event["sequence_number"]}
                yield f"swap sequence numbers {i}, {i + 1}", edited
            if i:
                if bumped is None:
                    bumped = [{**e, "sequence_number": e["sequence_number"] + 1}
                              if "sequence_number" in e else e for e in events]
                yield f"skip a sequence number before {i}", events[:i] + bumped[i:]


def final_edits(events: list[dict]):
    response = events[-1]["response"]
    yield "final: response id", _edit(events, lambda r: r.__setitem__("id", r["id"] + "~"))
    yield "final: usage total", _edit(events, lambda r: r["usage"].__setitem__(
        "total_tokens", r["usage"]["total_tokens"] + 1))
    yield "final: status", _edit(events, lambda r: r.__setitem__("status", "in_progress"))
    yield "final: drop an output item", _edit(events, lambda r: r["output"].pop())
    yield "final: output item id", _edit(events, lambda r: r["output"][0].__setitem__(
        "id", str(r["output"][0].get("id")) + "~"))
    texts = [(i, key) for i, item in enumerate(response["output"])
             for key in ("arguments",) if isinstance(item.get(key), str)]
    texts += [(i, ("content", j)) for i, item in enumerate(response["output"])
              for j, part in enumerate(item.get("content") or []) if "text" in part]
    for i, key in texts:
        def edit(r, i=i, key=key):
            if isinstance(key, tuple):
                r["output"][i]["content"][key[1]]["text"] += "~"
            else:
                r["output"][i][key] += "~"
        yield f"final: text of output {i}", _edit(events, edit)


def _edit(events, change):
    last = copy.deepcopy(events[-1])  # the final event only: the others are shared
    change(last["response"])
    return [*events[:-1], last]


def cut_lines(events: list[dict]):
    lines = [orjson.dumps(e) for e in events]
    for i, line in enumerate(lines):
        cut = [*lines[:i], line[: len(line) // 2], *lines[i + 1:]]
        yield f"cut line {i} short", b"\n".join(cut) + b"\n"


@pytest.mark.parametrize("name", CAPTURES)
def test_every_broken_variant_is_an_error(corpus, name):
    events = load(name)
    assert errors(validate_stream(jsonl(events))) == []
    missed = []
    for label, variant in [*variants(events), *final_edits(events), *cut_lines(events)]:
        data = variant if isinstance(variant, bytes) else jsonl(variant)
        if not errors(validate_stream(data)):
            missed.append(label)
    assert missed == []
    assert events == load(name)  # the variants share the capture's events: none was changed


def test_broken_variants_of_the_capture_without_sequence_numbers(corpus):
    events = load(NO_SEQ)
    missed = [label for label, variant in [*variants(events), *final_edits(events)]
              if not errors(validate_stream(jsonl(variant)))]
    assert missed == ["drop 1 response.in_progress"]


def test_variants_keep_their_line_numbers(corpus):
    events = load(CAPTURES[0])
    broken = copy.deepcopy(events)
    broken[5]["item_id"] = "msg_other"
    [violation] = errors(validate_stream(jsonl(broken)))
    assert (violation.code, violation.line, violation.event_index) == ("I003", 6, 5)


