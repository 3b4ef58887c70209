"""``stream-validator serve``: captures played back over HTTP, as the command runs it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import httpx
import pytest
from conftest import SAMPLES
from live_server import serving
from replay_server import unused_port

from validator import validate_stream
from validator.live.replay import as_sse

CHAT = SAMPLES / "valid" / "chat-text.sse"
REFUSAL = SAMPLES / "valid" / "chat-refusal.jsonl"
RESPONSES = SAMPLES / "valid" / "text.sse"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    directory = tmp_path_factory.mktemp("serve")
    log = directory / "requests.jsonl"
    stderr = directory / "stderr.txt"
    port = unused_port()
    argv = [sys.executable, "-m", "validator", "serve", str(CHAT), str(REFUSAL), str(RESPONSES),
            "--port", str(port), "--log", str(log)]
    with open(stderr, "wb") as err, serving("serve", argv, port, directory, stderr=err):
        yield f"http://127.0.0.1:{port}/v1", log, stderr


def post(url: str, body: dict, **headers: str) -> httpx.Response:
    return httpx.post(url, json=body, headers=headers, timeout=10)


def test_the_capture_the_model_names_is_played_byte_for_byte(served):
    url, _, _ = served
    answer = post(url + "/chat/completions", {"model": "chat-refusal", "messages": []})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert answer.content == as_sse(REFUSAL.read_bytes())
    assert validate_stream(answer.content).violations == []  # JSONL served as valid SSE
    answer = post(url + "/chat/completions", {"model": "openai/chat-text", "messages": []})
    assert answer.content == CHAT.read_bytes()  # an SSE capture as recorded
    named = post(url + "/chat/completions", {"model": "chat-refusal.jsonl", "messages": []})
    assert named.content == as_sse(REFUSAL.read_bytes())


def test_other_models_get_the_captures_of_the_kind_in_turn(served):
    url, _, _ = served
    played = [post(url + "/chat/completions", {"model": "gpt-x", "messages": []}).content
              for _ in range(4)]
    assert len(set(played)) == 2 and played[0] == played[2] and played[1] == played[3]
    responses = post(url + "/responses", {"model": "gpt-x", "input": "hi"})
    assert responses.content == RESPONSES.read_bytes()


def test_bad_requests_get_a_json_error(served):
    url, _, _ = served
    assert post(url + "/messages", {"model": "claude"}).json()["error"]["message"] == \
        "no anthropic capture to serve"
    assert post(url + "/embeddings", {}).status_code == 404
    bad = httpx.post(url + "/responses", content=b"{not json", timeout=10)
    assert bad.status_code == 400 and "not a JSON object" in bad.json()["error"]["message"]
    models = httpx.get(url + "/models", timeout=10).json()
    assert sorted(m["id"] for m in models["data"]) == ["chat-refusal", "chat-text", "text"]


def test_requests_are_logged_without_secrets_and_a_dropped_client_is_no_traceback(served):
    url, log, stderr = served
    post(url + "/responses", {"model": "text", "input": "logged"},
         Authorization="Bearer sk-secret-value")
    with socket.create_connection(("127.0.0.1", httpx.URL(url).port)) as sock:
        body = b'{"model": "chat-text", "messages": []}'
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\n\r\n" + body)
        sock.recv(10)  # then hang up mid-stream
    time.sleep(0.3)
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    mine = next(e for e in entries if '"logged"' in e["body"])
    assert mine["headers"]["Authorization"] == "REDACTED" and mine["capture"] == "text"
    assert "sk-secret-value" not in log.read_text()
    text = stderr.read_text()
    assert "POST /v1/responses model='text' -> text (200)" in text
    assert "Traceback" not in text


def test_delay_paces_the_events(tmp_path):
    port = unused_port()
    argv = [sys.executable, "-m", "validator", "serve", str(RESPONSES), "--port", str(port),
            "--delay", "0.02"]
    with serving("serve", argv, port, tmp_path):
        url = f"http://127.0.0.1:{port}/v1/responses"
        arrivals = []
        start = time.monotonic()
        with httpx.stream("POST", url, json={"input": "x"}, timeout=10) as answer:
            for _ in answer.iter_bytes():
                arrivals.append(time.monotonic() - start)
    events = validate_stream(RESPONSES).events
    assert len(arrivals) >= events // 2  # one event per write, not one body
    assert arrivals[-1] >= 0.02 * (events - 1) * 0.9


def test_serve_refuses_what_it_cannot_serve(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n")
    for args in ([str(empty)], [str(broken)], [str(tmp_path / "missing.sse")]):
        result = subprocess.run([sys.executable, "-m", "validator", "serve", *args],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 2 and "Traceback" not in result.stderr, args
        assert result.stderr.startswith("Error: ")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = subprocess.run([sys.executable, "-m", "validator", "serve", str(CHAT), "--port",
                                 str(taken.getsockname()[1])], capture_output=True, text=True,
                                timeout=30)
    assert result.returncode == 2 and "cannot serve on 127.0.0.1:" in result.stderr
