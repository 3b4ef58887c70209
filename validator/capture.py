"""One live HTTP exchange for ``check``: send a streaming request, feed the body to the sans-IO
validator as it arrives, time it, and save the capture.

This is the network and file shell of ``check``; the verdict itself is ``validator.verdict``.
``--timeout`` is httpx's connect and read timeout: a server that sends no byte for that long
(before the headers or in the middle of the body) is an ``H003`` finding, never a hang.  Bytes
that are not events (`: keep-alive` comments) keep a stream alive, so ``--max-time`` bounds the
whole exchange too.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from .engine import StreamValidator
from .reporters._safe import printable
from .scenarios import REQUEST_SUFFIX
from .verdict import Exchange, is_event_stream, relayed_error

__all__ = ["Capture", "is_secret", "post_stream", "redact_url", "save"]

#: A non-stream body is only shown and saved up to this size.
_BODY_LIMIT = 64 * 1024
_EXCERPT_CHARS = 200
_SECRET = re.compile(r"auth|key|token|secret|passw|cookie|session|credential|signature", re.I)


def is_secret(name: str) -> bool:
    """A header or query parameter whose value must never be written (`Authorization`,
    `api-key`, `X-Session-Token`…)."""
    return bool(_SECRET.search(name))


def redact_url(url: str) -> str:
    """``url`` without user info and with secret-looking query values replaced."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    query = urlencode([(k, "REDACTED" if is_secret(k) else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)])
    return urlunsplit((parts.scheme, host, parts.path, query, parts.fragment))


@dataclass
class Capture:
    """The raw body and the facts of one exchange; ``body`` is byte for byte what arrived
    (after HTTP content decoding): a whole event stream when it was kept (``--save``), else
    its first 64 KiB."""

    url: str
    request: dict[str, Any]
    headers: dict[str, str]
    exchange: Exchange = field(default_factory=Exchange)
    body: bytes = b""
    time_to_first_event: float | None = None
    total_time: float = 0.0


def post_stream(client: httpx.Client, url: str, request: dict[str, Any],
                headers: dict[str, str], validator: StreamValidator,
                timeout: float, max_time: float, keep: bool = True) -> Capture:
    """POST ``request`` to ``url`` and validate the answer as it streams; stop reading after
    ``max_time`` seconds.  ``keep``: keep the whole stream in ``body`` (for ``save``); without
    it memory stays bounded by what the validator needs, however long the stream."""
    capture = Capture(url=url, request=request, headers=headers)
    exchange = capture.exchange
    body = bytearray()
    received = 0
    start = time.monotonic()
    try:
        with client.stream("POST", url, json=request, headers=headers) as response:
            exchange.http_status = response.status_code
            exchange.reason = response.reason_phrase
            exchange.content_type = response.headers.get("content-type")
            exchange.streamed = response.is_success and is_event_stream(exchange.content_type)
            for chunk in response.iter_bytes():
                received += len(chunk)
                if keep or len(body) < _BODY_LIMIT:
                    body += chunk
                if exchange.streamed:
                    validator.feed(chunk)
                    if capture.time_to_first_event is None and validator.events:
                        capture.time_to_first_event = time.monotonic() - start
                elif len(body) >= _BODY_LIMIT:
                    break
                if time.monotonic() - start > max_time:
                    exchange.error = ("H003", f"the stream did not end within {max_time:g} s "
                                      f"(--max-time; {validator.events} events)")
                    break
    except httpx.TimeoutException as exc:
        exchange.error = ("H003", _timeout_message(exc, timeout, received, validator))
    except httpx.TransportError as exc:
        exchange.error = ("H004", _connection_message(exc, received))
    capture.total_time = time.monotonic() - start
    capture.body = bytes(body)
    if exchange.streamed:
        validator.close()
        exchange.stream_status = validator.status
        exchange.output = validator.output()
        exchange.usage = validator.usage_seen
        if not validator.events:
            exchange.relayed_error = relayed_error(capture.body[:_BODY_LIMIT])
    else:
        text = capture.body[:_EXCERPT_CHARS].decode("utf-8", "replace")
        exchange.body_excerpt = printable(text) + ("…" if received > _EXCERPT_CHARS else "")
    return capture


def _timeout_message(exc: httpx.TimeoutException, timeout: float, received: int,
                     validator: StreamValidator) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"no connection within {timeout:g} s"
    if isinstance(exc, httpx.ReadTimeout) and received:
        return (f"the server sent nothing for {timeout:g} s after {received} bytes "
                f"({validator.events} events): the stream stalled")
    return f"no answer within {timeout:g} s"


def _connection_message(exc: httpx.TransportError, received: int) -> str:
    reason = printable(str(exc) or type(exc).__name__)
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {reason}"
    if received:
        return f"the connection broke after {received} bytes: {reason}"
    return f"the connection failed: {reason}"


def save(capture: Capture, directory: Path, name: str) -> Path | None:
    """Write ``NAME.request.json`` (URL, non-secret headers, body) and, if a response came, its
    body (``NAME.sse`` for an event stream, ``NAME.body`` for anything else) under
    ``directory``; return the body's path (``None``: no response)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = None
    if capture.exchange.http_status is not None:
        path = directory / f"{name}{'.sse' if capture.exchange.streamed else '.body'}"
        path.write_bytes(capture.body)
    request = {"method": "POST", "url": redact_url(capture.url),
               "headers": {k: v for k, v in capture.headers.items() if not is_secret(k)},
               "body": capture.request}
    (directory / f"{name}{REQUEST_SUFFIX}").write_text(
        json.dumps(request, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
    return path
