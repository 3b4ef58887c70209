"""openai-python as the oracle: every stream its accumulators cannot take is an error for us.

Every capture of both corpora, the generated streams of the property tests and the broken
variants of the mutation tests go through ``ResponseStreamState`` / ``ChatCompletionStreamState``
(tests/sdk_oracle.py).  Where the SDK raises, or what it accumulated differs from the stream's
own `*.done` values, the validator must report an error on that stream: no miss.
"""

from __future__ import annotations

import copy

import pytest
from conftest import capture_id, corpus_rows, errors
from hypothesis import given
from sdk_oracle import sdk_problems
from test_mutations import CAPTURES, final_edits, load, variants
from test_properties import SETTINGS, valid_streams

from validator import validate_stream
from validator.framing import read_frames
from validator.model import Frame

#: What the SDK raises by design on a conformant stream: the API's own error event, and the
#: `.stream()` helper refusing a truncated or filtered answer.
BY_DESIGN = ("RuntimeError: APIError", "LengthFinishReasonError", "ContentFilterFinishReasonError")
#: Genuine OpenAI output that openai-python 3.57 cannot take.  What the API sends is accepted
#: under the default profile, so these are not errors; each must still be reported, by the
#: rule whose doc names the SDK failure.
GENUINE_SDK_BREAKS = {
    "chat__openai-dotnet__audio-output.sse": "C005",  # chunks without choices: TypeError
    "openai-dotnet__background-resume-starting-after-1.sse": "L002",  # resumed: no created
    "pydantic-ai__background-resume-starting-after-0.sse": "L002",
    "openai-dotnet__background-resume-async.sse": "L002",
    "vercel-ai__client-tool-search-1.jsonl": "I018",  # call_id changed: identity RuntimeError
}
ROWS = corpus_rows()


def _events(path) -> list:
    with open(path, "rb") as stream:
        return [None if frame.done else frame.payload for frame in read_frames(stream)
                if type(frame) is Frame]


def _breaks(events: list, kind: str) -> list[str]:
    return [p for p in sdk_problems(events, kind) if not p.startswith(BY_DESIGN)]


@pytest.mark.parametrize("path", sorted(ROWS), ids=capture_id)
def test_no_capture_breaks_the_sdk_without_an_error(corpus, path):
    report = validate_stream(path)
    broken = _breaks(_events(path), report.kind)
    if path.name in GENUINE_SDK_BREAKS:
        assert broken, "the SDK takes it now: drop it from GENUINE_SDK_BREAKS"
        assert GENUINE_SDK_BREAKS[path.name] in {v.code for v in report.violations}
    elif broken:
        assert errors(report), broken


def test_the_oracle_sees_a_broken_stream():
    """The oracle is not blind: an identity change and a delta that disagrees with `.done`."""
    events = load("openai-dotnet__text-hello.sse")
    edited = copy.deepcopy(events)
    done = next(e for e in edited if e["type"] == "response.output_text.done")
    done["text"] += "~"
    assert _breaks(edited, "responses")[0].startswith("response.output_text.done at output 0")
    assert _breaks(events, "responses") == []


#: Every how-many-th variant goes through the SDK: its accumulator costs ~1 ms an event, and
#: tests/test_mutations.py already asserts that every variant is an error.
STRIDE = 25


@pytest.mark.parametrize("name", CAPTURES)
def test_no_broken_variant_breaks_the_sdk_without_an_error(corpus, name):
    events = load(name)
    tried = [*variants(events), *final_edits(events)][::STRIDE]
    missed = [label for label, variant in tried
              if _breaks(variant, "responses") and not errors(validate_stream(variant))]
    assert missed == []


@SETTINGS
@given(valid_streams())
def test_generated_valid_streams_are_fine_for_the_sdk_too(events):
    assert _breaks(events, "responses") == []
    assert errors(validate_stream(events)) == []
