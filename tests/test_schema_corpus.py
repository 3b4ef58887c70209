"""The schema check over the real captures: no finding on genuine OpenAI/Azure output, and the
three evaluation paths (compiled predicates, jsonschema_rs, jsonschema) agreeing on every event
and on mutated copies of them."""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import capture_id, corpus_rows, pointed

from validator.schemas import SchemaChecker

PROFILES = ("openai", "strict", "open-responses")
PATHS = ("compiled", "rs", "python")
PRODUCED_BY_OPENAI = re.compile(r"\b(OpenAI api\.openai\.com|Azure OpenAI)")


ROWS = corpus_rows()
#: pass, quirk and edited captures of OpenAI or Azure: what the API itself produces.
GENUINE = sorted(path for path, row in ROWS.items()
                 if PRODUCED_BY_OPENAI.match(row["Producer"])
                 and {"pass", "quirk", "edited"} & set(re.split(r"[ ,]+", row["Expect"])))
OTHERS = sorted(set(ROWS) - set(GENUINE))


def kind_of(path: Path) -> str:
    return "chat" if path.name.startswith("chat__") else "responses"


def events(path: Path) -> Iterator[dict]:
    """JSONL: one event a line; SSE: the `data:` lines, without `[DONE]`.  Azure's content filter
    chunks (`object: ""`) are skipped, like the SDKs and the engine skip them."""
    text = path.read_text("utf-8")
    if path.suffix == ".jsonl":
        lines = text.splitlines()
    else:
        lines = [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]
    for line in lines:
        if line.strip() and line != "[DONE]":
            event = json.loads(line)
            if isinstance(event, dict) and event.get("object") != "":
                yield event


@pytest.fixture(scope="module")
def checkers() -> dict[str, SchemaChecker]:
    return {profile: SchemaChecker(profile) for profile in PROFILES}


def test_sources_table_was_read(corpus):
    assert len(ROWS) == 58 + 99
    assert len(GENUINE) >= 40 + 80


@pytest.mark.parametrize("name", GENUINE, ids=capture_id)
def test_genuine_openai_capture_has_no_schema_error(corpus, checkers, name):
    kind = kind_of(name)
    found = [(n, finding) for n, event in enumerate(events(name))
             for finding in checkers["openai"].check(event, kind)]
    assert found == []


def _verdicts(checker: SchemaChecker, event: dict, kind: str) -> dict[str, bool]:
    return {path: checker.is_valid(event, kind, path) for path in PATHS}


@pytest.mark.parametrize("name", sorted(ROWS), ids=capture_id)
@pytest.mark.parametrize("profile", PROFILES)
def test_paths_agree_on_every_capture(corpus, checkers, name, profile):
    checker, kind = checkers[profile], kind_of(name)
    for n, event in enumerate(events(name)):
        verdicts = _verdicts(checker, event, kind)
        assert len(set(verdicts.values())) == 1, (n, verdicts, checker.explain(event, kind))
        # check() says invalid exactly when the paths do, unless another rule owns the finding.
        if verdicts["python"]:
            assert checker.check(event, kind) == []


# -- mutations ---------------------------------------------------------------------------------

MAX_LEAVES = 60
WRONG = {str: 7, int: "7", float: "7.5", bool: "true", list: {}, dict: [], type(None): 5}


def _leaves(node, path=()) -> Iterator[tuple]:
    """(path, value) of every value inside an event, nested ones included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key), value
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:2]):
            yield (*path, index), value
            yield from _leaves(value, (*path, index))


def _set(event: dict, path: tuple, value=None, delete: bool = False) -> dict:
    copied = copy.deepcopy(event)
    node = copied
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return copied


def mutations(event: dict) -> Iterator[tuple[str, dict]]:
    """Each value of the wrong type, each key removed, each string status replaced (the first
    ``MAX_LEAVES`` values of an event: a response carries whole tool definitions)."""
    for path, value in itertools.islice(_leaves(event), MAX_LEAVES):
        if path == ("type",):
            continue
        yield f"wrong type at {path}", _set(event, path, WRONG[type(value)])
        if isinstance(path[-1], str):
            yield f"missing {path}", _set(event, path, delete=True)
        if path[-1] in ("status", "role", "object", "truncation", "finish_reason", "type"):
            yield f"bad value at {path}", _set(event, path, "bogus")


def _samples(corpus: Path) -> Iterator[tuple[Path, str, dict]]:
    """One event of each shape in the corpus: per type, item type and part type (~200)."""
    seen = set()
    for name in sorted(ROWS):
        for event in events(name):
            nested = event.get("item") or event.get("part") or {}
            key = (kind_of(name), event.get("type"), tuple(sorted(event)),
                   nested.get("type") if isinstance(nested, dict) else None)
            if key not in seen:
                seen.add(key)
                yield name, kind_of(name), event


@pytest.mark.parametrize("profile", PROFILES)
def test_paths_agree_on_mutated_events_and_findings_point_at_the_mutation(
        corpus, checkers, profile):
    checker, tried, invalid = checkers[profile], 0, Counter()
    for name, kind, event in _samples(corpus):
        for what, mutated in mutations(event):
            tried += 1
            verdicts = _verdicts(checker, mutated, kind)
            assert len(set(verdicts.values())) == 1, (name, what, verdicts)
            if verdicts["python"]:
                continue
            invalid[kind] += 1
            findings = checker.explain(mutated, kind)
            assert len({f.pointer for f in findings}) == len(findings), (name, what, findings)
            for finding in findings:
                assert finding.message.startswith(f"`{finding.pointer}`: "), finding
                assert finding.code in ("S001", "S002", "S003", "S004"), (name, what, finding)
    assert tried > 2000
    assert invalid["responses"] > 1000 and invalid["chat"] > 50


def test_a_mutation_in_an_item_gives_one_finding_there(corpus, checkers):
    """An error inside a known item is reported at its field, not as a failed union."""
    event = next(e for e in events(corpus / "openai-dotnet__web-search.sse")
                 if e["type"] == "response.output_item.done" and e["item"]["type"] == "message")
    broken = _set(event, ("item", "content", 0, "annotations"), "none")
    assert pointed(checkers["openai"].check(broken)) == [("S001", "/item/content/0/annotations")]


def test_report_what_other_servers_trigger(corpus, checkers):
    """Not a pass/fail check: what the non-OpenAI captures give (shown with ``pytest -s``)."""
    for name in OTHERS:
        for profile in ("openai", "strict"):
            counts = Counter(f.code for event in events(name)
                             for f in checkers[profile].check(event, kind_of(name)))
            print(f"{name} [{profile}]: {dict(sorted(counts.items())) or 'clean'}")
            assert set(counts) <= {"S001", "S002", "S003", "S004"}
