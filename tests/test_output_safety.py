"""Stream content echoed in reports cannot drive a terminal or break the JSON document.

The hostile content rides where reports quote it: an unknown event type (L009 message), the
excerpt of the offending event, a line that is not JSON (F001 quote), the file name.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from click.testing import CliRunner

from validator import validate_stream
from validator.cli import main
from validator.reporters import REPORTERS

#: ESC/CSI (clear screen, colour), OSC (window title, hyperlink), C1 CSI, BEL, backspace, CR,
#: DEL, NUL, the Unicode line separators, and XML/JSON metacharacters.
HOSTILE = ('\x1b[2J\x1b[31m\x1b]0;pwned\x07\x1b]8;;x\x1b\\\x9b1m\x08\r\x7f\x00'
           '\u2028\u2029</testcase>"quoted" \'single\' <&>')
#: What a terminal would act on: C0 controls but LF, DEL, C1 controls, line separators.
_ACTIVE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _stream(tmp_path, content: str) -> str:
    """A JSONL stream carrying ``content`` in an unknown type, a delta, and a broken line."""
    lines = [
        {"type": "response.created", "sequence_number": 0, "response": {"id": content}},
        {"type": "response." + content, "sequence_number": 1},
        {"type": "response.output_text.delta", "sequence_number": 2, "output_index": 0,
         "content_index": 0, "item_id": content, "delta": content},
    ]
    data = "".join(json.dumps(line) + "\n" for line in lines) + "{not json " + content + "\n"
    path = tmp_path / "hostile.jsonl"
    path.write_text(data, encoding="utf-8")
    return str(path)


def lint(*args: str) -> str:
    return CliRunner().invoke(main, ["lint", *args], catch_exceptions=False).output


def test_text_output_escapes_control_characters(tmp_path):
    output = lint("--color", "never", _stream(tmp_path, HOSTILE))
    assert not _ACTIVE.search(output), repr(_ACTIVE.search(output))
    assert "\\x1b[2J" in output  # shown, escaped, in the L009 message and the excerpt
    assert "</testcase>" in output  # harmless in text: shown as it is


def test_text_output_colours_only_its_own_severity_labels(tmp_path):
    output = lint("--color", "always", _stream(tmp_path, HOSTILE))
    # Every ESC left is one of click's SGR sequences around the labels and headers.
    assert set(re.findall("\x1b\\[[0-9;]*m", output)) <= {"\x1b[31m", "\x1b[33m", "\x1b[36m",
                                                          "\x1b[1m", "\x1b[0m"}
    assert "\x1b]" not in output and "\x1b[2J" not in output


def test_json_output_stays_valid_and_keeps_the_content(tmp_path):
    output = lint("--format", "json", _stream(tmp_path, HOSTILE))
    assert output.isascii() and not _ACTIVE.search(output)
    doc = json.loads(output)
    messages = [v["message"] for v in doc["files"][0]["violations"]]
    # The content survives the round trip exactly (quoted as Python quotes it), not mangled.
    assert any(repr("response." + HOSTILE) in m for m in messages), messages


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_lone_surrogates_from_events_and_paths(fmt):
    # Lone surrogates cannot come out of UTF-8 bytes, but they do arrive in event dicts built by
    # callers and in file names that are not UTF-8 (decoded with surrogateescape).
    odd = "m\ud800\x1b[2J\udcff"
    events = [{"type": "response.created", "sequence_number": 0, "response": {}},
              {"type": "response.output_item.added", "sequence_number": 1, "output_index": 0,
               "item": {"id": odd, "type": "message", "content": []}},
              {"type": "response.content_part.added", "sequence_number": 2, "output_index": 0,
               "content_index": 0, "item_id": "other", "part": {"type": "output_text"}}]
    report = validate_stream(events, name=os.fsdecode(b"capture-\xff.jsonl"))
    # The message names the item by its raw id (I003): the reporter must make it safe.
    assert any(odd in v.message for v in report.violations)
    output = REPORTERS[fmt]([report], color=False)
    output.encode("utf-8")  # no lone surrogate left: printable as UTF-8
    assert not _ACTIVE.search(output)
    if fmt == "json":
        doc = json.loads(output)
        assert doc["files"][0]["path"] == "capture-\udcff.jsonl"
        assert any(odd in v["message"] for v in doc["files"][0]["violations"])
    elif fmt == "sarif":  # a URI: the file name's original bytes, percent-encoded
        run = json.loads(output)["runs"][0]
        locations = {loc["physicalLocation"]["artifactLocation"]["uri"]
                     for result in run["results"] for loc in result["locations"]}
        assert locations == {"capture-%FF.jsonl"}
        assert any("m\\ud800\\x1b[2J\\udcff" in r["message"]["text"] for r in run["results"])
    else:
        assert "capture-\\udcff.jsonl" in output and "m\\ud800\\x1b[2J\\udcff" in output


def test_stdin_filename_is_escaped():
    result = CliRunner().invoke(main, ["lint", "--stdin-filename", "in\x1b[2Jput", "-"],
                                input=b'{"type":"response.created","sequence_number":0}\n')
    assert "\x1b[2J" not in result.output and "in\\x1b[2Jput" in result.output


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200f", "\u061c"])
def test_bidi_controls_are_shown_escaped(tmp_path, control):
    """Issue 18.18: a right-to-left override (U+202E) in stream content reorders what the
    terminal shows of the report line ("Trojan Source"); it is shown escaped like a control."""
    path = _stream(tmp_path, f"safe{control}txt.exe")
    result = CliRunner().invoke(main, ["lint", path, "--color", "never"])
    assert result.exit_code == 1
    assert control not in result.output
    assert f"\\u{ord(control):04x}" in result.output


def test_printable_text_is_returned_as_it_is_and_every_unsafe_character_is_unprintable():
    # `printable` skips the pattern for a text `str.isprintable` accepts: exact only while
    # every character the pattern escapes is one isprintable refuses.
    from validator.reporters import _safe

    unsafe = re.compile(_safe._UNSAFE)
    escaped = [c for c in map(chr, range(0x110000)) if unsafe.match(c)]
    assert len(escaped) > 2048 and not any(c.isprintable() for c in escaped)
    assert _safe.printable("capture.sse: ünïcode — fine") == "capture.sse: ünïcode — fine"
    assert _safe.printable("a\x1bb\u202ec\ud800") == "a\\x1bb\\u202ec\\ud800"
