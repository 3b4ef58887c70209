"""The Anthropic Messages kind's checker: ``AnthropicChecker.feed`` dispatches each event through
the table built from ``events.EVENTS`` (one handler an event type); the state lives in
``state.py`` and only changes there; the checks (``lifecycle``, ``blocks``, ``deltas``,
``message``) read it and report.  The common event, a text or tool-input delta for the open
block, costs the block lookup and one append.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import Context
from .blocks import check_block_stop, tool_input
from .deltas import check_delta
from .events import EVENTS
from .lifecycle import check_end, check_event_name, check_late, on_error, on_unknown
from .message import check_message_delta, check_message_end, check_message_start
from .state import DELTA, ENDED, ERRORED, OPEN, START, Block, MessageState

__all__ = ["AnthropicChecker"]


class AnthropicChecker:
    """The checks of one Messages stream, fed one event (a parsed dict) at a time."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.state = ctx.state = MessageState()
        self.sse = ctx.input_format == "sse"  # only SSE frames carry event names
        #: (index, schema test, delta type, fragment field, the block text's append, whether
        #: the run's first delta was plain: nothing but the fragment, and nothing to test)
        #: while a run of deltas of one open block goes on: any other event ends it.
        self._run: tuple | None = None
        self._handlers: dict[str, Callable[[dict], None]] = {
            e.name: getattr(self, "_" + e.name) for e in EVENTS}

    def feed(self, ev: dict) -> None:
        run = self._run
        if run is not None:  # the previous event was a plain delta of an open block
            position, test, fast, field, append, plain = run
            try:  # subscripts: cheaper than `get` calls on the hot path
                index, kind = ev["index"], ev["type"]
            except KeyError:
                index = kind = None
            if index == position and type(index) is int and kind == "content_block_delta" and \
                    (not self.sse or self.ctx.name == kind):
                delta = ev.get("delta")
                if type(delta) is dict and delta.get("type") == fast:
                    fragment = delta.get(field)
                    if plain and type(fragment) is str and len(ev) == 3 and len(delta) == 2:
                        # The keys of the run's first delta, which passed its schema test (if
                        # any), and only the fragment differs: a string, which its schema takes
                        # whatever it holds (tests/test_anthropic.py checks that under every
                        # profile).
                        append(fragment)  # the block's text (the run needs no count)
                        return
                    if test is not None and not test(ev):
                        self.ctx.precheck(ev)  # the findings
                    if type(fragment) is str:
                        append(fragment)
                    return
                if test is not None and not test(ev):
                    self.ctx.precheck(ev)  # the findings
                self._run = None
                self._content_block_delta(ev)
                return
            self._run = None
        ctx = self.ctx
        passed = ctx.precheck(ev)
        kind = ev.get("type")
        if self.sse and ctx.name != kind:
            check_event_name(ctx, ctx.name, kind)
        state = self.state
        phase = state.phase
        if phase is OPEN and kind == "content_block_delta":  # the hot path
            index = ev.get("index")
            blocks = state.blocks
            if type(index) is int and 0 <= index < len(blocks):
                block = blocks[index]
                delta = ev.get("delta")
                if block.open and type(delta) is dict and delta.get("type") == block.fast:
                    state.append(block, delta.get(block.field))
                    # The next deltas of this block skip the lookups, and their schema test
                    # leaves out `type` and `index`, known valid now.
                    test = ctx.run_test("content_block_delta", ("type", "index"), passed)
                    # Nothing but the fragment, and nothing to test (passed, or no schemas).
                    plain = (passed or test is None) and len(ev) == 3 and len(delta) == 2
                    append = block.text.append
                    self._run = (index, test, block.fast, block.field, append, plain)
                    fragment = delta.get(block.field)
                    if plain and type(fragment) is str and (not self.sse or ctx.name == kind):
                        # The next such deltas, byte for byte but the fragment (and under the
                        # same SSE event name), need only its append: they come as the fragment
                        # alone.
                        ctx.offer_run(block.field, fragment, 2, append)
                    return
            self._content_block_delta(ev)
            return
        if phase is ENDED or phase is ERRORED:
            state.late()
            check_late(ctx, state, kind)
            return
        handler = self._handlers.get(kind) if type(kind) is str else None
        if handler is None:
            on_unknown(ctx, kind)
            return
        if phase is START and kind != "message_start" and kind != "ping" and kind != "error":
            state.begin_without_start(kind, ctx.report)
        handler(ev)

    def close(self) -> None:
        check_end(self.ctx, self.state)

    def status(self) -> str | None:
        """How the stream ended: the final `stop_reason`, ``error`` after an error event,
        ``None`` if it did not end with `message_stop`."""
        state = self.state
        if state.phase is ERRORED:
            return "error"
        return state.stop_reason if state.phase is ENDED else None

    def usage_seen(self) -> bool:
        """Whether `message_start` or a `message_delta` carried `usage`."""
        return bool(self.state.usage)

    def output(self) -> list[dict]:
        """The message content as the SDK accumulators build it (text, tool input, thinking)."""
        return [_reconstruct(block) for block in self.state.blocks]

    # -- handlers, one an event type (events.EVENTS) ------------------------------------------

    def _at(self) -> tuple[Any, Any]:
        return (self.ctx.line, self.ctx.index)

    def _message_start(self, ev: dict) -> None:
        check_message_start(self.ctx, ev)
        self.state.start_message(ev, self._at(), self.ctx.report)

    def _content_block_start(self, ev: dict) -> None:
        self.state.start_block(ev, self._at(), self.ctx.report)

    def _content_block_delta(self, ev: dict) -> None:
        state = self.state
        if state.phase is DELTA:
            self.ctx.report("M017", "content_block_delta after message_delta", None,
                            key=("M017", "delta"))
        block = state.block_at(ev, "content_block_delta", self.ctx.report)
        if block is None:
            return
        delta = ev.get("delta")
        kind = check_delta(self.ctx, block, delta)
        if kind is not None and isinstance(delta, dict):  # (a delta of a known type is one)
            state.add_delta(block, kind, delta)

    def _content_block_stop(self, ev: dict) -> None:
        block = self.state.block_at(ev, "content_block_stop", self.ctx.report)
        if block is not None:
            self.state.stop_block(block)
            check_block_stop(self.ctx, block)

    def _message_delta(self, ev: dict) -> None:
        check_message_delta(self.ctx, self.state, ev)
        self.state.message_delta(ev, self._at(), self.ctx.report)

    def _message_stop(self, ev: dict) -> None:
        self.state.stop_message(self.ctx.report)
        check_message_end(self.ctx, self.state)

    def _ping(self, ev: dict) -> None:
        pass  # anywhere, any number (the SDKs skip it)

    def _error(self, ev: dict) -> None:
        on_error(self.ctx, ev)
        self.state.fail(ev)


def _reconstruct(block: Block) -> dict:
    entry = dict(block.start)
    entry["type"] = block.type
    if block.type == "text":
        entry["text"] = block.text.value()
    elif block.type == "thinking":
        entry["thinking"] = block.text.value()
    elif block.type in ("tool_use", "server_tool_use", "mcp_tool_use"):
        try:
            entry["input"] = tool_input(block)
        except (ValueError, RecursionError):
            entry["input"] = block.text.value()  # as streamed: M030 said why
    return entry
