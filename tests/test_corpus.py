"""The real captures of ../shared/corpus/real: zero errors on genuine OpenAI and Azure output
(the *pass* rows and the quirks SOURCES.md documents), and the third-party defects found."""

from __future__ import annotations

import pytest
from conftest import CORPUS, errors, sources_table

from validator import validate_stream

# OpenAI/Azure behaviour that breaks a naive rule but must not be an error (SOURCES.md).
OPENAI_QUIRKS = {
    "openai-dotnet__background-resume-starting-after-1.sse": {"L002"},
    "pydantic-ai__background-resume-starting-after-0.sse": {"L002"},
    "pydantic-ai__function-call-no-seqnum-2025-03.sse": {"Q001"},
    "pydantic-ai__mcp-list-tools-missing-item-done.sse": {"I010"},
    "vercel-ai__azure-web-search-preview.jsonl": set(),
}
# Third-party defects and the rules that must find them.
DEFECTS = {
    "vercel-ai__github-copilot-id-rotation.jsonl": {"I003", "R001", "R002"},
    "pydantic-ai__openrouter-responses-reasoning.sse": {"R002"},
}


ROWS = sources_table(CORPUS)
PASS = sorted(name for name, (expect, _) in ROWS.items() if expect == "pass")
RESPONSES_PASS = [n for n in PASS if not n.startswith("chat__")]


def test_sources_table_was_read(corpus):
    assert len(ROWS) == 58
    assert len(RESPONSES_PASS) >= 25


@pytest.mark.parametrize("name", RESPONSES_PASS)
def test_genuine_responses_capture_has_no_finding_above_info(corpus, name):
    report = validate_stream(corpus / name)
    assert report.kind == "responses"
    assert [(v.code, v.line, v.message) for v in report.violations
            if v.severity.value != "info"] == []


@pytest.mark.parametrize("name", sorted(OPENAI_QUIRKS))
def test_openai_quirk_gives_no_error(corpus, name):
    report = validate_stream(corpus / name)
    assert errors(report) == []
    assert {v.code for v in report.violations} == OPENAI_QUIRKS[name]


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_third_party_defect_is_found(corpus, name):
    report = validate_stream(corpus / name)
    assert DEFECTS[name] <= {v.code for v in errors(report)}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_capture_validates_without_crashing(corpus, name):
    report = validate_stream(corpus / name)
    # SOURCES.md counts [DONE] as an event in some rows and not in others; here it is a frame.
    declared = ROWS[name][1]
    assert report.events in (declared, declared + _done_frames(corpus / name))
    assert all(v.line is None or v.line >= 1 for v in report.violations)


def _done_frames(path) -> int:
    return path.read_bytes().count(b"data: [DONE]")
