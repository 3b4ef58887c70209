"""``diff``: the content model of each kind, the D rules on their sample pairs, real captures
translated faithfully (no finding) and broken the way bridges break them (one finding each)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import SAMPLES
from translate import EDITS, render

from validator import validate_stream
from validator.content import REASONING, SUMMARY, TOOL_CALL, Usage
from validator.diff import compare, diff_reports
from validator.rules import DIFF_FAMILIES, RULES

PAIRS = sorted(p for p in (SAMPLES / "diff").iterdir() if p.is_dir())


def answer(source, **options):
    return validate_stream(source, content=True, **options).answer


def codes(up, down) -> list[str]:
    return sorted(d.code for d in compare(up, down))


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "validator", *args], input=stdin,
                          capture_output=True, timeout=60)


# -- the sample pairs --------------------------------------------------------------------------

@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_sample_pair_triggers_exactly_its_rule_and_both_sides_are_clean(pair):
    code = pair.name.split("-", 1)[0]
    up = validate_stream(next(pair.glob("upstream.*")), content=True)
    down = validate_stream(next(pair.glob("downstream.*")), content=True)
    assert up.violations == [] and down.violations == []
    found = diff_reports(up, down)
    assert [v.code for v in found] == [code], [(v.code, v.message) for v in found]
    assert found[0].upstream.path == up.path


def test_every_diff_rule_has_a_sample_pair_named_after_it():
    covered = {}
    for pair in PAIRS:
        code, name = pair.name.split("-", 1)
        covered[code] = name
        assert {p.stem for p in pair.iterdir()} == {"upstream", "downstream"}, pair.name
    assert covered == {code: rule.name for code, rule in RULES.items()
                       if code.startswith(DIFF_FAMILIES)}


def test_rule_command_shows_both_files_of_the_pair():
    result = cli("rule", "D003")
    out = result.stdout.decode()
    assert result.returncode == 0
    assert out.index("## Sample (D003-tool-call-dropped/upstream.sse)") < out.index(
        "## Sample (D003-tool-call-dropped/downstream.sse)")


# -- the content model -------------------------------------------------------------------------

def test_chat_and_responses_captures_reduce_to_the_same_answer(corpus):
    chat = answer(corpus / "chat__mirascope__finish-length.sse")
    responses = answer(corpus / "mirascope__incomplete-max-output-tokens.sse")
    assert [c.stop for c in chat.choices] == [c.stop for c in responses.choices] == ["length"]
    assert chat.usage == responses.usage == Usage(input=14, output=50, reasoning=0, cached=0)
    calls = answer(corpus / "chat__mirascope__parallel-tool-calls.sse").choices[0].of(TOOL_CALL)
    assert [(c.name, c.call_id, c.arguments) for c in calls] == [
        ("secret_retrieval_tool", "call_M26z19sncd7b4LBgzKRRbaUE", {"password": "mellon"}),
        ("secret_retrieval_tool", "call_KPXe5NX7IcKkaBUhc6dto2QV", {"password": "radiance"})]
    # Where each piece is: the chunk that started the tool call, the finish_reason chunk.
    assert [c.at for c in calls] == [(3, 1), (15, 7)]
    assert chat.choices[0].stop_at == (103, 51)


def test_tool_arguments_are_compared_as_json_values():
    up = answer(SAMPLES / "diff" / "D006-tool-arguments-differ" / "upstream.sse")
    call = up.choices[0].blocks[0]
    same = _with_arguments(up, '{ "city":"Paris" }')
    assert codes(up, same) == []
    for changed in ('{"city": "Paris", "extra": 1}', '{"city": ["Paris"]}', '{"city": "paris"}',
                    '{"city": "Paris"'):
        assert codes(up, _with_arguments(up, changed)) == ["D006"], changed
    flags = _with_arguments(up, '{"on": true}')
    assert codes(flags, _with_arguments(up, '{"on": 1}')) == ["D006"]  # true is not 1
    assert codes(_with_arguments(up, '{"n": 1}'), _with_arguments(up, '{"n": 1.0}')) == []
    assert codes(_with_arguments(up, ""), _with_arguments(up, "{}")) == []  # no arguments: {}
    assert call.arguments == {"city": "Paris"}


def _with_arguments(answer_, text: str):
    from dataclasses import replace

    choice = answer_.choices[0]
    blocks = [replace(b, text=text) if b.type == TOOL_CALL else b for b in choice.blocks]
    return replace(answer_, choices=[replace(choice, blocks=blocks)])


def test_text_split_into_other_parts_is_the_same_text():
    up = answer(SAMPLES / "valid" / "chat-text.sse")
    down = answer(render(up, "responses"))
    assert len(up.choices[0].blocks) == 1
    assert codes(up, down) == []


# -- real captures, translated faithfully and broken -------------------------------------------

#: Real captures (text, refusal, reasoning, tool calls, hosted tools, truncation; every kind),
#: under shared/corpus/, whose faithful translation into each kind lints clean.
REAL = ["real/chat__mirascope__finish-length.sse", "real/chat__mirascope__parallel-tool-calls.sse",
        "real/chat__mirascope__refusal.sse", "real/chat__pydantic-ai__deepseek-reasoning.sse",
        "real/chat__simonw-llm__tool-call.sse", "real/chat__vercel-ai__openai-text.jsonl",
        "real/mirascope__incomplete-max-output-tokens.sse",
        "real/mirascope__parallel-function-calls.sse", "real/mirascope__refusal.sse",
        "real/openai-dotnet__function-call.sse", "real/pydantic-ai__reasoning-summary.sse",
        "real/vercel-ai__reasoning-summary-12-parts.jsonl", "real/openai-dotnet__text-hello.sse",
        "real/openai-dotnet__web-search.sse",
        "anthropic/crewai__text-then-tool-use.sse", "anthropic/llm-anthropic__sonnet-thinking.sse",
        "anthropic/mirascope__max-tokens.sse", "anthropic/mirascope__thinking-text-tool-use.sse",
        "anthropic/vercel-ai__three-parallel-tool-uses.jsonl",
        "anthropic/llm-anthropic__web-search.sse", "anthropic/crewai__cached-prompt.sse"]
KINDS = ["chat", "responses", "anthropic"]


@pytest.fixture
def shared(corpus):
    return corpus.parent


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", REAL)
def test_faithful_translation_of_a_real_capture_gives_no_finding(shared, name, kind):
    up = validate_stream(shared / name, content=True)
    down = validate_stream(render(up.answer, kind), content=True)
    assert [v.code for v in down.violations if v.severity.value != "info"] == []
    assert diff_reports(up, down) == []


def _edits_for(up) -> list[str]:
    types = {b.type for b in up.choices[0].blocks}
    if REASONING in types or SUMMARY in types:
        types.add(REASONING)
    calls = len(up.choices[0].of(TOOL_CALL))
    return [name for name, (_, _, needs) in EDITS.items()
            if needs is None or (needs in types and (name != "tool call dropped" or calls > 1))]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", REAL)
def test_each_edit_of_a_faithful_translation_gives_its_one_finding(shared, name, kind):
    up = answer(shared / name)
    edits = _edits_for(up)
    assert edits
    for edit_name in edits:
        edit, code, _ = EDITS[edit_name]
        down = answer(render(edit(up), kind))
        assert codes(up, down) == [code], (edit_name, [d.message for d in compare(up, down)])


def test_the_edits_cover_every_loss_the_issue_names(shared):
    covered = {edit for name in REAL for edit in _edits_for(answer(shared / name))}
    assert covered == set(EDITS)


# -- the command -------------------------------------------------------------------------------

def test_diff_command_json_points_at_both_sides():
    pair = SAMPLES / "diff" / "D010-stop-condition-differs"
    result = cli("diff", str(pair / "upstream.sse"), str(pair / "downstream.sse"),
                 "--format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    up, down = document["files"]
    assert (up["kind"], down["kind"]) == ("chat", "responses")
    assert up["violations"] == []
    [finding] = down["violations"]
    assert finding["code"] == "D010" and finding["severity"] == "error"
    down_lines = (pair / "downstream.sse").read_text().splitlines()
    up_lines = (pair / "upstream.sse").read_text().splitlines()
    # Each side's line is the event that says how the stream stopped.
    assert down_lines[finding["line"] - 1] == "event: response.completed"
    assert finding["upstream"]["path"] == str(pair / "upstream.sse")
    assert '"finish_reason": "length"' in up_lines[finding["upstream"]["line"] - 1]
    assert document["summary"] == {"files": 2, "errors": 1, "warnings": 0, "infos": 0}


def test_diff_command_text_stdin_exit_codes():
    pair = SAMPLES / "diff" / "D001-text-differs"
    upstream = (pair / "upstream.sse").read_bytes()
    result = cli("diff", "-", str(pair / "downstream.sse"), "--stdin-filename", "up.sse",
                 stdin=upstream)
    out = result.stdout.decode()
    assert result.returncode == 1
    assert "D001 [error] text cut short" in out and "    upstream: up.sse:" in out
    same = cli("diff", "-", str(pair / "upstream.sse"), stdin=upstream)
    assert same.returncode == 0 and b"no findings" in same.stdout
    warning = SAMPLES / "diff" / "D008-reasoning-dropped"
    args = ("diff", str(warning / "upstream.sse"), str(warning / "downstream.sse"))
    assert cli(*args).returncode == 0
    assert cli(*args, "--strict").returncode == 1
    assert cli(*args, "--ignore", "D008", "--strict").returncode == 0
    both = cli("diff", "-", "-", stdin=b"")
    assert both.returncode == 2 and b"only one side" in both.stderr and b"Traceback" not in \
        both.stderr
    missing = cli("diff", "nope.sse", str(pair / "upstream.sse"))
    assert missing.returncode == 2 and b"cannot read nope.sse" in missing.stderr


def test_lint_json_findings_have_no_upstream_key():
    sample = next((SAMPLES / "invalid").glob("I003-*"))
    result = cli("lint", str(sample), "--format", "json")
    assert all("upstream" not in v for f in json.loads(result.stdout)["files"]
               for v in f["violations"])


def test_sarif_relates_the_upstream_location():
    pair = SAMPLES / "diff" / "D003-tool-call-dropped"
    result = cli("diff", str(pair / "upstream.sse"), str(pair / "downstream.sse"),
                 "--format", "sarif")
    [found] = json.loads(result.stdout)["runs"][0]["results"]
    related = found["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"].endswith("D003-tool-call-dropped/upstream.sse")
    assert related["region"]["startLine"] > 1
