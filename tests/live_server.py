"""Helpers for the tests against third-party servers: the server as a child process listening on
127.0.0.1 (bounded wait, always stopped), and the command line as a user runs it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from validator.rules import LIVE_FAMILIES

__all__ = ["cli", "lint_findings", "serving"]


@contextmanager
def serving(name: str, argv: list[str], port: int, cwd: Path,
            env: Mapping[str, str] | None = None, wait: float = 15,
            stderr: Any = subprocess.DEVNULL) -> Iterator[None]:
    """Run ``argv`` until the block ends, once it listens on 127.0.0.1:``port``; fail the test if
    it exits or does not listen within ``wait`` seconds.  ``stderr``: where its stderr goes."""
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=stderr)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{name} did not start listening within {wait:g} s")
                time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(10)


def cli(*args: str) -> subprocess.CompletedProcess:
    """The command as a user runs it: a separate process."""
    return subprocess.run([sys.executable, "-m", "validator", *args], capture_output=True,
                          text=True, timeout=120)


def lint_findings(check_files: list[dict]) -> dict[str, list]:
    """What ``lint`` of the saved captures must report: each capture's findings from ``check``
    without the live-only ones (HTTP, transport, scenario expectations)."""
    return {f["path"]: [v for v in f["violations"] if not v["code"].startswith(LIVE_FAMILIES)]
            for f in check_files if f["path"].endswith(".sse")}
