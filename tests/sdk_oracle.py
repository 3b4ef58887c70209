"""openai-python's own stream accumulators as an oracle: what breaks in the official SDK.

``sdk_problems`` feeds a stream's events the way ``client.responses.stream()`` and
``client.chat.completions.stream()`` do (an ``error`` field raises ``APIError`` first, events
are built with the client's lenient ``construct_type``, Azure's ``object: ""`` chunks are
skipped, `[DONE]` ends the stream) through ``ResponseStreamState`` / ``ChatCompletionStreamState``
and returns what went wrong for a client: the exception the SDK raises, or a value its
accumulated snapshot holds that differs from the one the stream itself declares (a `*.done`
value, an `output_item.done` item, the terminal response).  Values the deltas never touched are
not compared: a stream that sends a value only in its `*.done` event is T005, a warning.
"""

from __future__ import annotations

from typing import Any

from openai import omit
from openai._models import construct_type
from openai.lib.streaming.chat._completions import ChatCompletionStreamState
from openai.lib.streaming.responses._responses import ResponseStreamState
from openai.types.chat import ChatCompletionChunk
from openai.types.responses import ResponseStreamEvent

__all__ = ["sdk_problems"]

_TEXT_DONE = {"response.output_text.done": ("output_text", "text"),
              "response.function_call_arguments.done": ("function_call", "arguments")}


def sdk_problems(events: list[Any], kind: str) -> list[str]:
    """What openai-python's accumulator reports on these events (``[]``: a client is fine)."""
    try:
        return _chat(events) if kind == "chat" else _responses(events)
    except Exception as error:  # the SDK raised: a client of it gets this exception
        return [f"{type(error).__name__}: {error}"]


def _stream(events: list[Any]):
    """The events the SDK's stream yields (``None`` stands for `[DONE]`)."""
    for event in events:
        if event is None:
            return
        if isinstance(event, dict) and event.get("error"):
            raise RuntimeError(f"APIError: the event carries an error: {event['error']!r}"[:200])
        yield event


def _chat(events: list[Any]) -> list[str]:
    state = ChatCompletionStreamState()
    seen = False
    for event in _stream(events):
        chunk = construct_type(type_=ChatCompletionChunk, value=event)
        if getattr(chunk, "object", None) == "":
            continue  # `_is_valid_chat_completion_chunk_weak`
        state.handle_chunk(chunk)
        seen = True
    if seen:
        state.get_final_completion()
    return []


def _responses(events: list[Any]) -> list[str]:
    state = ResponseStreamState(input_tools=omit, text_format=omit)
    problems: list[str] = []
    delta_seen: set = set()
    for raw in _stream(events):
        event = construct_type(type_=ResponseStreamEvent, value=raw)
        for _ in state.handle_event(event):
            pass
        kind = getattr(event, "type", None)
        if kind in ("response.output_text.delta", "response.function_call_arguments.delta"):
            delta_seen.add((event.output_index, getattr(event, "content_index", None)))
        elif kind in _TEXT_DONE:
            problems += _done_value(state, event, delta_seen)
    return problems


def _done_value(state: ResponseStreamState, event: Any, delta_seen: set) -> list[str]:
    """A `*.done` value against what the SDK accumulated from the deltas."""
    part_type, field = _TEXT_DONE[event.type]
    address = (event.output_index, getattr(event, "content_index", None))
    if address not in delta_seen:
        return []
    item = state._get_output_item(event.output_index)
    if part_type == "output_text":
        accumulated = item.content[event.content_index].text
    else:
        accumulated = item.arguments
    declared = getattr(event, field)
    if accumulated != declared:
        return [f"{event.type} at output {event.output_index}: the SDK accumulated "
                f"{accumulated!r:.80}, the event says {declared!r:.80}"]
    return []
