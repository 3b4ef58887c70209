"""Anthropic Messages streams: the events table against the schema files and the SDK, the §11
defect samples, broken variants of real captures (each an error, and an error wherever the SDK
breaks), and the Python API."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES, errors

from validator import StreamValidator, validate_stream
from validator.anthropic.events import BLOCKS, DELTAS, EVENTS, STOP_REASONS
from validator.engine import detect_kind
from validator.profiles import PROFILES
from validator.schemas import schema_types
from validator.testing import assert_conformant

sys.path.insert(0, str(REPO / "tools"))
import anthropic_schemas

DEFECTS = SAMPLES / "defects" / "anthropic"
TEXT = SAMPLES / "valid" / "anthropic-text.sse"
TOOL = SAMPLES / "valid" / "anthropic-tool-use.sse"
THINKING = SAMPLES / "valid" / "anthropic-thinking.jsonl"


# -- the table, the schemas and the SDK -----------------------------------------------------

def test_events_table_is_the_schema_list():
    assert schema_types("anthropic") == sorted(e.name for e in EVENTS)


def test_schema_files_are_generated_from_the_pinned_sdk():
    # Bumping `anthropic==` in pyproject.toml and running `python tools/anthropic_schemas.py`
    # is how a new SDK release comes in; this fails, naming the files, until then.
    assert anthropic_schemas.drift() == []


def _sdk_types(key: str) -> set[str]:
    unions = anthropic_schemas.sdk_unions()
    return {t for m in anthropic_schemas.members(unions[key])
            for t in anthropic_schemas.type_literals(m)}


def test_every_sdk_event_block_and_delta_type_is_in_the_table():
    table = {e.name for e in EVENTS if e.sdk}
    assert _sdk_types("events") | _sdk_types("beta_events") == table
    assert _sdk_types("blocks") | _sdk_types("beta_blocks") == set(BLOCKS)
    assert _sdk_types("deltas") | _sdk_types("beta_deltas") == set(DELTAS)


def test_block_deltas_and_stop_reasons_follow_the_sdk():
    from typing import get_args

    from anthropic.lib.streaming._beta_messages import TRACKS_TOOL_INPUT
    from anthropic.types import StopReason
    from anthropic.types.beta import BetaStopReason

    tracked = {m.model_fields["type"].annotation.__args__[0] for m in TRACKS_TOOL_INPUT}
    assert tracked == {name for name, b in BLOCKS.items() if b.accumulates == "json"}
    assert set(get_args(StopReason)) | set(get_args(BetaStopReason)) == set(STOP_REASONS)
    for block in BLOCKS.values():
        assert set(block.deltas) <= set(DELTAS), block.name


def test_pinned_sdk_is_installed():
    import anthropic

    pin = next(line for line in (REPO / "pyproject.toml").read_text().splitlines()
               if '"anthropic==' in line)
    assert f'"anthropic=={anthropic.__version__}"' in pin


# -- detection --------------------------------------------------------------------------------

@pytest.mark.parametrize(("event", "kind"), [
    ({"type": "message_start", "message": {}}, "anthropic"),
    ({"type": "content_block_delta", "index": 0}, "anthropic"),
    ({"type": "ping"}, "anthropic"),
    ({"type": "error", "error": {"type": "overloaded_error"}}, "anthropic"),
    ({"type": "error", "code": "server_error", "message": "x"}, "responses"),
    ({"type": "response.created"}, "responses"),
])
def test_first_event_selects_the_kind(event, kind):
    assert detect_kind(event) == kind


def test_kind_can_be_forced():
    report = validate_stream(TEXT, kind="anthropic")
    assert report.kind == "anthropic" and report.errors == 0
    assert report.output_text == "Hello! How can I help you today?"


# -- §11: the public defect reports, as samples ---------------------------------------------

DEFECT_CODES = {
    "pi-1983-proxy-omits-event-lines.sse": {"F035"},
    "claude-code-proxy-32-event-lines-stripped.sse": {"F035"},
    "vllm-37510-done-sentinel.sse": {"F037"},
    "free-claude-code-43-done-and-no-usage.sse": {"F037", "M042"},
    "plano-898-bare-message-stop.sse": {"M001"},
    "plano-898-message-stop-duplicated.sse": {"M004"},
    "plano-898-message-delta-before-start.sse": {"M001"},
    "private-ai-gateway-114-no-block-stop-no-terminal.sse": {"M003"},
    "deepseek-reasonix-8756-ends-after-message-delta.sse": {"M003"},
    "pi-5592-events-after-message-stop.sse": {"M004"},
    "praxis-935-non-json-frame-skipped.sse": {"F001", "M001"},
    "sglang-24293-text-delta-on-open-tool-use.sse": {"M020"},
    "llm-rosetta-246-text-deltas-on-thinking-index.sse": {"M013"},
    "axonhub-1105-signature-on-wrong-block.sse": {"M020", "M050"},
    "bifrost-5169-thinking-delta-without-block-start.sse": {"M011"},
    "anthropic-sdk-python-1192-delta-beyond-started-blocks.sse": {"M011"},
    "opencode-43289-orphan-input-json-delta.sse": {"M011"},
    # Every token a new start at index 0: the SDK appends each one, so the text block's
    # `index: 1` lands on the second thinking block (M020), as it does in the SDK.
    "llama-cpp-18551-block-start-per-token.sse": {"M010", "M014", "M016", "M020", "M050"},
    "bansos-router-3-thinking-open-during-tool-use.sse": {"M016"},
    "litellm-34692-end-turn-on-tool-call.sse": {"M014", "M043"},
    "litellm-25561-tool-use-without-input-deltas.sse": {"M032"},
    "hebo-gateway-132-thinking-without-signature.sse": {"M050"},
    "pi-7996-openrouter-thinking-without-signature.sse": {"M050"},
    "cliproxyapi-1700-input-tokens-only-in-message-delta.sse": {"M046"},
    "cc-switch-1484-no-usage-objects.sse": {"M042"},
}


def _answer_in_both_kinds(cache: dict, input_tokens: int) -> tuple[bytes, bytes]:
    """"Hello!" from an OpenAI-format upstream with 1536 of its 2048 prompt tokens read from the
    cache, and its Anthropic translation whose ``message_start`` usage has ``input_tokens`` and
    ``cache``."""
    chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1760000000,
             "model": "gpt-test"}
    upstream = [
        {**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hello!"},
                               "finish_reason": None}]},
        {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {**chunk, "choices": [], "usage": {"prompt_tokens": 2048, "completion_tokens": 3,
                                           "total_tokens": 2051,
                                           "prompt_tokens_details": {"cached_tokens": 1536}}}]
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "gpt-test",
               "content": [], "stop_reason": None, "stop_sequence": None,
               "usage": {"input_tokens": input_tokens, **cache, "output_tokens": 1}}
    downstream = [
        {"type": "message_start", "message": message},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0,
         "delta": {"type": "text_delta", "text": "Hello!"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
         "usage": {"output_tokens": 3}},
        {"type": "message_stop"}]
    chat = "".join(f"data: {json.dumps(c)}\n\n" for c in upstream) + "data: [DONE]\n\n"
    return chat.encode(), _sse(downstream)


@pytest.mark.parametrize(("cache", "input_tokens", "expected"), [
    # litellm#31069: the counters zeroed
    ({"cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}, 2048,
     ["D011 usage differs: cached input tokens 1536 upstream, 0 downstream"]),
    # free-claude-code#904: DeepSeek's /anthropic usage has no cache counters
    ({}, 2048, ["D011 usage differs: cached input tokens 1536 upstream, none downstream"]),
    # the faithful translation: 512 uncached input tokens and 1536 read from the cache
    ({"cache_creation_input_tokens": 0, "cache_read_input_tokens": 1536}, 512, []),
], ids=["litellm-31069", "free-claude-code-904", "faithful"])
def test_cache_counters_lost_in_translation_show_against_the_upstream(cache, input_tokens,
                                                                      expected):
    """The two usage reports of §11 that no sample shows: a stream with zero or no cache
    counters is what api.anthropic.com sends for an uncached prompt (and Bedrock and the older
    captures of the corpus for any prompt), so its bytes alone are conformant.  The loss shows
    in ``diff`` against what the gateway received (D011)."""
    from validator.diff import diff_reports

    upstream, downstream = _answer_in_both_kinds(cache, input_tokens)
    down = validate_stream(downstream, content=True)
    assert down.kind == "anthropic" and not down.violations
    found = diff_reports(validate_stream(upstream, content=True), down)
    assert [f"{v.code} {v.message}".split(" — ")[0] for v in found] == expected


def test_every_defect_sample_is_pinned():
    assert sorted(p.name for p in DEFECTS.iterdir()) == sorted(DEFECT_CODES)


@pytest.mark.parametrize("name", sorted(DEFECT_CODES))
def test_defect_sample_has_its_findings(name):
    report = validate_stream(DEFECTS / name)
    assert report.kind == "anthropic"
    assert {v.code for v in report.violations} == DEFECT_CODES[name]


# -- broken variants of real captures --------------------------------------------------------

def _frames(path: Path) -> list[dict]:
    raw = path.read_text("utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in raw.splitlines() if line.strip()]
    return [json.loads(line[5:]) for line in raw.splitlines() if line.startswith("data:")]


def _sse(events: list[dict], name=lambda ev: ev["type"]) -> bytes:
    out = []
    for ev in events:
        label = name(ev)
        out.append((f"event: {label}\n" if label else "") + f"data: {json.dumps(ev)}\n\n")
    return "".join(out).encode()


def _where(events: list[dict], test) -> int:
    return next(i for i, ev in enumerate(events) if test(ev))


def _delta(kind: str):
    return lambda ev: ev["type"] == "content_block_delta" and ev["delta"]["type"] == kind


def _drop_block_start(ev):
    del ev[_where(ev, lambda e: e["type"] == "content_block_start")]


def _delta_after_stop(ev):
    i = _where(ev, _delta("text_delta"))
    moved = ev.pop(i)
    ev.insert(_where(ev, lambda e: e["type"] == "content_block_stop"
                     and e["index"] == moved["index"]) + 1, moved)


def _wrong_delta_type(ev):
    i = _where(ev, _delta("input_json_delta"))
    ev[i] = {**ev[i], "delta": {"type": "text_delta", "text": ev[i]["delta"]["partial_json"]}}


def _skip_index(ev):
    for e in ev:
        if e["type"].startswith("content_block_") and e["index"] >= 1:
            e["index"] += 1


def _drop(kind):
    return lambda ev: ev.pop(_where(ev, lambda e: e["type"] == kind))


def _double(kind):
    return lambda ev: ev.insert(_where(ev, lambda e: e["type"] == kind),
                                dict(ev[_where(ev, lambda e: e["type"] == kind)]))


def _stop_reason(value):
    def edit(ev):
        i = _where(ev, lambda e: e["type"] == "message_delta")
        ev[i] = {**ev[i], "delta": {**ev[i]["delta"], "stop_reason": value}}
    return edit


def _bad_tool_json(ev):
    i = max(i for i, e in enumerate(ev) if _delta("input_json_delta")(e))
    ev[i] = {**ev[i], "delta": {**ev[i]["delta"],
                                "partial_json": ev[i]["delta"]["partial_json"][:-1]}}


def _after_stop(ev):
    ev.append({"type": "content_block_delta", "index": 0,
               "delta": {"type": "text_delta", "text": "late"}})


CAPTURES = ("crewai__text-then-tool-use.sse", "llm-anthropic__sonnet-thinking.sse",
            "vercel-ai__text-then-json-tool.jsonl")
MUTATIONS = {
    "block-start-dropped": (_drop_block_start, {"M011"}),
    "delta-after-its-stop": (_delta_after_stop, {"M013"}),
    "index-skipped": (_skip_index, {"M010"}),
    "message-stop-dropped": (_drop("message_stop"), {"M003"}),
    "message-stop-doubled": (_double("message_stop"), {"M004"}),
    "message-start-dropped": (_drop("message_start"), {"M001"}),
    "message-start-doubled": (_double("message_start"), {"M002"}),
    "stop-reason-invalid": (_stop_reason("stop"), {"M041"}),
    "event-after-message-stop": (_after_stop, {"M004"}),
}
TOOL_MUTATIONS = {
    "wrong-delta-type": (_wrong_delta_type, {"M020"}),
    "stop-reason-end-turn": (_stop_reason("end_turn"), {"M043"}),
    "tool-input-invalid-json": (_bad_tool_json, {"M030"}),
}


def _cases():
    for name in CAPTURES:
        for label, (mutate, wanted) in MUTATIONS.items():
            yield name, label, mutate, wanted
        if "tool" in name:
            for label, (mutate, wanted) in TOOL_MUTATIONS.items():
                yield name, label, mutate, wanted


CASES = list(_cases())


@pytest.fixture
def real():
    from test_anthropic_corpus import ANTHROPIC_CORPUS

    if not ANTHROPIC_CORPUS.is_dir():
        pytest.skip("the shared corpus is not beside the checkout")
    return ANTHROPIC_CORPUS


@pytest.mark.parametrize(("name", "label", "mutate", "wanted"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_broken_variant_of_a_real_capture_is_an_error(real, name, label, mutate, wanted):
    from sdk_oracle import sdk_reads

    events = _frames(real / name)
    assert validate_stream(_sse(events)).violations == []  # the capture, re-framed, is clean
    mutate(events)
    body = _sse(events)
    report = validate_stream(body)
    assert wanted <= {v.code for v in errors(report)}, [(v.code, v.message)
                                                        for v in report.violations]
    verdict = sdk_reads(body)  # and wherever the SDK breaks, we do report an error
    assert (verdict.error is None and not verdict.lost) or errors(report)


@pytest.mark.parametrize(("label", "name", "wanted"), [
    ("event-lines-removed", lambda ev: None, "F035"),
    ("event-line-renamed", lambda ev: "delta" if ev["type"] == "content_block_delta"
     else ev["type"], "F036"),
])
def test_event_lines_removed_or_renamed_are_errors(real, label, name, wanted):
    events = _frames(real / CAPTURES[0])
    report = validate_stream(_sse(events, name))
    assert {v.code for v in errors(report)} == {wanted}


def test_sdk_drops_a_data_only_stream_and_we_say_so():
    from sdk_oracle import sdk_reads

    body = _sse(_frames(TEXT), lambda ev: None)
    assert sdk_reads(body).error is not None  # nothing reached the accumulator
    assert {v.code for v in errors(validate_stream(body))} == {"F035"}


def test_every_defect_sample_that_breaks_the_sdk_is_an_error():
    from sdk_oracle import sdk_reads

    broke = 0
    for path in sorted(DEFECTS.iterdir()):
        verdict = sdk_reads(path.read_bytes())
        if verdict.error is not None or verdict.lost:
            broke += 1
            assert errors(validate_stream(path)), path.name
    assert broke >= 8


# -- the state machine on its own ------------------------------------------------------------

def test_chunking_does_not_change_the_findings():
    body = (DEFECTS / "litellm-34692-end-turn-on-tool-call.sse").read_bytes()
    whole = [(v.code, v.line) for v in validate_stream(body).violations]
    validator = StreamValidator()
    for i in range(0, len(body), 7):
        validator.feed(body[i:i + 7])
    validator.close()
    assert [(v.code, v.line) for v in validator.violations] == whole


def test_deferred_two_event_response_is_accepted():
    start = {"type": "message_start", "message": {
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-opus-4-6",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}}],
        "stop_reason": "tool_use", "stop_sequence": None,
        "usage": {"input_tokens": 0, "output_tokens": 0}}}
    report = validate_stream([start, {"type": "message_stop"}])
    assert report.violations == [] and report.kind == "anthropic"
    assert report.output[0]["input"] == {"a": 1}


def test_max_tokens_inside_a_tool_call_is_accepted():
    events = _frames(TOOL)
    events[-2]["delta"]["stop_reason"] = "max_tokens"
    assert validate_stream(events).violations == []


def test_status_is_the_stop_reason():
    validator = StreamValidator()
    validator.feed(TOOL.read_bytes())
    validator.close()
    assert validator.status == "tool_use"


# -- the Python API ------------------------------------------------------------------------

def test_validate_stream_takes_bytes_events_and_kind():
    assert validate_stream(TOOL.read_bytes(), kind="anthropic").is_conformant
    report = validate_stream(_frames(THINKING), kind="anthropic")
    assert report.is_conformant and report.output[0]["thinking"].startswith("The user")


def test_assert_conformant_reports_an_anthropic_defect():
    with pytest.raises(AssertionError, match="M020"):
        assert_conformant((DEFECTS / "sglang-24293-text-delta-on-open-tool-use.sse")
                          .read_bytes())
    assert_conformant(TEXT.read_bytes(), kind="anthropic")


def test_assert_conformant_takes_the_anthropic_sdks_raw_events():
    import anthropic
    import httpx2

    body = TOOL.read_bytes()
    client = anthropic.Anthropic(api_key="test-key", max_retries=0, http_client=httpx2.Client(
        transport=httpx2.MockTransport(lambda request: httpx2.Response(
            200, headers={"content-type": "text/event-stream"}, content=body))))
    stream = client.messages.create(model="claude-opus-4-6", max_tokens=64, stream=True,
                                    messages=[{"role": "user", "content": "hi"}])
    report = assert_conformant(stream)
    assert report.kind == "anthropic" and report.events == 11


# -- the run of same-shape deltas ----------------------------------------------------------------

#: The delta types a run of one open block appends without a schema test (state.py `fast`).
RUN_DELTAS = {"text_delta": "text", "input_json_delta": "partial_json"}


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_run_skips_only_what_the_schema_accepts_whatever_it_holds(profile):
    """After a delta that passed its schema test, the run appends the next ones of the same
    keys without the test (anthropic/checker.py): exact only while the fragment's schema is a
    plain string, the event's and the delta's objects are plain, and the delta's type is a
    constant, under every profile."""
    from validator import schemas

    docs = schemas._profile_documents(profile, "anthropic")
    event = docs["urn:stream-validator:anthropic:content_block_delta"]
    assert schemas._plain_object(event)
    defs = docs["urn:stream-validator:defs:anthropic"]["$defs"]
    members = {branch["if"]["properties"]["type"]["const"]: branch["then"]["$ref"]
               for branch in event["properties"]["delta"]["allOf"]}
    for delta_type, field in RUN_DELTAS.items():
        member = defs[members[delta_type].rsplit("/", 1)[1]]
        assert schemas._plain_object(member), delta_type
        assert member["properties"]["type"] == {"const": delta_type}
        annotations = schemas._ANNOTATIONS
        assert {k: v for k, v in member["properties"][field].items()
                if k not in annotations} == {"type": "string"}, (delta_type, field)


def test_a_run_reports_a_delta_that_differs_in_shape():
    """A delta with a key more than the run's first one is checked, not appended blindly."""
    events = [
        {"type": "message_start", "message": {"id": "msg_1", "type": "message",
                                              "role": "assistant", "model": "m", "content": [],
                                              "stop_reason": None, "stop_sequence": None,
                                              "usage": {"input_tokens": 1, "output_tokens": 1}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "a"}},
        {"type": "content_block_delta", "index": 0,
         "delta": {"type": "text_delta", "text": "b", "extra": 1}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "c"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
         "usage": {"output_tokens": 3}},
        {"type": "message_stop"},
    ]
    assert [v.code for v in validate_stream(events, kind="anthropic").violations] == []
    strict = validate_stream(events, kind="anthropic", profile="strict")
    assert [(v.code, v.event_index, v.pointer) for v in strict.violations] == [
        ("S004", 3, "/delta/extra")]
    assert validate_stream(events, kind="anthropic").output[0]["text"] == "abc"
