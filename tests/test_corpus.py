"""The real captures of ../shared/corpus/real and ../shared/corpus/real-2026-12: zero errors on
genuine OpenAI and Azure output (the *pass* rows and the quirks SOURCES.md documents), and, for
every other server, exactly the error codes pinned below, so that any change in what we report
on real traffic shows in review."""

from __future__ import annotations

import pytest
from conftest import capture_id, corpus_rows, errors

from validator import validate_stream

ROWS = corpus_rows()
#: Findings genuine OpenAI/Azure output may have (none an error); other pass rows have none
#: above info.
OPENAI_QUIRKS = {
    "openai-dotnet__background-resume-starting-after-1.sse": {"L002"},
    "pydantic-ai__background-resume-starting-after-0.sse": {"L002"},
    "openai-dotnet__background-resume-async.sse": {"L002"},
    # Recorded before OpenAI added sequence_number (2025-03 to 2025-05).
    "pydantic-ai__function-call-no-seqnum-2025-03.sse": {"Q001"},
    "dd-trace__agents-simple.sse": {"Q001"},
    "dd-trace__function-call.sse": {"Q001"},
    "dd-trace__tools-text.sse": {"Q001"},
    "pydantic-ai__mcp-list-tools-missing-item-done.sse": {"I010"},
    "vercel-ai__azure-web-search-preview.jsonl": set(),
    # A client-executed tool_search_call whose call_id changes at output_item.done (OpenAI).
    "vercel-ai__client-tool-search-1.jsonl": {"I018"},
    "chat__openai-dotnet__audio-output.sse": {"C005"},
    # tool_choice forces a function: finish_reason "stop" after the tool call.
    "chat__openinference__forced-tool-gpt-4-turbo.sse": {"C018"},
}
#: Every third-party (non-openai) capture: the error codes we report, and why they are right.
THIRD_PARTY = {
    # -- real/
    "chat__pydantic-ai__deepseek-reasoning.sse": (set(), "usage on the finish chunk: C020 warning"),
    "chat__pydantic-ai__groq-tool-use-failed-error-event.sse": (
        {"C024"}, "an `event: error` frame ends the stream; openai-python raises APIError"),
    "chat__pydantic-ai__groq-web-search-id-per-chunk.sse": (
        {"C003", "C007"}, "the chunk id changes on every chunk; the first chunk has no role"),
    "chat__pydantic-ai__openrouter-error-midstream.sse": (
        {"C008", "C017", "C024"}, "role repeated, deltas after finish_reason, an error chunk"),
    "chat__pydantic-ai__vllm-crusoe.sse": (set(), "vLLM extras only"),
    "chat__simonw-llm__openrouter-kimi-tool-call.sse": (
        {"C008", "C011", "C015"}, "role and tool-call id/name repeated, no finish_reason"),
    "pydantic-ai__bedrock-mantle-responses-tool.sse": (set(), "short call_id values only"),
    "pydantic-ai__deepseek-responses-function-call.sse": (set(), "conformant"),
    "pydantic-ai__openrouter-responses-reasoning.sse": (
        {"R002"}, "the completed reasoning item's id differs from the streamed one"),
    "vercel-ai__github-copilot-id-rotation.jsonl": (
        {"I003", "R001", "R002"}, "item ids rotate on every event (openai-python raises "
                                  "'Lifecycle response identity changed.')"),
    "vercel-ai__lmstudio-reasoning-tool-call.jsonl": (
        set(), "arguments only in function_call_arguments.done: T005 warning"),
    "vercel-ai__xai-reasoning.jsonl": (set(), "conformant"),
    # -- real-2026-12/
    "chat__dd-trace__litellm-proxy-n-choices.sse": (
        {"C007", "C015"}, "choice 1 never gets a role nor a finish_reason"),
    "chat__openinference__groq-llama3.sse": (set(), "usage only in x_groq"),
    "chat__openllmetry__deepseek-chat.sse": (set(), "usage on the finish chunk: C020 warning"),
    "chat__openllmetry__vllm-opt-125m.sse": (set(), "stop_reason extra only"),
    "chat__pydantic-ai__groq-r1-thinking.sse": (set(), "created changes once: C004 warning"),
    "chat__pydantic-ai__hf-novita-llama.sse": (set(), "sla_metrics extra only"),
    "chat__pydantic-ai__openrouter-o3-reasoning.sse": ({"C008"}, "every chunk repeats the role"),
    "chat__pydantic-ai__openrouter-web-annotations.sse": (
        {"C008", "C017", "C025"}, "role repeated, finish_reason twice, and `delta.annotations` "
                                  "without index repeated: openai-python raises"),
    "chat__simonw-llm__muse-spark-tool-call.sse": ({"C008"}, "every chunk repeats the role"),
    "chat__vercel-ai__alibaba-qwen-reasoning.jsonl": (set(), "reasoning_content extra only"),
    "chat__vercel-ai__alibaba-qwen-tool-call.jsonl": (
        set(), "`id: \"\"` on continuation deltas: the SDKs keep the first id"),
    "chat__vercel-ai__azure-foundry-deepseek.jsonl": (set(), "hand-condensed; C004 warning"),
    "chat__vercel-ai__groq-json-tool-call.jsonl": (set(), "usage on the finish chunk"),
    "chat__vercel-ai__moonshot-cached-tokens.jsonl": (set(), "hand-written; usage on finish"),
    "chat__vercel-ai__perplexity-citations.jsonl": (
        {"C002", "C008"}, "last chunk has object chat.completion.done; role repeated"),
    "vercel-ai__deepseek-responses-web-search.jsonl": (set(), "web_search_call without action"),
    "vercel-ai__lmstudio-basic.jsonl": (set(), "conformant"),
    "vercel-ai__xai-grok-4-fast-tool-call.jsonl": (
        set(), "function_call added complete, no argument events: the SDKs take the item"),
    "vercel-ai__xai-long-text.jsonl": (set(), "usage extras only"),
    "vercel-ai__xai-reasoning-short.jsonl": (set(), "conformant"),
}

PASS = sorted(p for p, row in ROWS.items() if row["Expect"] == "pass")
GENUINE = sorted(p for p, row in ROWS.items() if "non-openai" not in row["Expect"])
OTHERS = sorted(p for p, row in ROWS.items() if "non-openai" in row["Expect"])


def test_sources_tables_were_read(corpus):
    assert len(ROWS) == 58 + 99
    assert len({p.name for p in ROWS}) == len(ROWS)  # names are unique across both
    assert len(PASS) >= 25 + 80
    assert {p.name for p in OTHERS} == set(THIRD_PARTY)
    assert set(OPENAI_QUIRKS) <= {p.name for p in GENUINE}


@pytest.mark.parametrize("path", GENUINE, ids=capture_id)
def test_genuine_capture_has_no_error_and_only_its_quirks(corpus, path):
    report = validate_stream(path)
    assert report.kind == ("chat" if path.name.startswith("chat__") else "responses")
    assert errors(report) == []
    above_info = {v.code for v in report.violations if v.severity.value != "info"}
    assert above_info <= OPENAI_QUIRKS.get(path.name, set()), [
        (v.code, v.line, v.message) for v in report.violations]


@pytest.mark.parametrize("name", sorted(OPENAI_QUIRKS))
def test_openai_quirk_gives_exactly_its_findings(corpus, name):
    path = next(p for p in ROWS if p.name == name)
    assert {v.code for v in validate_stream(path).violations} == OPENAI_QUIRKS[name]


@pytest.mark.parametrize("path", OTHERS, ids=capture_id)
def test_third_party_capture_has_exactly_its_pinned_errors(corpus, path):
    expected, _why = THIRD_PARTY[path.name]
    report = validate_stream(path)
    assert {v.code for v in errors(report)} == expected, [
        (v.code, v.line, v.message) for v in errors(report)]


@pytest.mark.parametrize("path", sorted(ROWS), ids=capture_id)
def test_every_capture_validates_without_crashing(corpus, path):
    report = validate_stream(path)
    # SOURCES.md counts [DONE] as an event in some rows and not in others; here it is a frame.
    declared = int(ROWS[path]["Events"])
    assert report.events in (declared, declared + path.read_bytes().count(b"data: [DONE]"))
    assert all(v.line is None or v.line >= 1 for v in report.violations)
