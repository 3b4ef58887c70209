"""The official SDKs' own stream readers as an oracle: what breaks in a real client.

OpenAI: ``sdk_problems`` feeds a stream's events the way ``client.responses.stream()`` and
``client.chat.completions.stream()`` do (an ``error`` field raises ``APIError`` first, events
are built with the client's lenient ``construct_type``, Azure's ``object: ""`` chunks are
skipped, `[DONE]` ends the stream) through ``ResponseStreamState`` / ``ChatCompletionStreamState``
and returns what went wrong for a client: the exception the SDK raises, or a value its
accumulated snapshot holds that differs from the one the stream itself declares (a `*.done`
value, an `output_item.done` item, the terminal response).  Values the deltas never touched are
not compared: a stream that sends a value only in its `*.done` event is T005, a warning.

Anthropic: ``sdk_reads`` has the anthropic SDK read a stream body end to end: its SSE decoder,
its event dispatch and its accumulator (`anthropic.lib.streaming._messages.accumulate_event`,
through ``client.messages.stream``), over an in-memory transport.  What it raised, and whether
text it was sent is missing from the message it built, is what the oracle tests compare with
our findings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx2
from openai import omit
from openai._models import construct_type
from openai.lib.streaming.chat._completions import ChatCompletionStreamState
from openai.lib.streaming.responses._responses import ResponseStreamState
from openai.types.chat import ChatCompletionChunk
from openai.types.responses import ResponseStreamEvent

__all__ = ["Verdict", "sdk_problems", "sdk_reads"]

# -- openai-python ------------------------------------------------------------------------------

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


# -- anthropic-python ---------------------------------------------------------------------------
@dataclass
class Verdict:
    error: str | None  # the exception the SDK raised, if any
    lost: bool  # text or thinking the stream sent is missing from the SDK's final message
    message: object = None


def _sent(body: bytes) -> tuple[int, int]:
    """Characters of text and thinking the body's deltas carry (whatever their framing)."""
    text = thinking = 0
    for line in body.splitlines():
        if not line.startswith(b"data:"):
            continue
        try:
            event = json.loads(line[5:])
        except ValueError:
            continue
        delta = event.get("delta") if isinstance(event, dict) else None
        if isinstance(delta, dict) and isinstance(delta.get("text"), str):
            text += len(delta["text"])
        if isinstance(delta, dict) and isinstance(delta.get("thinking"), str):
            thinking += len(delta["thinking"])
    return text, thinking


def sdk_reads(body: bytes) -> Verdict:
    import anthropic

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    client = anthropic.Anthropic(api_key="test-key", max_retries=0,
                                 http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
    try:
        with client.messages.stream(model="claude-opus-4-6", max_tokens=64,
                                    messages=[{"role": "user", "content": "hi"}]) as stream:
            for _ in stream:
                pass
            message = stream.current_message_snapshot
    except Exception as exc:  # what a client of the SDK gets
        return Verdict(f"{type(exc).__name__}: {exc}"[:300], False)
    text, thinking = _sent(body)
    got_text = sum(len(getattr(b, "text", "") or "") for b in message.content
                   if getattr(b, "type", None) == "text")
    got_thinking = sum(len(getattr(b, "thinking", "") or "") for b in message.content
                       if getattr(b, "type", None) == "thinking")
    return Verdict(None, got_text < text or got_thinking < thinking, message)
