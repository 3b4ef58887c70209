"""A replay server for the tests of ``stream-validator check``: recorded captures served over real
HTTP on 127.0.0.1, in small uneven chunks with short pauses, as a live server would.  It is the
package's ``validator.live.replay.ReplayServer`` (what ``stream-validator serve`` runs) with the
misbehaviours a test of ``check`` needs.

The first path segment picks the server's behaviour, so one server plays every case:

- ``/replay/v1/...``   picks a capture from the request (tools, parallel calls, reasoning, a token
  limit, a stop sequence) and streams it; an invalid request (``input``/``messages`` of the wrong
  type) gets a 400 (with an Anthropic error body on ``/messages``);
- ``/lenient/v1/...``  the same, but streams an answer to invalid requests too;
- ``/hang/v1/...``     streams half a capture, then sends nothing until the server stops;
- ``/keepalive/v1/...`` streams half a capture, then only `: keep-alive` comments;
- ``/close/v1/...``    streams half a capture, then closes the socket inside the chunked body;
- ``/error500/v1/...`` answers 500 with a JSON error;
- ``/html/v1/...``     answers 200 with an HTML page (a proxy's error page);
- ``/badgzip/v1/...``  streams the capture plain but labelled ``Content-Encoding: gzip``.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from validator.live.replay import Received, ReplayHandler, as_sse
from validator.live.replay import ReplayServer as _PackageServer

__all__ = ["ReplayServer", "anthropic_captures", "captures_from", "sample_captures",
           "unused_port"]


def sample_captures(samples: Path) -> dict[tuple[str, str], Path]:
    """(endpoint, feature) -> capture, from the project's own samples (no chat token-limit
    sample exists: a token limit on chat gets the plain text answer, like a server that ignores
    it)."""
    valid = samples / "valid"
    return {
        ("responses", "text"): valid / "text.sse",
        ("responses", "tools"): valid / "function-call.sse",
        ("responses", "parallel_tools"): valid / "function-call.sse",
        ("responses", "reasoning"): valid / "reasoning-summary.jsonl",
        ("responses", "max_tokens"): valid / "incomplete.sse",
        ("chat", "text"): valid / "chat-text.sse",
        ("chat", "tools"): valid / "chat-parallel-tool-calls.sse",
        ("chat", "parallel_tools"): valid / "chat-parallel-tool-calls.sse",
        ("chat", "reasoning"): valid / "chat-text.sse",
        ("chat", "max_tokens"): valid / "chat-text.sse",
    }


def captures_from(corpus: Path) -> dict[tuple[str, str], Path]:
    """The same table from real captures of OpenAI's API (the shared corpus)."""
    return {
        ("responses", "text"): corpus / "openai-dotnet__text-hello.sse",
        ("responses", "tools"): corpus / "openai-dotnet__function-call.sse",
        ("responses", "parallel_tools"): corpus / "mirascope__parallel-function-calls.sse",
        ("responses", "reasoning"): corpus / "pydantic-ai__reasoning-summary.sse",
        ("responses", "max_tokens"): corpus / "mirascope__incomplete-max-output-tokens.sse",
        ("chat", "text"): corpus / "chat__vercel-ai__openai-text.jsonl",
        ("chat", "tools"): corpus / "chat__simonw-llm__tool-call.sse",
        ("chat", "parallel_tools"): corpus / "chat__mirascope__parallel-tool-calls.sse",
        ("chat", "reasoning"): corpus / "chat__pydantic-ai__deepseek-reasoning.sse",
        ("chat", "max_tokens"): corpus / "chat__mirascope__finish-length.sse",
    }


def anthropic_captures(corpus: Path) -> dict[tuple[str, str], Path]:
    """The `/messages` table from real api.anthropic.com captures (shared/corpus/anthropic)."""
    return {
        ("messages", "text"): corpus / "crewai__cached-prompt.sse",
        ("messages", "tools"): corpus / "llm-anthropic__tool-use.sse",
        ("messages", "parallel_tools"): corpus / "vercel-ai__three-parallel-tool-uses.jsonl",
        ("messages", "reasoning"): corpus / "llm-anthropic__sonnet-thinking.sse",
        ("messages", "max_tokens"): corpus / "dd-trace__claude-3-opus-max-tokens.sse",
        ("messages", "stop_sequence"): corpus / "llm-anthropic__stop-sequence-claude-3-5-haiku.sse",
    }


def unused_port() -> int:
    """A port on 127.0.0.1 nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def feature(body: dict, endpoint: str = "responses") -> str:
    """Which capture a request asks for."""
    if endpoint == "messages":  # `max_tokens` is required there: a small one is the limit
        if body.get("thinking"):
            return "reasoning"
        if body.get("stop_sequences"):
            return "stop_sequence"
        if body.get("tools"):
            return "parallel_tools" if body.get("tool_choice", {}).get("type") == "any" \
                else "tools"
        return "max_tokens" if body.get("max_tokens", 1024) <= 32 else "text"
    if any(k in body for k in ("max_output_tokens", "max_completion_tokens", "max_tokens")):
        return "max_tokens"
    if body.get("tools"):
        return "parallel_tools" if body.get("parallel_tool_calls") else "tools"
    if "reasoning" in body or "reasoning_effort" in body:
        return "reasoning"
    return "text"


def invalid(endpoint: str, body: dict) -> bool:
    if endpoint in ("chat", "messages"):
        return not isinstance(body.get("messages"), list)
    return not isinstance(body.get("input"), (str, list))


class _Handler(ReplayHandler):
    server: _Server

    def answer(self, received: Received) -> None:
        mode, _, rest = received.path.lstrip("/").partition("/")
        endpoint = "chat" if rest.endswith("chat/completions") else \
            "messages" if rest.endswith("/messages") else "responses"
        if mode == "error500":
            return self.send_json(received, 500, {"error": {
                "message": "upstream exploded", "type": "server_error"}})
        if mode == "html":
            return self._send(received, 200, "text/html",
                              b"<html><body>502 Bad Gateway</body></html>")
        if mode == "notfound":  # a base URL without /v1, say
            return self._send(received, 404, "application/json", b'{"detail": "Not Found"}')
        if mode == "sseerror":  # a proxy relaying an upstream error unframed
            return self._send(received, 200, "text/event-stream", json.dumps({"error": {
                "message": "model 'gpt-5-mini' not found", "type": "invalid_request_error"}}
            ).encode())
        body = json.loads(received.body)
        if mode == "replay" and invalid(endpoint, body):
            error = {"message": "Invalid type for 'input'", "type": "invalid_request_error"}
            return self.send_json(received, 400, {"type": "error", "error": error}
                                  if endpoint == "messages" else {"error": error})
        data = as_sse(self.server.table[(endpoint, feature(body, endpoint))].read_bytes())
        # badgzip: the capture sent plain but labelled gzip (a proxy that lies about the body).
        self.start_stream(received, {"Content-Encoding": "gzip"} if mode == "badgzip" else None)
        # flaky: every other request of the run ends cleanly in the middle of the stream.
        flaky = mode == "flaky" and len(self.server.requests) % 2 == 0
        cut = len(data) // 2 if mode in ("hang", "keepalive", "close") or flaky else len(data)
        self.write_chunks(self.chunks(data[:cut]))
        if mode == "hang":
            self.server.stopping.wait(30)
        elif mode == "keepalive":
            while not self.server.stopping.wait(0.05):
                self.write_chunks([b": keep-alive\n\n"])
        elif mode == "close":
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self.end_stream()

    def do_GET(self) -> None:
        """`GET /models`: a model list in mode `models`, nothing elsewhere (not recorded:
        ``requests`` are the scenarios' POSTs)."""
        received = Received(self.command, self.path, dict(self.headers), b"")
        mode = received.path.lstrip("/").partition("/")[0]
        if mode == "models" and received.path.endswith("/models"):
            return self.send_json(received, 200, {"object": "list", "data": [
                {"id": "served-model-1", "object": "model"},
                {"id": "served-model-2", "object": "model"}]})
        return self._send(received, 404, "application/json", b'{"detail": "Not Found"}')

    def _send(self, received: Received, status: int, content_type: str,
              payload: bytes) -> None:
        received.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def chunks(self, data: bytes) -> Iterator[bytes]:
        # Uneven chunks that split lines, UTF-8 sequences and `\r\n` pairs, with short pauses.
        rng = random.Random(len(data))
        at = 0
        while at < len(data):
            size = rng.randint(1, 700)
            yield data[at:at + size]
            at += size
            if rng.random() < 0.2:
                time.sleep(0.002)


class _Server(_PackageServer):
    def __init__(self, table: dict[tuple[str, str], Path]) -> None:
        super().__init__([], handler=_Handler)
        self.table = table
        self.stopping = threading.Event()


class ReplayServer:
    """``with ReplayServer(captures) as server: server.url("replay")`` -> a base URL."""

    def __init__(self, captures: dict[tuple[str, str], Path]) -> None:
        self._server = _Server(captures)

    @property
    def requests(self) -> list[Received]:
        """Every request received."""
        return self._server.requests

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/{mode}/v1"

    def __enter__(self) -> ReplayServer:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stopping.set()
        self._server.__exit__(*exc)
