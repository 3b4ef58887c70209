"""``check`` against hostile servers (raw sockets on 127.0.0.1, ``hostile_server.py``): whatever
a server does — before the headers, in them, in the body, in its HTTP framing — ``check`` ends
within ``--max-time``, reports a finding for every scenario, keeps memory bounded, never sends
or prints the key where it does not belong, and on SIGINT/SIGTERM reports what it has."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from hostile_server import HostileServer, forever, head, reset, trickle

from validator.cli import main

TEXT = (SAMPLES / "valid" / "text.sse").read_bytes()
ONE = ("--only", "responses-text")
KEY = "sk-test-0123456789abcdef"


def check(url: str, *args: str, max_time: float = 3) -> tuple[int, dict, float]:
    """Exit code, the JSON report's first file entry, and the wall time."""
    start = time.monotonic()
    result = CliRunner().invoke(main, ["check", url, *ONE, "--timeout", "2", "--max-time",
                                       str(max_time), "--format", "json", *args],
                                catch_exceptions=False)
    elapsed = time.monotonic() - start
    assert "Traceback" not in result.output and "internal error" not in result.output, \
        result.output[-2000:]
    files = json.loads(result.stdout)["files"]
    return result.exit_code, files[0], elapsed


def codes(entry: dict) -> set[str]:
    return {v["code"] for v in entry["violations"]}


def serve(data: bytes):
    def behaviour(conn, _request):
        conn.sendall(data)
    return behaviour


# -- encodings (items 4, 8) ------------------------------------------------------------------------

def test_gzip_header_on_a_plain_body_is_a_finding_not_an_abort():
    """Issue 18.4: httpx.DecodingError is no TransportError: 'internal error', no report."""
    with HostileServer(serve(head("200 OK", "Content-Encoding: gzip", "Connection: close")
                             + TEXT)) as server:
        code, entry, _ = check(server.url())
    assert code == 1 and "H010" in codes(entry)


def test_gzip_and_deflate_bodies_are_validated_decoded():
    for encoding, body in (("gzip", gzip.compress(TEXT)), ("deflate", zlib.compress(TEXT))):
        with HostileServer(serve(head("200 OK", f"Content-Encoding: {encoding}",
                                      "Connection: close") + body)) as server:
            _code, entry, _ = check(server.url())
        assert "H010" not in codes(entry) and entry["events"] > 3, encoding
        assert b"accept-encoding: gzip, deflate\r\n" in server.requests[0].lower()


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, br"])
def test_an_encoding_the_request_did_not_accept_is_a_finding(encoding):
    """Issue 18.8: with brotli installed a 3 KB br bomb was decompressed in one call (4 GB);
    without it the compressed bytes were validated as the stream.  The request accepts only
    gzip and deflate (decoded incrementally); anything else is H010, the body not read."""
    with HostileServer(serve(head("200 OK", f"Content-Encoding: {encoding}",
                                  "Connection: close") + b"\x1b\xff" * 1000)) as server:
        code, entry, _ = check(server.url())
    assert code == 1 and codes(entry) == {"H010"}


# -- before the body (item 5) ----------------------------------------------------------------------

@pytest.mark.parametrize("how", ["headers one byte a second", "endless 102 Processing"])
def test_max_time_holds_before_the_body_starts(how):
    """Issue 18.5: every read came within --timeout, so check waited for h11's 16 KiB header
    limit (hours) or forever."""
    def behaviour(conn, _request):
        if how.startswith("headers"):
            trickle(conn, b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 20000, 0.3,
                    lambda: server.stopping)
        else:
            forever(itertools.repeat(b"HTTP/1.1 102 Processing\r\n\r\n"), conn,
                    lambda: server.stopping, every=0.2)

    with HostileServer(behaviour) as server:
        code, entry, elapsed = check(server.url(), max_time=2)
    assert code == 1 and "H003" in codes(entry)
    assert elapsed < 6
    assert "--max-time" in next(v["message"] for v in entry["violations"] if v["code"] == "H003")


# -- bodies ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"[}", b"[" + b"}" * 1000])
def test_a_body_that_hung_the_json_array_reader_ends(body):
    """Issue 18.1 through `check`: a body `[}` ignored --max-time (check now reads every
    event-stream body as SSE, so it is no JSON array there; it still ends at once)."""
    with HostileServer(serve(head("200 OK", "Connection: close") + body)) as server:
        code, entry, elapsed = check(server.url(), max_time=5)
    assert code == 1 and "L010" in codes(entry) and elapsed < 5


def test_one_deep_event_does_not_lose_the_other_reports():
    """Issue 18.2 through `check`: one such event aborted the run (all reports lost)."""
    deep = b"[" * 1000 + b"]" * 1000
    event = b'data: {"type":"response.output_text.delta","delta":' + deep + b"}\n\n"
    with HostileServer(serve(head("200 OK", "Connection: close") + event)) as server:
        result = CliRunner().invoke(main, ["check", server.url(), "--only",
                                           "responses-text,chat-text", "--timeout", "2",
                                           "--format", "json"])
    files = {f["check"]["scenario"]: f for f in json.loads(result.stdout)["files"]}
    assert sorted(files) == ["chat-text", "responses-text"]
    assert "F020" in codes(files["responses-text"])


@pytest.mark.parametrize("how", ["slowloris body", "endless comments", "endless valid stream"])
def test_endless_bodies_stop_at_max_time(how):
    events = TEXT.split(b"\n\n")
    pieces = {"slowloris body": itertools.repeat(b":"),
              "endless comments": itertools.repeat(b": keep-alive\n\n"),
              "endless valid stream": itertools.chain(
                  [e + b"\n\n" for e in events[:4]],
                  itertools.repeat(events[4] + b"\n\n"))}[how]

    def behaviour(conn, _request):
        conn.sendall(head("200 OK"))
        forever(pieces, conn, lambda: server.stopping, every=0.1 if how == "slowloris body" else 0)

    with HostileServer(behaviour) as server:
        code, entry, elapsed = check(server.url(), max_time=2)
    assert code == 1 and "H003" in codes(entry) and elapsed < 6


# -- HTTP oddities ---------------------------------------------------------------------------------

def test_a_redirect_to_another_port_is_not_followed_and_the_key_stays():
    with HostileServer(serve(b"")) as other:
        target = other.url("/v1/responses")
        with HostileServer(serve(head("307 Temporary Redirect", f"Location: {target}",
                                      "Content-Length: 0", content_type=""))) as server:
            code, entry, _ = check(server.url(), "--api-key", KEY)
        assert code == 1 and "H001" in codes(entry)
        assert other.requests == []
    assert KEY.encode() in server.requests[0]


@pytest.mark.parametrize("answer", [
    head("204 No Content", content_type=""),
    head("304 Not Modified", content_type=""),
    head("100 Continue", content_type="") + head("200 OK", "Connection: close") + TEXT,
    head("103 Early Hints", "Link: </x>", content_type="") + head("200 OK", "Connection: close")
    + TEXT,
])
def test_no_content_not_modified_and_informational_answers(answer):
    with HostileServer(serve(answer)) as server:
        code, entry, _ = check(server.url())
    if answer.startswith(b"HTTP/1.1 1"):
        assert entry["events"] > 3 and not {"H001", "H004"} & codes(entry)
    else:  # a 2xx without an event stream is H002, a 304 an HTTP error
        assert code == 1 and ("H002" if b" 204 " in answer else "H001") in codes(entry)


@pytest.mark.parametrize("how", ["reset", "broken chunked encoding", "chunked never ends"])
def test_broken_connections_and_framing_are_h004(how):
    def behaviour(conn, _request):
        if how == "reset":
            conn.sendall(head("200 OK") + TEXT[:300])
            reset(conn)
        elif how == "broken chunked encoding":
            conn.sendall(head("200 OK", "Transfer-Encoding: chunked") + b"zz\r\n" + TEXT[:10])
        else:
            conn.sendall(head("200 OK", "Transfer-Encoding: chunked") + b"%x\r\n" % 100
                         + TEXT[:100] + b"\r\n")

    with HostileServer(behaviour) as server:
        code, entry, _ = check(server.url())
    assert code == 1 and "H004" in codes(entry)


def test_headers_that_are_not_utf8():
    answer = head("200 OK", "X-Name: caf\xe9 \xff\xfe", "Connection: close",
                  content_type="text/event-stream; charset=\xff")
    with HostileServer(serve(answer + TEXT)) as server:
        _code, entry, _ = check(server.url())
    assert entry["events"] > 3 and not {"H002", "H004"} & codes(entry)


# -- the key and the URL (items 12, 17, 18) --------------------------------------------------------

@pytest.mark.parametrize("key", [KEY + "\n", KEY + "\r", "sk-ünïcode-" + KEY, "a\x01" + KEY])
@pytest.mark.parametrize("where", ["--api-key", "OPENAI_API_KEY"])
def test_a_key_that_is_no_header_value_is_refused_and_never_shown(key, where, monkeypatch):
    """Issue 18.12: a key ending in LF was printed whole in every format (H004 '... Illegal
    header value b'Bearer sk-...\\n''), a non-ASCII key gave 'internal error'."""
    args = ["check", "http://127.0.0.1:9/v1", *ONE, "--timeout", "1"]
    if where == "--api-key":
        args += ["--api-key", key]
    else:
        monkeypatch.setenv("OPENAI_API_KEY", key)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert KEY not in result.output and "0123456789" not in result.output
    assert "key" in result.output.lower() and "not shown" in result.output


def test_exception_texts_in_reports_are_scrubbed_of_secrets():
    from validator.live.capture import scrub

    text = "Illegal header value b'Bearer sk-abc\\n' and x-api-key sk-def"
    assert scrub(text, ["sk-def"]) == \
        "Illegal header value b'Bearer REDACTED' and x-api-key REDACTED"


def test_a_base_url_with_a_query_keeps_the_query_after_the_endpoint():
    """Issue 18.17: `/v1?api-version=1` + `/responses` gave `/v1?api-version=1/responses`."""
    with HostileServer(serve(head("200 OK", "Connection: close") + TEXT)) as server:
        _code, entry, _ = check(server.url("/openai/v1?api-version=2025-01&api-key=secret"))
    lines = [r.split(b"\r\n", 1)[0] for r in server.requests]
    assert lines == [b"GET /openai/v1/models?api-version=2025-01&api-key=secret HTTP/1.1",
                     b"POST /openai/v1/responses?api-version=2025-01&api-key=secret HTTP/1.1"]
    assert entry["check"]["url"].endswith("/openai/v1/responses?api-version=2025-01&"
                                          "api-key=REDACTED")


@pytest.mark.parametrize("url", ["http://a..b/v1", "http://xn--/v1", "http://127.0.0.1:8000/v1\n",
                                 "http://[::1/v1", "http://127.0.0.1:99999/v1", "http:///v1",
                                 "http://\u00ff\u0000/v1"])
def test_malformed_base_urls_are_a_usage_error(url):
    """Issue 18.18: a line break or a bad IDNA label gave 'internal error'."""
    result = CliRunner().invoke(main, ["check", url, *ONE])
    assert result.exit_code == 2 and "internal error" not in result.output
    assert "base URL" in result.output


# -- memory, atomic files, interrupts (items 7, 15, 16) --------------------------------------------

def _child(*args: str) -> subprocess.Popen:
    code = ("import atexit, sys\n"
            "def peak():\n"
            "    for line in open('/proc/self/status'):\n"
            "        if line.startswith('VmHWM:'):\n"
            "            sys.stderr.write('PEAK_KB=' + line.split()[1] + '\\n')\n"
            "atexit.register(peak)\n"
            "from validator.cli import run\n"
            "sys.argv = ['stream-validator', *sys.argv[1:]]\n"
            "run()\n")
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _peak_mb(stderr: str) -> int:
    return next(int(line[8:]) // 1024 for line in stderr.splitlines()
                if line.startswith("PEAK_KB="))


def test_save_streams_the_body_to_disk_instead_of_memory(tmp_path):
    """Issue 18.7: --save held the body twice in memory (517 MB after 5 s of an endless
    stream; a 2 MB gzip answer reached 4.2 GB).  The server answers GET /models with the same
    bomb: that body is read up to 1 MiB only."""
    body = gzip.compress(TEXT[:2000] + b": " + b"x" * (300 * 2**20) + b"\n\n", 9)

    def behaviour(conn, _request):
        conn.sendall(head("200 OK", "Content-Encoding: gzip", f"Content-Length: {len(body)}")
                     + body)

    with HostileServer(behaviour) as server:
        child = _child("check", server.url(), *ONE, "--save", str(tmp_path), "--max-time", "60",
                       "--format", "json")
        _out, err = child.communicate(timeout=120)
    assert child.returncode == 1, err
    saved = tmp_path / "responses-text.sse"
    assert saved.stat().st_size > 300 * 2**20
    assert _peak_mb(err) < 200, err


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_reports_the_finished_scenarios_and_exits_128_plus_the_signal(
        tmp_path, signum, status):
    """Issue 18.16 and 18.15: Ctrl-C exited 1 with only 'Aborted!' and no report, after waiting
    for the running scenarios; a SIGTERM left half a capture that looks like a cut stream."""
    def behaviour(conn, request):
        if request.startswith(b"GET "):  # /models
            conn.sendall(head("404 Not Found", "Content-Length: 0", content_type=""))
            return
        if b"/responses " in request.split(b"\r\n", 1)[0]:  # Responses scenarios finish
            conn.sendall(head("200 OK", "Connection: close") + TEXT)
            return
        conn.sendall(head("200 OK"))  # chat ones stream forever
        forever(itertools.repeat(b": keep-alive\n\n"), conn, lambda: server.stopping, every=0.01)

    with HostileServer(behaviour) as server:
        child = _child("check", server.url(), "--save", str(tmp_path), "--max-time", "100",
                       "--concurrency", "16", "--format", "json", "--report",
                       f"junit={tmp_path / 'junit.xml'}")
        time.sleep(4)
        started = time.monotonic()
        child.send_signal(signum)
        out, err = child.communicate(timeout=30)
        elapsed = time.monotonic() - started
    assert child.returncode == status, err
    assert elapsed < 10
    assert "interrupted" in err and "Aborted!" not in err and "Traceback" not in err
    document = json.loads(out)
    assert (tmp_path / "junit.xml").exists()
    saved = {p.name for p in tmp_path.iterdir()}
    assert not [n for n in saved if n.endswith(".part") or n.startswith(".")], saved
    for entry in document["files"]:  # finished scenarios only, each with its saved capture
        assert entry["check"]["capture"] is None or Path(entry["check"]["capture"]).exists()
    assert len(document["files"]) < 16


def test_reports_are_written_atomically(tmp_path, monkeypatch):
    """Issue 18.15: a report file is replaced in one step (a temporary file renamed)."""
    target = tmp_path / "report.json"
    target.write_text("old")
    seen = []
    real = os.replace

    def spy(src, dst):
        seen.append((Path(src).parent, Path(dst)))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    result = CliRunner().invoke(main, ["lint", str(SAMPLES / "valid" / "text.sse"), "--report",
                                       f"json={target}"])
    assert result.exit_code == 0
    assert seen == [(tmp_path, target)] and json.loads(target.read_text())["files"]


def test_no_request_after_the_port_is_closed():
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    address = port.getsockname()[1]
    port.close()
    code, entry, _ = check(f"http://127.0.0.1:{address}/v1")
    assert code == 1 and "H004" in codes(entry)
