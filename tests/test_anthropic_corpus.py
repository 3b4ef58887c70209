"""The real Anthropic Messages captures of ../shared/corpus/anthropic: zero findings on genuine
api.anthropic.com, Bedrock and Vertex output (the *pass* and *quirk* rows of SOURCES.md), the
third-party and edited rows' findings pinned per file, and the anthropic SDK as the oracle:
where its own stream reader raises or loses text, we report an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, corpus_rows, errors

from validator import validate_stream

ANTHROPIC_CORPUS = REPO.parent / "shared" / "corpus" / "anthropic"

# Each read against the bytes and the SDKs' behaviour (anthropic-protocol.md §11).
PINNED = {
    # Cut after the first content_block_stop by the fixture's author: truncated (M003).
    "dd-trace__truncated-after-block-stop.sse": {"M003"},
    # Kimi: thinking without signature (M050, warning: the next turn is rejected); usage
    # input_tokens 20591 at message_start and 0 in message_delta (M046, warning: the SDKs
    # replace it with 0).  The doc the stream was copied from lost the blank line after the last
    # frame (F004), so spec clients never see its message_stop (M003).
    "llm-router__kimi-k2-6-thinking-text.sse": {"F004", "M003", "M046", "M050"},
    # Vercel AI Gateway: input_tokens 0 at message_start, 13 in message_delta (M046).
    "vercel-ai__ai-gateway-claude-haiku.sse": {"M046"},
    # Vercel AI Gateway serving xAI: the thinking block start has no `signature` (S002: the SDK
    # models require it, and a client sending the block back is rejected), no signature_delta
    # (M050), input_tokens 0 at message_start (M046).
    "vercel-ai__ai-gateway-xai-grok-thinking.sse": {"M046", "M050", "S002"},
}
PINNED_ERRORS = {
    "dd-trace__truncated-after-block-stop.sse": {"M003"},
    "llm-router__kimi-k2-6-thinking-text.sse": {"F004", "M003"},
    "vercel-ai__ai-gateway-claude-haiku.sse": set(),
    "vercel-ai__ai-gateway-xai-grok-thinking.sse": {"S002"},
}


ROWS = {path.name: row for path, row in corpus_rows([ANTHROPIC_CORPUS]).items()}
GENUINE = sorted(name for name, row in ROWS.items() if row["Expect"] in ("pass", "quirk"))


@pytest.fixture
def corpus() -> Path:
    if not ANTHROPIC_CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not beside the checkout ({ANTHROPIC_CORPUS})")
    return ANTHROPIC_CORPUS


def test_sources_table_was_read(corpus):
    assert len(ROWS) == 77
    assert len(GENUINE) == 73
    assert set(ROWS) - set(GENUINE) == set(PINNED)


@pytest.mark.parametrize("name", GENUINE)
@pytest.mark.parametrize("profile", ["default", "strict"])
def test_genuine_capture_has_no_finding_above_info(corpus, name, profile):
    report = validate_stream(corpus / name, profile=profile)
    assert report.kind == "anthropic"
    assert [(v.code, v.line, v.message) for v in report.violations
            if v.severity.value != "info"] == []


@pytest.mark.parametrize("name", sorted(PINNED))
def test_third_party_and_edited_findings_are_pinned(corpus, name):
    report = validate_stream(corpus / name)
    assert {v.code for v in report.violations} == PINNED[name]
    assert {v.code for v in errors(report)} == PINNED_ERRORS[name]


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_capture_is_read_whole(corpus, name):
    report = validate_stream(corpus / name)
    declared = int(ROWS[name]["Events"])
    # Kimi's last frame has no blank line after it (F004): discarded, as spec clients do.
    assert report.events == declared - (name == "llm-router__kimi-k2-6-thinking-text.sse")
    assert all(v.line is None or v.line >= 1 for v in report.violations)


def test_output_rebuilds_the_message(corpus):
    report = validate_stream(corpus / "vercel-ai__three-parallel-tool-uses.jsonl")
    tools = [block for block in report.output if block["type"] == "tool_use"]
    assert len(tools) == 3 and all(isinstance(t["input"], dict) and t["input"] for t in tools)
    text = validate_stream(corpus / "crewai__cached-prompt.sse")
    assert text.output_text and text.output_text == text.output[0]["text"]


# -- the SDK as the oracle ------------------------------------------------------------------


def as_sse(path: Path) -> bytes:
    """A capture as the API sends it: JSONL events get their `event:` lines back."""
    raw = path.read_bytes()
    if path.suffix != ".jsonl":
        return raw
    return b"".join(b"event: " + json.loads(line)["type"].encode() + b"\ndata: " + line + b"\n\n"
                    for line in raw.splitlines() if line.strip())


def test_genuine_captures_read_cleanly_by_the_sdk(corpus):
    from sdk_oracle import sdk_reads

    for name in GENUINE:
        verdict = sdk_reads(as_sse(corpus / name))
        assert verdict.error is None and not verdict.lost, (name, verdict)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_where_the_sdk_breaks_we_report_an_error(corpus, name):
    from sdk_oracle import sdk_reads

    body = as_sse(corpus / name)
    verdict = sdk_reads(body)
    if verdict.error is not None or verdict.lost:
        assert errors(validate_stream(body)), (name, verdict)
