"""The HTML view: `stream-validator view`, `--format html`, and the page in a real browser.

The browser is headless Chromium (Debian's `chromium` package; `.ci/run` installs it): the test
loads the page from a file, reads the DOM after the page's script ran, checks the lanes and the
findings it shows, and saves a screenshot in `out/artifacts/`.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner
from conftest import REPO, SAMPLES

from validator import validate_stream
from validator.cli import main
from validator.model import Frame
from validator.reporters.html import render
from validator.timeline import MAX_ROWS, build

SEED = SAMPLES / "seeds" / "responses-mismatched-ids.jsonl"
CHAT_TOOLS = SAMPLES / "valid" / "chat-parallel-tool-calls.sse"
ARTIFACTS = REPO / "out" / "artifacts"


def view(capture: Path, out: Path, *args: str):
    return CliRunner().invoke(main, ["view", str(capture), "-o", str(out), "--isolated", *args],
                              catch_exceptions=False)


def chromium(*args: str, page: Path, profile: Path) -> subprocess.CompletedProcess:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary, "the HTML view is tested in Chromium: apt-get install -y chromium"
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={profile}", "--window-size=1300,900", *args, page.as_uri()],
        capture_output=True, text=True, timeout=120)


def test_view_writes_a_self_contained_page(tmp_path):
    result = view(SEED, tmp_path / "seed.html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "seed.html").read_text("utf-8")
    assert "<style>" in page and "<script>" in page
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=", page)  # nothing fetched
    assert set(re.findall(r'href="([^"]*)"', page)) <= {
        f"#{anchor}" for anchor in re.findall(r'id="([^"]+)"', page)}  # every link is on the page
    assert "5 errors, 1 warning" in result.output


def test_the_page_in_chromium_shows_lanes_and_findings(tmp_path):
    view(SEED, tmp_path / "seed.html")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "view-seed.png"
    shot.unlink(missing_ok=True)
    dom = chromium("--dump-dom", page=tmp_path / "seed.html", profile=tmp_path / "p1").stdout
    assert 'data-ready="1"' in dom  # the page's script ran without an error
    lanes = [html.unescape(t) for t in re.findall(r'<th class="lane">(.*?)</th>', dom)]
    assert lanes == ["response", "item 0 · message msg_67c9a81dea8c8190b79651a2b3adf91e",
                     "item 0 › part 0"]
    pinned = {}
    for line, row in re.findall(r'<tr class="event[^"]*" id="s0-e\d+"><td class="at">(\d+)</td>'
                                r"(.*?)</tr>", dom):
        pinned[int(line)] = re.findall(r'href="#rule-(\w+)"', row)
    assert pinned == {1: ["Q001"], 2: [], 3: [], 4: [], 5: [], 7: ["I003"], 8: ["I003"],
                      9: ["I003"], 10: ["R001", "R003"]}
    assert "output_text.delta</span> <span class=\"run\">× 2 (lines 5–6)" in dom
    assert "9 rows drawn, 6 findings pinned to events" in dom
    assert re.search(r'<div class="rule" id="rule-I003"><h3>I003 item-id-mismatch', dom)
    assert "'msg_67c9a8787f4c8190b49c858d4c1cf20c' does not match item 0" in dom
    assert "Hello, World!" in dom  # the part's accumulated text
    chromium(f"--screenshot={shot}", page=tmp_path / "seed.html", profile=tmp_path / "p2")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chat_lanes_are_choices_and_tool_calls(tmp_path):
    view(CHAT_TOOLS, tmp_path / "chat.html")
    page = (tmp_path / "chat.html").read_text("utf-8")
    lanes = re.findall(r'<th class="lane">(.*?)</th>', page)
    assert lanes == ["stream", "choice 0", "choice 0 › tool call 0 · get_weather",
                     "choice 0 › tool call 1 · get_time"]
    assert html.escape('{"location":"Paris, France","unit":"celsius"}') in page


def test_stream_content_cannot_inject_markup(tmp_path):
    events = [json.loads(line) for line in SEED.read_text().splitlines()]
    events[4]["delta"] = "</div><script>alert(1)</script>\x1b[2J"
    (tmp_path / "hostile.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    view(tmp_path / "hostile.jsonl", tmp_path / "hostile.html")
    page = (tmp_path / "hostile.html").read_text("utf-8")
    assert "<script>alert" not in page and "\x1b" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[2J" in page


def _page_of_deltas(count: int) -> str:
    head = [{"type": "response.created", "sequence_number": 0, "response": {}},
            {"type": "response.output_item.added", "sequence_number": 1, "output_index": 0,
             "item": {"id": "msg_1", "type": "message"}},
            {"type": "response.content_part.added", "sequence_number": 2, "output_index": 0,
             "content_index": 0, "item_id": "msg_1", "part": {"type": "output_text"}}]
    delta = {"type": "response.output_text.delta", "output_index": 0, "content_index": 0,
             "item_id": "msg_1", "delta": "ab"}
    frames = [Frame(i, i + 1, e) for i, e in enumerate(head)]
    stream = (*frames, *(Frame(i, i + 1, delta) for i in range(3, 3 + count)))
    timeline = build("responses", stream, [])
    assert [(r.type, r.count) for r in timeline.rows][-1] == ("response.output_text.delta", count)
    part = timeline.lanes[-1]
    assert len(part.text) + part.more_chars == 2 * count  # every character counted, not kept
    page = render([validate_stream(head)], timelines={0: timeline})
    assert f"× {count} (lines 4–{count + 3})" in page
    return page


def test_runs_of_deltas_collapse_the_page_does_not_grow_with_them():
    # 2 * 10^5 deltas keep the suite quick; README gives the measurement at 10^6.
    small, large = _page_of_deltas(20_000), _page_of_deltas(200_000)  # both past TEXT_CHARS
    assert len(large) < 60_000
    assert len(large) - len(small) < 20  # the digits of the counts


def test_rows_past_the_limit_are_counted_and_their_findings_still_listed():
    events = [{"type": "response.created", "response": {}}] + [
        {"type": "response.in_progress", "response": {}}] * (MAX_ROWS + 50)
    report = validate_stream(events)
    timeline = build("responses", (Frame(i, i + 1, e) for i, e in enumerate(events)),
                     report.violations)
    assert len(timeline.rows) == MAX_ROWS and timeline.undrawn == 51
    page = render([report], timelines={0: timeline})
    assert "51 later events not drawn" in page
    assert {v.code for v in report.violations} <= set(re.findall(r"#rule-(\w+)", page))


def test_lint_format_html_one_section_per_file(tmp_path):
    result = CliRunner().invoke(main, ["lint", "--isolated", "--format", "html", str(SEED),
                                       str(CHAT_TOOLS)], catch_exceptions=False)
    sections = re.findall(r'<section class="stream" id="s(\d+)">\s*<h2>(.*?)</h2>',
                          result.output)
    assert sections == [("0", str(SEED)), ("1", str(CHAT_TOOLS))]
    assert result.output.count('<table class="timeline">') == 2
    report = tmp_path / "report.html"
    CliRunner().invoke(main, ["lint", "--isolated", "-qq", str(SEED), "--report",
                              f"html={report}"], catch_exceptions=False)
    assert '<table class="timeline">' in report.read_text("utf-8")


def test_anthropic_lanes_are_content_blocks():
    events = [
        {"type": "message_start", "message": {"id": "msg_1", "type": "message", "content": []}},
        {"type": "content_block_start", "index": 0,
         "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1,
         "content_block": {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}},
        {"type": "content_block_delta", "index": 1,
         "delta": {"type": "input_json_delta", "partial_json": '{"a": 1}'}},
        {"type": "content_block_stop", "index": 1},
        {"type": "message_stop"}]
    timeline = build("anthropic", (Frame(i, i + 1, e) for i, e in enumerate(events)), [])
    assert [(lane.label, lane.text) for lane in timeline.lanes] == [
        ("message", ""), ("block 0 · text", "Hi!"), ("block 1 · tool_use", '{"a": 1}')]
    assert ("content_block_delta", 2) in [(row.type, row.count) for row in timeline.rows]
