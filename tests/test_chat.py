"""Chat Completions streams: each C rule's behaviour, the real chat captures of the corpus, and
deliberately broken variants of the genuine OpenAI chat captures."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import REAL, SAMPLES, codes, errors

from validator import validate_stream
from validator.accumulate import Text
from validator.chat.checker import ChatChecker
from validator.chat.events import (
    CHANNELS,
    CHUNK_TYPES,
    FINISH_REASONS,
    IDENTITY,
    PER_CHUNK,
    RUN_CHANNEL,
    TEXTS,
)
from validator.content import CARRIES
from validator.engine import StreamValidator
from validator.framing import read_frames
from validator.model import Frame
from validator.profiles import PROFILES
from validator.schemas import _ANNOTATIONS, _profile_documents, _uri, schema_document, schema_types

ID = "chatcmpl-BZk9XqLq2tWbqW0hC1yvLxUe8rJ2m"


def chunk(*choices: dict, usage: dict | None = None, **fields) -> dict:
    """A chunk as OpenAI sends it, with ``fields`` overriding (``...`` removes a field)."""
    out = {"id": ID, "object": "chat.completion.chunk", "created": 1748531042,
           "model": "gpt-4o-mini-2024-07-18", "system_fingerprint": "fp_34a54ae93c",
           "choices": list(choices), "usage": usage}
    out.update(fields)
    return {k: v for k, v in out.items() if v is not ...}


def choice(delta: dict | None = None, finish: str | None = None, index: int = 0, **extra) -> dict:
    return {"index": index, "delta": {} if delta is None else delta, "logprobs": None,
            "finish_reason": finish, **extra}


def usage(prompt: int = 12, completion: int = 3, total: int | None = None, **extra) -> dict:
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion if total is None else total, **extra}


def start(**extra) -> dict:
    return chunk(choice({"role": "assistant", "content": "", **extra}))


def text(*pieces: str, index: int = 0) -> list[dict]:
    return [chunk(choice({"content": p}, index=index)) for p in pieces]


def end(reason: str = "stop", **usage_fields) -> list[dict]:
    return [chunk(choice(finish=reason)), chunk(usage=usage(**usage_fields))]


def call(index: int, call_id: str | None = "call_a", name: str | None = "get_weather",
         arguments: str = "", kind: str | None = "function") -> dict:
    entry: dict = {"index": index, "function": {"arguments": arguments}}
    if call_id is not None:
        entry["id"] = call_id
    if kind is not None:
        entry["type"] = kind
    if name is not None:
        entry["function"]["name"] = name
    return entry


def args(index: int, fragment: str) -> dict:
    return {"index": index, "function": {"arguments": fragment}}


def calls(*entries: dict) -> dict:
    return chunk(choice({"tool_calls": list(entries)}))


def sse(chunks: list, done: bool = True) -> bytes:
    body = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    return body + (b"data: [DONE]\n\n" if done else b"")


def jsonl(chunks: list) -> bytes:
    return b"".join(json.dumps(c).encode() + b"\n" for c in chunks)


def found(chunks: list, profile: str = "openai", done: bool = True) -> list[str]:
    return codes(validate_stream(sse(chunks, done), profile=profile))


def hello() -> list[dict]:
    return [start(), *text("Hel", "lo"), *end()]


TOOL_STREAM = [chunk(choice({"role": "assistant", "content": None})),
               calls(call(0, "call_a")), calls(args(0, '{"city":')), calls(args(0, '"Paris"}')),
               calls(call(1, "call_b", "get_time")), calls(args(1, "{}")), *end("tool_calls")]


# -- the table, the schema and the SDK ---------------------------------------------------------

def _choice_schema() -> dict:
    return schema_document("chat.completion.chunk")["properties"]["choices"]["items"]


def test_the_table_has_the_chunk_types_of_the_schema_files():
    assert schema_types("chat") == sorted(CHUNK_TYPES)
    chunk_fields = schema_document("chat.completion.chunk")["properties"]
    assert set(IDENTITY) <= set(chunk_fields)


def test_the_table_has_every_delta_field_of_the_schema_and_of_the_sdk():
    from openai.types.chat.chat_completion_chunk import ChoiceDelta

    schema = set(_choice_schema()["properties"]["delta"]["properties"])
    assert {c.name for c in CHANNELS.values() if c.schema} == schema
    assert {c.name for c in CHANNELS.values() if c.sdk} == set(ChoiceDelta.model_fields)


def test_finish_reasons_are_those_of_the_schema_and_of_the_sdk():
    from typing import get_args

    from openai.types.chat.chat_completion_chunk import Choice as SdkChoice

    schema = set(_choice_schema()["properties"]["finish_reason"]["enum"]) - {None}
    sdk = set(get_args(get_args(SdkChoice.model_fields["finish_reason"].annotation)[0]))
    assert FINISH_REASONS == schema == sdk


def test_every_accumulated_text_is_a_block_a_chat_answer_carries():
    assert [attr for attr, _ in TEXTS] == ["reasoning", "content", "refusal"]
    assert {block for _, block in TEXTS} <= CARRIES["chat"]


# -- runs of content chunks: the fast path gives the findings of the chunk-by-chunk checks -----

def _keywords(schema: dict) -> set:
    return set(schema) - _ANNOTATIONS


def _accepts_every_string(schema: dict) -> bool:
    """A string type only (or, as the profiles make fields nullable, `null` else that)."""
    if _keywords(schema) == {"if", "else"} and schema["if"] == {"type": "null"}:
        return _accepts_every_string(schema["else"])
    types = schema.get("type")
    return _keywords(schema) == {"type"} and (types == "string" or "string" in types)


@pytest.mark.parametrize("profile", list(PROFILES))
def test_the_fields_a_run_does_not_compare_have_a_type_only_schema(profile):
    # A run compares every field of a chunk with the run's first chunk but the content and the
    # per-chunk fields, whose type it checks: the schema verdict cannot differ when these
    # schemas are a string type only and the objects around them constrain only their keys.
    doc = _profile_documents(profile, "chat")[_uri("chat", CHUNK_TYPES[0])]
    choices = doc["properties"]["choices"]
    entry = choices["items"]
    delta = entry["properties"]["delta"]
    objects = {"type", "required", "properties", "additionalProperties"}
    for schema in (doc, entry, delta):
        assert _keywords(schema) <= objects
        assert schema.get("additionalProperties", False) in (True, False)
    assert _keywords(choices) == {"type", "items"}
    for schema in [delta["properties"][RUN_CHANNEL], *(doc["properties"][key]
                                                         for key in PER_CHUNK)]:
        assert _accepts_every_string(schema), schema


def _run_stream(middle: dict) -> list[dict]:
    pieces = ["Hel", "lo", ", wor", "ld", "!", " How", " are", " you?"]
    chunks = [start()] + [chunk(choice({"content": p}), obfuscation="a1b2") for p in pieces]
    chunks[5] = middle
    return chunks + end()


def _changed(**change) -> dict:
    """A content chunk of the run with ``change``: top-level fields, or ``entry``/``delta``."""
    entry = {**choice({"content": "XX"}), **change.pop("entry", {})}
    if "delta" in change:
        entry["delta"] = change.pop("delta")
    return {k: v for k, v in {**chunk(entry, obfuscation="zz9"), **change}.items()
            if v is not ...}


RUN_BREAKS = {
    "same shape": _changed(),
    "created true": _changed(created=True),
    "created float": _changed(created=1748531042.0),
    "created string": _changed(created="1748531042"),
    "id changed": _changed(id="chatcmpl-other"),
    "model changed": _changed(model="gpt-4o"),
    "fingerprint changed": _changed(system_fingerprint="fp_other"),
    "fingerprint null": _changed(system_fingerprint=None),
    "object": _changed(object="chat.completion"),
    "extra field": _changed(extra=1),
    "usage missing": _changed(usage=...),
    "usage": _changed(usage=usage()),
    "error": _changed(error={"message": "boom"}),
    "obfuscation int": _changed(obfuscation=7),
    "obfuscation null": _changed(obfuscation=None),
    "obfuscation missing": _changed(obfuscation=...),
    "index 1": _changed(entry={"index": 1}),
    "index false": _changed(entry={"index": False}),
    "index float": _changed(entry={"index": 0.0}),
    "logprobs": _changed(entry={"logprobs": {"content": None}}),
    "finish": _changed(entry={"finish_reason": "stop"}),
    "entry extra": _changed(entry={"extra": None}),
    "content null": _changed(delta={"content": None}),
    "content int": _changed(delta={"content": 5}),
    "content empty": _changed(delta={"content": ""}),
    "role again": _changed(delta={"content": "x", "role": "assistant"}),
    "refusal": _changed(delta={"refusal": "no"}),
    "delta empty": _changed(delta={}),
    "two choices": {**chunk(choice({"content": "a"}), choice({"content": "b"}, index=1)),
                    "obfuscation": "q"},
}


def _findings(chunks: list[dict], profile: str, schemas: bool) -> list:
    validator = StreamValidator(profile=profile, schemas=schemas)
    for event in chunks:
        validator.feed_event(copy.deepcopy(event))
    validator.close()
    return [v.to_dict() for v in validator.violations], validator.output()


@pytest.mark.parametrize("schemas", [True, False], ids=["schemas", "no-schemas"])
@pytest.mark.parametrize("profile", ["default", "strict"])
@pytest.mark.parametrize("name", RUN_BREAKS)
def test_a_run_of_content_chunks_gives_the_findings_of_the_checks(name, profile, schemas,
                                                                    monkeypatch):
    chunks = _run_stream(RUN_BREAKS[name])
    fast = _findings(chunks, profile, schemas)
    monkeypatch.setattr(ChatChecker, "_start_run", lambda self, *args: None)
    assert fast == _findings(chunks, profile, schemas)


def test_a_run_takes_the_fast_path(monkeypatch):
    # The run starts after the second chunk and goes on to the finish_reason chunk: the checks
    # run once for the run, not once a chunk.
    calls = []
    monkeypatch.setattr(ChatChecker, "_choice", lambda self, entry, at: calls.append(at))
    chunks = _run_stream(_changed())
    _findings(chunks[:2], "default", True)
    assert calls == [0, 0]
    calls.clear()
    monkeypatch.undo()
    slow = []
    original = ChatChecker._choice
    monkeypatch.setattr(ChatChecker, "_choice",
                        lambda self, entry, at: slow.append(at) or original(self, entry, at))
    _findings(chunks, "default", True)
    assert len(slow) == 3  # the role chunk, the first content chunk, the finish chunk


# -- kinds -------------------------------------------------------------------------------------

def test_a_conformant_chat_stream_is_clean_in_every_format():
    for data in (sse(hello()), jsonl(hello()), json.dumps(hello()).encode()):
        report = validate_stream(data, profile="strict")
        assert (report.kind, report.violations) == ("chat", [])
    assert validate_stream(hello()).violations == []  # event dicts: no [DONE] needed


def test_kind_is_detected_from_the_first_event_and_can_be_forced():
    assert validate_stream(SAMPLES / "valid" / "chat-text.sse").kind == "chat"
    assert validate_stream(SAMPLES / "valid" / "text.sse").kind == "responses"
    forced = validate_stream(SAMPLES / "valid" / "text.sse", kind="chat")
    assert forced.kind == "chat" and "C001" in codes(forced)


def test_responses_events_in_a_chat_stream_are_one_finding():
    event = {"type": "response.output_text.delta", "delta": "x", "sequence_number": 3}
    assert found([start(), event, *text("a"), event, *end()]) == ["C001"]


# -- identity ----------------------------------------------------------------------------------

def test_an_id_rotated_on_every_chunk_is_one_finding():
    chunks = [{**c, "id": f"chatcmpl-{i}"} for i, c in enumerate(hello())]
    report = validate_stream(sse(chunks))
    assert codes(report) == ["C003"] and report.violations[0].pointer == "/id"


def test_metadata_changes_are_warnings_and_fingerprints_compare_where_present():
    assert found([start(), *text("a"), chunk(choice(finish="stop"), created=1748531043),
                  chunk(usage=usage())]) == ["C004"]
    late = [{**c, "system_fingerprint": None} for c in hello()[:-1]] + [hello()[-1]]
    absent = [hello()[0]] + [{k: v for k, v in c.items() if k != "system_fingerprint"}
                             for c in hello()[1:]]
    assert found(late) == found(absent) == []
    changed = hello()
    changed[2]["system_fingerprint"] = "fp_other"
    assert found(changed) == ["C004"]


def test_wrong_object_is_reported_once():
    chunks = [{**c, "object": "chat.completion"} for c in hello()]
    assert found(chunks) == ["C002"]


def test_azure_filter_chunks_are_skipped_unless_they_carry_output():
    azure = {"id": "", "object": "", "created": 0, "model": "", "choices": [],
             "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}]}
    annotation = {**azure, "choices": [{"index": 0, "content_filter_results": {}}]}
    assert found([azure, *hello(), annotation]) == []
    carrying = {**azure, "choices": [choice({"content": "lost"})]}
    assert found([*hello()[:2], carrying, *hello()[2:]]) == ["C002"]


# -- choices and roles -------------------------------------------------------------------------

def test_chunks_without_choices_are_a_warning_but_empty_choices_are_fine():
    keepalive = chunk()
    del keepalive["choices"]
    report = validate_stream(sse([start(), keepalive, keepalive, *text("a"), *end()]))
    assert [(v.code, v.severity.value) for v in report.violations] == [("C005", "warning")]
    assert found([start(), chunk(), *text("a"), *end()]) == []


@pytest.mark.parametrize("index", [-1, 1, None, "0"])
def test_choice_indexes_start_at_zero_and_are_dense(index):
    bad = chunk(choice({"role": "assistant", "content": "x"}, index=index))
    assert "C006" in found([bad, *hello()])


def test_two_choices_are_tracked_independently():
    chunks = [start(), chunk(choice({"role": "assistant", "content": ""}, index=1)),
              *text("a"), *text("b", index=1), chunk(choice(finish="stop"),
                                                     choice(finish="length", index=1)),
              chunk(usage=usage())]
    report = validate_stream(sse(chunks))
    assert report.violations == []
    assert [(c["index"], c["content"], c["finish_reason"]) for c in report.output] == [
        (0, "a", "stop"), (1, "b", "length")]


def test_a_late_role_is_reported_at_the_first_delta_of_the_choice():
    report = validate_stream(sse([*text("a"), chunk(choice({"role": "assistant"})), *end()]))
    assert [(v.code, v.event_index) for v in report.violations] == [("C007", 0)]


def test_repeated_role_is_an_error_except_unchanged_alongside_audio():
    assert found([start(), chunk(choice({"role": "assistant", "content": "a"})), *end()]) == [
        "C008"]
    assert found([start(), chunk(choice({"role": "user", "content": "a"})), *end()]) == ["C008"]
    audio = {"role": "assistant", "audio": {"id": "audio_1", "data": "AAAA"}}
    assert found([start(), chunk(choice(audio)), *end()]) == []


# -- tool calls --------------------------------------------------------------------------------

def test_parallel_tool_calls_accumulate_like_the_sdks():
    report = validate_stream(sse(TOOL_STREAM), profile="strict")
    assert report.violations == []
    [only] = report.output
    assert [(c["id"], c["function"]["name"], c["function"]["arguments"])
            for c in only["tool_calls"]] == [("call_a", "get_weather", '{"city":"Paris"}'),
                                             ("call_b", "get_time", "{}")]


def test_a_tool_call_delta_without_index_is_reported():
    broken = calls({"function": {"arguments": "{}"}})
    assert found([*TOOL_STREAM[:2], broken, *TOOL_STREAM[2:]]) == ["C009"]


def test_tool_calls_always_at_index_zero_are_one_identity_change():
    chunks = [TOOL_STREAM[0], calls(call(0, "call_a")), calls(args(0, "{}")),
              calls(call(0, "call_b", "get_time")), calls(args(0, "{}")), *end("tool_calls")]
    assert found(chunks, profile="strict") == ["C012"]  # the merged `{}{}` is not C014 too


def test_an_identical_type_may_be_repeated():
    chunks = [TOOL_STREAM[0], calls(call(0)), calls({**args(0, "{}"), "type": "function"}),
              *end("tool_calls")]
    assert found(chunks) == []


@pytest.mark.parametrize("missing", ["id", "type", "name"])
def test_a_tool_call_starts_with_id_type_and_name(missing):
    first = call(0, **{{"id": "call_id", "type": "kind"}.get(missing, missing): None})
    later = {"index": 0, "id": "call_a"} if missing == "id" else args(0, "")
    chunks = [TOOL_STREAM[0], calls(first), calls(later), calls(args(0, "{}")),
              *end("tool_calls")]
    assert found(chunks) == ["C010"]  # an id sent later completes the call: no C011/C012


def test_arguments_that_are_not_json_are_a_warning_or_a_strict_error():
    chunks = [TOOL_STREAM[0], calls(call(0)), calls(args(0, '{"city":')), *end("tool_calls")]
    for profile, severity in (("openai", "warning"), ("strict", "error")):
        report = validate_stream(sse(chunks), profile=profile)
        assert [(v.code, v.severity.value, v.event_index) for v in report.violations] == [
            ("C014", severity, 1)]
    empty = [TOOL_STREAM[0], calls(call(0)), *end("tool_calls")]
    assert found(empty) == ["C014"]
    assert found([*chunks[:-2], *end("length")]) == []  # cut short: expected


# -- finish_reason -----------------------------------------------------------------------------

def test_finish_reason_missing_is_reported_at_the_end_but_not_for_audio():
    report = validate_stream(sse([start(), *text("a"), chunk(usage=usage())]))
    assert [(v.code, v.line) for v in report.violations] == [("C015", None)]
    audio = [start(), chunk(choice({"audio": {"id": "audio_1", "transcript": "Hi"}})),
             chunk(usage=usage()), chunk(choice({"audio": {"expires_at": 1780697157}}))]
    assert found(audio) == []


def test_an_empty_finish_reason_counts_as_none():
    assert found([start(), chunk(choice({"content": "a"}, finish="")), chunk(usage=usage())]) == [
        "C015"]


def test_metadata_after_finish_reason_is_accepted():
    filtered = chunk(choice(content_filter_results={"hate": {"filtered": False}}))
    assert found([start(), *text("a"), chunk(choice(finish="stop")), filtered,
                  chunk(usage=usage())]) == []


def test_finish_reason_tool_calls_without_calls_is_a_mismatch():
    assert found([start(), *text("a"), *end("tool_calls")]) == ["C018"]
    assert found([start(), chunk(choice({"function_call": {"name": "f", "arguments": "{}"}})),
                  *end("function_call")]) == []


# -- usage -------------------------------------------------------------------------------------

def test_metadata_after_the_usage_chunk_is_accepted_output_is_not():
    moderation = chunk(moderation={"input": {"type": "moderation_results"}})
    assert found([*hello(), moderation]) == []
    report = validate_stream(sse([start(), chunk(usage=usage()), *text("late"),
                                  chunk(choice(finish="stop"))]))
    assert [(v.code, v.event_index) for v in report.violations] == [("C019", 2)]


def test_usage_sent_again_after_the_output_is_last_again():
    chunks = [start(), chunk(choice({"content": "a"}), usage=usage()),
              chunk(choice(finish="stop"), usage=usage())]
    assert found(chunks) == ["C020"]


@pytest.mark.parametrize("fields", [
    {"total": 16},
    {"prompt_tokens_details": {"cached_tokens": 13}},
    {"completion_tokens_details": {"reasoning_tokens": 4}},
])
def test_usage_arithmetic(fields):
    assert found([start(), *text("a"), *end(**fields)]) == ["C021"]


def test_usage_missing_only_under_strict():
    chunks = [start(), *text("a"), chunk(choice(finish="stop"))]
    assert found(chunks) == []
    assert found(chunks, profile="strict") == ["C022"]


# -- the end of the stream ---------------------------------------------------------------------

def test_done_is_required_in_sse_only():
    assert found(hello(), done=False) == ["C023"]
    assert codes(validate_stream(jsonl(hello()))) == []
    assert codes(validate_stream(sse(hello()) + sse([chunk()], done=False))) == ["F007"]


def test_an_error_object_ends_the_checks():
    error = {"error": {"message": "The server had an error", "type": "server_error"}}
    report = validate_stream(sse([start(), *text("a"), error, *text("b")], done=False))
    assert [(v.code, v.event_index, v.pointer) for v in report.violations] == [
        ("C024", 2, "/error")]
    in_chunk = chunk(choice({"content": ""}), error={"code": 400, "message": "Token limit"})
    assert found([start(), in_chunk]) == ["C024"]
    assert found([start(), *text("a"), chunk(choice(finish="stop"), error=None),
                  chunk(usage=usage())]) == []


def test_output_and_output_text_are_what_a_client_accumulated():
    report = validate_stream(sse([start(), *text("Hel", "lo", "!"), *end()]))
    assert report.output == [{"index": 0, "role": "assistant", "content": "Hello!",
                              "finish_reason": "stop"}]
    assert report.output_text == "Hello!"


def test_text_keeps_every_fragment_in_order():
    accumulated = Text()
    assert not accumulated
    fragments = [str(i % 10) + "é" * (i % 3) for i in range(1000)] + ["", "\U0001f600"]
    for fragment in fragments:
        accumulated.append(fragment)
    assert accumulated and accumulated.value() == "".join(fragments)


# -- the corpus --------------------------------------------------------------------------------

OPENAI_CHAT = [
    "chat__openai-dotnet__logprobs.sse",
    "chat__mirascope__refusal.sse",
    "chat__mirascope__finish-length.sse",
    "chat__mirascope__parallel-tool-calls.sse",
    "chat__simonw-llm__tool-call.sse",
    "chat__vercel-ai__openai-text.jsonl",
    "chat__pydantic-ai__moderation-after-usage.sse",
]
# Genuine OpenAI/Azure behaviour: no error, only these findings.
CHAT_QUIRKS = {
    "chat__openai-dotnet__audio-output.sse": {"C005"},  # chunks without choices (warning)
    "chat__vercel-ai__azure-model-router.jsonl": set(),  # object "" filter chunk first
}
# Other servers: exactly these findings, of which these are errors.
CHAT_DEFECTS = {
    "chat__pydantic-ai__groq-web-search-id-per-chunk.sse": ({"C003", "C004", "C007"},
                                                            {"C003", "C007"}),
    "chat__pydantic-ai__groq-tool-use-failed-error-event.sse": ({"C024"}, {"C024"}),
    "chat__pydantic-ai__openrouter-error-midstream.sse": ({"C008", "C017", "C024"},
                                                          {"C008", "C017", "C024"}),
    "chat__simonw-llm__openrouter-kimi-tool-call.sse": ({"C008", "C011", "C015", "C020"},
                                                        {"C008", "C011", "C015"}),
    "chat__pydantic-ai__deepseek-reasoning.sse": ({"C020"}, set()),  # usage on the last choice
    "chat__pydantic-ai__vllm-crusoe.sse": (set(), set()),  # extras only
}


def test_every_chat_capture_has_an_expectation(corpus):
    names = {p.name for p in corpus.glob("chat__*")}
    assert names == set(OPENAI_CHAT) | set(CHAT_QUIRKS) | set(CHAT_DEFECTS)


@pytest.mark.parametrize("name", OPENAI_CHAT)
def test_genuine_openai_chat_capture_is_clean(corpus, name):
    report = validate_stream(corpus / name)
    assert (report.kind, report.violations) == ("chat", [])


@pytest.mark.parametrize("name", sorted(CHAT_QUIRKS))
def test_openai_chat_quirk_gives_no_error(corpus, name):
    report = validate_stream(corpus / name)
    assert errors(report) == []
    assert {v.code for v in report.violations} == CHAT_QUIRKS[name]


@pytest.mark.parametrize("name", sorted(CHAT_DEFECTS))
def test_third_party_chat_defects_are_found(corpus, name):
    report = validate_stream(corpus / name)
    everything, as_errors = CHAT_DEFECTS[name]
    assert {v.code for v in report.violations} == everything
    assert {v.code for v in errors(report)} == as_errors


def test_the_groq_id_rotation_is_one_finding_among_226_ids(corpus):
    report = validate_stream(corpus / "chat__pydantic-ai__groq-web-search-id-per-chunk.sse")
    assert [v.event_index for v in report.violations if v.code == "C003"] == [1]


# -- broken variants of the genuine OpenAI captures --------------------------------------------

def load(name: str) -> list[dict]:
    with open(REAL / name, "rb") as stream:
        return [f.payload for f in read_frames(stream) if type(f) is Frame and not f.done]


def serialise(name: str, chunks: list, done: bool = True) -> bytes:
    return sse(chunks, done) if name.endswith(".sse") else jsonl(chunks)


def _sample(n: int) -> list[int]:
    return sorted({0, 1, n // 2, n - 2, n - 1} & set(range(n)))


def _edited(chunks: list, i: int, change) -> list:
    edited = copy.deepcopy(chunks)
    change(edited[i])
    return edited


def mutations(name: str, chunks: list):
    """(label, broken stream, the code that must report it as an error)."""
    n = len(chunks)
    for i in _sample(n):
        yield f"id of {i}", _edited(chunks, i, lambda c: c.update(id=c["id"] + "x")), "C003"
        yield f"object of {i}", _edited(chunks, i, lambda c: c.update(
            object="chat.completion")), "C002"
    if name.endswith(".sse"):
        yield "[DONE] dropped", serialise(name, chunks, done=False), "C023"
        yield "chunk after [DONE]", sse(chunks) + sse(chunks[-1:], done=False), "F007"
    for i, c in enumerate(chunks):
        for at, entry in enumerate(c.get("choices") or ()):
            if entry.get("finish_reason"):
                yield f"finish_reason of {i} removed", _edited(
                    chunks, i, lambda c, at=at: c["choices"][at].update(finish_reason=None)), "C015"
            for k, tool in enumerate((entry.get("delta") or {}).get("tool_calls") or ()):
                for moved in {tool["index"] + 1, tool["index"] - 1} - {-1}:
                    yield f"tool call index of {i} -> {moved}", _edited(
                        chunks, i, lambda c, at=at, k=k, moved=moved: c["choices"][at]["delta"][
                            "tool_calls"][k].update(index=moved)), "C009|C010|C012|C013"
        if isinstance(c.get("usage"), dict):
            yield f"usage total of {i}", _edited(chunks, i, lambda c: c["usage"].update(
                total_tokens=c["usage"]["total_tokens"] + 1)), "C021"


@pytest.mark.parametrize("name", OPENAI_CHAT)
def test_every_broken_variant_of_an_openai_capture_is_an_error(corpus, name):
    chunks = load(name)
    assert validate_stream(serialise(name, chunks)).violations == []
    missed = []
    for label, variant, expected in mutations(name, chunks):
        data = variant if isinstance(variant, bytes) else serialise(name, variant)
        if not {v.code for v in errors(validate_stream(data))} & set(expected.split("|")):
            missed.append(label)
    assert missed == []
