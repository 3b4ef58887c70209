"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from validator import validate_stream
from validator.cache import ENV_DIR
from validator.rules import RULES

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
_CORPORA = REPO.parent / "shared" / "corpus"
#: The real captures, one folder per collection, each described by its SOURCES.md.
CORPUS = [_CORPORA / "real", _CORPORA / "real-2026-12"]
#: The first collection: the captures tests pick by name (replay, mutations) come from it.
REAL = CORPUS[0]


def sample_profile(code: str) -> str:
    """The profile under which a rule's sample is expected to trigger it."""
    rule = RULES[code]
    if rule.severity is not None:
        return "default"
    return next(p for p in ("open-responses", "strict") if rule.severity_in(p) is not None)


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


def pointed(findings) -> list[tuple[str, str | None]]:
    """``(code, pointer)`` of each finding (``validator.model.Finding``), in order."""
    return [(f.code, f.pointer) for f in findings]


def corpus_rows(folders: list[Path] = CORPUS) -> dict[Path, dict[str, str]]:
    """Every capture of the collections (by default both OpenAI ones) -> the columns of its
    SOURCES.md row, by header."""
    rows: dict[Path, dict[str, str]] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        header = None
        for line in (folder / "SOURCES.md").read_text("utf-8").splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None and "Expect" in cells and "File" in cells:
                header = cells
            elif header and len(cells) == len(header) and (
                    m := re.fullmatch(r"`([^`]+)`", cells[1])):
                rows[folder / m.group(1)] = dict(zip(header, cells, strict=True))
    return rows


def capture_id(path: Path) -> str:
    """`real/name.sse`: a readable test id for a capture."""
    return f"{path.parent.name}/{path.name}"


@pytest.fixture
def corpus() -> Path:
    """The first collection (for tests that name its captures)."""
    if not all(folder.is_dir() for folder in CORPUS):
        pytest.skip(f"the shared corpus is not beside the checkout ({REAL.parent})")
    return REAL


__all__ = ["CORPUS", "REAL", "REPO", "SAMPLES", "capture_id", "codes", "corpus_rows",
           "decode_with", "errors", "every_split", "sample_profile", "sarif_validator",
           "validate_stream"]


@pytest.fixture(autouse=True, scope="session")
def predicate_cache(tmp_path_factory):
    """The whole suite's predicate cache (``validator.cache``) in a temporary folder, for the
    subprocesses too: a test never reads or writes the user's own cache."""
    folder = tmp_path_factory.mktemp("predicate-cache")
    saved = os.environ.get(ENV_DIR)
    os.environ[ENV_DIR] = str(folder)
    yield folder
    if saved is None:
        del os.environ[ENV_DIR]
    else:
        os.environ[ENV_DIR] = saved
