# The protocol state of one Anthropic Messages stream, and nothing else.
#
# Theory of operation
# -------------------
# A Messages stream builds one message: `message_start` carries it (normally with empty
# `content`), then each content block is started, gets its deltas and is stopped, then
# `message_delta` sets `stop_reason` and the cumulative usage, and `message_stop` ends it
# (anthropic-protocol.md §4).  The SDK accumulators (anthropic-python `accumulate_event`,
# anthropic-typescript `MessageStream`) *append* each started block to `content` whatever its
# `index` says, and address deltas and stops by `content[index]`.  This module does the same, so
# an index that is wrong for the SDK is wrong here: block positions are the order of the starts
# (after any blocks `message_start` already carried), and `index` is checked against them.
#
# This module is the only code that assigns this state.  Each transition takes `report` (the
# engine's `ctx.report`) and reports the order problems it meets itself: a lookup miss here *is*
# the violation.  The checks (`lifecycle.py`, `blocks.py`, `deltas.py`, `message.py`) read the
# state and report what is wrong with its content.
#
# Memory is bounded by the accumulated text and tool input (one `accumulate.Text` a block).

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..accumulate import Text
from .events import BLOCKS, DELTAS

__all__ = ["DELTA", "ENDED", "ERRORED", "OPEN", "START", "Block", "MessageState", "Report",
           "short"]

Report = Callable[..., None]

# Phases of the message.
START = "start"  # nothing but pings yet
OPEN = "open"  # after message_start: blocks stream
DELTA = "delta"  # after message_delta: only message_delta, ping and message_stop may follow
ENDED = "ended"  # after message_stop
ERRORED = "errored"  # after an `error` event: the SDKs raised


@dataclass(slots=True, eq=False)
class Block:
    """One content block, at its position in the message's `content`."""

    position: int
    type: Any
    at: tuple[Any, Any]  # (line, event index) of its start
    start: dict = field(default_factory=dict)  # the block as `content_block_start` sent it
    open: bool = True
    forced: bool = False  # closed by message_delta/message_stop (M014), not by its stop
    deltas: int = 0
    text: Text = field(default_factory=Text)  # text, thinking, or tool input JSON
    citations: int = 0
    full_input: bool = False  # a tool block that started with its whole `input`
    thinking_deltas: int = 0
    signatures: int = 0
    after_signature: bool = False  # a thinking_delta came after the signature_delta
    # The delta type this block takes with nothing more to check, and its fragment's field
    # (text: `text_delta`; a tool block that starts empty: `input_json_delta`): the hot path.
    fast: str | None = None
    field: str = ""


@dataclass(slots=True, eq=False)
class MessageState:
    """Everything open or accumulated in one Messages stream."""

    phase: str = START
    message: dict | None = None  # `message_start.message`
    blocks: list[Block] = field(default_factory=list)
    open_blocks: int = 0
    initial_blocks: int = 0  # blocks `message_start.message.content` already carried
    message_deltas: int = 0
    delta_at: tuple[Any, Any] | None = None  # the first message_delta
    stop_reason: Any = None
    stop_sequence: Any = None
    start_usage: dict = field(default_factory=dict)
    usage: dict = field(default_factory=dict)  # the SDK's snapshot: replaced field by field
    output_tokens: Any = None  # the last cumulative count seen (start, then each delta)
    error_type: Any = None
    late_events: int = 0  # events after message_stop / error

    # -- message -------------------------------------------------------------------------------

    def start_message(self, ev: dict, at: tuple[Any, Any], report: Report) -> None:
        if self.phase is not START:
            if self.message is None:  # M001 already said it came late; take it
                self.phase = OPEN
                self._take_message(ev, at)
                return
            other = ev.get("message")
            same = isinstance(other, dict) and other.get("id") == self.message.get("id")
            report("M002", "second message_start" + ("" if same else
                   f" (message id {short(other.get('id') if isinstance(other, dict) else None)}"
                   f", the first was {short(self.message.get('id'))})"),
                   "/message", key=("M002",))
            return
        self.phase = OPEN
        self._take_message(ev, at)

    def _take_message(self, ev: dict, at: tuple[Any, Any]) -> None:
        message = ev.get("message")
        self.message = message if isinstance(message, dict) else {}
        usage = self.message.get("usage")
        if isinstance(usage, dict):
            self.start_usage = dict(usage)
            self.usage = dict(usage)
            self.output_tokens = usage.get("output_tokens")
        content = self.message.get("content")
        if isinstance(content, list):  # the deferred shape: blocks arrive whole here
            for start in content:
                block = self._new_block(start, at)
                block.open = False
                self.blocks.append(block)
            self.initial_blocks = len(content)
        self.stop_reason = self.message.get("stop_reason")
        self.stop_sequence = self.message.get("stop_sequence")

    def begin_without_start(self, ev_type: Any, report: Report) -> None:
        """An event before any `message_start`: the SDKs raise; validation goes on as if the
        message had started, so one missing start is one finding."""
        report("M001", f"{short(ev_type)} before message_start (the stream must start with "
               "message_start)", "/type", key=("M001",))
        self.phase = OPEN

    def message_delta(self, ev: dict, at: tuple[Any, Any], report: Report) -> None:
        self._close_open_blocks("message_delta", report)
        self.phase = DELTA
        self.message_deltas += 1
        if self.delta_at is None:
            self.delta_at = at
        delta = ev.get("delta")
        if isinstance(delta, dict):  # the SDKs overwrite both, null included
            self.stop_reason = delta.get("stop_reason")
            self.stop_sequence = delta.get("stop_sequence")
        usage = ev.get("usage")
        if isinstance(usage, dict):
            for name, value in usage.items():
                if value is not None:  # cumulative totals: replace, never add
                    self.usage[name] = value
            if "output_tokens" in usage:
                self.output_tokens = usage["output_tokens"]

    def stop_message(self, report: Report) -> None:
        self._close_open_blocks("message_stop", report)
        self.phase = ENDED

    def fail(self, ev: dict) -> None:
        error = ev.get("error")
        self.error_type = error.get("type") if isinstance(error, dict) else None
        self.phase = ERRORED

    def late(self) -> None:
        self.late_events += 1

    def _close_open_blocks(self, event: str, report: Report) -> None:
        if not self.open_blocks:
            return
        for block in self.blocks:
            if block.open:
                report("M014", f"{event} while block {block.position} ({short(block.type)}) "
                       "is still open (no content_block_stop)", None,
                       key=("M014", block.position))
                block.open = False
                block.forced = True
        self.open_blocks = 0

    # -- blocks --------------------------------------------------------------------------------

    def start_block(self, ev: dict, at: tuple[Any, Any], report: Report) -> Block:
        position = len(self.blocks)
        index = ev.get("index")
        if self.phase is DELTA:
            report("M017", f"content_block_start after message_delta (block {position})",
                   None, key=("M017", position))
        if index != position or type(index) is not int:
            earlier = type(index) is int and 0 <= index < position
            report("M010", f"content_block_start index {short(index)}: this is block "
                   f"{position} of the message" + (
                       f" (index {index} was already started)" if earlier else
                       " (indices start at 0 and go up by one)"),
                   "/index", key=("M010", position))
        if self.open_blocks:
            still = next(b for b in self.blocks if b.open)
            report("M016", f"block {position} starts while block {still.position} "
                   f"({short(still.type)}) is still open", "/index",
                   key=("M016", position))
        block = self._new_block(ev.get("content_block"), at)
        self.blocks.append(block)
        self.open_blocks += 1
        return block

    def _new_block(self, start: Any, at: tuple[Any, Any]) -> Block:
        """A block at the next position, as its start (or `message_start`) carried it."""
        start = start if isinstance(start, dict) else {}
        kind = start.get("type")  # not a string: a schema finding, and no known block type
        block = Block(len(self.blocks), kind if type(kind) is str else None, at, start)
        spec = BLOCKS.get(block.type)
        if spec is not None and spec.accumulates in ("text", "thinking"):
            text = start.get(spec.accumulates)
            if isinstance(text, str) and text:
                block.text.append(text)
        elif spec is not None and spec.accumulates == "json":
            block.full_input = isinstance(start.get("input"), dict) and bool(start["input"])
        if spec is not None and spec.accumulates == "text":
            block.fast, block.field = "text_delta", "text"
        elif spec is not None and spec.accumulates == "json" and not block.full_input:
            block.fast, block.field = "input_json_delta", "partial_json"
        return block

    def block_at(self, ev: dict, event: str, report: Report) -> Block | None:
        """The block a delta or stop addresses (``content[index]``, as the SDKs read it)."""
        index = ev.get("index")
        if type(index) is int and 0 <= index < len(self.blocks):
            block = self.blocks[index]
            if block.open:
                return block
            if block.forced and event == "content_block_stop":
                return None  # the late stop of a block M014 reported
            report("M013", f"{event} for block {index} ({short(block.type)}) after its "
                   "content_block_stop" if index >= self.initial_blocks else
                   f"{event} for block {index}, which message_start carried whole", "/index",
                   key=("M013", index, event))
            return None
        report("M011", f"{event} for index {short(index)}, but no content_block_start "
               f"opened it ({len(self.blocks)} block(s) started)", "/index",
               key=("M011", repr(index)))
        return None

    @staticmethod
    def append(block: Block, fragment: Any) -> None:
        """A delta of the block's ``fast`` type: its fragment is accumulated."""
        block.deltas += 1
        if type(fragment) is str and fragment:
            block.text.append(fragment)

    def add_delta(self, block: Block, kind: str, delta: dict) -> None:
        """Accumulate a delta that fits its block (``deltas.check_delta`` said so)."""
        if kind == "text_delta" or kind == "input_json_delta":
            self.append(block, delta.get(DELTAS[kind]))
        elif kind == "thinking_delta":
            self.append(block, delta.get("thinking"))
            block.thinking_deltas += 1
            if block.signatures:
                block.after_signature = True
        else:
            block.deltas += 1
            if kind == "signature_delta":
                block.signatures += 1
            elif kind == "citations_delta":
                block.citations += 1

    def stop_block(self, block: Block) -> None:
        block.open = False
        self.open_blocks -= 1


def short(value: Any) -> str:
    """A value quoted for a message, at most 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"
