"""The schema files, the profiles and the findings of ``validator.schemas``."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import orjson
import pytest
from conftest import REPO, SAMPLES, pointed

from validator import schemas
from validator.model import Finding
from validator.profiles import PROFILES as ALL_PROFILES
from validator.responses.events import EVENT_TYPES, LEGACY_TYPES, SCHEMA_TYPES, SDK_TYPES
from validator.rules import schema as schema_rules
from validator.schemas import SchemaChecker, schema_document, schema_types

SCHEMAS = REPO / "schemas"
APPLY_PATCH = {"response.apply_patch_call_operation_diff.delta",
               "response.apply_patch_call_operation_diff.done"}
PROFILES = ("openai", "strict", "open-responses")
MSG = "msg_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654"
SCOPED = {"item_id": MSG, "output_index": 0, "content_index": 0, "sequence_number": 4}


def delta(**changes) -> dict:
    event = {"type": "response.output_text.delta", **SCOPED, "delta": "Hi", "logprobs": [],
             "obfuscation": "x1y2"}
    return {**event, **changes}


def message(**changes) -> dict:
    item = {"id": MSG, "type": "message", "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": "Hi", "annotations": [], "logprobs": []}]}
    return {**item, **changes}


def item_done(item: dict) -> dict:
    return {"type": "response.output_item.done", "sequence_number": 8, "output_index": 0,
            "item": item}


def completed(**changes) -> dict:
    response = {"id": "resp_1", "object": "response", "created_at": 1763551829,
                "status": "completed", "model": "gpt-4.1", "output": [message()],
                "parallel_tool_calls": True, "tool_choice": "auto", "tools": [],
                "usage": {"input_tokens": 3, "output_tokens": 1, "total_tokens": 4,
                          "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                          "output_tokens_details": {"reasoning_tokens": 0}}}
    return {"type": "response.completed", "sequence_number": 9, "response": {**response, **changes}}


def chunk(**changes) -> dict:
    event = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
             "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}]}
    return {**event, **changes}


def check(event: dict, profile: str = "openai", kind: str = "responses") -> list:
    return SchemaChecker(profile).check(event, kind)


# -- the files ---------------------------------------------------------------------------------


def _files():
    return sorted(SCHEMAS.rglob("*.json"))


def test_every_event_type_has_a_schema_file():
    names = {p.stem for p in (SCHEMAS / "responses").glob("*.json")}
    assert names == SCHEMA_TYPES  # the events table, row for row
    # protocol.md §1.1 (58 types) and response.compaction.compacting (openai-python 3.57.0,
    # see tests/test_drift.py); §1.4 (legacy types); OpenAI's apply_patch diff events, which the
    # SDK's union lacks.
    assert len(SDK_TYPES) == 59 and names >= SDK_TYPES
    assert set(LEGACY_TYPES) == names - SDK_TYPES - APPLY_PATCH
    # Only a transport event goes without a schema.
    assert EVENT_TYPES - names == {"keepalive"}
    assert schema_types("responses") == sorted(names)
    assert schema_types("chat") == ["chat.completion.chunk"]
    assert schema_types() == sorted([*names, "chat.completion.chunk", *schema_types("anthropic")])


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(SCHEMAS)))
def test_schema_file_is_a_valid_draft_2020_12_schema_with_id_title_description(path):
    doc = json.loads(path.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(doc)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"].startswith("urn:stream-validator:")
    assert doc["title"] and doc["description"]
    if path.parent.name != "defs":
        assert doc["$id"].endswith(":" + path.stem)  # the file name is the type


def test_every_ref_resolves_to_a_local_schema():
    ids = {json.loads(p.read_text("utf-8"))["$id"]: json.loads(p.read_text("utf-8"))
           for p in _files()}

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for uri, doc in ids.items():
        for ref in refs(doc):
            base, _, fragment = ref.partition("#")
            target = ids[base] if base else doc
            for token in fragment.split("/")[1:]:
                target = target[token]
            assert isinstance(target, dict), (uri, ref)


def test_schema_document_returns_the_file_and_raises_key_error():
    doc = schema_document("response.output_text.delta")
    assert doc == json.loads((SCHEMAS / "responses" / "response.output_text.delta.json")
                             .read_text("utf-8"))
    doc["title"] = "changed"
    assert schema_document("response.output_text.delta")["title"] != "changed"
    assert schema_document("chat.completion.chunk")["title"] == "chat.completion.chunk"
    with pytest.raises(KeyError):
        schema_document("response.nope")


def test_importing_the_module_compiles_and_imports_nothing():
    code = ("import sys, validator.schemas as s; "
            "assert 'jsonschema' not in sys.modules and 'jsonschema_rs' not in sys.modules; "
            "assert s._entries.cache_info().currsize == 0")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


# -- findings: a delta, an item, the final response --------------------------------------------

CASES = [
    # (what, event, code, pointer)
    ("delta: wrong type", delta(output_index="0"), "S001", "/output_index"),
    ("delta: object delta", delta(delta={"text": "Hi"}), "S001", "/delta"),
    ("delta: missing field", {k: v for k, v in delta().items() if k != "delta"}, "S002", "/delta"),
    ("delta: logprob type", delta(logprobs=[{"token": "Hi", "logprob": "x"}]), "S001",
     "/logprobs/0/logprob"),
    ("item: wrong type", item_done(message(content={"type": "output_text"})), "S001",
     "/item/content"),
    ("item: missing field", item_done({k: v for k, v in message().items() if k != "role"}),
     "S002", "/item/role"),
    ("item: bad enum", item_done(message(status="done")), "S003", "/item/status"),
    ("item: part field", item_done(message(content=[{"type": "output_text", "text": 5,
                                                     "annotations": []}])),
     "S001", "/item/content/0/text"),
    ("item: annotation", item_done(message(content=[{
        "type": "output_text", "text": "Hi",
        "annotations": [{"type": "url_citation", "start_index": 0, "end_index": 2,
                         "url": "https://example.com"}]}])),
     "S002", "/item/content/0/annotations/0/title"),
    ("response: wrong type", completed(created_at="2025-01-01"), "S001", "/response/created_at"),
    ("response: missing field", {**completed(), "response": {
        k: v for k, v in completed()["response"].items() if k != "output"}},
     "S002", "/response/output"),
    ("response: bad enum", completed(status="done"), "S003", "/response/status"),
    ("response: bad const", completed(object="resp"), "S003", "/response/object"),
    ("response: usage minimum", completed(usage={**completed()["response"]["usage"],
                                                 "total_tokens": -1}),
     "S003", "/response/usage/total_tokens"),
    ("response: item inside", completed(output=[message(status="done")]), "S003",
     "/response/output/0/status"),
]


@pytest.mark.parametrize(("what", "event", "code", "pointer"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("profile", PROFILES)
def test_a_defect_gives_one_precise_finding(what, event, code, pointer, profile):
    found = check(event, profile)
    assert pointed(found) == [(code, pointer)]
    assert found[0].message.startswith(f"`{pointer}`: ")  # one line, led by the pointer


@pytest.mark.parametrize("event", [delta(), item_done(message()), completed(), chunk()],
                         ids=["delta", "item", "response", "chunk"])
@pytest.mark.parametrize("profile", PROFILES)
def test_conformant_events_give_nothing(event, profile):
    assert check(event, profile, "chat" if "choices" in event else "responses") == []


def test_messages_quote_what_came():
    assert check(delta(output_index="0")) == [Finding(
        "S001", '`/output_index`: expected integer, got string "0"', pointer="/output_index")]
    assert check(item_done(message(status="done")))[0].message == (
        '`/item/status`: expected one of "in_progress", "completed", "incomplete", '
        'got string "done"')
    assert check({k: v for k, v in delta().items() if k != "delta"})[0].message == (
        "`/delta`: required field is missing")
    long = check(delta(delta={"text": "x" * 200}))[0].message
    assert long.startswith('`/delta`: expected string, got object {"text": "xxx')
    assert len(long) < 110


def test_type_missing_or_not_a_string():
    assert check({"sequence_number": 1}) == [
        Finding("S002", "`/type`: required field is missing", pointer="/type")]
    assert pointed(check({"type": 5}))[0] == ("S001", "/type")
    assert pointed(check({"type": ["a"]}))[0] == ("S001", "/type")


def test_unknown_event_types_and_other_kinds_are_left_to_other_rules():
    assert check({"type": "response.nope", "x": 1}) == []
    assert check({"type": "acme:trace", "sequence_number": 3}) == []
    assert check(chunk()) == []  # a chunk in a Responses stream: C001
    assert check(delta(), kind="chat") == []  # an event in a chat stream: C001
    assert check({"error": {"message": "boom"}}, kind="chat") == []  # C024
    with pytest.raises(ValueError):
        check(delta(), kind="nope")
    with pytest.raises(ValueError):
        SchemaChecker("lenient")


def test_unknown_item_part_and_annotation_types_are_accepted():
    assert check(item_done({"type": "hologram_call", "id": "h1", "beam": 3})) == []
    part = {"type": "response.content_part.added", **SCOPED, "part": {"type": "audio_clip"}}
    assert check(part) == []
    annotated = message(content=[{"type": "output_text", "text": "Hi",
                                  "annotations": [{"type": "page_citation", "page": 4}]}])
    assert check(item_done(annotated)) == []
    assert pointed(check(item_done({"type": 7})))[0] == ("S001", "/item/type")


# -- profiles ----------------------------------------------------------------------------------


def without(event: dict, field: str) -> dict:
    return {k: v for k, v in event.items() if k != field}


ARGS_DONE = {"type": "response.function_call_arguments.done", "sequence_number": 5,
             "item_id": "fc_1", "output_index": 0, "arguments": "{}", "name": "f"}


@pytest.mark.parametrize(("event", "pointer"), [
    (without(delta(), "logprobs"), "/logprobs"),
    (without(ARGS_DONE, "name"), "/name"),
    (completed(usage={k: v for k, v in completed()["response"]["usage"].items()
                      if k != "input_tokens_details"}),
     "/response/usage/input_tokens_details"),
])
def test_fields_added_later_are_optional_except_under_strict(event, pointer):
    assert check(event, "openai") == []
    assert pointed(check(event, "strict")) == [("S002", pointer)]


def test_sequence_number_belongs_to_the_q_rules_in_every_profile():
    for profile in PROFILES:
        assert check(without(delta(), "sequence_number"), profile) == []
        found = check(delta(sequence_number="4"), profile)
        assert pointed(found)[0] == ("S001", "/sequence_number")


@pytest.mark.parametrize("profile", PROFILES)
def test_obfuscation_is_a_string_on_every_delta(profile):
    event = without(delta(), "obfuscation")
    assert check({**event, "obfuscation": "abc"}, profile) == []
    assert pointed(check({**event, "obfuscation": 5}, profile))[0] == ("S001", "/obfuscation")
    args = {"type": "response.function_call_arguments.delta", "sequence_number": 1,
            "item_id": "fc_1", "output_index": 0, "delta": "{", "obfuscation": "q"}
    assert check(args, profile) == []
    assert check(chunk(obfuscation="q"), profile, "chat") == []


@pytest.mark.parametrize("profile", PROFILES)
def test_error_event_flat_and_nested(profile):
    flat = {"type": "error", "sequence_number": 2, "code": "server_error", "message": "boom",
            "param": None}
    nested = {"type": "error", "sequence_number": 2, "error": {
        "type": "insufficient_quota", "code": "insufficient_quota", "message": "quota",
        "param": None}}
    assert check(flat, profile) == []
    assert check(nested, profile) == []
    assert pointed(check(without(flat, "message"), profile)) == [("S002", "/message")]
    broken = {**nested, "error": without(nested["error"], "message")}
    assert pointed(check(broken, profile)) == [("S002", "/error/message")]


def test_unknown_fields_are_info_only_under_strict():
    event = delta(provider_latency_ms=12)
    assert check(event, "openai") == []
    assert check(event, "open-responses") == []
    assert check(event, "strict") == [
        Finding("S004", "`/provider_latency_ms`: unknown field", pointer="/provider_latency_ms")]
    nested = item_done(message(beam=1))
    assert pointed(check(nested, "strict")) == [("S004", "/item/beam")]
    assert check(item_done({"type": "hologram_call", "id": "h1", "beam": 3}), "strict") == []


def test_chat_chunk_choices_may_be_absent_and_c_rules_own_their_fields():
    no_choices = without(chunk(), "choices")
    assert check(no_choices, "openai", "chat") == []
    assert check(no_choices, "strict", "chat") == []  # C005 reports it
    odd = chunk(object="chat.completion", choices=[
        {"index": -1, "delta": {"tool_calls": [{"index": "a"}]}, "finish_reason": "eos"}])
    assert check(odd, "openai", "chat") == []  # C002, C006, C009, C016
    assert pointed(check(chunk(created="now"), "openai", "chat"))[0] == ("S001", "/created")


def test_item_id_of_an_added_item_belongs_to_i006():
    added = {"type": "response.output_item.added", "sequence_number": 2, "output_index": 0,
             "item": without(message(status="in_progress"), "id")}
    assert check(added) == []
    assert pointed(check(item_done(without(message(), "id")))) == [("S002", "/item/id")]


def test_open_responses_dialect():
    reasoning = {"type": "response.reasoning.delta", "sequence_number": 3, "item_id": "rs_1",
                 "output_index": 0, "content_index": 0, "delta": "thinking"}
    assert check(reasoning, "open-responses") == []
    assert pointed(check(reasoning, "openai"))[0] == ("S001", "/delta")
    assert check(without(ARGS_DONE, "name"), "open-responses") == []
    assert check(without(delta(), "logprobs"), "open-responses") == []
    null_item = {"type": "response.output_item.added", "sequence_number": 2, "output_index": 0,
                 "item": None}
    assert check(null_item, "open-responses") == []
    assert pointed(check(null_item, "openai"))[0] == ("S001", "/item")


def test_profile_edits_never_touch_the_files():
    before = {p: p.read_bytes() for p in _files()}
    for profile in PROFILES:
        checker = SchemaChecker(profile)
        checker.check(without(delta(), "logprobs"))
        checker.check(item_done(message(status="done")))
    assert {p: p.read_bytes() for p in _files()} == before


# -- samples and rules ---------------------------------------------------------------------------

EXPECTED = {"S001": "/logprobs", "S002": "/item/role", "S003": "/item/status",
            "S004": "/provider_latency_ms"}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_sample_yields_exactly_its_finding(code):
    (path,) = (SAMPLES / "invalid").glob(f"{code}-*.jsonl")
    rule = next(r for r in schema_rules.RULES if r.code == code)
    assert path.stem == f"{code}-{rule.name}"
    profile = "strict" if code == "S004" else "openai"
    checker = SchemaChecker(profile)
    events = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    found = [f for event in events for f in checker.check(event)]
    assert pointed(found) == [(code, EXPECTED[code])]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))


def test_rules_catalogue_entries():
    rules = {r.code: r for r in schema_rules.RULES}
    assert list(rules) == ["S001", "S002", "S003", "S004", "S005"]
    for rule in rules.values():
        assert rule.kind == ("responses" if rule.code == "S005" else "any")
        for section in ("What it does", "Why is this bad?", "Example", "Use instead",
                        "References"):
            assert f"## {section}\n" in rule.doc
    assert [rules[c].severity_in("openai") for c in rules][:3] == [rules["S001"].severity] * 3
    assert rules["S004"].severity_in("openai") is None
    assert rules["S004"].severity_in("open-responses") is None
    assert rules["S004"].severity_in("strict").value == "info"
    assert [rules["S005"].severity_in(p).value for p in PROFILES] == ["warning", "error", "error"]


def test_one_checker_compiles_safely_from_many_threads():
    # `check` validates several streams at once with the one checker of their profile: its
    # lazy compilation must give every thread the same answers as a single thread.
    from concurrent.futures import ThreadPoolExecutor

    from validator.framing import FrameDecoder
    from validator.model import Frame

    events = []
    for path in sorted((SAMPLES / "valid").iterdir()) + sorted((SAMPLES / "invalid").glob("S*")):
        decoder = FrameDecoder("auto")
        items = decoder.feed(path.read_bytes()) + decoder.close()
        events += [f.payload for f in items if type(f) is Frame and type(f.payload) is dict]
    kinds = ["chat" if "choices" in e else "responses" for e in events]
    alone = SchemaChecker("strict")
    expected = [alone.check(e, k) for e, k in zip(events, kinds, strict=True)]
    for _ in range(5):
        shared = SchemaChecker("strict")
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(shared.check, events, kinds))
        assert got == expected


_ADDRESS = ("item_id", "output_index", "content_index")
_FIXED = ("type", *_ADDRESS)  # equal in every event of a run
_VALUES = (None, "", "x", 0, 3, -1, 1.0, 1.5, True, [], {}, [{}], ["x"],
           [{"token": "a", "logprob": -0.1, "bytes": [97], "top_logprobs": []}],
           [{"token": "a", "logprob": "-0.1", "bytes": [97], "top_logprobs": []}])


@pytest.mark.parametrize("profile", list(ALL_PROFILES))
def test_the_test_given_a_known_address_agrees_with_the_full_test(profile):
    # A run of deltas tests each event without the fields of its address (equal, value and
    # type, to those of a delta that passed): every other field, missing, added or of any
    # value, must get the same answer as the full test.
    checker = SchemaChecker(profile)
    passes = checker.passes("responses")
    delta = {"type": "response.output_text.delta", "sequence_number": 4, "item_id": "msg_1",
             "output_index": 0, "content_index": 0, "delta": " caf", "logprobs": [],
             "obfuscation": "ycYfK4nfzoId"}
    assert passes(delta)
    given = checker.passes_given(delta["type"], _ADDRESS)
    variants = [{k: v for k, v in delta.items() if k != field}
                for field in delta if field not in _FIXED]
    variants += [{**delta, field: value} for field in (*delta, "extra", "annotations")
                 if field not in _FIXED for value in _VALUES]
    answers = [passes(event) for event in variants]
    assert [given(event) for event in variants] == answers
    assert True in answers and False in answers


def test_a_subschema_the_compiler_does_not_translate_is_checked_by_jsonschema_rs():
    """A keyword the compiler lacks (`pattern`) in a shared definition: the predicate that
    refers to it stays exact, through jsonschema_rs on a reference to the definition."""
    docs = {
        "urn:stream-validator:defs:t": {
            "$id": "urn:stream-validator:defs:t",
            "$defs": {"id": {"type": "string", "pattern": "^msg_"}}},
        "urn:stream-validator:responses:t": {
            "$id": "urn:stream-validator:responses:t", "type": "object", "required": ["id"],
            "properties": {"id": {"$ref": "urn:stream-validator:defs:t#/$defs/id"}}},
    }
    predicate = schemas._Compiler(docs).predicate("urn:stream-validator:responses:t")
    assert predicate({"id": "msg_1"})
    assert not predicate({"id": "resp_1"})
    assert not predicate({"id": 1})
    assert not predicate({})


# -- the apply_patch diff events (OpenAI sends them; openai-python 3.57 lacks them) -----------


def _apply_patch(**done_changes) -> list[dict]:
    events = [json.loads(line) for line in
              (SAMPLES / "valid" / "apply-patch.jsonl").read_text("utf-8").splitlines()]
    done = next(e for e in events if e["type"] == "response.apply_patch_call_operation_diff.done")
    done.update(done_changes)
    for key in [k for k, v in done_changes.items() if v is None]:
        del done[key]
    return events


@pytest.mark.parametrize("type_name", sorted(APPLY_PATCH))
def test_stream_validator_schema_prints_the_apply_patch_events(type_name):
    result = subprocess.run([sys.executable, "-m", "validator", "schema", type_name],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["title"] == type_name
    assert {"item_id", "output_index"} <= set(document["required"])


def test_an_apply_patch_done_without_its_diff_is_a_schema_finding():
    from validator import validate_stream

    report = validate_stream(_apply_patch(diff=None))
    # The diff never closed: output_item.done then closes the item before its value (I014).
    assert [(v.code, v.pointer) for v in report.violations] == [("S002", "/diff"),
                                                                 ("I014", None)]


def test_an_apply_patch_diff_that_is_not_its_deltas_is_t001():
    from validator import validate_stream

    report = validate_stream(_apply_patch(diff="@@ -1 +1 @@\n-Hello\n+Hello\n"))
    # The done value is the item's diff from then on: the item and the final response, which
    # carry the streamed diff, now differ from it.
    assert [v.code for v in report.violations] == ["T001", "T003", "T004"]


def test_the_sdk_null_walk_is_skipped_only_where_it_would_change_nothing():
    skipped = 0
    for raw in schemas._entries().values():
        if not schemas._may_mark(raw, ()):
            doc, before = orjson.loads(raw), orjson.loads(raw)
            schemas._accept_sdk_nulls(doc)
            assert doc == before
            skipped += 1
    assert 0 < skipped < len(schemas._entries())
    assert schemas._may_mark(b'{"x-sdk-optiona\\u006c": true}', ())  # a key may be spelled escaped
    replace = [e for e in schemas.EDIT_SETS["open-responses"] if e.op == "replace"]
    assert schemas._may_mark(b"{}", replace)  # an edit may bring a marked schema
