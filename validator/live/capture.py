"""One live HTTP exchange for ``check``: send a streaming request, feed the body to the sans-IO
validator as it arrives, time it, and save the capture.

This is the network and file shell of ``check``; the verdict itself is ``validator.live.verdict``.
``--timeout`` is httpx's connect and read timeout: a server that sends no byte for that long
(before the headers or in the middle of the body) is an ``H003`` finding, never a hang.
``--max-time`` bounds the whole exchange whatever the server sends (keep-alive comments, headers
one byte at a time, endless ``102 Processing``): a watchdog shuts the connection's socket down
when it passes, which is also how an interrupt cancels a running exchange.

Content encodings: the request accepts ``gzip`` and ``deflate`` only (what every HTTP client
decodes), and the body is decompressed here, at most ``_INFLATE_STEP`` bytes per step, so a
compression bomb costs time (bounded by ``--max-time``), never memory.  Any other encoding, or
data its encoding cannot decode, is ``H010`` and the body is not validated.  With ``--save`` the
decoded body goes to a temporary file beside the capture as it arrives, renamed when the
exchange ends: memory stays bounded, and a capture on disk is always a whole exchange.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import tempfile
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from ..atomic import write_atomic
from ..engine import StreamValidator
from ..model import Finding
from ..reporters._safe import printable
from .scenarios import REQUEST_SUFFIX
from .verdict import Exchange, is_event_stream, relayed_error

__all__ = ["ACCEPT_ENCODING", "Capture", "CaptureFile", "Watchdog", "deadline", "is_secret",
           "post_stream", "read_small", "redact_url", "save", "scrub"]

#: A non-stream body is only shown and saved up to this size.
_BODY_LIMIT = 64 * 1024
_EXCERPT_CHARS = 200
_SECRET = re.compile(r"auth|key|token|secret|passw|cookie|session|credential|signature", re.I)
_BEARER = re.compile(r"(Bearer|Basic)\s+[^\s'\"]+", re.I)
#: The content codings the request accepts; each is decoded by ``_inflater``.
ACCEPT_ENCODING = "gzip, deflate"
_INFLATE_STEP = 1 << 20


def is_secret(name: str) -> bool:
    """A header or query parameter whose value must never be written (`Authorization`,
    `api-key`, `X-Session-Token`…)."""
    return bool(_SECRET.search(name))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` (an exception's message, say) without the ``secrets`` and any credential after
    ``Bearer``/``Basic``: what reaches a report never carries a key."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "REDACTED")
    return _BEARER.sub(lambda m: f"{m.group(1)} REDACTED", text)


def redact_url(url: str) -> str:
    """``url`` without user info and with secret-looking query values replaced."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    query = urlencode([(k, "REDACTED" if is_secret(k) else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)])
    return urlunsplit((parts.scheme, host, parts.path, query, parts.fragment))


class _Deadline:
    """The end of one exchange's time: ``stop`` shuts its connection's socket down, which ends
    whatever httpx is blocked in (connect, headers, body) with a transport error."""

    def __init__(self, seconds: float) -> None:
        self.expired = False  # the time ran out (not a cancel)
        self._stopped = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.stop, kwargs={"expired": True})
        self._timer.daemon = True

    def trace(self, name: str, info: dict) -> None:
        """httpx's trace hook: remember the socket of each new connection."""
        if name != "connection.connect_tcp.complete" or "return_value" not in info:
            return
        sock = info["return_value"].get_extra_info("socket")
        with self._lock:
            self._sockets.append(sock)
            stopped = self._stopped
        if stopped:
            _shut(sock)

    def stop(self, *, expired: bool = False) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped, self.expired = True, expired
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class Watchdog:
    """The running exchanges of one ``check``, so that an interrupt cancels them all at once."""

    def __init__(self) -> None:
        self.cancelled = False
        self._live: set[_Deadline] = set()
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            live = list(self._live)
        for deadline in live:
            deadline.stop()

    def _watch(self, deadline: _Deadline) -> None:
        with self._lock:
            self._live.add(deadline)
            cancelled = self.cancelled
        if cancelled:
            deadline.stop()

    def _unwatch(self, deadline: _Deadline) -> None:
        with self._lock:
            self._live.discard(deadline)


@contextlib.contextmanager
def deadline(seconds: float, watchdog: Watchdog) -> Iterator[_Deadline]:
    """A deadline for one exchange, which ``watchdog`` can also cancel; pass
    ``extensions={"trace": d.trace}`` to the httpx request it bounds."""
    ends = _Deadline(seconds)
    watchdog._watch(ends)
    try:
        with ends:
            yield ends
    finally:
        watchdog._unwatch(ends)


class _Undecodable(Exception):
    """The body cannot be decoded with its ``Content-Encoding`` (H010)."""


class _Inflater:
    """Decode one accepted content coding incrementally, at most ``_INFLATE_STEP`` bytes of
    output per step (a bomb is slow, never big)."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._wbits = {"identity": 0, "gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS,
                       "deflate": zlib.MAX_WBITS}[coding]
        self._inflate = zlib.decompressobj(self._wbits) if self._wbits else None
        self._started = False

    @classmethod
    def of(cls, header: str | None) -> _Inflater:
        codings = [c.strip().lower() for c in (header or "").split(",")]
        codings = [c for c in codings if c and c != "identity"] or ["identity"]
        if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate", "identity"):
            raise _Undecodable(f"the answer's Content-Encoding is {printable(header or '')!r}; "
                               f"the request accepted only {ACCEPT_ENCODING} (Accept-Encoding), "
                               "so clients get bytes they cannot read; the body was not read")
        return cls(codings[0])

    def decode(self, data: bytes) -> Iterator[bytes]:
        inflate = self._inflate
        if inflate is None:
            yield data
            return
        try:
            while data:
                if inflate.eof:  # another gzip member follows
                    inflate = self._inflate = zlib.decompressobj(self._wbits)
                try:
                    out = inflate.decompress(data, _INFLATE_STEP)
                except zlib.error:
                    if self._started or self.coding != "deflate" or self._wbits < 0:
                        raise
                    # "deflate" sent raw, without its zlib header (as httpx accepts it)
                    self._wbits = -zlib.MAX_WBITS
                    inflate = self._inflate = zlib.decompressobj(self._wbits)
                    out = inflate.decompress(data, _INFLATE_STEP)
                self._started = True
                data = inflate.unconsumed_tail or inflate.unused_data
                if out:
                    yield out
        except zlib.error as exc:
            raise _Undecodable(f"the body is not valid {self.coding} data ({exc}) although "
                               f"Content-Encoding says {self.coding}; clients fail to read it"
                               ) from None

    def finish(self) -> None:
        if self._inflate is not None and self._started and not self._inflate.eof:
            raise _Undecodable(f"the {self.coding} data of the body is cut short; clients lose "
                               "its end")


@dataclass
class Capture:
    """The facts of one exchange; ``body`` is the first 64 KiB of the answer (after content
    decoding), for excerpts; ``--save`` streams the whole of it to disk instead."""

    url: str
    request: dict[str, Any]
    headers: dict[str, str]
    exchange: Exchange = field(default_factory=Exchange)
    body: bytes = b""
    time_to_first_event: float | None = None
    total_time: float = 0.0
    #: The exchange was cancelled (an interrupt): it has no verdict.
    cancelled: bool = False


def post_stream(client: httpx.Client, url: str, request: dict[str, Any],
                headers: dict[str, str], validator: StreamValidator, timeout: float,
                max_time: float, *, save_to: CaptureFile | None = None,
                watchdog: Watchdog | None = None, secrets: Iterable[str] = ()) -> Capture:
    """POST ``request`` to ``url`` and validate the answer as it streams; stop after
    ``max_time`` seconds whatever the server does.  ``save_to``: where the decoded event stream
    goes as it arrives (``--save``); memory stays bounded by what the validator needs, however
    long the stream.  ``secrets`` are scrubbed from every message."""
    capture = Capture(url=url, request=request, headers=headers)
    exchange = capture.exchange
    body = bytearray()
    state = {"received": 0}
    start = time.monotonic()
    watchdog = watchdog or Watchdog()
    try:
        with deadline(max_time, watchdog) as limit, client.stream(
                "POST", url, json=request,
                headers={**headers, "Accept-Encoding": ACCEPT_ENCODING},
                extensions={"trace": limit.trace}) as response:
            exchange.http_status = response.status_code
            exchange.reason = response.reason_phrase
            exchange.content_type = response.headers.get("content-type")
            exchange.streamed = response.is_success and is_event_stream(exchange.content_type)
            inflater = _Inflater.of(response.headers.get("content-encoding"))
            for piece in _decoded(response, inflater, state):
                if len(body) < _BODY_LIMIT:
                    body += piece[:_BODY_LIMIT - len(body)]
                if exchange.streamed:
                    validator.feed(piece)
                    if save_to is not None:
                        save_to.write(piece)
                    if capture.time_to_first_event is None and validator.events:
                        capture.time_to_first_event = time.monotonic() - start
                elif len(body) >= _BODY_LIMIT:
                    break
                if time.monotonic() - start > max_time:
                    exchange.error = Finding("H003", _max_time_message(max_time, validator))
                    break
            else:
                inflater.finish()
        if limit.expired and exchange.error is None:  # a body read until the socket closed
            exchange.error = Finding("H003", _max_time_message(max_time, validator))
    except _Undecodable as exc:
        exchange.error = Finding("H010", str(exc))
        exchange.streamed = False
    except httpx.TimeoutException as exc:
        exchange.error = Finding("H003", _timeout_message(exc, timeout, state["received"],
                                                          validator))
    except httpx.TransportError as exc:
        if limit.expired:
            exchange.error = Finding("H003", _max_time_message(max_time, validator,
                                                               exchange.http_status is None))
        elif not watchdog.cancelled:
            exchange.error = Finding("H004", scrub(_connection_message(exc, state["received"]),
                                                   secrets))
    capture.cancelled = watchdog.cancelled
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
        exchange.body = capture.body
        text = capture.body[:_EXCERPT_CHARS].decode("utf-8", "replace")
        more = len(capture.body) > _EXCERPT_CHARS
        exchange.body_excerpt = printable(text) + ("…" if more else "")
    return capture


def _decoded(response: httpx.Response, inflater: _Inflater, state: dict) -> Iterator[bytes]:
    """The body as it arrives, content-decoded; ``state["received"]`` counts the raw bytes."""
    for chunk in response.iter_raw():
        state["received"] += len(chunk)
        yield from inflater.decode(chunk)


def read_small(response: httpx.Response, limit: int = 1 << 20) -> bytes | None:
    """The whole (content-decoded) body of a small answer, or ``None`` if it is longer than
    ``limit`` bytes or cannot be decoded: a hostile server cannot make it big."""
    body = bytearray()
    try:
        inflater = _Inflater.of(response.headers.get("content-encoding"))
        for piece in _decoded(response, inflater, {"received": 0}):
            body += piece
            if len(body) > limit:
                return None
        inflater.finish()
    except _Undecodable:
        return None
    return bytes(body)


def _max_time_message(max_time: float, validator: StreamValidator,
                      before_headers: bool = False) -> str:
    if before_headers:
        return (f"no complete answer headers within {max_time:g} s (--max-time): the server "
                "sends them too slowly, or only 1xx interim answers")
    return f"the stream did not end within {max_time:g} s (--max-time; {validator.events} events)"


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


class CaptureFile:
    """The temporary file ``--save`` writes a body to as it arrives (``.NAME.*.part`` beside
    the capture), renamed to its name only when the exchange is over."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory, self.name = directory, name
        directory.mkdir(parents=True, exist_ok=True)
        self._file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by commit/discard
            dir=directory, prefix=f".{name}.", suffix=".part", delete=False)
        self.write = self._file.write

    def commit(self, path: Path) -> None:
        self._file.close()
        os.replace(self._file.name, path)

    def discard(self) -> None:
        self._file.close()
        Path(self._file.name).unlink(missing_ok=True)


def save(capture: Capture, body: CaptureFile) -> Path | None:
    """Commit ``body`` (the event stream ``post_stream`` wrote, or else the answer's first
    64 KiB) as ``NAME.sse`` / ``NAME.body`` in its directory and write
    ``NAME.request.json`` (URL, non-secret headers, body); return the body's path (``None``:
    no response, or a cancelled exchange: nothing is saved then)."""
    directory, name = body.directory, body.name
    if capture.cancelled or capture.exchange.http_status is None:
        body.discard()
        path = None
    else:
        if not capture.exchange.streamed:
            body.write(capture.body)
        path = directory / f"{name}{'.sse' if capture.exchange.streamed else '.body'}"
        body.commit(path)
    if capture.cancelled:
        return None
    request = {"method": "POST", "url": redact_url(capture.url),
               "headers": {k: v for k, v in capture.headers.items() if not is_secret(k)},
               "body": capture.request}
    write_atomic(directory / f"{name}{REQUEST_SUFFIX}",
                 (json.dumps(request, indent=2, ensure_ascii=True) + "\n").encode("utf-8"))
    return path
