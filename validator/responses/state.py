# The protocol state of one Responses stream, and nothing else.
#
# Theory of operation
# -------------------
# A Responses stream is a tree: one response, an append-only list of output items addressed by
# `output_index`, and inside an item append-only lists of content parts (`content_index`) and
# reasoning summary parts (`summary_index`).  Items may interleave (a reasoning item can stay open
# while a message streams), so every item and part carries its own phase; there is never a
# "current item".
#
# This module owns what is open and what has accumulated, and it is the only code that assigns
# it (h11's `_state.py` rule): every transition is a method here.  A transition takes `report`
# (the engine's `ctx.report`) and reports the order and addressing problems it meets itself: a
# lookup miss here *is* the violation (the I, L and Q codes of what was opened, closed and
# numbered).  The checks beside it (`lifecycle`, `identity`, `text`, `final`) read the state and
# report what is wrong with its content; `checker.py` calls the transitions.  The lifecycle
# transitions are data (`LIFECYCLE`).
#
# Memory is bounded by what the protocol needs: the accumulated text of open parts and, once a
# part is done, one string per part (the authoritative `*.done` value) for the comparison with
# `output_item.done` and the terminal response.  A later event that repeats the same text
# (`content_part.done`, `output_item.done`) hands its copy over (``Part.keep``): OpenAI sends a
# message's whole text four times after its deltas, and the state holds it once.

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from .events import TERMINAL_EVENTS

__all__ = [
    "ADDED",
    "DONE",
    "GAP_LIMIT",
    "LIFECYCLE",
    "TEXT_DONE",
    "Item",
    "Part",
    "Report",
    "ResponseState",
    "SequenceTracker",
    "item_label",
    "key_of",
]

#: The engine's ``ctx.report(code, message, pointer, *, key=None, at=...)``.
Report = Callable[..., None]

# Phases of items and parts.  An item goes ADDED -> DONE; a part goes ADDED -> TEXT_DONE (its
# `*.done` event) -> DONE (`content_part.done` / `reasoning_summary_part.done`).
ADDED = "added"
TEXT_DONE = "text-done"
DONE = "done"

# Phases of the response itself.
START = "start"
CREATED = "created"
QUEUED = "queued"
IN_PROGRESS = "in_progress"
TERMINAL = "terminal"

#: phase -> lifecycle event -> next phase.  A miss is a lifecycle-order violation.
LIFECYCLE: dict[str, dict[str, str]] = {
    START: {
        "response.created": CREATED,
        "response.queued": QUEUED,
        "response.in_progress": IN_PROGRESS,
        **dict.fromkeys(TERMINAL_EVENTS, TERMINAL),
    },
    CREATED: {
        "response.queued": QUEUED,
        "response.in_progress": IN_PROGRESS,
        **dict.fromkeys(TERMINAL_EVENTS, TERMINAL),
    },
    QUEUED: {"response.in_progress": IN_PROGRESS, **dict.fromkeys(TERMINAL_EVENTS, TERMINAL)},
    IN_PROGRESS: dict.fromkeys(TERMINAL_EVENTS, TERMINAL),
    TERMINAL: {},
}


#: How far an index may run ahead of the items (or parts, commands) seen so far and still be
#: filled with placeholders: the gap after an I002/I012, or what a resumed stream opened before
#: its cursor.  Memory stays bounded whatever index a hostile stream sends; beyond it the event
#: addresses nothing (I001/I011).  No real response comes near this many items.
GAP_LIMIT = 1024


def key_of(value: Any) -> Any:
    """``value`` if it can be a dict key, else ``None``: an id or type in the stream may be an
    object or an array (the schema check reports that); it then identifies nothing."""
    return None if isinstance(value, (dict, list)) else value


class Part:
    """A content part or a reasoning summary part (or a shell command) being streamed.

    The three classes of the state are plain classes with slots, not dataclasses: defining
    them as dataclasses costs a lint's start-up ~10M instructions (their generated code is
    compiled at every import)."""

    __slots__ = (
        "adopted",
        "annotations",
        "line",
        "partial",
        "phase",
        "prefilled",
        "streamed",
        "text",
        "type",
    )

    def __init__(self, type: str | None, line: int | None, *, partial: bool = False,
                 adopted: bool = False) -> None:
        self.type = type
        self.line = line
        #: The deltas so far.  A StringIO holds them as one growing text: a list of 10^6 small
        #: strings would take 60 bytes of object overhead per delta.
        self.streamed = io.StringIO()
        self.text: str | None = None  # the authoritative value from the `*.done` event
        self.phase = ADDED
        self.annotations = 0
        self.partial = partial  # adopted mid-way in a resumed stream: accumulation unknown
        #: the event whose part or item object carried the first text (`content_part.added`…)
        self.prefilled: str | None = None
        #: never added: built from its first delta (I011 said so once; its text is still
        #: compared)
        self.adopted = adopted

    def accumulated(self) -> str:
        return self.streamed.getvalue()

    def final_text(self) -> str:
        """What the part holds now: the `*.done` value once seen, else the deltas so far."""
        return self.text if self.text is not None else self.accumulated()

    def append(self, text: str) -> None:
        """A delta's text (a run of deltas appends with ``streamed.write`` itself)."""
        self.streamed.write(text)

    def prefill(self, text: str, event_type: Any) -> None:
        """The text the part's (or item's) object already carried when ``event_type`` opened
        it."""
        self.streamed.write(text)
        self.prefilled = event_type

    def close_text(self, text: str) -> None:
        self.text = text
        self.streamed = io.StringIO()  # the done value replaces the deltas; keep memory flat
        self.phase = TEXT_DONE

    def close(self, text: Any = None) -> None:
        """`content_part.done` / `reasoning_summary_part.done` (the transcript's `.done`), with
        the text its part object carries (``keep``)."""
        self.phase = DONE
        self.keep(text)

    def keep(self, text: Any) -> None:
        """A later event's copy of the part's text (`content_part.done`, `output_item.done`):
        if it is the same text, that copy is kept instead, so that the one kept so far goes
        with its event: a long text is held once, not once per event that repeats it."""
        if type(text) is str and text == self.text:
            self.text = text

    def add_annotation(self) -> None:
        self.annotations += 1


class Item:
    """An output item, addressed by its `output_index`."""

    __slots__ = (
        "adopted",
        "call_id",
        "commands",
        "content",
        "done_item",
        "id",
        "index",
        "line",
        "name",
        "partial",
        "phase",
        "summary",
        "type",
        "value",
    )

    def __init__(self, index: int, id: Any, type: Any, call_id: Any, line: int | None, *,
                 name: Any = None, partial: bool = False) -> None:
        self.index = index
        self.id = id
        self.type = type
        self.call_id = call_id
        self.line = line
        self.name = name  # a tool call's name, from `output_item.added`
        self.phase = ADDED
        self.content: list[Part] = []
        self.summary: list[Part] = []
        self.commands: list[Part] = []
        #: item-level text: function arguments, tool input, code, diff
        self.value: Part | None = None
        self.done_item: dict | None = None  # the item of `output_item.done`
        self.partial = partial
        #: never added: built from its events' `item_id`, type and order (I001 said so once)
        self.adopted = False

    def item_value(self) -> Part:
        if self.value is None:
            self.value = Part(type=None, line=None, partial=self.partial)
        return self.value


class ResponseState:
    """Everything open or accumulated in one Responses stream."""

    __slots__ = (
        "audio_done",
        "call_ids",
        "error_index",
        "error_line",
        "errored",
        "final_items",
        "first_at",
        "ids",
        "incomplete_reason",
        "items",
        "phase",
        "response_fields",
        "resumed",
        "sequence",
        "terminal_at",
        "terminal_event",
        "transcript",
        "usage",
        "usage_seen",
    )

    def __init__(self) -> None:
        self.phase = START
        #: The fields of the response as the lifecycle events last stated them (R001, R010).
        self.response_fields: dict[str, Any] | None = None
        self.terminal_event: str | None = None
        #: Where the terminal event is, ``(line, event_index)``, and what of its response the
        #: content model (``validator.content``) needs: small values, kept whole.
        self.terminal_at: tuple[int | None, int | None] | None = None
        self.incomplete_reason: Any = None
        self.usage: Any = None
        #: output_index -> the terminal response's item, for the items the stream never closed
        #: (a bridge that never sent `output_item.added`/`done`): what a client reading the
        #: final response has of them.
        self.final_items: dict[int, dict] = {}
        self.errored = False
        self.error_index: int | None = None
        self.error_line: int | None = None
        self.resumed = False
        self.items: list[Item] = []
        self.ids: dict[Any, int] = {}
        self.call_ids: dict[tuple, int] = {}
        self.usage_seen = False  # the terminal response carried `usage`
        self.transcript = Part(type="audio_transcript", line=None)
        self.audio_done = False
        #: Where the first event is, ``(line, event_index)``; ``None`` before it.
        self.first_at: tuple[int | None, int | None] | None = None
        self.sequence = SequenceTracker()

    # -- the response ----------------------------------------------------------------------------

    def start(self, at: tuple[int | None, int | None]) -> None:
        """The first event, at ``(line, event_index)``."""
        self.first_at = at

    def note_response(self, response: dict, keys: tuple[str, ...]) -> None:
        """A lifecycle event's response: its ``keys`` as it now states them (R001, R010)."""
        if self.response_fields is None:
            self.response_fields = {}
        self.response_fields.update((k, response[k]) for k in keys if k in response)

    def advance(self, event_type: str, report: Report) -> bool:
        """A lifecycle event: a legal step of the status path moves the response on.

        Returns whether the event moved the response to a new phase.
        """
        if self.phase == TERMINAL:
            if event_type in TERMINAL_EVENTS:
                report("L005", f"second terminal event {event_type} (the first was "
                       f"{self.terminal_event})", None)
            else:
                report("L006", f"{event_type} after the terminal event {self.terminal_event}",
                       None, key=("L006",))
            return False
        next_phase = LIFECYCLE[self.phase].get(event_type)
        if next_phase is None:
            report("L003", f"{event_type} after {_phase_event(self.phase)}", None)
            return False
        if self.items and event_type in _BEFORE_OUTPUT:
            report("L003", f"{event_type} after output items were added", None)
        self.phase = next_phase
        return True

    def end(self, event_type: str, response: Any, at: tuple[int | None, int | None]) -> None:
        """The terminal event (at ``(line, event_index)``): what of its response the content
        model and the end-of-stream checks need."""
        self.terminal_event = event_type
        self.terminal_at = at
        if not isinstance(response, dict):
            return
        details = response.get("incomplete_details")
        self.incomplete_reason = details.get("reason") if isinstance(details, dict) else None
        self.usage = response.get("usage")
        output = response.get("output")
        if isinstance(output, list):
            # Only the items the stream did not close: what the content model cannot read from
            # their `output_item.done` (none in a conformant stream).
            self.final_items = {i: entry for i, entry in enumerate(output) if isinstance(
                entry, dict) and (i >= len(self.items) or self.items[i].phase is not DONE)}
        self.usage_seen = isinstance(response.get("usage"), dict)

    def fail(self, line: int | None, index: int | None) -> None:
        """An `error` event: a legal way to fail; it may end the stream."""
        self.errored = True
        self.error_index = index
        self.error_line = line

    def resume(self) -> None:
        """The stream starts after an earlier event (L002): items are taken as referenced."""
        self.resumed = True

    def end_audio(self) -> None:
        self.audio_done = True

    # -- items -------------------------------------------------------------------------------

    def add_item(self, ev: dict, line: int | None, report: Report) -> Item | None:
        """`response.output_item.added`: append the item, checking index, ids and duplicates."""
        item, index = ev.get("item"), ev.get("output_index")
        if not isinstance(item, dict):
            return None  # a schema finding; nothing to track
        expected = len(self.items)
        if type(index) is not int:
            index = expected  # the schema check reports it; the order says where the item goes
        if index < expected and self.items[index].adopted:
            return _announce(self.items[index], item)  # added after its events (I001 said so)
        if index != expected:
            report("I002", f"output_item.added at output_index {index}, expected {expected} "
                   f"(the number of items added so far)", "/output_index")
            if index < expected:
                return None  # a reused index: keep the item that is already there
        kind, item_id, call_id = (key_of(item.get(k)) for k in ("type", "id", "call_id"))
        needs_call_id = kind in ("function_call", "custom_tool_call")
        if needs_call_id and not call_id:
            report("I006", f"{kind} item has no call_id", "/item/call_id")
        elif not needs_call_id and not item_id:
            report("I006", f"{kind} item has no id", "/item/id")
        if item_id and item_id in self.ids:
            report("I005", f"item id {item_id!r} was already used by item {self.ids[item_id]}",
                   "/item/id")
        if call_id and kind:
            key = (kind, call_id)
            if key in self.call_ids:
                report("I005", f"{kind} call_id {call_id!r} was already used by item "
                       f"{self.call_ids[key]}", "/item/call_id")
            self.call_ids.setdefault(key, index)
        # Fill any gap so that the list index stays the output_index.
        return self._adopt(index, item_id, kind) if index > expected else self._append(
            item, index, line)

    def _append(self, item: dict, index: int, line: int | None, *, partial=False) -> Item:
        new = Item(
            index=index,
            id=key_of(item.get("id")),
            type=key_of(item.get("type")),
            call_id=key_of(item.get("call_id")),
            line=line,
            name=item.get("name"),
            partial=partial,
        )
        self.items.append(new)
        if new.id:
            self.ids.setdefault(new.id, index)
        return new

    def _adopt(self, index: int, item_id: Any, item_type: Any, *,
               line: int | None = None, partial: bool = True) -> Item | None:
        """Take an item that was never added as it is referenced (``None`` past
        ``GAP_LIMIT``): in a resumed stream one opened before the cursor (``partial``), else
        one the server never announced, tracked from its first event on."""
        if index - len(self.items) > GAP_LIMIT:
            return None
        while len(self.items) < index:
            self._append({}, len(self.items), None, partial=True)
        if len(self.items) == index:
            item = self._append({"id": item_id, "type": item_type}, index, line,
                                partial=partial)
            item.adopted = not partial
            return item
        return None

    def resolve_item(self, ev: dict, item_type: str | None, line: int | None, report: Report,
                     *, by_id: bool = True, adopt: tuple[Any, Any] | None = None) -> Item | None:
        """The open item an item-scoped event addresses, or ``None`` after reporting why not.

        An event without a usable ``output_index`` goes by its ``item_id``.  An event for an
        item that was never added is reported once (I001); the item is then tracked from that
        event on, with the event's ``item_id`` and type (or ``adopt``: the id and type of an
        ``output_item.done``), so its text is not lost to every later check.
        """
        index = ev.get("output_index")
        if type(index) is not int:
            if index is not None:
                return None  # a wrong type (the schema check reports it) addresses nothing
            index = self.ids.get(key_of(ev.get("item_id")))  # missing: the item_id says which
            if index is None:
                return None
        items = self.items
        if not 0 <= index < len(items):
            return self._not_added(ev, index, adopt or (key_of(ev.get("item_id")), item_type),
                                   line, report)
        item = items[index]
        if by_id:
            item_id = ev.get("item_id")
            if item_id is not None and item_id != item.id and item.id is not None:
                report("I003", f"item_id {item_id!r} does not match {item_label(item)}",
                       "/item_id", key=("I003", ev["type"], index, item_id))
        if item_type is not None and item.type != item_type and not item.partial:
            report("I004", f"{ev['type']} belongs to a {item_type} item, but "
                   f"{item_label(item)} is a {item.type}", "/output_index",
                   key=("I004", ev["type"], index))
            return None
        if item.phase is DONE:
            report("I008", f"{ev['type']} after output_item.done of {item_label(item)}",
                   None, key=("I008", index, ev["type"]))
            return None
        return item

    def _not_added(self, ev: dict, index: int, adopt: tuple[Any, Any], line: int | None,
                   report: Report) -> Item | None:
        added = len(self.items)
        if self.resumed and index >= added:
            adopted = self._adopt(index, adopt[0], adopt[1])
            if adopted is not None:
                return adopted
        item_id, item_type = adopt
        tracked = index >= added and item_type is not None
        then = (f"; its events are read as {item_type} item {index} ({item_id}): send "
                "response.output_item.added before them and response.output_item.done after "
                "them" if tracked else "")
        report("I001", f"{ev['type']} for output_index {index}, but no item was added there "
               f"({added} item(s) added so far){then}", "/output_index", key=("I001", index))
        if not tracked:
            return None
        if item_id is not None and item_id in self.ids:
            other = self.items[self.ids[item_id]]
            report("I003", f"item_id {item_id!r} names {item_label(other)}, not an item at "
                   f"output_index {index}", "/item_id", key=("I003", ev["type"], index, item_id))
        return self._adopt(index, item_id, item_type, line=line, partial=False)

    @staticmethod
    def close_item(item: Item, done: dict, texts: Iterable[tuple[Part, Any]]) -> None:
        """`output_item.done` (``identity.check_item_closing`` compared it first); ``texts``
        pairs each streamed part with its text in ``done`` (``text.item_texts``)."""
        item.phase = DONE
        item.done_item = done
        for part, text in texts:
            part.keep(text)

    # -- parts -------------------------------------------------------------------------------

    @staticmethod
    def add_part(item: Item, parts: list[Part], index: Any, part: Any, pointer: str,
                 event_type: Any, line: int | None, report: Report) -> None:
        """A `content_part.added` / `reasoning_summary_part.added`."""
        if type(index) is not int:
            return
        if index < len(parts) and parts[index].adopted and parts[index].phase is ADDED:
            parts[index].adopted = False  # added after its deltas (I011 said so)
            return
        if index != len(parts):
            report("I012", f"part added at {pointer[1:]} {index}, expected {len(parts)} "
                   f"(the number of parts {item_label(item)} has)", pointer)
            if index < len(parts) or index - len(parts) > GAP_LIMIT:
                return
            while len(parts) < index:
                parts.append(Part(type=None, line=None, partial=True))
        part_type = key_of(part.get("type")) if isinstance(part, dict) else None
        new = Part(type=part_type, line=line, partial=item.partial)
        initial = part_text(part)
        if initial:
            new.prefill(initial, event_type)
        parts.append(new)

    @staticmethod
    def resolve_part(item: Item, parts: list[Part], ev: dict, field: str,
                     part_type: str | None, line: int | None, report: Report) -> Part | None:
        """The part an event addresses by ``field`` (`content_index`/`summary_index`).

        Without the index, the order says which: the last part.  The next part, never added, is
        reported once (I011) for the whole part lifecycle and then tracked, so its text still
        reaches the T checks.
        """
        index = ev.get(field)
        if type(index) is not int:
            if index is not None:
                return None  # a wrong type (the schema check reports it) addresses nothing
            index = max(len(parts) - 1, 0)
        if not 0 <= index < len(parts):
            if item.partial and 0 <= index < len(parts) + GAP_LIMIT:
                while len(parts) <= index:
                    parts.append(Part(type=part_type, line=None, partial=True))
                return parts[index]
            tracked = index == len(parts)
            then = (f": send {_PART_ADDED[field]} before its first delta and {_PART_DONE[field]} "
                    "after its *.done event" if tracked else "")
            report("I011", f"{ev['type']} for {field} {index} of {item_label(item)}, but no "
                   f"part was added there{then}", f"/{field}",
                   key=("I011", item.index, field, index))
            if not tracked:
                return None
            parts.append(Part(type=part_type, line=line, adopted=True))
        part = parts[index]
        if part_type is not None and part.type != part_type and part.type is not None:
            report("I013", f"{ev['type']} on a {part.type} part ({field} {index} of "
                   f"{item_label(item)})", f"/{field}",
                   key=("I013", item.index, index, ev["type"]))
            part.partial = True  # its deltas went elsewhere: do not compare its text (one cause)
            return None
        if part.phase is DONE:
            report("I014", f"{ev['type']} after the part ({field} {index} of "
                   f"{item_label(item)}) was closed", f"/{field}",
                   key=("I014", item.index, index, "closed"))
            return None
        return part

    # -- shell commands (addressed by output_index and command_index, no item_id) -------------

    def resolve_command(self, ev: dict, line: int | None, report: Report, *,
                        adding: bool = False) -> tuple[Item | None, Any]:
        """The `shell_call` item and the command index an event addresses."""
        item = self.resolve_item(ev, "shell_call", line, report, by_id=False)
        index = ev.get("command_index")
        if item is None or type(index) is not int:
            return None, None
        commands = item.commands
        limit = len(commands) if adding else len(commands) - 1
        if item.partial and limit < index < len(commands) + GAP_LIMIT:
            # A resumed stream: the commands before the cursor were sent before it.
            while len(commands) < index + (not adding):
                commands.append(Part(type="command", line=None, partial=True))
            limit = index
        if not 0 <= index <= limit:
            report("I017", f"{ev['type']} for command_index {index}, but {item_label(item)} "
                   f"has {len(item.commands)} command(s)", "/command_index")
            return None, None
        return item, index

    @staticmethod
    def add_command(item: Item, index: int, ev: dict, line: int | None) -> None:
        """`shell_call_command.added` at ``index`` (``resolve_command`` allowed it)."""
        part = Part(type="command", line=line, partial=item.partial)
        command = ev.get("command")
        if isinstance(command, str) and command:
            part.prefill(command, ev["type"])
        if index == len(item.commands):
            item.commands.append(part)
        else:
            item.commands[index] = part  # openai-node: `added` may replace a command


class SequenceTracker:
    """Follows `sequence_number` across a stream; runs on every event (hot path).

    The usual event carries ``expected``, the number after the previous event's, and only moves
    ``expected`` on by one: ``step`` does that, and the caller calls ``feed`` for every event
    ``step`` refused (the hot path calls ``step`` alone).  ``expected`` is ``None`` until the
    first number and after an event without one, so such an event always goes through ``feed``.
    """

    __slots__ = ("expected", "first_missing", "last", "missing", "unnumbered")

    def __init__(self) -> None:
        self.expected: int | None = None
        self.last: int | None = None  # the last number, while ``expected`` is None
        self.missing = 0
        self.unnumbered = 0  # events without a number since the last numbered one
        self.first_missing: tuple[Any, Any] | None = None

    def step(self, seq: Any) -> bool:
        """``seq`` is the expected number: move on (``False``: ``feed`` must see it)."""
        if type(seq) is int and seq == self.expected:
            self.expected = seq + 1
            return True
        return False

    def feed(self, seq: Any, at: tuple[Any, Any], report: Report) -> None:
        expected = self.expected
        last = self.last if expected is None else expected - 1
        if type(seq) is not int:
            if seq is None:
                self.missing += 1
                self.unnumbered += 1
                if self.first_missing is None:
                    self.first_missing = at
                self.last, self.expected = last, None
            return
        skipped = self.unnumbered
        self.expected = seq + 1
        self.unnumbered = 0
        if last is None or seq == last + 1:
            return
        if seq <= last:
            report("Q003", f"sequence_number {seq} after {last}", "/sequence_number")
        # An event without a number (Q002) may have taken the numbers in between.
        elif seq > last + 1 + skipped:
            report("Q004", f"sequence_number jumps from {last} to {seq} "
                   f"({seq - last - 1} missing)", "/sequence_number")

    def close(self, first_event: tuple[Any, Any] | None, report: Report) -> None:
        numbered = self.expected is not None or self.last is not None
        if not numbered and self.missing:
            report("Q001", f"none of the {self.missing} events carries a sequence_number",
                   "/sequence_number", at=first_event)
        elif self.missing:
            report("Q002", f"{self.missing} event(s) lack a sequence_number, starting here",
                   "/sequence_number", at=self.first_missing)


def item_label(item: Item) -> str:
    return f"item {item.index} ({item.type} {item.id})"


def part_text(part: Any) -> str | None:
    """The text a part object carries (`text`, or `refusal` for refusal parts)."""
    if not isinstance(part, dict):
        return None
    text = part.get("refusal") if part.get("type") == "refusal" else part.get("text")
    return text if isinstance(text, str) else None


def _announce(item: Item, added: dict) -> Item:
    """A late `output_item.added` for an item tracked from its events: from now on it is an
    item like any other."""
    item.adopted = False
    item.call_id = item.call_id or key_of(added.get("call_id"))
    return item


def _phase_event(phase: str) -> str:
    return "the start of the stream" if phase == START else f"response.{phase}"


# Lifecycle events that come before any output: the response is not running yet.
_BEFORE_OUTPUT = ("response.created", "response.queued", "response.in_progress")

_PART_ADDED = {"content_index": "response.content_part.added",
               "summary_index": "response.reasoning_summary_part.added"}
_PART_DONE = {"content_index": "response.content_part.done",
              "summary_index": "response.reasoning_summary_part.done"}
