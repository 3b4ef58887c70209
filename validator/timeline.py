"""A stream as a person reads it: lanes (the response, each item and part, each chat choice and
tool call, each Anthropic content block) and the events on a timeline, for the HTML view.

Pure: frames (from ``validator.framing``) and the findings of the stream in, a
:class:`Timeline` out.  Which lane an event belongs to comes from its address fields, through
one small function per stream kind in :data:`LANES`: adding a kind is adding its function.
Runs of deltas on one lane with no finding collapse into one row, and past :data:`MAX_ROWS`
rows events are only counted, so that a stream of 10^6 deltas draws a small page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import Frame
from .result import Violation

__all__ = ["LANES", "MAX_ROWS", "TEXT_CHARS", "Lane", "Row", "Timeline", "build"]

#: Rows drawn at most; later events are counted in ``Timeline.undrawn``.
MAX_ROWS = 2000
#: Characters of accumulated text kept per lane (the rest is counted).
TEXT_CHARS = 20_000

#: One lane an event touches: (key, label, text it adds or ``None``).
Touch = tuple[tuple, str, "str | None"]


@dataclass
class Lane:
    """One lane: its label, the text its deltas added (up to ``TEXT_CHARS``) and how much more
    there was."""

    key: tuple
    label: str
    text: str = ""
    more_chars: int = 0
    events: int = 0

    def add(self, piece: str) -> None:
        if self.more_chars:  # full: only count
            self.more_chars += len(piece)
            return
        room = TEXT_CHARS - len(self.text)
        if len(piece) <= room:
            self.text += piece
        else:
            self.text += piece[:room]
            self.more_chars = len(piece) - room


@dataclass
class Row:
    """One event, or a run of ``count`` deltas of one type on one lane; ``findings`` are the
    stream's findings on that event."""

    lane: tuple
    type: str
    index: int
    line: int | None
    count: int = 1
    last_line: int | None = None
    findings: list[Violation] = field(default_factory=list)


@dataclass
class Timeline:
    lanes: list[Lane] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    undrawn: int = 0
    #: Findings that belong to no drawn event (end of stream, framing, undrawn events).
    loose: list[Violation] = field(default_factory=list)


def _responses(payload: dict) -> list[Touch]:
    text = payload.get("delta")
    if type(text) is not str:
        text = None
    item = payload.get("output_index")
    if type(item) is not int:
        return [(("response",), "response", None)]
    described = payload.get("item")
    label = f"item {item}" if type(described) is not dict else (
        f"item {item} · {described.get('type')} {described.get('id') or ''}".rstrip())
    for field_name, word in (("content_index", "part"), ("summary_index", "summary")):
        part = payload.get(field_name)
        if type(part) is int:
            return [(("item", item), label, None),
                    (("item", item, word, part), f"item {item} › {word} {part}", text)]
    return [(("item", item), label, text)]


def _member(node: dict, key: str) -> dict:
    """``node[key]`` if it is an object, else an empty one (a malformed chunk)."""
    value = node.get(key)
    return value if isinstance(value, dict) else {}


def _chat(payload: dict) -> list[Touch]:
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices:
        return [(("response",), "stream", None)]
    touched: list[Touch] = []
    for choice in choices:
        if not isinstance(choice, dict):
            continue
        number = choice.get("index")
        delta = _member(choice, "delta")
        content = delta.get("content")
        touched.append((("choice", number), f"choice {number}",
                        content if isinstance(content, str) else None))
        for call in delta.get("tool_calls") or ():
            if isinstance(call, dict):
                function = _member(call, "function")
                arguments = function.get("arguments")
                touched.append((("choice", number, "tool", call.get("index")),
                                f"choice {number} › tool call {call.get('index')}"
                                + (f" · {function['name']}" if function.get("name") else ""),
                                arguments if isinstance(arguments, str) else None))
    return touched or [(("response",), "stream", None)]


def _anthropic(payload: dict) -> list[Touch]:
    index = payload.get("index")
    if type(index) is not int:  # message_start, message_delta, message_stop, ping, error
        return [(("response",), "message", None)]
    block = payload.get("content_block")
    label = f"block {index}" + (f" · {block.get('type')}" if type(block) is dict else "")
    delta = payload.get("delta")
    piece = None
    if type(delta) is dict:  # text_delta, input_json_delta, thinking_delta
        piece = next((delta[k] for k in ("text", "partial_json", "thinking")
                      if type(delta.get(k)) is str), None)
    return [(("block", index), label, piece)]


#: kind -> the lanes one event touches, the last (the most specific: a part rather than its
#: item, a tool call rather than its choice) being the lane its row is drawn on.
LANES: dict[str, Callable[[dict], list[Touch]]] = {"responses": _responses, "chat": _chat,
                                                   "anthropic": _anthropic}


def _type(kind: str | None, payload: Any) -> str:
    if not isinstance(payload, dict):
        return "(not an object)"
    if kind != "chat":
        return str(payload.get("type"))
    choices = payload.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices else None
    if not isinstance(choice, dict):
        return "usage chunk" if payload.get("usage") else "chunk"
    delta = _member(choice, "delta")
    if choice.get("finish_reason"):
        return f"finish_reason {choice['finish_reason']}"
    if delta.get("role"):
        return f"role {delta['role']}"
    if delta.get("tool_calls"):
        return "tool_calls delta"
    return "content delta"


def build(kind: str | None, frames: Iterable[Any], findings: Sequence[Violation]) -> Timeline:
    """The timeline of a stream of ``kind`` from its ``frames`` (``Finding`` items among them
    are skipped: ``findings`` already hold them, stamped)."""
    timeline = Timeline()
    lanes: dict[tuple, Lane] = {}
    by_event: dict[int, list[Violation]] = {}
    for v in findings:
        if v.event_index is None:
            timeline.loose.append(v)
        else:
            by_event.setdefault(v.event_index, []).append(v)
    touches = LANES.get(kind or "responses", _responses)
    last: Row | None = None
    for frame in frames:
        if type(frame) is not Frame:
            continue
        payload = frame.payload
        if frame.done:
            touched: list[Touch] = [(("response",), "stream", None)]
            name = "[DONE]"
        elif isinstance(payload, dict):
            touched, name = touches(payload), _type(kind, payload)
        else:
            touched, name = [(("response",), "response", None)], "(not an object)"
        for key, label, piece in touched:
            lane = lanes.get(key)
            if lane is None:
                lane = lanes[key] = Lane(key, label)
            elif lane.label != label and len(label) > len(lane.label):
                lane.label = label  # `output_item.added` names the item better than a delta
            lane.events += 1
            if piece:
                lane.add(piece)
        found = by_event.pop(frame.index, []) if by_event else []
        key = touched[-1][0]
        if (last is not None and not found and not last.findings and last.lane == key
                and last.type == name and name.endswith("delta")):
            last.count += 1
            last.last_line = frame.line
        elif len(timeline.rows) < MAX_ROWS:
            last = Row(key, name, frame.index, frame.line, findings=found)
            timeline.rows.append(last)
        else:
            last = None
            timeline.undrawn += 1
            timeline.loose += found
    timeline.loose += [v for found in by_event.values() for v in found]
    timeline.lanes = sorted(lanes.values(), key=_lane_order)
    return timeline


def _lane_order(lane: Lane) -> tuple:
    # The response first, then items (choices) in index order, each followed by its parts.
    return tuple((0, part) if isinstance(part, int) else (1, str(part)) for part in lane.key) \
        if lane.key != ("response",) else ()
