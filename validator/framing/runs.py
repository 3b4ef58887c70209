"""Runs of events that differ in one string only, taken without parsing the rest.

A stream of text deltas repeats one event's bytes but for the fragment:
``{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"…"}}``.  Once
the consumer has checked such an event in full and found nothing in it but the fragment to
take (``offer_run`` of the decoder), a later event made of the same bytes around another JSON
string in the fragment's place is the same event with another fragment: a string is one token
of the JSON grammar, so putting another in its place changes nothing else.  Only that string
is parsed, by orjson, which checks its UTF-8 and escapes as a parse of the whole event would;
an event with other bytes, or whose string orjson refuses, goes the usual way and ends the run.
Every decoder takes runs: a JSONL line, an element of a JSON array (compact or pretty-printed:
the bytes around the fragment repeat all the same) and the data of an SSE event with one data
line and the run's `event:` name (a block of several data lines, or a trace, goes the usual
way).

``template`` finds the fragment's place only where nothing else can be there: the value of the
last member of an object that the event closes at once (``nesting`` braces after it, blanks
aside), under the fragment's own key.  With the consumer's word that the event has no other
member of that name, that value is the fragment, whatever else the line holds.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson

__all__ = ["Run", "template"]

_QUOTE, _BACKSLASH, _CLOSE = 34, 92, 125
_BLANKS = b" \t\r\n"

#: ``on_fragment(index, line, fragment)``: an event of the run, its fragment parsed.
OnFragment = Callable[[int, int, str], None]


class Run:
    """The bytes around the fragment of a run's first event, and where its fragments go."""

    __slots__ = ("breaks", "end", "fixed", "name", "on_fragment", "prefix", "start", "suffix")

    def __init__(self, prefix: bytes, suffix: bytes, on_fragment: OnFragment,
                 name: str | None = None) -> None:
        self.prefix = prefix
        self.suffix = suffix
        self.on_fragment = on_fragment
        self.start = len(prefix)
        self.end = len(suffix)
        self.fixed = len(prefix) + len(suffix) + 2  # an event of the run: at least `""` between
        self.breaks = prefix.count(b"\n") + suffix.count(b"\n")  # (pretty-printed arrays)
        self.name = name  # (SSE) the `event:` name of the first event

    def fragment(self, event: bytes) -> str | None:
        """The fragment of ``event`` (its bytes) if it is an event of the run."""
        # (startswith without a start: with one, 3.11 parses its arguments the slow way)
        if len(event) < self.fixed or not event.startswith(self.prefix) or \
                not event.endswith(self.suffix):
            return None
        try:
            fragment = orjson.loads(event[self.start:len(event) - self.end])
        except orjson.JSONDecodeError:
            return None
        return fragment if type(fragment) is str else None


def _escaped(line: bytes, quote: int) -> bool:
    """Whether the quote at ``quote`` is escaped (an odd number of backslashes before it)."""
    start = quote
    while start and line[start - 1] == _BACKSLASH:
        start -= 1
    return (quote - start) % 2 == 1


def template(line: bytes, field: str, nesting: int) -> tuple[bytes, bytes, bytes] | None:
    """``(prefix, string, suffix)``: the bytes of an event (``line``) cut around the JSON
    string that is the value of ``field`` in the object closed ``nesting`` braces before their
    end; ``None`` if they do not end that way (the caller then takes no shortcut)."""
    close = len(line) - 1
    braces = 0
    while close >= 0 and line[close] in b" \t\r\n}":
        braces += line[close] == _CLOSE
        close -= 1
    if braces != nesting or close < 0 or line[close] != _QUOTE or _escaped(line, close):
        return None
    # The opening quote: the first one before that is not escaped (inside a string every
    # quote is).
    opening = close
    while True:
        opening = line.rfind(b'"', 0, opening)
        if opening < 0:
            return None
        if not _escaped(line, opening):
            break
    head = line[:opening].rstrip(_BLANKS)
    key = f'"{field}"'.encode()
    if not head.endswith(b":"):
        return None
    head = head[:-1].rstrip(_BLANKS)
    # The key's opening quote must open a string, not close an earlier one.
    if not head.endswith(key) or _escaped(head, len(head) - len(key)):
        return None
    return line[:opening], line[opening:close + 1], line[close + 1:]
