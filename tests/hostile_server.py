"""A raw HTTP server on 127.0.0.1 for the hostile-server tests: each connection gets the bytes
a *behaviour* writes on the socket, exactly, however broken (no HTTP library in between).

A behaviour is ``f(conn, request) -> None``: ``request`` is the raw request head and body the
client sent; the server records every request it got (``requests``) and closes the socket when
the behaviour returns, or when the client goes away (``OSError`` is the client's doing).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator

Behaviour = Callable[[socket.socket, bytes], None]


class HostileServer:
    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests: list[bytes] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def url(self, path: str = "/v1") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> HostileServer:
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()
        for thread in self._threads:
            thread.join(timeout=5)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = read_request(conn)
                self.requests.append(request)
                self.behaviour(conn, request)
            except OSError:
                pass


def read_request(conn: socket.socket) -> bytes:
    """The request head and its Content-Length body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def head(status: str = "200 OK", *headers: str, content_type: str = "text/event-stream") -> bytes:
    lines = [f"HTTP/1.1 {status}", *([f"Content-Type: {content_type}"] if content_type else []),
             *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reset(conn: socket.socket) -> None:
    """Close with a TCP RST instead of a FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def trickle(conn: socket.socket, data: bytes, every: float, stop: Callable[[], bool]) -> None:
    """Send ``data`` one byte every ``every`` seconds."""
    for byte in data:
        if stop():
            return
        conn.sendall(bytes([byte]))
        time.sleep(every)


def forever(pieces: Iterator[bytes], conn: socket.socket, stop: Callable[[], bool],
            every: float = 0.0) -> None:
    for piece in pieces:
        if stop():
            return
        conn.sendall(piece)
        if every:
            time.sleep(every)
