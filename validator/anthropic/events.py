"""The Anthropic Messages events table: every event type once, and every content block type
with the deltas it takes.

The checker's dispatch (one handler an event type) and the schema list
(``schemas/anthropic/<type>.json``) derive from ``EVENTS``; ``tests/test_anthropic.py`` checks
the table against the schema files and, with ``tools/anthropic_schemas.py``, against the
installed ``anthropic`` SDK's unions (anthropic-protocol.md §2-§3).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["BLOCKS", "CLIENT_TOOL_BLOCKS", "DELTAS", "EVENTS", "EVENT_TYPES", "STOP_REASONS",
           "BlockType", "EventType", "detect"]


class EventType(NamedTuple):
    """One event type of the stream.

    ``block``: it addresses a content block by its ``index`` field.  ``sdk``: a member of the
    SDK's ``RawMessageStreamEvent`` union (``ping`` and ``error`` are SSE-level events the SDKs
    handle before the union: skipped and raised).  ``ends``: the stream ends with it.
    """

    name: str
    block: bool = False
    sdk: bool = True
    ends: bool = False


EVENTS: tuple[EventType, ...] = (
    EventType("message_start"),
    EventType("content_block_start", block=True),
    EventType("content_block_delta", block=True),
    EventType("content_block_stop", block=True),
    EventType("message_delta"),
    EventType("message_stop", ends=True),
    EventType("ping", sdk=False),
    EventType("error", sdk=False, ends=True),
)
EVENT_TYPES = frozenset(e.name for e in EVENTS)


class BlockType(NamedTuple):
    """A content block type: the delta types it accepts and what they accumulate.

    ``accumulates``: ``text``, ``json`` (tool input), ``thinking``, ``compaction`` or ``None``
    (the block arrives whole in `content_block_start` and takes no delta).
    """

    name: str
    deltas: tuple[str, ...] = ()
    accumulates: str | None = None


_TOOL_INPUT = ("input_json_delta",)
BLOCKS: dict[str, BlockType] = {b.name: b for b in (
    BlockType("text", ("text_delta", "citations_delta"), "text"),
    BlockType("thinking", ("thinking_delta", "signature_delta"), "thinking"),
    BlockType("redacted_thinking"),
    # The SDK accumulators track input for these three (`TRACKS_TOOL_INPUT`).
    BlockType("tool_use", _TOOL_INPUT, "json"),
    BlockType("server_tool_use", _TOOL_INPUT, "json"),
    BlockType("mcp_tool_use", _TOOL_INPUT, "json"),
    BlockType("compaction", ("compaction_delta",), "compaction"),
    # Results and markers: whole in their start, followed by their stop.
    BlockType("web_search_tool_result"),
    BlockType("web_fetch_tool_result"),
    BlockType("advisor_tool_result"),
    BlockType("code_execution_tool_result"),
    BlockType("bash_code_execution_tool_result"),
    BlockType("text_editor_code_execution_tool_result"),
    BlockType("tool_search_tool_result"),
    BlockType("mcp_tool_result"),
    BlockType("mcp_tool_listing"),
    BlockType("container_upload"),
    BlockType("fallback"),
)}

#: delta type -> the field that carries its fragment.
DELTAS: dict[str, str] = {
    "text_delta": "text",
    "citations_delta": "citation",
    "input_json_delta": "partial_json",
    "thinking_delta": "thinking",
    "signature_delta": "signature",
    "compaction_delta": "content",
}

#: The blocks a client must answer: when the last block is one of them, the turn stops for it.
CLIENT_TOOL_BLOCKS = frozenset({"tool_use"})

#: `StopReason` / `BetaStopReason` (beta adds `compaction`).
STOP_REASONS = ("end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal",
                "model_context_window_exceeded", "compaction")


#: The event types that mark a stream as a Messages stream when one comes first.
_MESSAGES_ONLY = frozenset(e.name for e in EVENTS if e.name != "error")


def detect(payload: dict) -> bool:
    """Whether a first event is an Anthropic Messages event (an `error` only with the
    Messages shape ``{"type": "error", "error": {…}}``; Responses errors carry `code`)."""
    kind = payload.get("type")
    return kind in _MESSAGES_ONLY or (kind == "error" and isinstance(payload.get("error"), dict))
