"""A minimal gateway for the tests of the bridge gate: it forwards each POST to its upstream
unchanged and streams the answer back, chunk by chunk (a faithful gateway); ``/cut/…`` stops
relaying halfway through the stream, as a gateway with a broken buffer does."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

__all__ = ["PassThrough"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        cut = self.path.startswith("/cut/")
        path = self.path.removeprefix("/cut")
        with httpx.stream("POST", self.server.upstream + path, content=body, timeout=10,
                          headers={"Content-Type": "application/json"}) as answer:
            data = answer.read()
            self.send_response(answer.status_code)
            self.send_header("Content-Type", answer.headers.get("content-type", ""))
            if cut:
                data = data[:len(data) // 2]
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream.rstrip("/")


class PassThrough:
    """``with PassThrough("http://127.0.0.1:PORT") as gateway: gateway.url`` -> its base URL
    (``/v1``); ``gateway.url_cut`` cuts every stream in half."""

    def __init__(self, upstream: str) -> None:
        self._server = _Server(upstream)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{port}/v1"
        self.url_cut = f"http://127.0.0.1:{port}/cut/v1"

    def __enter__(self) -> PassThrough:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
