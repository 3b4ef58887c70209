"""The schemas and the catalogue against the pinned openai-python (pyproject: the newest
release): every stream event, output item type, Literal value and Optional field the SDK knows."""

from __future__ import annotations

import subprocess
import sys

import openai
import pytest
from conftest import REPO

from validator import schemas
from validator.schemas import SchemaChecker
from validator.tools import drift


def test_the_pinned_sdk_is_the_one_installed():
    pinned = next(line for line in (REPO / "pyproject.toml").read_text("utf-8").splitlines()
                  if '"openai==' in line)
    assert f'"openai=={openai.__version__}"' in pinned


def test_no_drift_from_the_installed_sdk():
    assert drift.drift() == []


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda docs: docs["urn:stream-validator:responses:response.compaction.compacting"]
     ["properties"].pop("item_id"),
     "field response.compaction.compacting.item_id (ResponseCompactionCompactingEvent): "
     "not in the schema"),
    (lambda docs: docs["urn:stream-validator:defs:output_item"]["$defs"]["web_search_call"]
     ["properties"]["status"]["enum"].remove("incomplete"),
     "value 'incomplete' of response.completed.response.output[]<web_search_call>.status: "
     "not in the schema's enum"),
    (lambda docs: docs["urn:stream-validator:chat:chat.completion.chunk"]["properties"]
     ["obfuscation"].pop(schemas.SDK_OPTIONAL),
     "field chat.completion.chunk.obfuscation: Optional in the SDK, the schema rejects null"),
    (lambda docs: docs.pop("urn:stream-validator:responses:response.compaction.compacting"),
     "event type 'response.compaction.compacting': in the SDK, no schema"),
])
def test_drift_names_what_differs(monkeypatch, edit, expected):
    parsed = schemas._parsed

    def edited() -> dict:
        docs = parsed()
        edit(docs)
        return docs

    monkeypatch.setattr(schemas, "_parsed", edited)
    assert drift.drift() == [expected]


def test_an_sdk_optional_null_is_accepted_by_default_and_an_error_under_strict():
    """openai-python's own serialised chunk: `delta.tool_calls`, `delta.audio`, `obfuscation`
    null (the SDK types them Optional)."""
    from openai.types.chat import ChatCompletionChunk

    chunk = ChatCompletionChunk.model_validate({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "obfuscation": None,
        "choices": [{"index": 0, "delta": {"content": "Hi", "tool_calls": None, "audio": None},
                     "finish_reason": None, "logprobs": None}]}).model_dump()
    assert chunk["choices"][0]["delta"]["tool_calls"] is None and chunk["obfuscation"] is None
    assert SchemaChecker("openai").check(chunk, "chat") == []
    assert SchemaChecker("open-responses").check(chunk, "chat") == []
    assert {f.pointer for f in SchemaChecker("strict").check(chunk, "chat")} >= {
        "/choices/0/delta/tool_calls", "/choices/0/delta/audio", "/obfuscation"}


def test_the_drift_command_reports_against_the_installed_sdk():
    done = subprocess.run([sys.executable, "-m", "validator.tools.drift"], capture_output=True,
                          text=True, check=False)
    assert (done.returncode, done.stdout) == (0, f"openai {openai.__version__}: 0 difference(s)\n")
    bad = subprocess.run([sys.executable, "-m", "validator.tools.drift", "--bogus"],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "usage" in bad.stderr
