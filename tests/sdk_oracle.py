"""The anthropic SDK reading a stream body end to end: its SSE decoder, its event dispatch and
its accumulator (`anthropic.lib.streaming._messages.accumulate_event`, through
``client.messages.stream``), over an in-memory transport.  What it raised, and whether text it
was sent is missing from the message it built, is what the oracle tests compare with our
findings."""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx2

MESSAGES_EVENTS = ("message_start", "content_block_start", "content_block_delta",
                   "content_block_stop", "message_delta", "message_stop")


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
