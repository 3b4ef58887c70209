# The protocol state of one Chat Completions stream, and nothing else.
#
# Theory of operation
# -------------------
# A Chat Completions stream is a flat list of `chat.completion.chunk` objects.  Every chunk
# repeats the completion's identity (`id`, `created`, `model`, `system_fingerprint`) and carries
# deltas for some choices, addressed by `choices[].index`; inside a choice, tool calls are
# addressed by `delta.tool_calls[].index`.  The SDKs merge the deltas into one snapshot
# (openai-python `accumulate_delta`: strings concatenated, lists of dicts merged by `index`), so
# this module keeps, per choice and per tool call, what they would have accumulated and where
# each one started.  `validator/chat.py` feeds it; the checks in `validator/rules/chat.py` read
# it and report.
#
# Memory is bounded by the accumulated text: each text is a list of fragments that is folded
# into blocks every `BLOCK` fragments, so a stream of a million one-token deltas keeps about a
# million characters, not a million string objects.

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["BLOCK", "ChatState", "Choice", "Text", "ToolCall"]

#: Fragments kept unjoined before they are folded into one block.
BLOCK = 256

#: Where an event is: ``(line, event_index)``, as ``ctx.report(at=...)`` takes it.
Location = tuple[Any, Any]


@dataclass(slots=True, eq=False)
class Text:
    """Concatenated delta fragments (`content`, `refusal`, tool call `arguments`, …)."""

    parts: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)

    def append(self, fragment: str) -> None:
        parts = self.parts
        parts.append(fragment)
        if len(parts) >= BLOCK:
            self.blocks.append("".join(parts))
            parts.clear()

    def value(self) -> str:
        return "".join(self.blocks) + "".join(self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts or self.blocks)


@dataclass(slots=True, eq=False)
class ToolCall:
    """One `tool_calls[]` entry of a choice, addressed by its `index`."""

    index: int
    id: Any
    type: Any
    name: Any
    at: Location
    arguments: Text = field(default_factory=Text)
    merged: bool = False  # a second call was merged into this index: its arguments are mixed


@dataclass(slots=True, eq=False)
class Choice:
    """One choice of the completion, addressed by `choices[].index`."""

    index: int
    role: Any
    at: Location | None = None  # the chunk that started the choice
    content: Text = field(default_factory=Text)
    refusal: Text = field(default_factory=Text)
    reasoning: Text = field(default_factory=Text)  # `reasoning_content` / `reasoning` extensions
    tool_calls: list[ToolCall] = field(default_factory=list)
    current_tool: int | None = None  # the tool call the last tool-call delta addressed
    function_call: bool = False  # the deprecated `delta.function_call` was streamed
    audio: bool = False  # `delta.audio` was streamed (audio output)
    #: delta field -> whether the list accumulated there holds objects (C025)
    object_lists: dict[str, bool] = field(default_factory=dict)
    finish_reason: Any = None
    finish_at: Location | None = None


@dataclass(slots=True, eq=False)
class ChatState:
    """Everything open or accumulated in one Chat Completions stream."""

    started: bool = False  # the first chunk set the identity below
    id: Any = None
    created: Any = None
    model: Any = None
    system_fingerprint: Any = None
    choices: list[Choice] = field(default_factory=list)
    usage_at: Location | None = None  # the last chunk that carried `usage`
    usage: Any = None  # ... and that `usage`
    output_after_usage: Location | None = None  # first chunk with output after that one
    errored: bool = False  # an `error` object ended the stream for the clients
    error_at: Location | None = None  # ... in this chunk
    chunks: int = 0  # chunks the SDKs accumulate (not skipped, not after an error)
