"""Runs of JSONL lines taken as their fragment alone (validator/framing/runs.py): where the
fragment's place is found, and that a lint finds, counts and builds exactly what a parse of every
line gives, whatever the lines of a run hold instead of the next fragment."""

from __future__ import annotations

import dataclasses
import json

import pytest

from validator import StreamValidator
from validator.framing import FrameDecoder
from validator.framing.runs import template
from validator.profiles import PROFILES

# -- where the fragment is -------------------------------------------------------------------

@pytest.mark.parametrize("line, cut", [
    (b'{"type":"d","index":0,"delta":{"type":"text_delta","text":"Hi"}}',
     (b'{"type":"d","index":0,"delta":{"type":"text_delta","text":', b'"Hi"', b"}}")),
    (b'{"type": "d", "delta": {"type": "t", "text" : "a \\"b\\" \\\\"} }  ',
     (b'{"type": "d", "delta": {"type": "t", "text" : ', b'"a \\"b\\" \\\\"', b"} }  ")),
    (b'{"delta":{"text":""}}', (b'{"delta":{"text":', b'""', b"}}")),
    (b'{"delta":{"text":"\\\\"}}', (b'{"delta":{"text":', b'"\\\\"', b"}}")),
])
def test_the_fragment_is_the_last_string_under_its_key(line, cut):
    assert template(line, "text", 2) == cut
    assert json.loads(line)["delta"]["text"] == json.loads(cut[1])


@pytest.mark.parametrize("line", [
    b'{"delta":{"text":"a"}}}',  # three braces: not the object the fragment is in
    b'{"delta":{"text":"a"}',  # one
    b'{"delta":{"text":"a"},"x":1}',  # the delta is not the last member
    b'{"delta":{"text":"a","type":"t"}}',  # the fragment is not the delta's last member
    b'{"delta":{"text":5}}',  # not a string
    b'{"delta":{"texts":"a"}}',  # another key
    b'{"delta":{"a\\"text":"a"}}',  # "text" ends a key that holds a quote
    b'{"delta":{"text":["a"]}}',
    b'{"delta":{"x":"\\"text\\":\\"a"}}',  # the quotes are inside another string
])
def test_no_template_where_the_fragment_may_not_be(line):
    assert template(line, "text", 2) is None


# -- a lint with runs against a parse of every line ------------------------------------------

def _line(event: dict) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


def _delta(index: int, kind: str, field: str, fragment: str) -> bytes:
    return _line({"type": "content_block_delta", "index": index,
                  "delta": {"type": kind, field: fragment}})


def _stream() -> list[bytes]:
    """A text block and a tool-use block, each with a run of deltas (lines 3-12, 15-22)."""
    start = {"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-opus-4-6",
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 1}}}
    text = [_delta(0, "text_delta", "text", word)
            for word in ["The", "quick", "brown", "fox", "jumps"]]
    tool = [_delta(1, "input_json_delta", "partial_json", part) for part in
            ['{"ci', 'ty": ', '"Par', 'is", ', '"coun', 'try": ', '"Fra', 'nce"}']]
    return [
        _line(start),
        _line({"type": "content_block_start", "index": 0,
               "content_block": {"type": "text", "text": ""}}),
        *text, *text,
        _line({"type": "content_block_stop", "index": 0}),
        _line({"type": "content_block_start", "index": 1, "content_block": {
            "type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}}),
        *tool,
        _line({"type": "content_block_stop", "index": 1}),
        _line({"type": "message_delta", "delta": {"stop_reason": "tool_use",
                                                  "stop_sequence": None},
               "usage": {"output_tokens": 9}}),
        _line({"type": "message_stop"}),
    ]


def _lint(data: bytes, profile: str, schemas: bool, chunk: int) -> tuple:
    validator = StreamValidator(profile=profile, schemas=schemas)
    found = []
    for start in range(0, len(data), chunk):
        found += validator.feed(data[start:start + chunk])
    found += validator.close()
    return ([dataclasses.asdict(v) for v in found], validator.events, validator.output(),
            validator.status)


#: Lines put in the place of line 6 (a text delta in its run), each a way of differing from
#: the run's other lines.
EDITS = {
    "escapes": _delta(0, "text_delta", "text", 'a "quote" \\ back\nslash é \u2028 😀'),
    "ascii escapes": b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'
                     b'"text":"\\u00e9\\ud83d\\ude00\\/\\""}}',
    "empty": _delta(0, "text_delta", "text", ""),
    "a quote and braces in the text": _delta(0, "text_delta", "text", '"}}'),
    "a lone surrogate": b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'
                        b'"text":"a\\ud800"}}',
    "invalid UTF-8": b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'
                     b'"text":"a\xff"}}',
    "a number": b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'
                b'"text":5}}',
    "null": b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'
            b'"text":null}}',
    "blanks": b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'
              b'"text":  "a"  }}  ',
    "a key more": b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'
                  b'"text":"a","x":1}}',
    "a key more, before": b'{"type":"content_block_delta","index":0,"delta":{"type":'
                          b'"text_delta","text":"a","text":"b"}}',
    "the key escaped": b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'
                       b'"\\u0074ext":"a"}}',
    "another block": _delta(1, "text_delta", "text", "a"),
    "another delta type": _delta(0, "thinking_delta", "thinking", "a"),
    "invalid JSON": b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'
                    b'"text":"a"}}x',
    "a brace more": _delta(0, "text_delta", "text", "a") + b"}",
    "[DONE]": b"[DONE]",
    "blank": b"",
    "a ping": _line({"type": "ping"}),
    "the block's stop": _line({"type": "content_block_stop", "index": 0}),
    # (in an array, "},{" inside a string, or an element longer than a chunk that starts in
    # its first half, makes the element one for the scanner)
    "the block's stop, the separator inside": _line(
        {"type": "content_block_stop", "index": 0, "x": "},{"}),
    "the block's stop, long": _line({"type": "content_block_stop", "index": 0, "x": "y" * 400}),
    "deep": b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'
            b'"text":' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
}


def _pretty(line: bytes) -> bytes:
    """An event as an element of an array that `json.dumps(indent=2)` wrote."""
    text = json.dumps(json.loads(line), indent=2, ensure_ascii=False)
    return ("  " + text.replace("\n", "\n  ")).encode()


def _with(lines: list[bytes], edited: bytes | None, style=lambda line: line) -> list[bytes]:
    """The stream's lines in ``style``, line 6 replaced by ``edited`` as it is."""
    return [*map(style, lines[:5]), style(lines[5]) if edited is None else edited,
            *map(style, lines[6:])]


def _block(data: bytes) -> bytes:
    """An event as an SSE block: its type as the `event:` name (a delta's, for what does not
    parse)."""
    try:
        name = json.loads(data)["type"].encode()
    except (ValueError, KeyError, TypeError, RecursionError):
        name = b"content_block_delta"
    return b"event: " + name + b"\ndata: " + data + b"\n\n"


#: The stream as each format with runs holds it, with an edited line 6 as it is (in an array
#: too; SSE: as the data of a delta's block), or else as the others.
FORMS = {
    "sse": lambda lines, edited=None: b"".join(map(_block, _with(lines, edited))),
    "jsonl": lambda lines, edited=None: b"\n".join(_with(lines, edited)) + b"\n",
    "array": lambda lines, edited=None: b"[" + b",".join(_with(lines, edited)) + b"]",
    "pretty array": lambda lines, edited=None: b"[\n" + b",\n".join(
        _with(lines, edited, _pretty)) + b"\n]\n",
}


def _edited(name: str, form: str) -> bytes:
    return FORMS[form](_stream(), EDITS[name])


@pytest.fixture
def without_runs(monkeypatch):
    """A lint that parses every line: the consumer's offer of a run is dropped."""
    def parse_every_line():
        monkeypatch.setattr(StreamValidator, "_offer_run", lambda *args: None)
    return parse_every_line


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("name", sorted(EDITS))
def test_a_run_finds_what_a_parse_of_every_line_finds(without_runs, name, form, profile):
    data = _edited(name, form)
    chunks = (len(data), 7, 150)  # (150: a run goes on in the next chunk's fast path)
    runs = [_lint(data, profile, schemas, chunk) for schemas in (True, False)
            for chunk in chunks]
    without_runs()
    assert runs == [_lint(data, profile, schemas, chunk) for schemas in (True, False)
                    for chunk in chunks]


#: SSE blocks put in the place of the 6th event's, each a way of differing from the run's.
SSE_EDITS = {
    "another event name": b"event: message\ndata: " + _delta(0, "text_delta", "text", "a"),
    "no event line": b"data: " + _delta(0, "text_delta", "text", "a"),
    "two data lines": b"event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
                      b"\ndata: \"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}",
    "an id and a comment": b"id: 7\n: hi\nevent: content_block_delta\ndata: " +
                           _delta(0, "text_delta", "text", "a"),
    "no space after the colon": b"event:content_block_delta\ndata:" +
                                _delta(0, "text_delta", "text", "a"),
    "[DONE]": b"data: [DONE]",
    "the block's stop in two data lines": b"event: content_block_stop\ndata: {\"type\":"
                                          b"\"content_block_stop\",\ndata: \"index\":0}",
}


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("name", sorted(SSE_EDITS))
def test_an_sse_run_finds_what_a_parse_of_every_event_finds(without_runs, name, profile):
    blocks = [_block(line) for line in _stream()]
    blocks[5] = SSE_EDITS[name] + b"\n\n"
    data = b"".join(blocks)
    chunks = (len(data), 7, 150)
    runs = [_lint(data, profile, schemas, chunk) for schemas in (True, False)
            for chunk in chunks]
    without_runs()
    assert runs == [_lint(data, profile, schemas, chunk) for schemas in (True, False)
                    for chunk in chunks]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_the_lines_of_a_run_are_not_parsed(monkeypatch, form):
    """The edits above would prove nothing if no line went the short way: in the clean
    stream, every delta of a run but its first one does."""
    data = FORMS[form](_stream())
    taken = []
    fragment = StreamValidator._fragment
    monkeypatch.setattr(StreamValidator, "_fragment",
                        lambda self, *args: taken.append(args[:2]) or fragment(self, *args))
    found, events, output, status = _lint(data, "default", True, len(data))
    assert found == [] and status == "tool_use" and events == 25
    assert output[0]["text"] == "ThequickbrownfoxjumpsThequickbrownfoxjumps"
    assert output[1]["input"] == {"city": "Paris", "country": "France"}
    # Events 2-11 and 14-21 are the two runs; each starts with a parsed event.  Each goes
    # with the line a parse gives it.
    decoder = FrameDecoder()
    lines_of = {f.index: f.line for f in [*decoder.feed(data), *decoder.close()]}
    assert taken == [(n, lines_of[n]) for n in [*range(3, 12), *range(15, 22)]]


def test_an_event_fed_directly_ends_the_run(without_runs):
    """A validator fed bytes and events in turn: the block's stop, fed as an event, ends the
    run, so a later line like the run's (a delta after the stop) is checked in full."""
    lines = _stream()

    def lint() -> list:
        validator = StreamValidator()
        validator.feed(b"\n".join(lines[:5]) + b"\n")
        validator.feed_event({"type": "content_block_stop", "index": 0})
        validator.feed(lines[5] + b"\n")
        validator.close()
        return [(v.code, v.line, v.event_index) for v in validator.violations]

    def fed_a_run_then_its_stop() -> tuple:
        # The run starts with an event fed directly, and ends with one; two lines like its
        # first delta (the same bytes) follow.
        validator = StreamValidator()
        validator.feed(b"\n".join(lines[:2]) + b"\n")
        validator.feed_event(json.loads(lines[2]))
        validator.feed_event({"type": "content_block_stop", "index": 0})
        validator.feed(lines[2] + b"\n" + lines[2] + b"\n")
        validator.close()
        return [(v.code, v.line, v.event_index) for v in validator.violations], \
            validator.output()

    found, fed = lint(), fed_a_run_then_its_stop()
    assert ("M013", 6, 5) in found  # the delta after its block's stop: the 6th line fed
    assert fed[1][0]["text"] == "The"  # nothing after the stop
    without_runs()
    assert lint() == found
    assert fed_a_run_then_its_stop() == fed


@pytest.mark.parametrize("form", ["jsonl", "sse", "array"])
def test_a_run_offered_for_a_line_parsed_off_the_hot_path_is_not_taken(without_runs, form):
    """A delta with a byte that is not UTF-8 is parsed the slow way (U+FFFD in its place) and
    starts a run of block 0; the next line, of block 1 and not plain (a key more), holds the
    same fragment: it must not take block 0's run for its own."""
    lines = _stream()
    extra = b'{"type":"content_block_delta","index":1,"x":1,"delta":{"type":"text_delta",'
    events = [
        *lines[:2],
        _line({"type": "content_block_start", "index": 1,
               "content_block": {"type": "text", "text": ""}}),
        lines[2].replace(b'"The"', b'"a\xff"'),
        extra + '"text":"a\ufffd"}}'.encode(),
        extra + b'"text":"zz"}}',
        _line({"type": "content_block_stop", "index": 0}),
        _line({"type": "content_block_stop", "index": 1}),
        *lines[-2:],
    ]
    data = {"jsonl": b"\n".join(events) + b"\n", "sse": b"".join(map(_block, events)),
            "array": b"[" + b",".join(events) + b"]"}[form]
    runs = _lint(data, "default", True, len(data))
    assert runs[2][0]["text"] == "a\ufffd" and runs[2][1]["text"] == "a\ufffdzz"
    without_runs()
    assert _lint(data, "default", True, len(data)) == runs
