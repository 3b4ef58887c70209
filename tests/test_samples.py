"""Every rule has a minimal sample that triggers exactly that rule; valid samples are clean."""

from __future__ import annotations

import pytest
from conftest import SAMPLES, codes, sample_profile

from validator import validate_stream
from validator.rules import DIFF_FAMILIES, LIVE_FAMILIES, RULES

INVALID = sorted(p for p in (SAMPLES / "invalid").iterdir() if p.is_file())
VALID = sorted(p for p in (SAMPLES / "valid").iterdir() if p.is_file())
# Options a sample needs to show its rule at a readable size.
OPTIONS = {"F009": {"max_line_bytes": 1024}}


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_sample_triggers_exactly_its_rule(path):
    code = path.name.split("-", 1)[0]
    report = validate_stream(path, profile=sample_profile(code), **OPTIONS.get(code, {}))
    assert report.violations, f"{path.name} triggers nothing"
    assert {v.code for v in report.violations} == {code}, [
        (v.code, v.line, v.message) for v in report.violations]


def test_every_rule_has_a_sample():
    # Transport (H) and scenario-expectation (X) findings come from the live HTTP exchange and
    # the request a scenario sent, which no capture file carries: they cannot have a file
    # sample.  tests/test_check.py triggers each of them against a real server instead
    # (test_every_live_rule_is_triggered).
    # Difference (D) findings compare two streams: their samples are pairs in samples/diff/,
    # checked by tests/test_diff.py.
    covered = {p.name.split("-", 1)[0] for p in INVALID}
    live = {code for code in RULES if code.startswith(LIVE_FAMILIES)}
    assert live, "the live-only families have rules"
    assert set(RULES) - covered == live | {code for code in RULES
                                           if code.startswith(DIFF_FAMILIES)}
    for path in INVALID:
        code, name = path.stem.split("-", 1)
        assert RULES[code].name == name, f"{path.name} should be named {code}-{RULES[code].name}"


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
@pytest.mark.parametrize("profile", ["openai", "strict"])
def test_valid_sample_is_clean(path, profile):
    report = validate_stream(path, profile=profile)
    assert report.events > 3
    assert [v for v in report.violations if v.severity.value != "info"] == []


def test_seed_with_mismatched_ids_keeps_its_findings():
    report = validate_stream(SAMPLES / "seeds" / "responses-mismatched-ids.jsonl")
    found = [(v.code, v.line) for v in sorted(report.violations, key=lambda v: v.sort_key())]
    assert found == [("Q001", 1), ("I003", 7), ("I003", 8), ("I003", 9), ("R001", 10),
                     ("R003", 10)]
    by_code = {v.code: v for v in report.violations}
    assert "512" in by_code["R003"].message and "543 + 478" in by_code["R003"].message
    assert "resp_67c9a878139c8190aa2e3105411b408b" in by_code["R001"].message
    assert report.errors == 5


def test_seed_api_reference_example_has_its_findings():
    # The API reference's streaming example elides the deltas ("...") and predates
    # sequence_number: its one delta cannot add up to the done text.
    report = validate_stream(SAMPLES / "seeds" / "api-reference-example.sse")
    assert codes(report) == ["F011", "Q001", "T001"]  # "..." is an unknown SSE field
