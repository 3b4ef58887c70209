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
# This module owns what is open and what has accumulated.  The checks beside it
# read it and call the mutators here; they never keep a copy of their own.  The lifecycle
# transitions are data (`LIFECYCLE`), so a lookup miss *is* the protocol violation.
#
# Memory is bounded by what the protocol needs: the accumulated text of open parts and, once a
# part is done, one string per part (the authoritative `*.done` value) for the comparison with
# `output_item.done` and the terminal response.

from __future__ import annotations

import io
from dataclasses import dataclass, field
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
    "ResponseState",
    "key_of",
]

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


@dataclass(slots=True, eq=False)
class Part:
    """A content part or a reasoning summary part (or a shell command) being streamed."""

    type: str | None
    line: int | None
    #: The deltas so far.  A StringIO holds them as one growing text: a list of 10^6 small
    #: strings would take 60 bytes of object overhead per delta.
    streamed: io.StringIO = field(default_factory=io.StringIO)
    text: str | None = None  # the authoritative value from the `*.done` event
    phase: str = ADDED
    annotations: int = 0
    partial: bool = False  # adopted mid-way in a resumed stream: accumulation unknown
    #: the event whose part or item object carried the first text (`content_part.added`…)
    prefilled: str | None = None
    #: never added: built from its first delta (I011 said so once; its text is still compared)
    adopted: bool = False

    def accumulated(self) -> str:
        return self.streamed.getvalue()

    def final_text(self) -> str:
        """What the part holds now: the `*.done` value once seen, else the deltas so far."""
        return self.text if self.text is not None else self.accumulated()

    def close_text(self, text: str) -> None:
        self.text = text
        self.streamed = io.StringIO()  # the done value replaces the deltas; keep memory flat
        self.phase = TEXT_DONE


@dataclass(slots=True, eq=False)
class Item:
    """An output item, addressed by its `output_index`."""

    index: int
    id: Any
    type: Any
    call_id: Any
    line: int | None
    name: Any = None  # a tool call's name, from `output_item.added`
    phase: str = ADDED
    content: list[Part] = field(default_factory=list)
    summary: list[Part] = field(default_factory=list)
    commands: list[Part] = field(default_factory=list)
    value: Part | None = None  # item-level text: function arguments, tool input, code, diff
    done_item: dict | None = None  # the item of `output_item.done`
    partial: bool = False
    #: never added: built from its events' `item_id`, type and order (I001 said so once)
    adopted: bool = False

    def item_value(self) -> Part:
        if self.value is None:
            self.value = Part(type=None, line=None, partial=self.partial)
        return self.value


@dataclass(slots=True, eq=False)
class ResponseState:
    """Everything open or accumulated in one Responses stream."""

    phase: str = START
    #: The fields of the response as the lifecycle events last stated them (R001, R010).
    response_fields: dict[str, Any] | None = None
    terminal_event: str | None = None
    #: Where the terminal event is, ``(line, event_index)``, and what of its response the
    #: content model (``validator.content``) needs: small values, kept whole.
    terminal_at: tuple[int | None, int | None] | None = None
    incomplete_reason: Any = None
    usage: Any = None
    #: output_index -> the terminal response's item, for the items the stream never closed
    #: (a bridge that never sent `output_item.added`/`done`): what a client reading the final
    #: response has of them.
    final_items: dict[int, dict] = field(default_factory=dict)
    errored: bool = False
    error_index: int | None = None
    error_line: int | None = None
    resumed: bool = False
    items: list[Item] = field(default_factory=list)
    ids: dict[Any, int] = field(default_factory=dict)
    call_ids: dict[tuple, int] = field(default_factory=dict)
    usage_seen: bool = False  # the terminal response carried `usage`
    transcript: Part = field(default_factory=lambda: Part(type="audio_transcript", line=None))
    audio_done: bool = False

    def add_item(self, item: dict, index: int, line: int | None, *, partial=False) -> Item:
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

    def adopt_item(self, index: int, item_id: Any, item_type: Any, *,
                   line: int | None = None, partial: bool = True) -> Item | None:
        """Take an item that was never added as it is referenced (``None`` past
        ``GAP_LIMIT``): in a resumed stream one opened before the cursor (``partial``), else
        one the server never announced, tracked from its first event on."""
        if index - len(self.items) > GAP_LIMIT:
            return None
        while len(self.items) < index:
            self.add_item({}, len(self.items), None, partial=True)
        if len(self.items) == index:
            item = self.add_item({"id": item_id, "type": item_type}, index, line,
                                 partial=partial)
            item.adopted = not partial
            return item
        return None
