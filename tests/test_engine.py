"""The sans-IO engine: same findings whatever the chunking, events or bytes, misuse raises."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES
from streams import sequential

from validator import StreamValidator, validate_stream
from validator.profiles import PROFILES

SEED = SAMPLES / "seeds" / "responses-mismatched-ids.jsonl"


def findings(violations):
    return [(v.code, v.line, v.event_index, v.pointer, v.message) for v in violations]


def feed_split(data: bytes, cuts) -> list:
    validator = StreamValidator()
    found, start = [], 0
    for cut in [*cuts, len(data)]:
        found += validator.feed(data[start:cut])
        start = cut
    return found + validator.close()


@pytest.mark.parametrize("path", [SEED, SAMPLES / "valid" / "text.sse",
                                  SAMPLES / "invalid" / "I003-item-id-mismatch.jsonl"],
                         ids=lambda p: p.name)
def test_split_at_every_byte_gives_the_same_findings(path):
    data = path.read_bytes()
    whole = findings(feed_split(data, []))
    for cut in range(1, len(data)):
        assert findings(feed_split(data, [cut])) == whole, cut


def test_one_byte_at_a_time():
    data = SEED.read_bytes()
    assert findings(feed_split(data, range(1, len(data)))) == findings(feed_split(data, []))


def test_events_and_bytes_agree_except_for_lines():
    data = SEED.read_bytes()
    events = [json.loads(line) for line in data.splitlines()]
    from_bytes = validate_stream(data)
    from_events = validate_stream(events)
    assert [(v.code, v.event_index, v.message) for v in from_events.violations] == [
        (v.code, v.event_index, v.message) for v in from_bytes.violations]
    assert from_events.format == "events"


def test_feed_after_close_is_misuse():
    validator = StreamValidator()
    validator.close()
    with pytest.raises(RuntimeError):
        validator.feed(b"{}")


def test_unknown_kind_and_profile_are_misuse():
    with pytest.raises(ValueError):
        StreamValidator(kind="completions")
    with pytest.raises(ValueError):
        StreamValidator(profile="lenient")


def test_violations_accumulate_on_the_validator():
    validator = StreamValidator()
    validator.feed(SEED.read_bytes())
    validator.close()
    assert len(validator.violations) == 6
    assert validator.events == 10


CREATED = {"type": "response.created", "sequence_number": 0, "response": {
    "id": "resp_1", "object": "response", "created_at": 1, "status": "in_progress",
    "model": "m", "output": []}}


def test_a_rule_reports_at_most_max_per_rule_findings_then_counts_the_rest():
    from validator.engine import MAX_PER_RULE

    # 300 deltas for items that were never added: 300 distinct I001 findings.
    events = [CREATED] + [
        {"type": "response.output_text.delta", "sequence_number": i + 1, "item_id": f"msg_{i}",
         "output_index": i, "content_index": 0, "delta": "x", "logprobs": []}
        for i in range(300)]
    report = validate_stream(events)
    found = [v for v in report.violations if v.code == "I001"]
    assert len(found) == MAX_PER_RULE + 1
    assert [v.event_index for v in found[:MAX_PER_RULE]] == list(range(1, MAX_PER_RULE + 1))
    closing = found[-1]
    assert closing.message == f"{300 - MAX_PER_RULE} more I001 findings in this stream were " \
                              "not reported one by one"
    assert (closing.line, closing.event_index, closing.severity.value) == (None, None, "error")


def test_a_schema_defect_repeated_on_every_event_is_one_finding():
    # The same field missing from the response of created, in_progress and completed, and the
    # same wrong type on every delta, whatever the item: one finding each, at the first event.
    response = {k: v for k, v in CREATED["response"].items() if k != "model"}
    events = [{**CREATED, "response": response},
              {"type": "response.in_progress", "sequence_number": 1, "response": response}]
    for n in range(3):
        events.append({"type": "response.output_item.added", "sequence_number": len(events),
                       "output_index": n, "item": {"id": f"msg_{n}", "type": "message",
                       "status": "in_progress", "role": "assistant", "content": []}})
        events.append({"type": "response.output_text.delta", "sequence_number": len(events),
                       "item_id": f"msg_{n}", "output_index": n, "content_index": 0,
                       "delta": "x", "logprobs": {}})
    schema = [(v.code, v.pointer, v.event_index) for v in validate_stream(events).violations
              if v.code.startswith("S")]
    assert len({(code, pointer) for code, pointer, _ in schema}) == len(schema)  # each once
    assert ("S002", "/response/model", 0) in schema and ("S001", "/logprobs", 3) in schema


@pytest.mark.parametrize(("numbers", "expected"), [
    ([5, 6, 7, 8, 9], []),
    ([5, 6, 6, 8, 9], [("Q003", 7), ("Q004", 8)]),
    ([5, 7, 8, 9, 10], [("Q004", 6), ("Q003", 10)]),  # the event after the run repeats 10
    ([5, None, 7, 8, 9], [("Q002", 6)]),  # the unnumbered delta may have taken 6
    ([None, 7, 8, 9, 10], [("Q002", 5), ("Q004", 6), ("Q003", 10)]),
    ([5, 4, 7, 8, 9], [("Q003", 6), ("Q004", 7)]),
])
def test_sequence_numbers_inside_a_run_of_deltas(numbers, expected):
    # A run of deltas to one part takes a shortcut for the usual next number: every other
    # number must still reach the Q rules, at its own event.
    events = sequential([("message", [["a", "b", "c", "d", "e", "f"]])])
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert [d["sequence_number"] for d in deltas] == [4, 5, 6, 7, 8, 9]  # = event index
    for delta, number in zip(deltas[1:], numbers, strict=True):
        if number is None:
            del delta["sequence_number"]
        else:
            delta["sequence_number"] = number
    found = [(v.code, v.event_index) for v in validate_stream(events).violations
             if v.code.startswith("Q")]
    assert sorted(found, key=lambda f: f[1]) == expected


_MISSING = object()  # an edit that deletes the field


@pytest.mark.parametrize(("edit", "name", "profile", "expected"), [
    ({}, None, "openai", []),
    ({}, "response.refusal.delta", "openai", [("F003", 6)]),
    ({"logprobs": {}}, None, "openai", [("S001", 6)]),
    ({"delta": 5}, None, "openai", [("S001", 6), ("T001", 9)]),  # "c" is not in the text
    ({"sequence_number": 6.5}, None, "openai", [("S001", 6), ("Q004", 7)]),
    ({"extra": 1}, None, "strict", [("S004", 6)]),
    ({"extra": 1}, None, "openai", []),
    ({"output_index": True}, None, "openai", [("S001", 6), ("T001", 9)]),
    ({"item_id": None}, None, "openai", [("S001", 6)]),
    ({"content_index": 1}, None, "openai", [("I011", 6), ("T001", 9)]),
    # The fields a run takes without its schema test while they hold plain values (PLAIN).
    ({"logprobs": [{"token": "c", "logprob": -0.1, "bytes": [99], "top_logprobs": []}]}, None,
     "openai", []),
    ({"logprobs": [{"token": 5}]}, None, "openai", [("S001", 6), ("S002", 6)]),
    ({"logprobs": None}, None, "strict", [("S001", 6)]),
    ({"obfuscation": 5}, None, "openai", [("S001", 6)]),
    ({"obfuscation": "xyz"}, None, "strict", []),
    ({"logprobs": _MISSING, "obfuscation": "xyz"}, None, "strict", [("S002", 6)]),  # same size
])
def test_an_event_inside_a_run_of_deltas_gets_every_check(edit, name, profile, expected):
    # The third delta of a run, edited (or given another SSE event name): the shortcut for
    # runs must report what the full checks report (the figures of the code before it).
    events = sequential([("message", [["a", "b", "c", "d", "e"]])])
    assert events[6]["type"] == "response.output_text.delta"
    events[6].update(edit)
    events[6] = {k: v for k, v in events[6].items() if v is not _MISSING}
    frames = "".join(f"event: {name if i == 6 and name else e['type']}\ndata: {json.dumps(e)}\n\n"
                     for i, e in enumerate(events)) + "data: [DONE]\n\n"
    found = [(v.code, v.event_index) for v in
             validate_stream(frames.encode(), profile=profile).violations]
    assert sorted(found) == sorted(expected)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_run_skips_the_schema_test_only_where_any_plain_value_passes(profile):
    """A delta of a run with the keys of its first one, which passed its schema test, and
    ``PLAIN`` values skips the test (responses/checker.py): exact only while, for every event
    type a run can be of, the event's schema is a plain object and each ``PLAIN`` field's schema
    takes every value of its type (an array schema every empty list), under every profile."""
    from validator import schemas
    from validator.responses.checker import HANDLERS, PLAIN

    json_types = {str: "string", int: "integer", list: "array"}
    docs = schemas._profile_documents(profile, "responses")
    runs = {name for name, handler in HANDLERS.items() if hasattr(handler, "address_fields")}
    assert "response.output_text.delta" in runs and len(runs) >= 10
    for name in runs:
        event = docs[f"urn:stream-validator:responses:{name}"]
        assert schemas._plain_object(event), name
        assert event.get("additionalProperties") in (None, True, False), name
        for field, kind in PLAIN.items():
            schema = event["properties"].get(field)
            if schema is None:
                continue  # an extra field: additionalProperties alone decides
            kept = {k: v for k, v in schema.items() if k not in schemas._ANNOTATIONS}
            assert kept.keys() <= ({"type", "items"} if kind is list else {"type"}), (name, kept)
            # Either any value of the type passes, or none does (the run's first delta, which
            # passed, then held another type): one JSON type, not one that contains the other.
            assert kept.get("type") == json_types[kind] or (
                isinstance(kept.get("type"), str) and kept.keys() == {"type"} and
                kept["type"] not in {json_types[kind], "number" if kind is int else ""}), kept


_EVERY = range(10)  # the deltas an edit applies to: every one, or those listed


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("edits", [
    [(_EVERY, {"logprobs": None})],  # a defect on every delta: its findings once
    [(range(3, 10), {"logprobs": None})],
    [(_EVERY, {"logprobs": None}), ([5], {"logprobs": []})],
    [(_EVERY, {"obfuscation": None})],
    [(_EVERY, {"obfuscation": "x"}), ([4], {"obfuscation": None})],
    [(_EVERY, {"logprobs": None}), ([6], {"delta": None})],
    [(_EVERY, {"logprobs": None}), ([7], {"logprobs": _MISSING, "extra": None})],
    [(_EVERY, {"extra": None})],
    [([2], {"extra": None})],
], ids=lambda edits: "+".join(f"{list(at)[:1]}{sorted(change)}" for at, change in edits))
def test_a_run_finds_what_the_checks_of_each_delta_find(monkeypatch, profile, edits):
    """A run skips the schema test of a delta like its first one (plain values, nulls where it
    had nulls): it reports exactly what checking every delta in full reports."""
    from validator.responses.checker import ResponsesChecker

    events = sequential([("message", [list("abcdefghij")])])
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    for at, change in edits:
        for n in at:
            deltas[n].update(change)
            for key in [k for k, v in deltas[n].items() if v is _MISSING]:
                del deltas[n][key]
    run = findings(validate_stream(events, profile=profile).violations)
    monkeypatch.setattr(ResponsesChecker, "_start_run", lambda *args: None)
    assert run == findings(validate_stream(events, profile=profile).violations)
    if edits[0] == (_EVERY, {"logprobs": None}):  # a defect on every delta: reported once
        assert [v[2] for v in run if (v[0], v[3]) == ("S001", "/logprobs")] == [4]
