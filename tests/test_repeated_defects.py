"""A schema defect repeated on every event is explained once, with the findings it always had.

The pure-Python explanation costs ~30 compiled checks; ``SchemaChecker.explain_failed`` keeps the
last one per event type and reuses it for an event whose faulty fields have the same values
and whose other fields pass.  These tests pin both halves: it is reused, and it never changes a
finding (a fresh checker's ``explain`` is the oracle).
"""

from __future__ import annotations

import pytest
from streams import sequential

from validator.api import validate_stream
from validator.schemas import SchemaChecker


def _stream(n: int, **delta_changes) -> list[dict]:
    events = sequential([("message", [[f"w{i} " for i in range(n)]])])
    for event in events:
        if event["type"] == "response.output_text.delta":
            event.update(delta_changes)
    return events


def _chunks(n: int, **changes) -> list[dict]:
    chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
             "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}]}
    body = [{**chunk, **changes} for _ in range(n)]
    body[-1] = {**body[-1], "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    return body


@pytest.fixture
def explanations(monkeypatch):
    """How many events pure-Python jsonschema explained (by a fresh shared checker: the memo
    of one a test before left would explain nothing)."""
    from validator.engine import StreamValidator

    StreamValidator._schema_checker.cache_clear()
    calls = []
    explain = SchemaChecker._explain

    def counting(self, event, kind, uri):
        calls.append(event)
        return explain(self, event, kind, uri)
    monkeypatch.setattr(SchemaChecker, "_explain", counting)
    return calls


@pytest.mark.parametrize("events", [
    pytest.param(lambda: _stream(300, logprobs=None), id="logprobs-null"),
    pytest.param(lambda: _chunks(300, created="1"), id="chat-created-string"),
])
def test_a_repeated_defect_is_explained_once(events, explanations):
    report = validate_stream(events())
    assert [(v.code, v.pointer) for v in report.violations if v.code.startswith("S")] == [
        ("S001", "/logprobs" if report.kind == "responses" else "/created")]
    assert len(explanations) == 1


def test_a_repeated_defect_gets_the_same_findings_object(explanations):
    """The engine skips a repeat by identity (``findings is not self._explained``): the memo
    hands out the very tuple it made, of findings no consumer can change."""
    checker = SchemaChecker("openai")
    first, again = (e for e in _stream(2, logprobs=None)
                    if e["type"] == "response.output_text.delta")
    findings = checker.explain_failed(first, "responses")
    assert checker.explain_failed(again, "responses") is findings
    assert [(f.code, f.pointer, f.line, f.event_index) for f in findings] == [
        ("S001", "/logprobs", None, None)]  # no location: the engine stamps it
    with pytest.raises(AttributeError):  # immutable (a NamedTuple)
        findings[0].pointer = "/delta"
    assert len(explanations) == 1


def test_a_new_defect_after_a_run_of_repeated_ones_is_reported(explanations):
    events = _stream(50, logprobs=None)
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    deltas[30]["obfuscation"] = 7
    deltas[40]["logprobs"] = "none"
    report = validate_stream(events)
    found = [(v.code, v.pointer, v.sequence_number) for v in report.violations]
    assert found == [("S001", "/logprobs", deltas[0]["sequence_number"]),
                     ("S001", "/obfuscation", deltas[30]["sequence_number"])]
    # the first delta, the one with two defects and the one whose logprobs differ (the deltas
    # like the first one, after it, get its verdict without a test)
    assert len(explanations) == 3


@pytest.mark.parametrize("profile", ["default", "strict"])
@pytest.mark.parametrize("changes", [
    {}, {10: {"created": "2"}}, {10: {"model": 3}}, {10: {"created": 1}},
    {10: {"obfuscation": 5}}, {10: {"choices": [{"index": 0, "delta": {"content": 5},
                                                  "finish_reason": None}]}},
    {5: {"created": 1.5}, 6: {"created": "1"}, 20: {"system_fingerprint": None}},
], ids=["same", "other-string", "model-type", "fixed", "obfuscation", "content-type", "mixed"])
def test_a_chat_run_after_a_refused_chunk_gives_the_chunk_by_chunk_findings(
        monkeypatch, changes, profile):
    """A run of chunks that repeat a defect (``created`` a string) skips their schema test:
    the findings are those of checking every chunk, whatever breaks the run."""
    from validator.chat.checker import ChatChecker

    chunks = _chunks(40, created="1", obfuscation="abc")
    for at, change in changes.items():
        chunks[at] = {**chunks[at], **change}
    run = validate_stream(chunks, kind="chat", profile=profile).violations
    monkeypatch.setattr(ChatChecker, "_start_run", lambda self, chunk, entry: None)
    assert run == validate_stream(chunks, kind="chat", profile=profile).violations
    assert ("S001", "/created") in {(v.code, v.pointer) for v in run}


def _variants() -> list[tuple[dict, str]]:
    delta = _stream(1)[4]
    assert delta["type"] == "response.output_text.delta"
    chunk = _chunks(2)[0]
    return [
        *((dict(delta, **change), "responses") for change in (
            {"logprobs": None}, {"logprobs": None}, {"logprobs": None, "item_id": 5},
            {"logprobs": "x"}, {"logprobs": "y"}, {"logprobs": 1}, {"logprobs": 1.0},
            {"logprobs": True}, {"logprobs": [{"token": 1}]}, {"logprobs": [{"token": 2}]},
            {"logprobs": [{"token": 2}]}, {"delta": None}, {"delta": None, "logprobs": None},
            {"content_index": "0"}, {"content_index": "0"}, {"content_index": 0.5})),
        ({k: v for k, v in delta.items() if k != "delta"}, "responses"),
        ({k: v for k, v in delta.items() if k != "delta"}, "responses"),
        *((dict(chunk, **change), "chat") for change in (
            {"created": "1"}, {"created": "1"}, {"created": "2"}, {"created": 1.5},
            {"created": "1", "model": 3}, {"model": None}, {"model": None},
            {"usage": {"prompt_tokens": "1"}}, {"usage": {"prompt_tokens": "1"}},
            {"usage": {"prompt_tokens": 1.0}})),
    ]


@pytest.mark.parametrize("profile", ["openai", "strict"])
def test_the_memo_never_changes_a_finding(profile):
    shared = SchemaChecker(profile)  # keeps its memo from one event to the next
    for event, kind in _variants():
        assert shared.check(event, kind) == SchemaChecker(profile).explain(event, kind), event
