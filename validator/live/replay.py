"""``stream-validator serve``: recorded captures played back over HTTP, as a fake upstream.

A gateway under test is pointed at this server instead of a model provider.  Every
``POST …/responses``, ``…/chat/completions`` and ``…/messages`` is answered with a capture of
that kind: the capture the request's ``model`` names (its file name without the suffix), else
the captures of that kind in turn, or the capture a caller pinned (``check --upstream`` pins the
one it is testing).  The capture streams as SSE, event by event, ``delay`` seconds apart.
Every request is recorded (``ReplayServer.requests``) and reported to ``on_request``.

Stdlib ``http.server`` with a thread per connection: enough for a test upstream, no
dependency.  Listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..api import validate_stream
from ..result import StreamReport
from .capture import is_secret
from .scenarios import ENDPOINTS as SCENARIO_ENDPOINTS

__all__ = ["ENDPOINTS", "Received", "ReplayCapture", "ReplayHandler", "ReplayServer",
           "RequestLog", "as_sse", "capture_name", "endpoint_kind", "load_captures"]

#: kind -> the path its requests end with.
ENDPOINTS = {kind: path for path, kind in SCENARIO_ENDPOINTS.values()}
_SUFFIXES = (".sse", ".jsonl", ".ndjson", ".json")


def endpoint_kind(path: str) -> str | None:
    """The kind of stream a request path asks for (``None``: not an endpoint served here)."""
    path = path.split("?", 1)[0].rstrip("/")
    return next((kind for kind, end in ENDPOINTS.items() if path.endswith(end)), None)


def as_sse(raw: bytes) -> bytes:
    """A capture as the SSE bytes a server sends: SSE as recorded; JSONL lines or a JSON array
    as ``event:``/``data:`` blocks (chat chunks, which have no ``type``, get no ``event:`` line
    and end with the ``data: [DONE]`` the wire carries)."""
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.lstrip()
    if not text.startswith((b"{", b"[")):
        return raw
    if text.startswith(b"["):
        events = json.loads(text)
    else:
        events = [json.loads(line) for line in text.splitlines() if line.strip()]
    blocks = []
    for event in events:
        name = event.get("type") if isinstance(event, dict) else None
        head = f"event: {name}\n".encode() if isinstance(name, str) else b""
        blocks.append(head + b"data: " + json.dumps(event, ensure_ascii=False).encode() + b"\n\n")
    if blocks and not blocks[0].startswith(b"event:"):
        blocks.append(b"data: [DONE]\n\n")
    return b"".join(blocks)


@dataclass
class ReplayCapture:
    """One capture to serve: its name (the file name without the suffix), its kind, its SSE
    bytes, and its lint report with the answer it carries (``content=True``)."""

    name: str
    path: Path
    kind: str
    body: bytes
    report: StreamReport

    @property
    def source(self) -> str:
        """Where it comes from (``--only``/``--skip`` select captures as they do scenarios)."""
        return str(self.path)


def capture_name(path: Path) -> str:
    name = path.name.removesuffix(".gz")
    return next((name[: -len(s)] for s in _SUFFIXES if name.endswith(s)), name)


def load_captures(paths: Iterable[str | Path]) -> list[ReplayCapture]:
    """The captures at ``paths`` (files, or directories searched for stream files), linted
    once.  ``ValueError`` with a readable message for a file that cannot be read or served."""
    found = []
    for given in paths:
        path = Path(given)
        files = sorted(p for p in path.rglob("*") if p.is_file() and capture_name(p) != p.name
                       and not p.name.endswith(".request.json")) if path.is_dir() else [path]
        if not files:
            raise ValueError(f"{path}: no capture files (*.sse, *.jsonl, *.json) here")
        for file in files:
            try:
                body = as_sse(file.read_bytes())
            except OSError as exc:
                raise ValueError(f"cannot read {file}: {exc.strerror or exc}") from None
            except (ValueError, EOFError) as exc:  # bad JSON lines, broken gzip
                raise ValueError(f"cannot serve {file}: not a stream capture ({exc})") from None
            report = validate_stream(body, name=str(file), content=True)
            if report.kind is None:
                raise ValueError(f"cannot serve {file}: no events")
            found.append(ReplayCapture(capture_name(file), file, report.kind, body, report))
    return found


@dataclass
class Received:
    """One request the server got, and what it answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    kind: str | None = None
    model: Any = None
    capture: str | None = None  # the capture that was played
    status: int = 0

    def safe_headers(self) -> dict[str, str]:
        """The headers with secret-looking values (API keys) replaced, for logs."""
        return {k: "REDACTED" if is_secret(k) else v for k, v in self.headers.items()}


class ReplayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ReplayServer

    def log_message(self, format: str, *args: object) -> None:
        pass  # the server reports each request to on_request instead

    def do_POST(self) -> None:
        received = self.receive()
        try:
            self.answer(received)
        finally:
            self.server.log(received)

    def do_GET(self) -> None:
        received = self.receive()
        if received.path.split("?", 1)[0].rstrip("/").endswith("/models"):
            self.send_json(received, 200, {"object": "list", "data": [
                {"id": c.name, "object": "model", "owned_by": "stream-validator"}
                for c in self.server.captures]})
        else:
            self.send_json(received, 404, _error(f"no such endpoint: GET {received.path}"))
        self.server.log(received)

    def receive(self) -> Received:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        received = Received(self.command, self.path, dict(self.headers),
                            self.rfile.read(length) if length > 0 else b"")
        self.server.requests.append(received)
        return received

    def answer(self, received: Received) -> None:
        """Answer a POST: the capture of the kind its path asks for."""
        kind = received.kind = endpoint_kind(received.path)
        if kind is None:
            return self.send_json(received, 404, _error(
                f"no such endpoint: POST {received.path} (served: "
                f"{', '.join('…' + e for e in ENDPOINTS.values())})"))
        try:
            request = json.loads(received.body or b"null")
        except ValueError:
            request = None
        if not isinstance(request, dict):
            return self.send_json(received, 400, _error("the request body is not a JSON object"))
        received.model = request.get("model")
        capture = self.server.pick(kind, request.get("model"))
        if capture is None:
            return self.send_json(received, 404, _error(self.server.missing(kind)))
        received.capture = capture.name
        self.send_stream(received, capture.body)

    def send_json(self, received: Received, status: int, document: Any) -> None:
        payload = json.dumps(document).encode()
        received.status = status
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def send_stream(self, received: Received, data: bytes) -> None:
        self.start_stream(received)
        self.write_chunks(self.chunks(data))
        self.end_stream()

    def start_stream(self, received: Received, headers: dict[str, str] | None = None) -> None:
        """A 200 event stream, chunked; ``headers`` adds to (or overrides) the usual ones."""
        received.status = 200
        self.send_response(200)
        sent = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache",
                "Transfer-Encoding": "chunked", **(headers or {})}
        for name, value in sent.items():
            self.send_header(name, value)
        self.end_headers()

    def write_chunks(self, chunks: Iterable[bytes]) -> None:
        for chunk in chunks:
            if chunk:
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()

    def end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")

    def chunks(self, data: bytes) -> Iterator[bytes]:
        """The body as the server writes it: one event per chunk, ``delay`` apart."""
        delay = self.server.delay
        start = 0
        for end in _BLOCK_END.finditer(data):
            if start and delay:
                time.sleep(delay)
            yield data[start:end.end()]
            start = end.end()
        yield data[start:]


#: The blank line that ends an SSE block, with any line endings.
_BLOCK_END = re.compile(rb"(?:\r\n|\r(?!\n)|\n){2,}")


def _error(message: str) -> dict:
    return {"error": {"message": message, "type": "invalid_request_error"}}


class ReplayServer(ThreadingHTTPServer):
    """``with ReplayServer(captures) as server: server.base_url`` -> ``http://127.0.0.1:PORT/v1``."""

    daemon_threads = True
    # The default listen backlog (5) refuses connections when many clients connect at once.
    request_queue_size = 128

    def __init__(self, captures: list[ReplayCapture], *, host: str = "127.0.0.1", port: int = 0,
                 delay: float = 0.0, on_request: Callable[[Received], None] | None = None,
                 handler: type[ReplayHandler] = ReplayHandler) -> None:
        super().__init__((host, port), handler)
        self.captures = captures
        self.delay = delay
        self.on_request = on_request
        self.requests: list[Received] = []
        self.pinned: ReplayCapture | None = None
        self._turn: dict[str, int] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def pick(self, kind: str, model: Any) -> ReplayCapture | None:
        """The pinned capture; else the capture ``model`` names (its file name, the suffix and a
        provider prefix such as ``openai/`` aside); else the next capture of ``kind`` in turn."""
        if self.pinned is not None:
            return self.pinned if self.pinned.kind == kind else None
        of_kind = [c for c in self.captures if c.kind == kind]
        if isinstance(model, str):
            wanted = capture_name(Path(model.rpartition("/")[2]))
            named = next((c for c in of_kind if c.name == wanted), None)
            if named is not None:
                return named
        if not of_kind:
            return None
        with self._lock:
            turn = self._turn.get(kind, 0)
            self._turn[kind] = turn + 1
        return of_kind[turn % len(of_kind)]

    def missing(self, kind: str) -> str:
        if self.pinned is not None:
            return (f"the capture being played ({self.pinned.name}) is a {self.pinned.kind} "
                    f"stream; this request asks for a {kind} stream")
        return f"no {kind} capture to serve"

    def log(self, received: Received) -> None:
        if self.on_request is not None:
            self.on_request(received)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that drops its connection (a gateway giving up, a test timing out) is not
        # a server error worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def __enter__(self) -> ReplayServer:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(5)


@dataclass
class RequestLog:
    """``serve``'s log: one line per request on a text stream, and optionally one JSON object
    per request (headers without secrets, the body) in a file."""

    write_line: Callable[[str], None]
    json_file: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, received: Received) -> None:
        played = f" -> {received.capture}" if received.capture else ""
        model = f" model={received.model!r}" if received.model is not None else ""
        with self._lock:
            self.write_line(f"{received.method} {received.path}{model}{played} "
                            f"({received.status})")
            if self.json_file is not None:
                self.json_file.write(json.dumps({
                    "method": received.method, "path": received.path,
                    "headers": received.safe_headers(),
                    "body": received.body.decode("utf-8", "replace"),
                    "status": received.status, "capture": received.capture}) + "\n")
                self.json_file.flush()
