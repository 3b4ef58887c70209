"""The content of one streamed answer, the same whatever kind of stream carried it.

A gateway that translates one API into another (Chat Completions into Responses, Responses into
Anthropic Messages…) must hand the client the same answer it received: the same text, the same
tool calls with the same arguments, the same reason to stop, the same token counts.  To compare
two streams of different kinds, each is reduced to an :class:`Answer`: per choice, its ordered
:class:`Block` list (message text, refusal, reasoning text and summaries, tool calls, server-side
tool calls) and its stop condition mapped to one vocabulary (:data:`STOPS`), plus the usage.

The answer is read from the protocol state the stream's kind accumulated while it was validated
(``validator/responses/state.py``, ``validator/chat/state.py``,
``validator/anthropic/state.py``): one adapter per kind (:data:`ADAPTERS`),
no second pass over the stream, no state machine of its own.  It holds the final texts the state
already holds, so memory stays what validation needs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from .anthropic.state import Block as AnthropicBlock
from .anthropic.state import MessageState
from .chat.events import TEXTS as CHAT_TEXTS
from .chat.state import ChatState
from .responses.state import DONE, Item, ResponseState

__all__ = [
    "ADAPTERS",
    "CARRIES",
    "REASONING",
    "REFUSAL",
    "SERVER_TOOL",
    "STOPS",
    "SUMMARY",
    "TEXT",
    "TOOL_CALL",
    "USAGE_FIELDS",
    "Answer",
    "Block",
    "Choice",
    "Location",
    "Usage",
    "answer_of",
]

#: Where an event is: ``(line, event_index)``; ``(None, None)``: at no event.
Location = tuple[Any, Any]
NOWHERE: Location = (None, None)

# Block types.
TEXT = "text"
REFUSAL = "refusal"
REASONING = "reasoning"  # raw reasoning text (Responses `reasoning_text`, chat `reasoning_content`)
SUMMARY = "summary"  # a reasoning summary (Responses `summary_text`)
TOOL_CALL = "tool_call"  # a call the client runs (function, custom tool, shell, patch…)
SERVER_TOOL = "server_tool"  # a call the server ran (web search, code interpreter, MCP…)

#: Block types each kind can carry; a translation into a kind cannot keep the others.
CARRIES = {
    "responses": frozenset((TEXT, REFUSAL, REASONING, SUMMARY, TOOL_CALL, SERVER_TOOL)),
    "chat": frozenset((TEXT, REFUSAL, REASONING, TOOL_CALL)),
    # No refusal channel (a refusal is text and `stop_reason: "refusal"`); thinking is raw
    # reasoning or its summary, depending on the model.
    "anthropic": frozenset((TEXT, REASONING, SUMMARY, TOOL_CALL, SERVER_TOOL)),
}
#: Usage counts each kind reports (Anthropic's output tokens include thinking: no count of its
#: own).
USAGE_FIELDS = {"anthropic": ("input", "output", "cached")}

#: The stop conditions, one vocabulary for every kind.
END, LENGTH, TOOL_USE, CONTENT_FILTER, ERROR = (
    "end", "length", "tool_use", "content_filter", "error")
STOPS = (END, LENGTH, TOOL_USE, CONTENT_FILTER, ERROR)

_CHAT_STOPS = {"stop": END, "length": LENGTH, "tool_calls": TOOL_USE, "function_call": TOOL_USE,
               "content_filter": CONTENT_FILTER}
_INCOMPLETE_STOPS = {"max_output_tokens": LENGTH, "content_filter": CONTENT_FILTER}


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of the output, as one item, part, choice or content block carried it.

    ``text`` is the text; for a tool call, its arguments (or input) as streamed.
    """

    type: str
    text: str
    at: Location
    name: Any = None
    call_id: Any = None

    @property
    def arguments(self) -> Any:
        """A tool call's arguments as parsed JSON (empty arguments are ``{}``, what a client
        calls the tool with), or :class:`Unparsed` when they are not JSON."""
        return parse_arguments(self.text)


@dataclass(frozen=True, slots=True)
class Unparsed:
    """Tool call arguments that are not JSON: compared as text."""

    text: str


def parse_arguments(text: str) -> Any:
    if not text.strip():
        return {}
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return Unparsed(text)


@dataclass(slots=True)
class Choice:
    """One answer: a Responses response, a chat choice, an Anthropic message."""

    index: int
    blocks: list[Block] = field(default_factory=list)
    stop: str | None = None  # one of STOPS, a value no kind defines as it was sent, or None
    stop_reason: str | None = None  # how the stream said it: "finish_reason 'length'"
    stop_at: Location = NOWHERE

    def of(self, *types: str) -> list[Block]:
        return [block for block in self.blocks if block.type in types]


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts; ``None`` where the stream did not say.  ``input`` counts cached input too."""

    input: int | None = None
    output: int | None = None
    reasoning: int | None = None
    cached: int | None = None


@dataclass(slots=True)
class Answer:
    """Everything a client got from one stream, reduced to what survives a translation."""

    kind: str
    choices: list[Choice] = field(default_factory=list)
    usage: Usage | None = None
    usage_at: Location = NOWHERE


def answer_of(kind: str | None, state: Any) -> Answer | None:
    """The answer of a stream of ``kind`` whose validation accumulated ``state`` (``None``: an
    empty stream, or a kind without an adapter)."""
    adapter = ADAPTERS.get(kind or "")
    return adapter(state) if adapter is not None and state is not None else None


def _int(value: Any) -> int | None:
    return value if type(value) is int else None


def _usage(usage: Any, input_key: str, output_key: str) -> Usage | None:
    """``usage`` in the OpenAI shape: totals and their ``*_tokens_details``."""
    if not isinstance(usage, dict):
        return None
    details_in = usage.get(input_key + "_details")
    details_out = usage.get(output_key + "_details")
    return Usage(
        input=_int(usage.get(input_key)), output=_int(usage.get(output_key)),
        reasoning=_int(details_out.get("reasoning_tokens")) if isinstance(
            details_out, dict) else None,
        cached=_int(details_in.get("cached_tokens")) if isinstance(details_in, dict) else None)


# -- Responses ---------------------------------------------------------------------------------

#: Item types of calls the client runs: the arguments a client gets are in these fields.
_CLIENT_CALLS = {"function_call": "arguments", "custom_tool_call": "input"}
#: ... and those that carry an action instead of arguments (their name is the item type).
_CLIENT_ACTIONS = ("computer_call", "local_shell_call", "shell_call", "apply_patch_call")


def from_responses(state: ResponseState) -> Answer:
    choice = Choice(index=0)
    for item in state.items:
        if not item.partial:
            choice.blocks += _item_answer(item, state.final_items.get(item.index))
    # Items only the terminal response lists (never streamed) are what a client reading the
    # final response gets: take them from there.
    for index in sorted(i for i in state.final_items if i >= len(state.items)):
        choice.blocks += _final_blocks(state.final_items[index], state.terminal_at or NOWHERE)
    if state.terminal_event == "response.completed":
        choice.stop = TOOL_USE if choice.of(TOOL_CALL) else END
        choice.stop_reason = "status 'completed'" + (" with tool calls" * bool(choice.of(
            TOOL_CALL)))
    elif state.terminal_event == "response.incomplete":
        reason = state.incomplete_reason
        choice.stop = _INCOMPLETE_STOPS.get(reason, f"incomplete: {reason}")
        choice.stop_reason = f"status 'incomplete', incomplete_details.reason {reason!r}"
    elif state.terminal_event == "response.failed":
        choice.stop, choice.stop_reason = ERROR, "status 'failed'"
    if state.terminal_at is not None:
        choice.stop_at = state.terminal_at
    elif state.errored:
        choice.stop, choice.stop_reason = ERROR, "an error event"
        choice.stop_at = (state.error_line, state.error_index)
    return Answer(kind="responses", choices=[choice],
                  usage=_usage(state.usage, "input_tokens", "output_tokens"),
                  usage_at=(state.terminal_at or NOWHERE) if state.usage is not None else NOWHERE)


def _item_answer(item: Item, final: dict | None) -> list[Block]:
    """What the stream built for ``item``.  Where it built nothing (the deltas addressed no part
    a client could accumulate) or left a call unnamed (never added), what a client keeps of the
    item instead: its `output_item.done` (openai-python's completed output), else its entry in
    the terminal response (``final``).  The I/T/R rules report the stream's defect."""
    kept = item.done_item if item.phase is DONE and isinstance(item.done_item, dict) else final
    blocks = list(_item_blocks(item))
    if kept is None:
        return blocks
    if not any(block.text or block.type in (TOOL_CALL, SERVER_TOOL) for block in blocks):
        return list(_final_blocks(kept, (item.line, None)))
    return [replace(block, name=kept.get("name"), call_id=kept.get("call_id"))
            if block.type == TOOL_CALL and block.name is None else block for block in blocks]


def _item_blocks(item: Item) -> Iterator[Block]:
    at = (item.line, None)
    done = item.done_item if item.phase is DONE and item.done_item is not None else {}
    if item.type == "message":
        for part in item.content:
            kind = REFUSAL if part.type == "refusal" else TEXT
            yield Block(kind, part.final_text(), (part.line, None) if part.line else at)
    elif item.type == "reasoning":
        for part in item.summary:
            yield Block(SUMMARY, part.final_text(), (part.line, None) if part.line else at)
        for part in item.content:
            yield Block(REASONING, part.final_text(), (part.line, None) if part.line else at)
    elif item.type in _CLIENT_CALLS:
        value = item.value.final_text() if item.value is not None else ""
        yield Block(TOOL_CALL, value, at, name=done.get("name", item.name),
                    call_id=done.get("call_id", item.call_id))
    elif item.type in _CLIENT_ACTIONS:
        yield Block(TOOL_CALL, "", at, name=item.type, call_id=done.get("call_id", item.call_id))
    elif isinstance(item.type, str) and item.type.endswith("_call"):
        # Hosted tools: web_search_call, file_search_call, code_interpreter_call, mcp_call…
        name = item.type.removesuffix("_call")
        if item.type == "mcp_call":
            name = f"mcp:{done.get('name', item.name)}"
        yield Block(SERVER_TOOL, "", at, name=name)


def _final_blocks(item: dict, at: Location) -> Iterator[Block]:
    """The blocks of an item of the terminal response's `output`."""
    kind = item.get("type")

    def texts(parts: Any, *fields: str) -> Iterator[tuple[Any, str]]:
        for part in parts if isinstance(parts, list) else ():
            if isinstance(part, dict):
                text = next((part[f] for f in fields if isinstance(part.get(f), str)), "")
                yield part.get("type"), text

    if kind == "message":
        for part_type, text in texts(item.get("content"), "text", "refusal"):
            yield Block(REFUSAL if part_type == "refusal" else TEXT, text, at)
    elif kind == "reasoning":
        yield from (Block(SUMMARY, text, at) for _, text in texts(item.get("summary"), "text"))
        yield from (Block(REASONING, text, at) for _, text in texts(item.get("content"), "text"))
    elif kind in _CLIENT_CALLS:
        value = item.get(_CLIENT_CALLS[kind])
        yield Block(TOOL_CALL, value if isinstance(value, str) else "", at,
                    name=item.get("name"), call_id=item.get("call_id"))
    elif kind in _CLIENT_ACTIONS:
        yield Block(TOOL_CALL, "", at, name=kind, call_id=item.get("call_id"))
    elif isinstance(kind, str) and kind.endswith("_call"):
        name = f"mcp:{item.get('name')}" if kind == "mcp_call" else kind.removesuffix("_call")
        yield Block(SERVER_TOOL, "", at, name=name)


# -- Chat Completions --------------------------------------------------------------------------

def from_chat(state: ChatState) -> Answer:
    choices = []
    for entry in state.choices:
        at = entry.at or NOWHERE
        choice = Choice(index=entry.index)
        for attr, kind in CHAT_TEXTS:  # reasoning, content, refusal
            text = getattr(entry, attr)
            if text:
                choice.blocks.append(Block(kind, text.value(), at))
        choice.blocks += [Block(TOOL_CALL, call.arguments.value(), call.at, name=call.name,
                                call_id=call.id) for call in entry.tool_calls]
        reason = entry.finish_reason
        if reason is not None:
            choice.stop = _CHAT_STOPS.get(reason, str(reason))
            choice.stop_reason = f"finish_reason {reason!r}"
            choice.stop_at = entry.finish_at or NOWHERE
        choices.append(choice)
    if state.errored:
        if not choices:
            choices.append(Choice(index=0))
        for choice in choices:
            if choice.stop is None:
                choice.stop, choice.stop_reason = ERROR, "an error chunk"
                choice.stop_at = state.error_at or NOWHERE
    return Answer(kind="chat", choices=choices,
                  usage=_usage(state.usage, "prompt_tokens", "completion_tokens"),
                  usage_at=state.usage_at or NOWHERE)


# -- Anthropic Messages ------------------------------------------------------------------------

_ANTHROPIC_STOPS = {"end_turn": END, "stop_sequence": END, "max_tokens": LENGTH,
                    "model_context_window_exceeded": LENGTH, "tool_use": TOOL_USE,
                    "refusal": CONTENT_FILTER}
#: Anthropic's server tool names where Responses calls the same tool otherwise.
_SERVER_TOOL_NAMES = {"code_execution": "code_interpreter",
                      "bash_code_execution": "code_interpreter",
                      "text_editor_code_execution": "code_interpreter"}


def from_anthropic(state: MessageState) -> Answer:
    choice = Choice(index=0)
    for block in state.blocks:
        choice.blocks += _anthropic_blocks(block)
    if state.error_type is not None:
        choice.stop, choice.stop_reason = ERROR, f"an error event ({state.error_type!r})"
    elif state.stop_reason is not None:
        reason = state.stop_reason
        choice.stop = _ANTHROPIC_STOPS.get(reason, str(reason))
        choice.stop_reason = f"stop_reason {reason!r}"
    choice.stop_at = state.delta_at or NOWHERE
    usage = state.usage
    answer = Answer(kind="anthropic", choices=[choice], usage_at=state.delta_at or NOWHERE)
    if usage:
        parts = [_int(usage.get(k)) for k in ("input_tokens", "cache_read_input_tokens",
                                                 "cache_creation_input_tokens")]
        answer.usage = Usage(
            input=sum(p or 0 for p in parts) if parts[0] is not None else None,
            output=_int(usage.get("output_tokens")), cached=parts[1])
    return answer


def _anthropic_blocks(block: AnthropicBlock) -> Iterator[Block]:
    start = block.start
    if block.type == "text":
        yield Block(TEXT, block.text.value(), block.at)
    elif block.type == "thinking":
        yield Block(REASONING, block.text.value(), block.at)
    elif block.type == "tool_use":
        text = block.text.value()
        if block.full_input and not block.deltas:
            text = json.dumps(start.get("input"))
        yield Block(TOOL_CALL, text, block.at, name=start.get("name"), call_id=start.get("id"))
    elif block.type in ("server_tool_use", "mcp_tool_use"):
        name = start.get("name")
        if block.type == "mcp_tool_use":
            name = f"mcp:{name}"
        elif isinstance(name, str):
            name = _SERVER_TOOL_NAMES.get(name, name)
        yield Block(SERVER_TOOL, "", block.at, name=name)


#: kind -> the function that reads that kind's state.
ADAPTERS: dict[str, Callable[[Any], Answer]] = {"responses": from_responses, "chat": from_chat,
                                                 "anthropic": from_anthropic}
