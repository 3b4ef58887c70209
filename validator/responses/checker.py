"""The Responses kind's checker: which checks each event type runs.

Every handler takes ``(ctx, state, event)``; ``HANDLERS`` is built once from the events table
(``events.EVENTS``: one row an event type, its ``handles`` naming the handler here), so an
event type's handling is one line to read.  A handler calls the transitions of the state
(``state.ResponseState``, ``Part``, ``Item``: the only code that assigns it) and the checks of
the families, and compares what they return; it assigns no state itself.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from ..model import Context
from ..profiles import get_profile
from ..rules.schema import check_response_keys
from .events import EVENTS, ITEM_VALUE_PATHS, LEGACY_TYPES, TERMINAL_EVENTS, EventType
from .final import RESPONSE_FIELDS, check_final_output, check_identity, check_usage
from .identity import check_item_closing, check_item_statuses, check_part_closing
from .lifecycle import check_output_start, check_stream_end, check_terminal_status
from .state import (
    ADDED,
    DONE,
    TERMINAL,
    Item,
    Part,
    ResponseState,
    item_label,
    key_of,
    part_text,
)
from .text import check_item_done, check_part_done, check_text_done, item_texts, item_value

__all__ = ["HANDLERS", "ResponsesChecker"]

#: A handler: ``(ctx, state, event)``; a delta handler returns the open part its text went to
#: (``None``: none), which starts a run of deltas (``ResponsesChecker._start_run``).
Handler = Callable[[Any, ResponseState, dict], "Part | None"]


# -- items -------------------------------------------------------------------------------------

def _item_added(ctx: Context, state: ResponseState, ev: dict) -> None:
    check_output_start(ctx)
    item = state.add_item(ev, ctx.line, ctx.report)
    if item is not None and item.type in ITEM_VALUE_PATHS:
        initial = item_value(ev["item"], item.type)
        if isinstance(initial, str) and initial:
            value = item.item_value()
            value.prefill(initial, "response.output_item.added")
            if ev["item"].get("status") == "completed":
                # Added already complete (xAI's function calls): no value events follow, and
                # the SDKs take the value from the item.
                value.close_text(initial)


def _item_done(ctx: Context, state: ResponseState, ev: dict) -> None:
    done = ev.get("item")
    if not isinstance(done, dict):
        return
    item = state.resolve_item(ev, None, ctx.line, ctx.report, by_id=False,
                              adopt=(key_of(done.get("id")), key_of(done.get("type"))))
    if item is not None:
        check_item_closing(ctx, item, done)
        state.close_item(item, done, item_texts(item, done))
        check_item_done(ctx, item, done)


def _status(item_type: str, *, by_id: bool = True) -> Handler:
    """Events that only mark progress of an item (`web_search_call.searching`, …)."""
    def handler(ctx: Context, state: ResponseState, ev: dict) -> None:
        state.resolve_item(ev, item_type, ctx.line, ctx.report, by_id=by_id)
    return handler


# -- parts -------------------------------------------------------------------------------------

def _part_owner(ev: dict) -> str:
    part = ev.get("part")
    return "reasoning" if isinstance(part, dict) and part.get("type") == "reasoning_text" \
        else "message"


def _part_added(parts: str, field: str, item_type: str | None) -> Handler:
    def handler(ctx: Context, state: ResponseState, ev: dict) -> None:
        item = state.resolve_item(ev, item_type or _part_owner(ev), ctx.line, ctx.report)
        if item is not None:
            state.add_part(item, getattr(item, parts), ev.get(field), ev.get("part"),
                           "/" + field, ev.get("type"), ctx.line, ctx.report)
    return handler


def _part_done(parts: str, field: str, item_type: str | None) -> Handler:
    def handler(ctx: Context, state: ResponseState, ev: dict) -> None:
        item = state.resolve_item(ev, item_type or _part_owner(ev), ctx.line, ctx.report)
        if item is None:
            return
        part = state.resolve_part(item, getattr(item, parts), ev, field, None, ctx.line,
                                  ctx.report)
        if part is not None:
            check_part_done(ctx, part, ev.get("part"), ev["type"])
            check_part_closing(ctx, part, ev["type"])
            part.close(part_text(ev.get("part")))
    return handler


def _open_part(ctx: Context, state: ResponseState, ev: dict, item_type: str, parts: str,
               field: str, part_type: str | None) -> Part | None:
    """The part a delta or `*.done` addresses, if it still takes text."""
    item = state.resolve_item(ev, item_type, ctx.line, ctx.report)
    if item is None:
        return None
    part = state.resolve_part(item, getattr(item, parts), ev, field, part_type, ctx.line,
                              ctx.report)
    if part is not None and part.phase is not ADDED:
        ctx.report("I014", f"{ev['type']} after the text of {field} {ev.get(field)} of "
                   f"{item_label(item)} was done", "/" + field,
                   key=("I014", item.index, field, ev.get(field), "late"))
        return None
    return part


def _close_text(ctx: Context, part: Part, value: Any, label: str, pointer: str) -> None:
    """A `*.done` event's value: compared with the deltas, then the part's text."""
    if isinstance(value, str):  # else a schema finding
        check_text_done(ctx, part, value, label, pointer)
        part.close_text(value)


def _addressed(handler: Any, part_field: str | None) -> None:
    """A delta handler's address (``ResponsesChecker._run``): type, item_id, output_index and
    the part index, the last field; a value of the item has no part index: output_index, the
    last field then, stands in for it."""
    handler.address_fields = ("item_id", "output_index") + ((part_field,) if part_field else ())


def _part_delta(item_type: str, part_type: str | None, field: str = "content_index",
                parts: str = "content") -> Handler:
    def handler(ctx: Context, state: ResponseState, ev: dict) -> Part | None:
        part = _open_part(ctx, state, ev, item_type, parts, field, part_type)
        delta = ev.get("delta")
        if part is not None and type(delta) is str:
            part.append(delta)
        return part
    _addressed(handler, field)
    return handler


def _part_text_done(item_type: str, part_type: str | None, value: str,
                    field: str = "content_index", parts: str = "content") -> Handler:
    def handler(ctx: Context, state: ResponseState, ev: dict) -> None:
        part = _open_part(ctx, state, ev, item_type, parts, field, part_type)
        if part is not None:
            _close_text(ctx, part, ev.get(value), ev["type"], "/" + value)
    return handler


def _annotation(ctx: Context, state: ResponseState, ev: dict) -> None:
    item = state.resolve_item(ev, "message", ctx.line, ctx.report)
    if item is None:
        return
    part = state.resolve_part(item, item.content, ev, "content_index", "output_text", ctx.line,
                              ctx.report)
    index = ev.get("annotation_index")
    if part is None or type(index) is not int:
        return
    if index > part.annotations:
        ctx.report("I016", f"annotation_index {index}, but the part has {part.annotations} "
                   f"annotation(s)", "/annotation_index")
    elif index == part.annotations:
        part.add_annotation()


# -- item-level text (arguments, tool input, code, diff) ----------------------------------------

def _open_value(ctx: Context, state: ResponseState, ev: dict, item_type: str) -> Part | None:
    item = state.resolve_item(ev, item_type, ctx.line, ctx.report)
    if item is None:
        return None
    value = item.item_value()
    if value.phase is not ADDED:
        ctx.report("I014", f"{ev['type']} after the value of {item_label(item)} was done", None,
                   key=("I014", item.index, "value"))
        return None
    return value


def _item_delta(item_type: str) -> Handler:
    def handler(ctx: Context, state: ResponseState, ev: dict) -> Part | None:
        value = _open_value(ctx, state, ev, item_type)
        delta = ev.get("delta")
        if value is not None and type(delta) is str:
            value.append(delta)
        return value
    _addressed(handler, None)
    return handler


def _item_text_done(item_type: str, field: str) -> Handler:
    def handler(ctx: Context, state: ResponseState, ev: dict) -> None:
        value = _open_value(ctx, state, ev, item_type)
        if value is not None:
            _close_text(ctx, value, ev.get(field), ev["type"], "/" + field)
    return handler


# -- shell commands ------------------------------------------------------------------------------

def _command_added(ctx: Context, state: ResponseState, ev: dict) -> None:
    item, index = state.resolve_command(ev, ctx.line, ctx.report, adding=True)
    if item is not None:
        state.add_command(item, index, ev, ctx.line)


def _command_text(done: bool) -> Handler:
    def handler(ctx: Context, state: ResponseState, ev: dict) -> None:
        item, index = state.resolve_command(ev, ctx.line, ctx.report)
        if item is None:
            return
        part = item.commands[index]
        if part.phase is not ADDED:
            ctx.report("I014", f"{ev['type']} after command {index} was done", "/command_index")
        elif done:
            _close_text(ctx, part, ev.get("command"), ev["type"], "/command")
        elif type(ev.get("delta")) is str:
            part.append(ev["delta"])
    return handler


# -- response-level ----------------------------------------------------------------------------

def _lifecycle(ctx: Context, state: ResponseState, ev: dict) -> None:
    check_identity(ctx, ev)
    response = ev.get("response")
    if isinstance(response, dict):
        state.note_response(response, RESPONSE_FIELDS)
        check_response_keys(ctx, response, ev["type"] in TERMINAL_EVENTS)
    if not state.advance(ev["type"], ctx.report) or ev["type"] not in TERMINAL_EVENTS:
        return
    check_terminal_status(ctx, ev)
    state.end(ev["type"], response, (ctx.line, ctx.index))
    if not isinstance(response, dict):
        return
    check_usage(ctx, response)
    check_item_statuses(ctx, response, TERMINAL_EVENTS[ev["type"]])
    if ev["type"] != "response.failed":
        _check_open_items(ctx, state, response)
        check_final_output(ctx, response, completed=ev["type"] == "response.completed")


# Item types OpenAI itself leaves open, closing them only in the terminal response.
_CLOSED_BY_FINAL = ("mcp_list_tools",)


def _check_open_items(ctx: Context, state: ResponseState, response: dict) -> None:
    """At a completed/incomplete terminal event: every item was closed, or the response has it."""
    output = response.get("output")
    final_ids = {key_of(o.get("id")) for o in output if isinstance(o, dict)} if isinstance(
        output, list) else set()
    for item in state.items:
        if item.phase is DONE or item.partial or item.adopted:
            continue  # an item never added: I001 asked for its added and done events
        if item.type in _CLOSED_BY_FINAL and item.id is not None and item.id in final_ids:
            ctx.report("I010", f"{item_label(item)} was never closed by output_item.done; only the "
                       "terminal response carries it", None)
        else:
            ctx.report("I009", f"{item_label(item)} never got output_item.done", None)


def _error(ctx: Context, state: ResponseState, ev: dict) -> None:
    state.fail(ctx.line, ctx.index)


def _transcript(done: bool) -> Handler:
    def handler(ctx: Context, state: ResponseState, ev: dict) -> None:
        part = state.transcript
        if part.phase is not ADDED:
            ctx.report("I014", f"{ev['type']} after response.audio.transcript.done", None,
                       key=("I014", "transcript"))
        elif done:
            part.close()
        elif type(ev.get("delta")) is str:
            part.append(ev["delta"])
    return handler


def _audio(done: bool) -> Handler:
    def handler(ctx: Context, state: ResponseState, ev: dict) -> None:
        if state.audio_done:
            ctx.report("I014", f"{ev['type']} after response.audio.done", None,
                       key=("I014", "audio"))
        if done:
            state.end_audio()
    return handler


def _ignore(ctx: Context, state: ResponseState, ev: dict) -> None:
    """`keepalive`: a transport event that leaves the response unchanged (openai-node)."""


def _parts_of(event: EventType) -> tuple[str, str]:
    """The part index field of an event and the list of the item it indexes."""
    field = event.address[-1]
    return field, "summary" if field == "summary_index" else "content"


def _handler(event: EventType) -> Handler:
    """The handler of one row of the events table."""
    handles, item_type, done = event.handles, event.item, event.name.endswith(".done")
    if handles in ("part_added", "part_done", "part_delta", "part_text_done"):
        field, parts = _parts_of(event)
        if handles == "part_added":
            return _part_added(parts, field, item_type)
        if handles == "part_done":
            return _part_done(parts, field, item_type)
        if handles == "part_delta":
            return _part_delta(item_type or "", event.part, field, parts)
        return _part_text_done(item_type or "", event.part, event.value or "", field, parts)
    if handles == "value_delta":
        return _item_delta(item_type or "")
    if handles == "value_done":
        return _item_text_done(item_type or "", event.value or "")
    if handles == "status":
        return _status(item_type or "")
    if handles in ("command_delta", "command_done"):
        return _command_text(done=done)
    if handles == "audio":
        return _audio(done=done)
    if handles == "transcript":
        return _transcript(done=done)
    return _FIXED[handles]


_FIXED: dict[str, Handler] = {
    "lifecycle": _lifecycle, "error": _error, "ignore": _ignore, "item_added": _item_added,
    "item_done": _item_done, "annotation": _annotation, "command_added": _command_added,
}


#: event type -> handler, for every event type this validator knows.
HANDLERS: dict[str, Handler] = {event.name: _handler(event) for event in EVENTS}


def _may_resume(ev: dict) -> bool:
    """Only background responses can be resumed (`GET /responses/{id}?stream=true`): a stream
    that starts mid-way with a lifecycle event of a non-background response lost its start."""
    response = ev.get("response")
    return not isinstance(response, dict) or response.get("background") is True


#: The fields a delta of a run may carry besides its address, each with the one type of value
#: that every run's schema, under every profile, takes whatever it holds (for `logprobs` an
#: empty list: its items have a schema).  A delta with exactly the keys of the run's first one
#: and values of these types (or null where it had null) gets the first one's verdict, so the
#: run skips its test (tests/test_engine.py proves the premise from the schemas).
PLAIN: dict[str, type] = {"delta": str, "sequence_number": int, "obfuscation": str,
                          "logprobs": list}


class _Run:
    """A run of deltas to one open part: its address, schema test and text (see
    ``ResponsesChecker``)."""

    __slots__ = ("append", "empty_lists", "event_type", "item_id", "nulls", "output_index",
                 "part_field", "part_index", "plain", "size", "strings", "test")

    def __init__(self, ev: dict, event_type: str, item_id: str, output_index: int,
                 part_index: int, address: tuple[str, ...],
                 test: Callable[[dict], bool] | None, text: io.StringIO) -> None:
        self.event_type = event_type
        self.item_id = item_id
        self.output_index = output_index
        self.part_field = address[-1]  # (``_addressed``)
        self.part_index = part_index
        #: the schema test of an event at this address (``ctx.run_test``)
        self.test = test
        self.append = text.write
        # The first delta's fields besides the address and `delta` and `sequence_number`: when
        # each holds a ``PLAIN`` value or null, a delta with as many keys, a string `delta`, an
        # integer `sequence_number` and the same for these gets the first one's verdict: passed,
        # or the findings reported at the first one, once (a defect repeated on every delta).
        others = [k for k in ev if k != "type" and k != "delta" and k != "sequence_number" and
                  k not in address]
        self.strings = tuple(k for k in others if PLAIN.get(k) is str and type(ev[k]) is str)
        self.empty_lists = tuple(k for k in others if PLAIN.get(k) is list and ev[k] == [])
        self.nulls = tuple(k for k in others if ev[k] is None)
        self.size = len(ev)
        # ``like_first`` reads ``plain``: first whether every field was classified, then
        # whether the first delta itself passes the check its followers get.
        self.plain = len(self.strings) + len(self.empty_lists) + len(self.nulls) == len(others)
        self.plain = self.like_first(ev, ev.get("delta"), ev.get("sequence_number"))

    def like_first(self, ev: dict, delta: object, seq: object) -> bool:
        """Whether ``ev`` (of this run's address) has the keys and the values, ``PLAIN`` or
        null, that give it the verdict of the run's first delta without a schema test."""
        if not self.plain or len(ev) != self.size or type(delta) is not str or \
                type(seq) is not int:
            return False
        for name in self.strings:
            if type(ev.get(name)) is not str:
                return False
        for name in self.empty_lists:
            value = ev.get(name)
            if type(value) is not list or value:
                return False
        # (no generator when there are none: the clean stream's case, in pure Python)
        return not self.nulls or all(ev.get(name, ...) is None for name in self.nulls)


class ResponsesChecker:
    """Runs the Responses checks over the events of one stream.

    The hot path is a run of deltas to one part.  Once a delta has reached its open part, the
    next event of the same type and address (``output_index``, ``item_id``, part index) is the
    same lookup with the same outcome as long as no other event came in between: every state
    change comes from another event type.  ``feed`` then appends its text straight away
    (``_run``); any other event clears that shortcut.  Such an event also skips the engine's
    ``precheck``: its schema test leaves out the address, known valid since the first delta,
    and a delta with the first one's keys and ``PLAIN`` values needs no test at all.
    """

    __slots__ = ("_run", "ctx", "seq", "state")

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.state = ResponseState()
        ctx.state = self.state
        self.seq = self.state.sequence
        self._run: _Run | None = None  # the run of the last delta

    def feed(self, ev: dict) -> None:
        run = self._run
        if run is not None:
            ctx = self.ctx
            item_id = ev.get("item_id")
            output_index = ev.get("output_index")
            part_index = ev.get(run.part_field)
            # The address has the types it had at the start (an int equals a bool or a float),
            # and an SSE event name other than the type goes to precheck (F003).
            if ev.get("type") == run.event_type and type(item_id) is str and \
                    item_id == run.item_id and type(output_index) is int and \
                    output_index == run.output_index and type(part_index) is int and \
                    part_index == run.part_index and (ctx.name is None or
                                                      ctx.name == run.event_type):
                delta = ev.get("delta")
                seq = ev.get("sequence_number")
                if not run.like_first(ev, delta, seq):
                    test = run.test
                    if test is not None and not test(ev):
                        ctx.precheck(ev, True)  # the findings
                        run.test = ctx.run_test_after(run.event_type, test)
                if not self.seq.step(seq):
                    self.seq.feed(seq, (ctx.line, ctx.index), ctx.report)
                if type(delta) is str:
                    run.append(delta)
                return
            self._run = None
        passed = self.ctx.precheck(ev)
        self._event(ev, ev.get("type"), passed)

    def _event(self, ev: dict, event_type: Any, passed: bool) -> None:
        ctx, state = self.ctx, self.state
        if state.first_at is None:
            self._start(ev, event_type)
        seq = ev.get("sequence_number")
        if not self.seq.step(seq):
            self.seq.feed(seq, (ctx.line, ctx.index), ctx.report)
        handler = HANDLERS.get(event_type) if type(event_type) is str else None
        if handler is None:
            self._unknown(ev, event_type)
            return
        if state.phase is TERMINAL and handler is not _lifecycle and handler is not _ignore:
            ctx.report("L006", f"{event_type} after the terminal event {state.terminal_event}",
                       None, key=("L006",))
            return
        if event_type in LEGACY_TYPES:
            self._legacy(event_type)
            handler(ctx, state, ev)
            return
        part = handler(ctx, state, ev)
        if part is not None:  # a delta reached its open part: start a run
            self._start_run(ev, handler, part, passed)

    def _start_run(self, ev: dict, handler: Any, part: Part, passed: bool) -> None:
        event_type, item_id, output_index = ev["type"], ev.get("item_id"), ev.get("output_index")
        fields: tuple[str, ...] = handler.address_fields
        part_index = ev.get(fields[-1])
        if type(item_id) is str and type(output_index) is int and type(part_index) is int:
            self._run = _Run(ev, event_type, item_id, output_index, part_index, fields,
                             self.ctx.run_test(event_type, fields, passed), part.streamed)

    def _start(self, ev: dict, event_type: Any) -> None:
        ctx = self.ctx
        self.state.start((ctx.line, ctx.index))
        seq = ev.get("sequence_number")
        if event_type == "response.created":
            if type(seq) is int and seq != 0:
                ctx.report("Q005", f"response.created has sequence_number {seq}",
                           "/sequence_number")
        elif type(seq) is int and seq > 0 and _may_resume(ev):
            self.state.resume()
            ctx.report("L002", f"the stream starts at sequence_number {seq} with {event_type}: "
                       f"resumed after sequence_number {seq - 1}", None)
        elif event_type != "error":
            first = event_type if isinstance(event_type, str) else "an event without a type"
            ctx.report("L001", f"the stream starts with {first}, not response.created", None)

    def _unknown(self, ev: dict, event_type: Any) -> None:
        if isinstance(event_type, str) and ":" in event_type:
            return  # an Open Responses extension event (`acme:trace_event`)
        if event_type is None and ("choices" in ev or ev.get("object") == "chat.completion.chunk"):
            self.ctx.report("C001", "a chat.completion.chunk in a Responses stream", None,
                            key=("C001",))
            return
        if type(event_type) is not str:
            return  # the schema check reports a missing or non-string type
        self.ctx.report("L009", f"unknown event type {event_type!r}", "/type",
                        key=("L009", event_type))

    def _legacy(self, event_type: str) -> None:
        if get_profile(self.ctx.profile).reasoning_events and \
                event_type.startswith("response.reasoning."):
            return
        self.ctx.report("L011", f"{event_type} was removed from the protocol; use "
                        f"{LEGACY_TYPES[event_type]}", "/type", key=("L011", event_type))

    def close(self) -> None:
        self.seq.close(self.state.first_at, self.ctx.report)
        if self.state.first_at is not None:
            check_stream_end(self.ctx)

    def status(self) -> str | None:
        """How the stream ended: the terminal event's status, ``error`` after an `error`
        event with no terminal one, ``None`` while (or if) it never ended."""
        state = self.state
        status = TERMINAL_EVENTS.get(state.terminal_event or "")
        return status or ("error" if state.errored else None)

    def usage_seen(self) -> bool:
        """Whether the terminal response carried `usage`."""
        return self.state.usage_seen

    def output(self) -> list[dict]:
        """The items as the stream built them: what a client accumulated, not the terminal
        event's copy (the two differ exactly when T/R rules fire)."""
        return [_reconstruct(item) for item in self.state.items if not item.partial]


def _reconstruct(item: Item) -> dict:
    entry: dict = {"output_index": item.index, "id": item.id, "type": item.type,
                   "done": item.phase is DONE}
    if item.content:
        entry["content"] = [{"type": p.type, "text": p.final_text()} for p in item.content]
    if item.summary:
        entry["summary"] = [p.final_text() for p in item.summary]
    if item.value is not None:
        entry[ITEM_VALUE_PATHS.get(item.type, ("value",))[-1]] = item.value.final_text()
    if item.commands:
        entry["commands"] = [p.final_text() for p in item.commands]
    return entry

