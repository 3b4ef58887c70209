"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from validator import validate_stream
from validator.rules import RULES

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
CORPUS = REPO.parent / "shared" / "corpus" / "real"


def sample_profile(code: str) -> str:
    """The profile under which a rule's sample is expected to trigger it."""
    rule = RULES[code]
    if rule.severity is not None:
        return "openai"
    return next(p for p in ("open-responses", "strict") if rule.severity_in(p) is not None)


def sources_table(folder: Path) -> dict[str, tuple[str, int]]:
    """file name -> (Expect column, Events column) of a corpus folder's SOURCES.md."""
    import re

    if not folder.is_dir():
        return {}
    rows = {}
    for line in (folder / "SOURCES.md").read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 12 and (name := re.fullmatch(r"`([^`]+)`", cells[2])):
            rows[name.group(1)] = (cells[11], int(cells[9]))
    return rows


def decode_with(decoder, chunks: list[bytes]) -> list:
    """Everything a framing decoder yields for ``chunks``, ``close()`` included."""
    out = []
    for chunk in chunks:
        out += decoder.feed(chunk)
    return out + decoder.close()


def every_split(data: bytes) -> list[list[bytes]]:
    """The input cut in two at every offset, and fed one byte at a time."""
    return [[data[:i], data[i:]] for i in range(len(data) + 1)] + [
        [data[i:i + 1] for i in range(len(data))]]


def sarif_validator() -> Any:
    """A validator of the official SARIF 2.1.0 schema (tests/data), URI formats checked."""
    import jsonschema

    schema = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    checker = jsonschema.FormatChecker()
    assert {"uri", "uri-reference"} <= set(checker.checkers)  # artifact URIs are checked too
    return jsonschema.Draft4Validator(schema, format_checker=checker)


def codes(report) -> list[str]:
    return sorted(v.code for v in report.violations)


def errors(report) -> list:
    return [v for v in report.violations if v.severity.value == "error"]


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not beside the checkout ({CORPUS})")
    return CORPUS


__all__ = ["CORPUS", "REPO", "SAMPLES", "codes", "decode_with", "errors", "every_split",
           "sample_profile", "sarif_validator", "sources_table", "validate_stream"]
