"""What a downstream stream lost, added or changed against its upstream: the `D` findings.

``compare(upstream, downstream)`` takes the two :class:`~validator.content.Answer` of a stream a
gateway received and the stream it sent (any kinds) and returns one :class:`Difference` per
loss, each located on both sides.  It compares what a translation must keep, channel by
channel, not the shape: a chat choice's content may arrive as several Responses parts or
Anthropic text blocks, so texts are compared joined; tool calls are aligned by call id (by name
when the gateway rewrote every id) and their arguments compared as JSON values.  A channel the
downstream's kind cannot carry (server-side tool calls in Chat Completions, a second choice
outside it) is not compared: no translation into that kind could keep it.

Pure functions: no I/O.  ``diff_reports`` turns the differences into violations on the
downstream report for the reporters.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .content import (
    CARRIES,
    END,
    NOWHERE,
    REASONING,
    REFUSAL,
    SERVER_TOOL,
    SUMMARY,
    TEXT,
    TOOL_CALL,
    TOOL_USE,
    USAGE_FIELDS,
    Answer,
    Block,
    Choice,
    Location,
    Unparsed,
)
from .result import Counterpart, StreamReport, Violation
from .rules import RULES, enabled_rules
from .rules.impact import explained

__all__ = ["Difference", "compare", "diff_reports"]

#: Characters of each side quoted around a difference.
EXCERPT = 40


@dataclass(frozen=True, slots=True)
class Difference:
    code: str
    message: str
    downstream: Location
    upstream: Location


def compare(upstream: Answer, downstream: Answer) -> list[Difference]:
    """Every D finding of ``downstream`` against ``upstream``."""
    carries = CARRIES.get(downstream.kind, CARRIES["responses"])
    # Only Chat Completions has more than one choice: another kind keeps the first.
    count = len(upstream.choices) if downstream.kind == "chat" else min(len(upstream.choices), 1)
    count = max(count, len(downstream.choices))
    out: list[Difference] = []
    for index in range(count):
        up = _choice(upstream, index)
        down = _choice(downstream, index)
        label = f"choice {index}: " if count > 1 else ""
        if REFUSAL in carries:
            out += _texts(up, down, (TEXT,), "D001", label + "text")
            out += _texts(up, down, (REFUSAL,), "D002", label + "refusal")
        else:  # a refusal can only arrive as text
            out += _texts(up, down, (TEXT, REFUSAL), "D001", label + "text (refusal included)")
        out += _tool_calls(up, down, label)
        if REASONING in carries:
            out += _reasoning(up, down, label)
        if SERVER_TOOL in carries:
            out += _server_tools(up, down, label)
        if not _same_stop(up.stop, down.stop, downstream.kind):
            out.append(Difference("D010", f"{label}the upstream stopped with {_stop(up)}, the "
                                  f"downstream with {_stop(down)}", down.stop_at, up.stop_at))
    out += _usage(upstream, downstream)
    return out


def _choice(answer: Answer, index: int) -> Choice:
    return next((c for c in answer.choices if c.index == index), Choice(index=index))


def _same_stop(up: str | None, down: str | None, kind: str) -> bool:
    """Whether the downstream kept the stop condition.  An upstream that never said why it
    stopped leaves the translation free (its own lint reports that); a Responses stream says
    `tool_use` only by having tool calls (D003/D004 compare those), so there `end` is as
    good."""
    if up is None or up == down:
        return True
    return kind == "responses" and {up, down} == {END, TOOL_USE}


def _stop(choice: Choice) -> str:
    return f"{choice.stop!r} ({choice.stop_reason})" if choice.stop else "no stop condition"


# -- texts -------------------------------------------------------------------------------------

def _joined(blocks: list[Block]) -> tuple[str, list[tuple[int, Location]]]:
    """The blocks' text joined, and where each block starts in it."""
    starts, offset = [], 0
    for block in blocks:
        starts.append((offset, block.at))
        offset += len(block.text)
    return "".join(block.text for block in blocks), starts


def _locate(starts: list[tuple[int, Location]], offset: int, fallback: Location) -> Location:
    """The block that carries character ``offset`` (the last block past the end)."""
    found = fallback
    for start, at in starts:
        if start > offset:
            break
        found = at
    return found


def _texts(up: Choice, down: Choice, kinds: tuple[str, ...], code: str,
           label: str) -> Iterator[Difference]:
    up_text, up_starts = _joined(up.of(*kinds))
    down_text, down_starts = _joined(down.of(*kinds))
    if up_text == down_text:
        return
    at = _common_prefix(up_text, down_text)
    where = (_locate(down_starts, at, down.stop_at), _locate(up_starts, at, up.stop_at))
    if not down_text:
        message = f"{label} dropped: the upstream has {len(up_text)} characters " \
                  f"({_excerpt(up_text, 0)}), the downstream none"
    elif at == len(down_text):
        message = f"{label} cut short: the downstream has {len(down_text)} of the upstream's " \
                  f"{len(up_text)} characters and lost {_excerpt(up_text, at, 0)} from offset " \
                  f"{at}"
    elif at == len(up_text):
        message = f"{label} extended: the downstream adds {_excerpt(down_text, at, 0)} at " \
                  f"offset {at} (it has {len(down_text)} characters, the upstream " \
                  f"{len(up_text)})"
    else:
        message = f"{label} differs from offset {at}: upstream {_excerpt(up_text, at)}, " \
                  f"downstream {_excerpt(down_text, at)}"
    yield Difference(code, message, *where)


def _common_prefix(a: str, b: str) -> int:
    # Halving on slices: C-speed comparisons, log(n) of them, for texts of any length.
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _excerpt(text: str, at: int, context: int = 10) -> str:
    """A short quote of ``text`` from ``at``, with ``context`` characters before it."""
    start = max(0, at - context)
    piece = text[start:at + EXCERPT]
    more = "…" if at + EXCERPT < len(text) else ""
    return ("…" if start and context else "") + repr(piece) + more


_SPACE = re.compile(r"\s+")


def _normal(blocks: Iterable[Block]) -> str:
    return _SPACE.sub(" ", " ".join(block.text for block in blocks)).strip()


def _reasoning(up: Choice, down: Choice, label: str) -> Iterator[Difference]:
    """Reasoning may be translated between raw text and summaries, and joined with other
    whitespace: the downstream must carry the upstream's summaries, its raw text, or both."""
    up_blocks, down_blocks = up.of(REASONING, SUMMARY), down.of(REASONING, SUMMARY)
    up_any = any(b.text for b in up_blocks)
    if not up_any:
        return
    first_up = up_blocks[0].at
    if not any(b.text for b in down_blocks):
        yield Difference("D008", f"{label}reasoning dropped: the upstream streamed "
                         f"{sum(len(b.text) for b in up_blocks)} characters of reasoning, the "
                         "downstream none", down.blocks[0].at if down.blocks else down.stop_at,
                         first_up)
        return
    summary, raw = up.of(SUMMARY), up.of(REASONING)
    accepted = {_normal(summary), _normal(raw), _normal(summary + raw), _normal(raw + summary)}
    got = _normal(down_blocks)
    if got not in accepted:
        best = _normal(summary or raw)
        at = _common_prefix(best, got)
        yield Difference("D009", f"{label}reasoning differs from offset {at} (whitespace "
                         f"aside): upstream {_excerpt(best, at)}, downstream {_excerpt(got, at)}",
                         down_blocks[0].at, first_up)


# -- tool calls --------------------------------------------------------------------------------

def _tool_calls(up: Choice, down: Choice, label: str) -> Iterator[Difference]:
    ups, downs = up.of(TOOL_CALL), down.of(TOOL_CALL)
    if not ups and not downs:
        return
    # Align by call id; a gateway that rewrote every id keeps the order and the names.
    by_id = bool({c.call_id for c in ups} & {c.call_id for c in downs} - {None})
    keys = (lambda c: c.call_id) if by_id else (lambda c: c.name)
    matcher = difflib.SequenceMatcher(None, [keys(c) for c in ups], [keys(c) for c in downs],
                                      autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = min(i2 - i1, j2 - j1) if op in ("equal", "replace") else 0
        for k in range(pairs):
            yield from _same_call(ups[i1 + k], downs[j1 + k], i1 + k, label)
        for k in range(i1 + pairs, i2):
            call = ups[k]
            yield Difference("D003", f"{label}tool call {k} ({_call(call)}) dropped: the "
                             "downstream does not have it",
                             downs[j2 - 1].at if j2 > j1 else down.stop_at, call.at)
        for k in range(j1 + pairs, j2):
            call = downs[k]
            yield Difference("D004", f"{label}the downstream adds tool call {k} ({_call(call)}), "
                             "which the upstream did not make", call.at,
                             ups[i2 - 1].at if i2 > i1 else up.stop_at)


def _call(call: Block) -> str:
    return f"{call.name!r}, call id {call.call_id!r}"


def _same_call(up: Block, down: Block, index: int, label: str) -> Iterator[Difference]:
    where = (down.at, up.at)
    if up.name != down.name:
        yield Difference("D005", f"{label}tool call {index} is named {up.name!r} upstream and "
                         f"{down.name!r} downstream", *where)
    difference = _json_difference(up.arguments, down.arguments, "")
    if difference is not None:
        pointer, a, b = difference
        yield Difference("D006", f"{label}the arguments of tool call {index} ({up.name!r}) "
                         f"differ at {pointer or 'the top'}: upstream {_value(a)}, downstream "
                         f"{_value(b)}", *where)
    if up.call_id and down.call_id and up.call_id != down.call_id:
        yield Difference("D007", f"{label}tool call {index} ({up.name!r}) has call id "
                         f"{up.call_id!r} upstream and {down.call_id!r} downstream", *where)


_MISSING = object()


def _json_difference(a: Any, b: Any, pointer: str) -> tuple[str, Any, Any] | None:
    """The first place where two JSON values differ: (JSON Pointer, a's value, b's value).
    Key order does not count; ``true`` is not ``1``; ``1`` is ``1.0``."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            found = _json_difference(a.get(key, _MISSING), b.get(key, _MISSING),
                                     f"{pointer}/{_escape(key)}")
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = _json_difference(x, y, f"{pointer}/{i}")
            if found is not None:
                return found
        if len(a) != len(b):
            at = min(len(a), len(b))
            return (f"{pointer}/{at}", a[at] if at < len(a) else _MISSING,
                    b[at] if at < len(b) else _MISSING)
        return None
    if type(a) is bool or type(b) is bool or isinstance(a, (dict, list, str, Unparsed)) or \
            isinstance(b, (dict, list, str, Unparsed)) or a is None or b is None:
        same = type(a) is type(b) and a == b
    else:
        same = a == b  # numbers (or _MISSING)
    return None if same else (pointer, a, b)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _value(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    if isinstance(value, Unparsed):
        return f"{_quote(value.text)} (not JSON)"
    return _quote(repr(value)) if not isinstance(value, str) else _quote(value)


def _quote(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


# -- server tools, usage -----------------------------------------------------------------------

def _server_tools(up: Choice, down: Choice, label: str) -> Iterator[Difference]:
    have = Counter(block.name for block in down.of(SERVER_TOOL))
    for block in up.of(SERVER_TOOL):
        if have[block.name] > 0:
            have[block.name] -= 1
            continue
        yield Difference("D012", f"{label}server tool call {block.name!r} dropped: the "
                         "downstream does not show it", down.stop_at, block.at)


_USAGE_FIELDS = (("input", "input tokens"), ("output", "output tokens"),
                 ("reasoning", "reasoning tokens"), ("cached", "cached input tokens"))


def _usage(upstream: Answer, downstream: Answer) -> Iterator[Difference]:
    up, down = upstream.usage, downstream.usage
    if up is None:
        return
    where = (downstream.usage_at, upstream.usage_at)
    if down is None:
        yield Difference("D011", f"usage dropped: the upstream reported {up.input} input and "
                         f"{up.output} output tokens, the downstream no usage",
                         downstream.choices[0].stop_at if downstream.choices else NOWHERE,
                         upstream.usage_at)
        return
    changes = []
    reported = USAGE_FIELDS.get(downstream.kind)
    for attribute, label in _USAGE_FIELDS:
        if reported is not None and attribute not in reported:
            continue
        a, b = getattr(up, attribute), getattr(down, attribute)
        # Details the downstream leaves out are a loss only when they counted something.
        if a is not None and a != b and (b is not None or a):
            changes.append(f"{label} {a} upstream, {b if b is not None else 'none'} downstream")
    if changes:
        yield Difference("D011", "usage differs: " + "; ".join(changes), *where)


# -- reports -----------------------------------------------------------------------------------

def diff_reports(upstream: StreamReport, downstream: StreamReport, *, profile: str = "default",
                 select: Iterable[str] | None = None,
                 ignore: Iterable[str] | None = None) -> list[Violation]:
    """The D findings of ``downstream`` against ``upstream`` (both validated with
    ``content=True``), as violations located on the downstream, each naming its upstream
    counterpart.  Appended to ``downstream.violations`` too."""
    if upstream.answer is None or downstream.answer is None:
        return []
    enabled = enabled_rules(profile, select, ignore)
    found = [Violation(code=d.code, name=RULES[d.code].name, severity=enabled[d.code],
                       message=explained(d.code, d.message), line=d.downstream[0],
                       event_index=d.downstream[1],
                       upstream=Counterpart(path=upstream.path, line=d.upstream[0],
                                            event_index=d.upstream[1]))
             for d in compare(upstream.answer, downstream.answer) if d.code in enabled]
    downstream.violations.extend(found)
    return found
