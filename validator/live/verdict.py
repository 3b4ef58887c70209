"""The verdict on one ``check`` exchange: transport (H) and scenario-expectation (X) findings.

Sans-IO: ``judge`` reads what the HTTP exchange produced (an :class:`Exchange`, filled in by
``validator.live.capture``) and the scenario, and returns :class:`~validator.model.Finding`
objects (code and message: an exchange has no event to locate them in).  The stream's own
findings come from the engine; these are the ones no capture file can carry.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from ..model import Finding
from ..reporters._safe import printable
from .scenarios import Scenario

__all__ = ["Exchange", "census", "is_event_stream", "judge", "relayed_error"]

_FAILED = ("failed", "error")


@dataclass
class Exchange:
    """What one request got back.

    ``http_status`` is ``None`` when no response arrived; ``error`` is the transport finding
    (``H003`` timeout, ``H004`` connection) if the exchange broke; ``streamed`` says the body
    was validated as an event stream; ``stream_status`` and ``output`` are the engine's
    ``status`` and ``output()`` of that stream.
    """

    http_status: int | None = None
    reason: str = ""
    content_type: str | None = None
    error: Finding | None = None
    body_excerpt: str = ""
    streamed: bool = False
    stream_status: str | None = None
    output: list[dict] = field(default_factory=list)
    output_text: str = ""
    usage: bool = False  # the stream reported token usage
    #: The error a `text/event-stream` body relayed as plain JSON instead of events.
    relayed_error: str | None = None
    body: bytes = b""  # a non-stream answer's first 64 KiB (an error body)


def _anthropic_error(body: bytes) -> bool:
    """``{"type": "error", "error": {"type": str, "message": str}}``, which the Anthropic SDKs
    read into the exception they raise (`APIStatusError.body`, `error.type`)."""
    try:
        document = json.loads(body)
    except ValueError:
        return False
    error = document.get("error") if isinstance(document, dict) else None
    return (document.get("type") == "error" and isinstance(error, dict)
            and isinstance(error.get("type"), str) and isinstance(error.get("message"), str))


def is_event_stream(content_type: str | None) -> bool:
    """``text/event-stream``, whatever its parameters (the spec ignores ``charset``)."""
    return (content_type or "").split(";", 1)[0].strip().lower() == "text/event-stream"


def census(kind: str, output: list[dict], usage: bool = False) -> Counter:
    """What a stream produced, by the names ``expect.contains`` uses: output item types
    (Responses), content block types (anthropic), or ``content``, ``tool_call``,
    ``reasoning``, ``refusal`` of choice 0 (chat); ``usage`` for any when the stream reported
    token usage."""
    if kind == "responses" or kind == "anthropic":
        found = Counter(item.get("type") for item in output)
    else:
        choice = next((c for c in output if c.get("index") == 0), {})
        found = Counter({"content": int(bool(choice.get("content"))),
                         "tool_call": len(choice.get("tool_calls") or ()),
                         "reasoning": int(bool(choice.get("reasoning"))),
                         "refusal": int(bool(choice.get("refusal")))})
    found["usage"] = int(usage)
    return found


def judge(scenario: Scenario, exchange: Exchange) -> list[Finding]:
    """The H and X findings of one exchange, most fundamental first.

    Expectations are only checked on a stream that ended: a broken connection or a non-stream
    answer is reported once, not again as every expectation it could not meet.
    """
    found = [exchange.error] if exchange.error else []
    status = exchange.http_status
    if status is None:
        return found
    if not 200 <= status < 300:
        # 404/405 is no verdict on the request: the URL or method reached nothing.
        if not (scenario.outcome == "rejected" and 400 <= status < 500
                and status not in _NOT_THERE):
            found.append(Finding("H001", _http_message(scenario, exchange)))
        if scenario.kind == "anthropic" and not _anthropic_error(exchange.body):
            found.append(Finding("H020", "the error body is not an Anthropic error object "
                                 '({"type": "error", "error": {"type": …, "message": …}}): '
                                 f"{exchange.body_excerpt or 'empty'}"))
        return found
    if exchange.error and exchange.error.code == "H010":
        return found  # the body could not be decoded: there is nothing more to judge
    if not exchange.streamed:
        found.append(Finding("H002", f"Content-Type is {exchange.content_type or 'missing'!s}, "
                             "not text/event-stream; the body was not validated: "
                             f"{exchange.body_excerpt}"))
        return found
    if exchange.relayed_error is not None:
        return [*found, Finding("H005", "the text/event-stream body is a JSON error, not "
                                f"events: {exchange.relayed_error}")]
    if exchange.error or exchange.stream_status is None:
        return found  # the engine reports the missing terminal event
    return found + [Finding("X001", message) for message in _unmet(scenario, exchange)]


#: Statuses that say the URL or the method reached nothing, not that the request was judged.
_NOT_THERE = (404, 405)


def _http_message(scenario: Scenario, exchange: Exchange) -> str:
    expected = ("a 4xx error or a failed stream" if scenario.outcome == "rejected"
                else "200 and an event stream")
    if exchange.http_status in _NOT_THERE:
        expected += "; nothing answers at this URL: is the base URL right? (…/v1?)"
    reason = f" {exchange.reason}" if exchange.reason else ""
    body = f": {exchange.body_excerpt}" if exchange.body_excerpt else ""
    return f"HTTP {exchange.http_status}{reason} (expected {expected}){body}"


def relayed_error(body: bytes) -> str | None:
    """The message of a JSON error object sent as the body of an event stream (a proxy that
    relays an upstream error unframed), or ``None``."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    if not isinstance(document, dict) or not ("error" in document or "detail" in document):
        return None
    error = document["error"] if "error" in document else document["detail"]
    message = error.get("message") if isinstance(error, dict) else error
    return printable(str(message if message is not None else error))[:200]


def _unmet(scenario: Scenario, exchange: Exchange) -> list[str]:
    ended = exchange.stream_status
    what = {"chat": "finish_reason", "anthropic": "stop_reason"}.get(scenario.kind, "status")
    if scenario.outcome == "rejected":
        if ended not in _FAILED:
            return [f"the invalid request was answered with a stream that ended with {what} "
                    f"{ended!r}: expected an HTTP 4xx or a failed stream"]
        return []
    unmet = []
    if scenario.status and ended not in scenario.status:
        unmet.append(f"the stream ended with {what} {ended!r}, expected "
                     f"{' or '.join(repr(s) for s in scenario.status)}")
    found = census(scenario.kind, exchange.output, exchange.usage)
    for name, wanted in scenario.contains.items():
        if name == "usage" and not found[name]:
            unmet.append("expected token usage (the request asks for it), the stream reports "
                         "none")
        elif found[name] < wanted:
            unmet.append(f"expected at least {wanted} {name} output{'s' * (wanted != 1)}, "
                         f"the stream has {found[name]}")
    if scenario.text and not exchange.output_text.strip():
        unmet.append("expected a text answer, the stream has no text")
    return unmet
