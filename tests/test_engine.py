"""The sans-IO engine: same findings whatever the chunking, events or bytes, misuse raises."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES

from validator import StreamValidator, validate_stream

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
